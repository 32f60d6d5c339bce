package config

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/palantir/go-githubapp/githubapp"

	"github.com/liaisonbot/liaisonbot/internal/liaison"
)

// envMap is an injectable environment for Parse.
func envMap(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// messages splits a joined error into its lines.
func messages(err error) []string {
	if err == nil {
		return nil
	}
	return strings.Split(err.Error(), "\n")
}

func TestDefault(t *testing.T) {
	c := Default()
	checks := []struct {
		name      string
		got, want any
	}{
		{"server.address", c.Server.Address, ":8080"},
		{"logging.level", c.Logging.Level, "info"},
		{"logging.text", c.Logging.Text, false},
		{"github.web_url", c.Github.WebURL, "https://github.com"},
		{"github.v3_api_url", c.Github.V3APIURL, "https://api.github.com/"},
		{"github.v4_api_url", c.Github.V4APIURL, "https://api.github.com/graphql"},
		{"github_limits.content_per_minute", c.GitHubLimits.ContentPerMinute, 80},
		{"github_limits.content_per_hour", c.GitHubLimits.ContentPerHour, 500},
		{"datatracker.url", c.Datatracker.URL, "https://datatracker.ietf.org"},
		{"datatracker.poll_interval", c.Datatracker.PollInterval, 5 * time.Minute},
		{"datatracker.page_size", c.Datatracker.PageSize, 50},
		{"datatracker.attachment_url", c.Datatracker.AttachmentURL, "https://www.ietf.org/lib/dt/documents/LIAISON/"},
		{"templates.repo", c.Templates.Repo, "intarchboard/liaison-templates"},
		{"templates.ref", c.Templates.Ref, "main"},
		{"templates.refresh", c.Templates.Refresh, time.Hour},
		{"store.dsn", c.Store.DSN, "sqlite:liaisonbot.db"},
		{"sync.since", c.Sync.Since.IsZero(), true},
		{"HasGitHubApp", c.HasGitHubApp(), false},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Default().Validate() = %v", err)
	}
}

func TestParseEmptyIsDefault(t *testing.T) {
	for _, data := range []string{"", "# only a comment\n", "~\n", "server:\n"} {
		c, err := Parse("config.yml", []byte(data), nil)
		if err != nil {
			t.Fatalf("Parse(%q): %v", data, err)
		}
		if !reflect.DeepEqual(c, Default()) {
			t.Errorf("Parse(%q) = %+v, want Default()", data, c)
		}
	}
}

func TestParseValues(t *testing.T) {
	data := `
server:
  address: "127.0.0.1:9000"
  public_url: https://lb.example.org
logging:
  level: DEBUG
  text: yes
github:
  v3_api_url: http://127.0.0.1:4000/
  v4_api_url: http://127.0.0.1:4000/graphql
  app:
    webhook_secret: s3cret
datatracker:
  url: http://127.0.0.1:5000/
  poll_interval: 2m30s
  page_size: 100
  attachment_url: http://127.0.0.1:5000/att
templates:
  repo: example/templates
  ref: original
  refresh: 10m
store:
  dsn: "sqlite:test.db"
sync:
  since: 2025-07-01
`
	c, err := Parse("config.yml", []byte(data), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.Server = ServerConfig{Address: "127.0.0.1:9000", PublicURL: "https://lb.example.org"}
	want.Logging = LoggingConfig{Level: "debug", Text: true}
	want.Github.V3APIURL = "http://127.0.0.1:4000/" // as given: no api/v3 appended
	want.Github.V4APIURL = "http://127.0.0.1:4000/graphql"
	want.Github.App.WebhookSecret = "s3cret"
	want.Datatracker = DatatrackerConfig{
		URL:           "http://127.0.0.1:5000",
		PollInterval:  150 * time.Second,
		PageSize:      100,
		AttachmentURL: "http://127.0.0.1:5000/att/",
	}
	want.Templates = TemplatesConfig{Repo: "example/templates", Ref: "original", Refresh: 10 * time.Minute}
	want.Store.DSN = "sqlite:test.db"
	want.Sync.Since = Date{liaison.Date{Year: 2025, Month: time.July, Day: 1}}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Parse =\n%+v\nwant\n%+v", c, want)
	}
	if owner, name := c.Templates.OwnerName(); owner != "example" || name != "templates" {
		t.Errorf("OwnerName = %q, %q", owner, name)
	}
}

func TestParseStrict(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []string // every line of the error, in order
	}{
		{
			name: "unknownTopLevelKey",
			data: "server:\n  address: \":8080\"\ndatatrackr:\n  url: https://example.org\n",
			want: []string{`config.yml:3: unknown key "datatrackr" (did you mean "datatracker"?)`},
		},
		{
			name: "unknownNestedKeyNamesPath",
			data: "datatracker:\n  url: https://example.org\n  pol_interval: 5m\n",
			want: []string{`config.yml:3: unknown key "datatracker.pol_interval" (did you mean "datatracker.poll_interval"?)`},
		},
		{
			name: "unknownKeyInGitHubBlock",
			data: "github:\n  app:\n    integration: 12\n",
			want: []string{`config.yml:3: unknown key "github.app.integration" (did you mean "github.app.integration_id"?)`},
		},
		{
			name: "everyUnknownKeyReported",
			data: "colour: blue\nstore:\n  path: x.db\n",
			want: []string{
				`config.yml:1: unknown key "colour"`,
				`config.yml:3: unknown key "store.path"`,
			},
		},
		{
			name: "duplicateKey",
			data: "store:\n  dsn: sqlite:a.db\n  dsn: sqlite:b.db\n",
			want: []string{`config.yml:3: duplicate key "store.dsn" (first written on line 2)`},
		},
		{
			name: "wrongTypeInt",
			data: "datatracker:\n  page_size: fifty\n",
			want: []string{`config.yml:2: datatracker.page_size: want a whole number, got "fifty"`},
		},
		{
			name: "durationWithoutUnit",
			data: "datatracker:\n  poll_interval: 300\n",
			want: []string{`config.yml:2: datatracker.poll_interval: want a duration such as "5m" or "1h30m", got "300"`},
		},
		{
			name: "sectionIsNotAMapping",
			data: "store: sqlite:x.db\n",
			want: []string{`config.yml:1: store: want a mapping of keys, got "sqlite:x.db"`},
		},
		{
			name: "badDateHasLine",
			data: "logging:\n  level: info\nsync:\n  since: 2026-13-40\n",
			want: []string{`config.yml:4: sync.since: invalid date "2026-13-40": want YYYY-MM-DD`},
		},
		{
			name: "syntaxError",
			data: "server:\n  address: \":8080\"\nstore: dsn: x\n",
			want: []string{`config.yml:3: mapping values are not allowed in this context`},
		},
		{
			name: "topLevelList",
			data: "- server\n",
			want: []string{`config.yml:1: want a mapping of keys (key: value) at the top level`},
		},
		{
			name: "twoDocuments",
			data: "server:\n  address: \":80\"\n---\nstore:\n  dsn: sqlite:x\n",
			want: []string{`config.yml:3: holds more than one YAML document (---); keep only one`},
		},
		{
			name: "decodeAndValidationProblemsTogether",
			data: "datatracker:\n  page_size: 500\n  poll_intervl: 5m\n",
			want: []string{
				`config.yml:2: datatracker.page_size: must be between 1 and 100, got 500`,
				`config.yml:3: unknown key "datatracker.poll_intervl" (did you mean "datatracker.poll_interval"?)`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("config.yml", []byte(tt.data), nil)
			if err == nil {
				t.Fatalf("Parse succeeded with %+v", c)
			}
			if c != nil {
				t.Errorf("Parse returned a config along with an error")
			}
			if got := messages(err); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("error =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Errorf("error %v holds no *FieldError", err)
			}
		})
	}
}

