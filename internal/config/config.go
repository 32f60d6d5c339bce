package config

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/palantir/go-githubapp/githubapp"
)

// Defaults of the server config. The example config
// (config/liaisonbot.example.yml) shows the same values; a test keeps them
// in step.
const (
	DefaultAddress          = ":8080"
	DefaultLogLevel         = "info"
	DefaultGitHubWebURL     = "https://github.com"
	DefaultGitHubV3APIURL   = "https://api.github.com/"
	DefaultGitHubV4APIURL   = "https://api.github.com/graphql"
	DefaultContentPerMinute = 80
	DefaultContentPerHour   = 500
	DefaultDatatrackerURL   = "https://datatracker.ietf.org"
	DefaultPollInterval     = 5 * time.Minute
	DefaultPageSize         = 50
	DefaultAttachmentURL    = "https://www.ietf.org/lib/dt/documents/LIAISON/"
	DefaultTemplatesRepo    = "intarchboard/liaison-templates"
	DefaultTemplatesRef     = "main"
	DefaultTemplatesRefresh = time.Hour
	DefaultStoreDSN         = "sqlite:liaisonbot.db"

	// MinPollInterval keeps liaisonbot polite to the datatracker, a shared
	// public service with no API keys to throttle abusers by.
	MinPollInterval = time.Minute
	// MinTemplatesRefresh keeps anonymous template reads (60 an hour for
	// all of them) well inside GitHub's limit.
	MinTemplatesRefresh = time.Minute
	// MaxPageSize is the largest page the datatracker is asked for.
	MaxPageSize = 100
)

// Config is the server config: `liaisonbot serve --config FILE`, then the
// environment. The `github` block is go-githubapp's own githubapp.Config,
// unchanged, so its keys and environment variables (GITHUB_V3_API_URL,
// GITHUB_APP_INTEGRATION_ID, ...) are the ones go-githubapp documents;
// liaisonbot's additions for GitHub live in `github_app` and
// `github_limits`.
type Config struct {
	Server       ServerConfig      `yaml:"server"`
	Logging      LoggingConfig     `yaml:"logging"`
	Github       githubapp.Config  `yaml:"github"`
	GitHubApp    GitHubAppConfig   `yaml:"github_app"`
	GitHubLimits GitHubLimits      `yaml:"github_limits"`
	Datatracker  DatatrackerConfig `yaml:"datatracker"`
	Templates    TemplatesConfig   `yaml:"templates"`
	Store        StoreConfig       `yaml:"store"`
	Sync         SyncConfig        `yaml:"sync"`
	SMTP         SMTPConfig        `yaml:"smtp"`

	// keyFromFile is set once Load has read GitHubApp.PrivateKeyFile into
	// Github.App.PrivateKey, so Validate does not see two keys.
	keyFromFile bool
}

// ServerConfig is the HTTP server for webhooks, health and metrics.
type ServerConfig struct {
	// Address is host:port to listen on; ":8080" listens on every interface.
	Address string `yaml:"address"`
	// PublicURL is where GitHub and people reach the server (webhook URL
	// in the app manifest, links); optional.
	PublicURL string `yaml:"public_url"`
}

// LoggingConfig sets zerolog's level and output.
type LoggingConfig struct {
	Level string `yaml:"level"` // trace, debug, info, warn or error
	Text  bool   `yaml:"text"`  // human-readable lines instead of JSON
}

// GitHubAppConfig holds what liaisonbot adds to go-githubapp's block.
type GitHubAppConfig struct {
	// PrivateKeyFile is a PEM file with the app's private key, read by
	// Load into Github.App.PrivateKey; a relative path is relative to the
	// working directory. Keeps the key out of the config file.
	PrivateKeyFile string `yaml:"private_key_file"`
}

// GitHubLimits paces the requests that create content (issues, comments,
// labels, pull requests), which GitHub limits separately from the hourly
// rate limit: about 80 a minute and 500 an hour.
type GitHubLimits struct {
	ContentPerMinute int `yaml:"content_per_minute"`
	ContentPerHour   int `yaml:"content_per_hour"`
}