func TestParseValidation(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string
	}{
		{"pollIntervalTooShort", "datatracker:\n  poll_interval: 10s\n",
			`config.yml:2: datatracker.poll_interval: must be at least 1m0s, to be polite to the datatracker; got 10s`},
		{"negativePollInterval", "datatracker:\n  poll_interval: -5m\n",
			`config.yml:2: datatracker.poll_interval: must be at least 1m0s, to be polite to the datatracker; got -5m0s`},
		{"pageSizeTooLarge", "datatracker:\n  page_size: 500\n",
			`config.yml:2: datatracker.page_size: must be between 1 and 100, got 500`},
		{"pageSizeNegative", "datatracker:\n  page_size: -1\n",
			`config.yml:2: datatracker.page_size: must be between 1 and 100, got -1`},
		{"templatesRepoWithoutOwner", "templates:\n  repo: liaison-templates\n",
			`config.yml:2: templates.repo: "liaison-templates" is not a repository: want owner/name, such as intarchboard/liaison-templates`},
		{"templatesRepoTooManyParts", "templates:\n  repo: a/b/c\n",
			`config.yml:2: templates.repo: "a/b/c" is not a repository: want owner/name, such as intarchboard/liaison-templates`},
		{"templatesRefWithSpace", "templates:\n  ref: my branch\n",
			`config.yml:2: templates.ref: "my branch" is not a branch, tag or commit name`},
		{"templatesRefreshTooShort", "templates:\n  refresh: 5s\n",
			`config.yml:2: templates.refresh: must be at least 1m0s, got 5s`},
		{"badDatatrackerURL", "datatracker:\n  url: datatracker.ietf.org\n",
			`config.yml:2: datatracker.url: "datatracker.ietf.org" is not an absolute http(s) URL`},
		{"badV3URL", "github:\n  v3_api_url: ftp://example.org/\n",
			`config.yml:2: github.v3_api_url: "ftp://example.org/" is not an absolute http(s) URL`},
		{"badAddress", "server:\n  address: localhost\n",
			`config.yml:2: server.address: "localhost" is not host:port (such as ":8080" or "127.0.0.1:8080")`},
		{"badPort", "server:\n  address: \":http\"\n",
			`config.yml:2: server.address: ":http" is not host:port with a numeric port`},
		{"badLevel", "logging:\n  level: verbose\n",
			`config.yml:2: logging.level: "verbose" is not a level: want one of trace, debug, info, warn, error`},
		{"badStoreDSN", "store:\n  dsn: mysql://x\n",
			`config.yml:2: store.dsn: unsupported dsn scheme "mysql": want sqlite:PATH, sqlite::memory: or a file path`},
		{"sqliteWithoutPath", "store:\n  dsn: \"sqlite:\"\n",
			`config.yml:2: store.dsn: the dsn names no file: want sqlite:PATH or sqlite::memory:`},
		{"limitsInverted", "github_limits:\n  content_per_minute: 600\n",
			`config.yml:2: github_limits.content_per_minute: 600 is more than content_per_hour (500)`},
		{"appIDWithoutKey", "github:\n  app:\n    integration_id: 42\n",
			`config.yml:3: github.app.integration_id: is set, but the app's private key is missing (github.app.private_key or github_app.private_key_file)`},
		{"keyWithoutAppID", "github_app:\n  private_key_file: app.pem\n",
			`config.yml:2: github_app.private_key_file: is set, but github.app.integration_id (the App ID) is missing`},
		{"keyNotPEM", "github:\n  app:\n    integration_id: 42\n    private_key: not a key\n",
			`config.yml:4: github.app.private_key: not a PEM-encoded private key (want the .pem file GitHub gave for the app)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("config.yml", []byte(tt.data), nil)
			if got := messages(err); len(got) != 1 || got[0] != tt.want {
				t.Errorf("error =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), tt.want)
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	c := Default()
	c.Datatracker.PollInterval = 10 * time.Second
	c.Datatracker.PageSize = 500
	c.Templates.Repo = "nope"
	err := c.Validate()
	got := messages(err)
	want := []string{
		"datatracker.poll_interval: must be at least 1m0s, to be polite to the datatracker; got 10s",
		"datatracker.page_size: must be between 1 and 100, got 500",
		`templates.repo: "nope" is not a repository: want owner/name, such as intarchboard/liaison-templates`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Validate =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Key != "datatracker.poll_interval" {
		t.Errorf("first FieldError = %+v, want key datatracker.poll_interval", fe)
	}
}

func TestEnvOverrides(t *testing.T) {
	file := "datatracker:\n  url: https://file.example.org\n  page_size: 20\nstore:\n  dsn: sqlite:file.db\n"
	tests := []struct {
		name  string
		env   map[string]string
		check func(t *testing.T, c *Config)
	}{
		{"fileValuesWithoutEnv", nil, func(t *testing.T, c *Config) {
			if c.Datatracker.URL != "https://file.example.org" || c.Datatracker.PageSize != 20 || c.Store.DSN != "sqlite:file.db" {
				t.Errorf("got %+v %+v", c.Datatracker, c.Store)
			}
		}},
		{"liaisonbotVariablesWinOverFile", map[string]string{
			"LIAISONBOT_DATATRACKER_URL":                "http://127.0.0.1:9999",
			"LIAISONBOT_DATATRACKER_PAGE_SIZE":          "75",
			"LIAISONBOT_DATATRACKER_POLL_INTERVAL":      "90s",
			"LIAISONBOT_STORE_DSN":                      "sqlite:env.db",
			"LIAISONBOT_SERVER_ADDRESS":                 "127.0.0.1:7000",
			"LIAISONBOT_LOGGING_TEXT":                   "true",
			"LIAISONBOT_TEMPLATES_REFRESH":              "2h",
			"LIAISONBOT_SYNC_SINCE":                     "2024-02-29",
			"LIAISONBOT_GITHUB_LIMITS_CONTENT_PER_HOUR": "400",
		}, func(t *testing.T, c *Config) {
			if c.Datatracker.URL != "http://127.0.0.1:9999" || c.Datatracker.PageSize != 75 ||
				c.Datatracker.PollInterval != 90*time.Second || c.Store.DSN != "sqlite:env.db" ||
				c.Server.Address != "127.0.0.1:7000" || !c.Logging.Text || c.Templates.Refresh != 2*time.Hour ||
				c.Sync.Since.String() != "2024-02-29" || c.GitHubLimits.ContentPerHour != 400 {
				t.Errorf("env not applied: %+v", c)
			}
		}},
		{"githubVariablesAsGoGitHubAppNamesThem", map[string]string{
			"GITHUB_WEB_URL":             "http://127.0.0.1:4000",
			"GITHUB_V3_API_URL":          "http://127.0.0.1:4000/",
			"GITHUB_V4_API_URL":          "http://127.0.0.1:4000/graphql",
			"GITHUB_APP_INTEGRATION_ID":  "1234",
			"GITHUB_APP_WEBHOOK_SECRET":  "hook-secret",
			"GITHUB_APP_PRIVATE_KEY":     testKeyPEM(t),
			"GITHUB_OAUTH_CLIENT_ID":     "cid",
			"GITHUB_OAUTH_CLIENT_SECRET": "csecret",
		}, func(t *testing.T, c *Config) {
			g := c.Github
			if g.WebURL != "http://127.0.0.1:4000" || g.V3APIURL != "http://127.0.0.1:4000/" ||
				g.V4APIURL != "http://127.0.0.1:4000/graphql" || g.App.IntegrationID != 1234 ||
				g.App.WebhookSecret != "hook-secret" || !strings.HasPrefix(g.App.PrivateKey, "-----BEGIN") ||
				g.OAuth.ClientID != "cid" || g.OAuth.ClientSecret != "csecret" {
				t.Errorf("github env not applied: %+v", g)
			}
			if !c.HasGitHubApp() {
				t.Error("HasGitHubApp = false with an App ID and key from the environment")
			}
		}},
		{"emptyStringClearsToDefault", map[string]string{"LIAISONBOT_STORE_DSN": ""}, func(t *testing.T, c *Config) {
			if c.Store.DSN != DefaultStoreDSN {
				t.Errorf("store.dsn = %q, want the default", c.Store.DSN)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("config.yml", []byte(file), envMap(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestEnvErrorsNameTheVariable(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"LIAISONBOT_DATATRACKER_PAGE_SIZE": "many"},
			`$LIAISONBOT_DATATRACKER_PAGE_SIZE: datatracker.page_size: want a whole number, got "many"`},
		{map[string]string{"LIAISONBOT_DATATRACKER_POLL_INTERVAL": "5"},
			`$LIAISONBOT_DATATRACKER_POLL_INTERVAL: datatracker.poll_interval: want a duration such as "5m" or "1h30m", got "5"`},
		{map[string]string{"LIAISONBOT_DATATRACKER_POLL_INTERVAL": "10s"},
			`$LIAISONBOT_DATATRACKER_POLL_INTERVAL: datatracker.poll_interval: must be at least 1m0s, to be polite to the datatracker; got 10s`},
		{map[string]string{"LIAISONBOT_LOGGING_TEXT": "sometimes"},
			`$LIAISONBOT_LOGGING_TEXT: logging.text: want true or false, got "sometimes"`},
		{map[string]string{"LIAISONBOT_SYNC_SINCE": "2026-13-40"},
			`$LIAISONBOT_SYNC_SINCE: sync.since: invalid date "2026-13-40": want YYYY-MM-DD`},
		// go-githubapp silently ignores a bad number here; liaisonbot does not.
		{map[string]string{"GITHUB_APP_INTEGRATION_ID": "twelve"},
			`$GITHUB_APP_INTEGRATION_ID: github.app.integration_id: want a whole number, got "twelve"`},
		{map[string]string{"LIAISONBOT_TEMPLATES_REPO": "bad"},
			`$LIAISONBOT_TEMPLATES_REPO: templates.repo: "bad" is not a repository: want owner/name, such as intarchboard/liaison-templates`},
	}
	for _, tt := range tests {
		// The file sets the same key, to show the variable is blamed, not the line.
		_, err := Parse("config.yml", []byte("datatracker:\n  page_size: 10\n  poll_interval: 5m\n"), envMap(tt.env))
		if got := messages(err); len(got) != 1 || got[0] != tt.want {
			t.Errorf("env %v: error =\n  %s\nwant\n  %s", tt.env, strings.Join(got, "\n  "), tt.want)
		}
	}
}

// TestEnvMatchesGoGitHubApp keeps liaisonbot's own reading of the GITHUB_*
// variables (which takes an injectable environment) in step with
// go-githubapp's SetValuesFromEnv.
func TestEnvMatchesGoGitHubApp(t *testing.T) {
	vars := map[string]string{
		"GITHUB_WEB_URL":             "http://web.example",
		"GITHUB_V3_API_URL":          "http://v3.example/",
		"GITHUB_V4_API_URL":          "http://v4.example/graphql",
		"GITHUB_APP_INTEGRATION_ID":  "987",
		"GITHUB_APP_WEBHOOK_SECRET":  "secret",
		"GITHUB_APP_PRIVATE_KEY":     "pem",
		"GITHUB_OAUTH_CLIENT_ID":     "id",
		"GITHUB_OAUTH_CLIENT_SECRET": "csecret",
	}
	for k, v := range vars {
		t.Setenv(k, v)
	}
	var theirs githubapp.Config
	theirs.SetValuesFromEnv("")

	var ours Config
	set, ps := applyEnv(&ours, os.LookupEnv)
	if len(ps) > 0 {
		t.Fatal(ps.err())
	}
	if !reflect.DeepEqual(ours.Github, theirs) {
		t.Errorf("liaisonbot read %+v, go-githubapp read %+v", ours.Github, theirs)
	}
	for _, name := range set {
		if strings.HasPrefix(name, "GITHUB_") {
			delete(vars, name)
		}
	}
	if len(vars) > 0 {
		t.Errorf("variables go-githubapp reads that liaisonbot ignores: %v", vars)
	}
}

func TestEnvVar(t *testing.T) {
	for path, want := range map[string]string{
		"datatracker.poll_interval":        "LIAISONBOT_DATATRACKER_POLL_INTERVAL",
		"store.dsn":                        "LIAISONBOT_STORE_DSN",
		"server.address":                   "LIAISONBOT_SERVER_ADDRESS",
		"github_app.private_key_file":      "LIAISONBOT_GITHUB_APP_PRIVATE_KEY_FILE",
		"github.app.private_key":           "GITHUB_APP_PRIVATE_KEY",
		"github.v3_api_url":                "GITHUB_V3_API_URL",
		"github_limits.content_per_minute": "LIAISONBOT_GITHUB_LIMITS_CONTENT_PER_MINUTE",
	} {
		if got := EnvVar(path); got != want {
			t.Errorf("EnvVar(%q) = %q, want %q", path, got, want)
		}
	}
}

// testKeyPEM is a fresh RSA key in PKCS #1 PEM.
func testKeyPEM(t *testing.T) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	keyPEM := testKeyPEM(t)
	keyPath := filepath.Join(dir, "app.pem")
	if err := os.WriteFile(keyPath, []byte(keyPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}

	t.Run("privateKeyFileIsRead", func(t *testing.T) {
		p := write("ok.yml", "github:\n  app:\n    integration_id: 7\ngithub_app:\n  private_key_file: "+keyPath+"\n")
		c, err := Load(p)
		if err != nil {
			t.Fatal(err)
		}
		if c.Github.App.PrivateKey != keyPEM || !c.HasGitHubApp() {
			t.Errorf("private key not loaded from file: HasGitHubApp=%v", c.HasGitHubApp())
		}
		if err := c.Validate(); err != nil {
			t.Errorf("Validate after Load: %v", err)
		}
	})
	t.Run("pkcs8KeyInline", func(t *testing.T) {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		t.Setenv("GITHUB_APP_PRIVATE_KEY", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})))
		t.Setenv("GITHUB_APP_INTEGRATION_ID", "8")
		c, err := Load("")
		if err != nil {
			t.Fatal(err)
		}
		if !c.HasGitHubApp() {
			t.Error("HasGitHubApp = false")
		}
	})
	t.Run("keyTwice", func(t *testing.T) {
		p := write("twice.yml", "github:\n  app:\n    integration_id: 7\n    private_key: |\n"+indent(keyPEM, "      ")+"github_app:\n  private_key_file: "+keyPath+"\n")
		_, err := Load(p)
		want := p + ":" + lineOf(t, p, "private_key_file") + ": github_app.private_key_file: set together with github.app.private_key; give the key one way only"
		if err == nil || err.Error() != want {
			t.Errorf("Load error = %v\nwant %s", err, want)
		}
	})
	t.Run("missingKeyFile", func(t *testing.T) {
		p := write("missing.yml", "github:\n  app:\n    integration_id: 7\ngithub_app:\n  private_key_file: "+filepath.Join(dir, "nope.pem")+"\n")
		_, err := Load(p)
		if err == nil || !strings.Contains(err.Error(), "github_app.private_key_file: failed to read private key file") || !strings.Contains(err.Error(), "nope.pem") {
			t.Errorf("Load error = %v", err)
		}
	})
	t.Run("keyFileNotPEM", func(t *testing.T) {
		bad := write("bad.pem", "hello")
		p := write("badkey.yml", "github:\n  app:\n    integration_id: 7\ngithub_app:\n  private_key_file: "+bad+"\n")
		_, err := Load(p)
		if err == nil || !strings.Contains(err.Error(), "not a PEM-encoded private key") || strings.Contains(err.Error(), "hello") {
			t.Errorf("Load error = %v", err)
		}
	})
	t.Run("missingConfigFile", func(t *testing.T) {
		_, err := Load(filepath.Join(dir, "absent.yml"))
		if err == nil || !strings.HasPrefix(err.Error(), "failed to read config file ") {
			t.Errorf("Load error = %v", err)
		}
	})
	t.Run("noFileUsesEnvironment", func(t *testing.T) {
		t.Setenv("LIAISONBOT_DATATRACKER_URL", "http://127.0.0.1:1234")
		c, err := Load("")
		if err != nil {
			t.Fatal(err)
		}
		if c.Datatracker.URL != "http://127.0.0.1:1234" {
			t.Errorf("datatracker.url = %q", c.Datatracker.URL)
		}
	})
}

func indent(s, prefix string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if l != "" {
			b.WriteString(prefix + l)
		}
	}
	return b.String()
}

// lineOf is the 1-based line of the first line of file path containing s.
func lineOf(t *testing.T, path, s string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, s) {
			return strconv.Itoa(i + 1)
		}
	}
	t.Fatalf("%q not in %s", s, path)
	return ""
}

func TestSQLiteFile(t *testing.T) {
	tests := []struct {
		dsn, path string
		memory    bool
		err       string
	}{
		{"sqlite:liaisonbot.db", "liaisonbot.db", false, ""},
		{"sqlite:/var/lib/lb/lb.db", "/var/lib/lb/lb.db", false, ""},
		{"sqlite:data/../lb.db", "lb.db", false, ""},
		{"lb.db", "lb.db", false, ""},
		{"sqlite::memory:", "", true, ""},
		{"sqlite:", "", false, "names no file"},
		{"", "", false, "no dsn given"},
		{"sqlite:///var/lib/lb/lb.db", "", false, `unsupported dsn scheme "sqlite"`},
		{"file:lb.db?_pragma=busy_timeout(5000)", "", false, "a file: URI is not a store dsn"},
		{"postgres://lb@db/lb?sslmode=disable", "", false, "PostgreSQL is not supported yet"},
		{"host=db user=lb password=secret", "", false, "key=value dsn is PostgreSQL's"},
	}
	for _, tt := range tests {
		path, memory, err := SQLiteFile(tt.dsn)
		if path != tt.path || memory != tt.memory || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("SQLiteFile(%q) = %q, %v, %v; want %q, %v, error with %q", tt.dsn, path, memory, err, tt.path, tt.memory, tt.err)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("SQLiteFile(%q) shows the password: %v", tt.dsn, err)
		}
	}
	// check-config and Open share these rules: a DSN the store would not
	// open is a problem at store.dsn.
	c := Default()
	c.Store.DSN = "file:lb.db"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "store.dsn") {
		t.Errorf("Validate with a file: dsn = %v", err)
	}
}

func TestProblemsInFileOrderEnvironmentLast(t *testing.T) {
	data := "templates:\n  repo: bad\ndatatracker:\n  page_size: 500\nstorr: {}\n"
	_, err := Parse("config.yml", []byte(data), envMap(map[string]string{"LIAISONBOT_LOGGING_LEVEL": "loud"}))
	want := []string{
		`config.yml:2: templates.repo: "bad" is not a repository: want owner/name, such as intarchboard/liaison-templates`,
		`config.yml:4: datatracker.page_size: must be between 1 and 100, got 500`,
		`config.yml:5: unknown key "storr" (did you mean "store"?)`,
		`$LIAISONBOT_LOGGING_LEVEL: logging.level: "loud" is not a level: want one of trace, debug, info, warn, error`,
	}
	if got := messages(err); !reflect.DeepEqual(got, want) {
		t.Errorf("error =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}