// DatatrackerConfig is how to reach and poll the IETF Datatracker.
type DatatrackerConfig struct {
	URL           string        `yaml:"url"`            // base URL, no trailing slash
	PollInterval  time.Duration `yaml:"poll_interval"`  // at least MinPollInterval
	PageSize      int           `yaml:"page_size"`      // 1..MaxPageSize
	AttachmentURL string        `yaml:"attachment_url"` // prefix of attachment file names, ends in "/"
}

// TemplatesConfig is the repository holding the acknowledgement and
// response templates, read at run time through the contents API.
type TemplatesConfig struct {
	Repo    string        `yaml:"repo"`    // owner/name
	Ref     string        `yaml:"ref"`     // branch, tag or commit
	Refresh time.Duration `yaml:"refresh"` // how long a cached copy is used before revalidating
}

// OwnerName splits Repo into owner and name.
func (t TemplatesConfig) OwnerName() (owner, name string) {
	owner, name, _ = strings.Cut(t.Repo, "/")
	return owner, name
}

// StoreConfig is where liaisonbot keeps its state.
type StoreConfig struct {
	// DSN is "sqlite:PATH", "sqlite::memory:" or a file path (see
	// SQLiteFile).
	DSN string `yaml:"dsn"`
}

// SQLiteFile reads the store DSN forms liaisonbot accepts — "sqlite:PATH",
// "sqlite::memory:" and a bare PATH — and returns the file's path, or
// memory for an in-memory store. The store opens what it returns, so
// check-config and serve agree on every DSN. PostgreSQL DSNs get an error
// saying it is not supported yet.
func SQLiteFile(dsn string) (path string, memory bool, err error) {
	dsn = strings.TrimSpace(dsn)
	if dsn == "" {
		return "", false, errors.New("no dsn given: want sqlite:PATH, sqlite::memory: or a file path")
	}
	if scheme, _, ok := strings.Cut(dsn, "://"); ok {
		switch strings.ToLower(scheme) {
		case "postgres", "postgresql":
			return "", false, errors.New("PostgreSQL is not supported yet: use a SQLite file")
		default:
			return "", false, fmt.Errorf("unsupported dsn scheme %q: want sqlite:PATH, sqlite::memory: or a file path", scheme)
		}
	}
	if strings.HasPrefix(dsn, "file:") {
		return "", false, errors.New("a file: URI is not a store dsn: write sqlite:PATH (liaisonbot sets the pragmas itself)")
	}
	if IsKeyValueDSN(dsn) {
		return "", false, errors.New("a key=value dsn is PostgreSQL's, which is not supported yet: use a SQLite file")
	}
	path = strings.TrimPrefix(dsn, "sqlite:")
	switch path {
	case "":
		return "", false, errors.New("the dsn names no file: want sqlite:PATH or sqlite::memory:")
	case ":memory:":
		return "", true, nil
	}
	return filepath.Clean(path), false, nil
}

// IsKeyValueDSN reports whether dsn looks like PostgreSQL's "host=…
// password=…" form, which must never be shown in an error.
func IsKeyValueDSN(dsn string) bool {
	for _, k := range []string{"host=", "dbname=", "user=", "password="} {
		if strings.Contains(dsn, k) {
			return true
		}
	}
	return false
}

// SyncConfig holds defaults for syncing repositories.
type SyncConfig struct {
	// Since is the earliest posting date synced for a repository whose
	// liaison.yml has no since; empty means the day the repository was
	// first seen.
	Since Date `yaml:"since"`
}

// SMTPConfig is the mail server acknowledgements go out through. Without
// an address no mail is sent: "/ack send" says so, and "/ack sent" records
// a mail sent by hand.
type SMTPConfig struct {
	Addr     string `yaml:"addr"`     // host:port, e.g. "smtp.example.org:587"
	Username string `yaml:"username"` // empty: no AUTH
	Password string `yaml:"password"`
	// StartTLS is "mandatory" (default), "opportunistic" or "none"
	// ("none" only for a server on loopback).
	StartTLS string        `yaml:"starttls"`
	HeloName string        `yaml:"helo_name"` // name given in EHLO; empty: the host name
	Timeout  time.Duration `yaml:"timeout"`   // per step of the conversation; default 30s
	// From is the sender when a repository's ack.from is empty.
	From string `yaml:"from"`
}

// Default is the config with every default filled in: what an empty file
// and an empty environment give.
func Default() *Config {
	c := &Config{}
	c.fillDefaults()
	return c
}

// Load reads the config file at path (none when path is ""), applies the
// environment, fills defaults, validates, and reads the private key file.
// Errors name the file and line, or the environment variable, of every
// problem.
func Load(path string) (*Config, error) {
	var data []byte
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("failed to read config file %s: %w", path, err)
		}
		data = b
	}
	c, err := Parse(path, data, os.LookupEnv)
	if err != nil {
		return nil, err
	}
	if err := c.loadPrivateKey(); err != nil {
		return nil, err
	}
	return c, nil
}

// Parse decodes a server config named name (for messages) from data,
// strictly, then applies overrides from env (nil: none; os.LookupEnv in
// Load), fills defaults and validates. It does no I/O, so the private key
// file is not read (Load does that).
//
// Environment variables: go-githubapp's for the github block
// (GITHUB_WEB_URL, GITHUB_V3_API_URL, GITHUB_V4_API_URL,
// GITHUB_APP_INTEGRATION_ID, GITHUB_APP_WEBHOOK_SECRET,
// GITHUB_APP_PRIVATE_KEY, GITHUB_OAUTH_CLIENT_ID, GITHUB_OAUTH_CLIENT_SECRET),
// and LIAISONBOT_<SECTION>_<KEY> for every other key
// (LIAISONBOT_DATATRACKER_POLL_INTERVAL, LIAISONBOT_STORE_DSN, ...).
func Parse(name string, data []byte, env func(string) (string, bool)) (*Config, error) {
	c := &Config{}
	doc, found := decodeStrict(name, data, c)
	envKeys, envFound := applyEnv(c, env)
	found = append(found, envFound...)
	c.fillDefaults()
	found = append(found, withoutKeys(fieldErrors(c.Validate()), found)...)
	if len(found) > 0 {
		return nil, doc.locate(found, envKeys).err()
	}
	return c, nil
}

// withoutKeys drops from ps the problems with keys that already have one
// in earlier, so a value that failed to decode is not also reported as
// invalid.
func withoutKeys(ps, earlier problems) problems {
	seen := map[string]bool{}
	for _, p := range earlier {
		if p.Key != "" {
			seen[p.Key] = true
		}
	}
	var out problems
	for _, p := range ps {
		if !seen[p.Key] {
			out = append(out, p)
		}
	}
	return out
}

// fillDefaults sets every empty key to its default and tidies values whose
// spelling does not matter (level case, URL slashes).
func (c *Config) fillDefaults() {
	setString(&c.Server.Address, DefaultAddress)
	setString(&c.Logging.Level, DefaultLogLevel)
	c.Logging.Level = strings.ToLower(c.Logging.Level)

	// The GitHub URLs are used as given: go-githubapp does not append
	// api/v3/ the way go-github's WithEnterpriseURLs does, which is what
	// lets tests point them at a loopback fake.
	setString(&c.Github.WebURL, DefaultGitHubWebURL)
	setString(&c.Github.V3APIURL, DefaultGitHubV3APIURL)
	setString(&c.Github.V4APIURL, DefaultGitHubV4APIURL)

	setInt(&c.GitHubLimits.ContentPerMinute, DefaultContentPerMinute)
	setInt(&c.GitHubLimits.ContentPerHour, DefaultContentPerHour)

	setString(&c.Datatracker.URL, DefaultDatatrackerURL)
	c.Datatracker.URL = strings.TrimRight(c.Datatracker.URL, "/")
	if c.Datatracker.PollInterval == 0 {
		c.Datatracker.PollInterval = DefaultPollInterval
	}
	setInt(&c.Datatracker.PageSize, DefaultPageSize)
	setString(&c.Datatracker.AttachmentURL, DefaultAttachmentURL)
	if !strings.HasSuffix(c.Datatracker.AttachmentURL, "/") {
		c.Datatracker.AttachmentURL += "/"
	}

	setString(&c.Templates.Repo, DefaultTemplatesRepo)
	setString(&c.Templates.Ref, DefaultTemplatesRef)
	if c.Templates.Refresh == 0 {
		c.Templates.Refresh = DefaultTemplatesRefresh
	}

	setString(&c.Store.DSN, DefaultStoreDSN)

	setString(&c.SMTP.StartTLS, StartTLSMandatory)
	if c.SMTP.Timeout == 0 {
		c.SMTP.Timeout = DefaultSMTPTimeout
	}
}

func setString(s *string, def string) {
	*s = strings.TrimSpace(*s)
	if *s == "" {
		*s = def
	}
}

func setInt(i *int, def int) {
	if *i == 0 {
		*i = def
	}
}

// logLevels are zerolog's level names liaisonbot accepts.
var logLevels = []string{"trace", "debug", "info", "warn", "error"}

// Validate reports every problem with c, each a *FieldError naming its key,
// joined with errors.Join; nil when c is usable. Run it after defaults are
// filled (Parse and Load do).
func (c *Config) Validate() error {
	var ps problems

	if host, port, err := net.SplitHostPort(c.Server.Address); err != nil {
		ps.add("server.address", "%q is not host:port (such as \":8080\" or \"127.0.0.1:8080\")", c.Server.Address)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 || strings.ContainsAny(host, " /") {
		ps.add("server.address", "%q is not host:port with a numeric port", c.Server.Address)
	}
	if c.Server.PublicURL != "" {
		if msg := checkURL(c.Server.PublicURL); msg != "" {
			ps.add("server.public_url", "%s", msg)
		}
	}
	c.SMTP.check(&ps)
	if !slices.Contains(logLevels, c.Logging.Level) {
		ps.add("logging.level", "%q is not a level: want one of %s", c.Logging.Level, strings.Join(logLevels, ", "))
	}

	for _, u := range []struct{ key, value string }{
		{"github.web_url", c.Github.WebURL},
		{"github.v3_api_url", c.Github.V3APIURL},
		{"github.v4_api_url", c.Github.V4APIURL},
	} {
		if msg := checkURL(u.value); msg != "" {
			ps.add(u.key, "%s", msg)
		}
	}
	c.validateApp(&ps)

	if c.GitHubLimits.ContentPerMinute < 1 {
		ps.add("github_limits.content_per_minute", "must be at least 1, got %d", c.GitHubLimits.ContentPerMinute)
	}
	if c.GitHubLimits.ContentPerHour < 1 {
		ps.add("github_limits.content_per_hour", "must be at least 1, got %d", c.GitHubLimits.ContentPerHour)
	} else if c.GitHubLimits.ContentPerMinute > c.GitHubLimits.ContentPerHour {
		ps.add("github_limits.content_per_minute", "%d is more than content_per_hour (%d)", c.GitHubLimits.ContentPerMinute, c.GitHubLimits.ContentPerHour)
	}

	if msg := checkURL(c.Datatracker.URL); msg != "" {
		ps.add("datatracker.url", "%s", msg)
	}
	if c.Datatracker.PollInterval < MinPollInterval {
		ps.add("datatracker.poll_interval", "must be at least %s, to be polite to the datatracker; got %s", MinPollInterval, c.Datatracker.PollInterval)
	}
	if c.Datatracker.PageSize < 1 || c.Datatracker.PageSize > MaxPageSize {
		ps.add("datatracker.page_size", "must be between 1 and %d, got %d", MaxPageSize, c.Datatracker.PageSize)
	}
	if msg := checkURL(c.Datatracker.AttachmentURL); msg != "" {
		ps.add("datatracker.attachment_url", "%s", msg)
	}

	if msg := checkRepo(c.Templates.Repo); msg != "" {
		ps.add("templates.repo", "%s", msg)
	}
	if c.Templates.Ref == "" || strings.ContainsAny(c.Templates.Ref, " \t\n~^:?*[\\") || strings.Contains(c.Templates.Ref, "..") {
		ps.add("templates.ref", "%q is not a branch, tag or commit name", c.Templates.Ref)
	}
	if c.Templates.Refresh < MinTemplatesRefresh {
		ps.add("templates.refresh", "must be at least %s, got %s", MinTemplatesRefresh, c.Templates.Refresh)
	}

	if _, _, err := SQLiteFile(c.Store.DSN); err != nil {
		ps.add("store.dsn", "%v", err)
	}
	return ps.err()
}

// validateApp checks the GitHub App's identity: both the App ID and a
// private key, or neither (then only `sync --dry-run` can run).
func (c *Config) validateApp(ps *problems) {
	app := c.Github.App
	keyFile := c.GitHubApp.PrivateKeyFile
	if app.IntegrationID < 0 {
		ps.add("github.app.integration_id", "must be the App ID, a positive number; got %d", app.IntegrationID)
	}
	if app.PrivateKey != "" && keyFile != "" && !c.keyFromFile {
		ps.add("github_app.private_key_file", "set together with github.app.private_key; give the key one way only")
	}
	// Each half of the identity is blamed on the key that is written, so
	// the message can point at a line.
	keyKey := "github.app.private_key"
	if app.PrivateKey == "" || c.keyFromFile {
		keyKey = "github_app.private_key_file"
	}
	hasKey := app.PrivateKey != "" || keyFile != ""
	switch {
	case app.IntegrationID > 0 && !hasKey:
		ps.add("github.app.integration_id", "is set, but the app's private key is missing (github.app.private_key or github_app.private_key_file)")
	case app.IntegrationID == 0 && hasKey:
		ps.add(keyKey, "is set, but github.app.integration_id (the App ID) is missing")
	}
	if app.PrivateKey != "" {
		key := "github.app.private_key"
		if c.keyFromFile {
			key = "github_app.private_key_file"
		}
		if err := checkPrivateKey([]byte(app.PrivateKey)); err != nil {
			ps.add(key, "%v", err)
		}
	}
}

// checkPrivateKey checks that pemData holds an RSA private key, PKCS #1 or
// PKCS #8, as GitHub issues them and ghinstallation reads them. The
// message never quotes the key.
func checkPrivateKey(pemData []byte) error {
	block, _ := pem.Decode(pemData)
	if block == nil {
		return fmt.Errorf("not a PEM-encoded private key (want the .pem file GitHub gave for the app)")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil && k != nil {
		return nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return fmt.Errorf("the PEM block (%s) is not an RSA private key in PKCS #1 or PKCS #8 form", block.Type)
	}
	if _, ok := k.(*rsa.PrivateKey); !ok {
		return fmt.Errorf("the private key is a %T, but GitHub Apps sign with RSA keys", k)
	}
	return nil
}

// loadPrivateKey reads GitHubApp.PrivateKeyFile into Github.App.PrivateKey.
func (c *Config) loadPrivateKey() error {
	path := c.GitHubApp.PrivateKeyFile
	if path == "" {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return &FieldError{Key: "github_app.private_key_file", Msg: fmt.Sprintf("failed to read private key file: %v", err)}
	}
	if err := checkPrivateKey(data); err != nil {
		return &FieldError{Key: "github_app.private_key_file", Msg: fmt.Sprintf("%s: %v", path, err)}
	}
	c.Github.App.PrivateKey = string(data)
	c.keyFromFile = true
	return nil
}

// HasGitHubApp reports whether c identifies a GitHub App (App ID and private
// key), which everything but `sync --dry-run` needs.
func (c *Config) HasGitHubApp() bool {
	return c.Github.App.IntegrationID > 0 && c.Github.App.PrivateKey != ""
}
