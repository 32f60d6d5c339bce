// Package githubtest is a stateful loopback fake of GitHub's REST API for
// tests. The app's real clients (go-github v62, ghinstallation through
// go-githubapp's ClientCreator) talk to it over HTTP on 127.0.0.1, so tests
// exercise the same requests, status codes, headers, pagination, rate limits
// and conditional requests as production, without the network.
//
// The fake keeps state (installations, repositories, branches and commits
// of files, labels, issues, comments, pull requests and their reviews,
// check runs), copies GitHub's behaviour where the app depends on it (labels
// auto-created with colour ededed, a 422 that fails a whole issue create,
// 404 rather than 403 for repositories a token cannot see, 304s that are free
// only when authenticated, absolute Link headers), and validates every request
// and response against GitHub's OpenAPI description when
// ../shared/realworld/github-openapi/api.github.com.json is present.
//
// With SetWebhook the fake also sends the app the webhooks GitHub sends an
// App (issues, issue_comment, pull_request, pull_request_review), signed,
// in order, each payload validated against the description's webhook
// schemas; it keeps the App's delivery log (GET /app/hook/deliveries) and
// redelivers on request. Changes the App makes through the API are sent by
// its bot; the *As helpers (CommentAs, LabelAs, CloseAs, PushFileAs,
// ReviewAs, MergeAs, …) make changes as a person, who is then the sender.
//
// A typical test:
//
//	s := githubtest.New(t)
//	s.AddInstallation(42, "ietf", "ietf/liaisons")
//	cc := githubapp.NewClientCreator(s.URL(), s.URL(), s.AppID(), s.PrivateKeyPEM())
//	client, err := cc.NewInstallationClient(42)
//	// ... run the code under test with client ...
//	issues := s.Issues("ietf/liaisons")
//
// and one that drives the app's webhook endpoint:
//
//	s.SetWebhook(app.URL+"/api/github/hook", secret)
//	n := s.OpenIssueAs("ietf/liaisons", "alice", "Incoming liaison", body)
//	s.CommentAs("ietf/liaisons", n, "alice", "/ack")
//	s.WaitDeliveries(t)
//	log := s.Deliveries()
package githubtest

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Defaults of a new Server.
const (
	DefaultAppID   int64 = 1001
	DefaultAppSlug       = "liaisonbot"
)

// maxRequestBody bounds what the fake reads from a request; GitHub refuses
// bodies far smaller than this, and a runaway client should not exhaust memory.
const maxRequestBody = 25 << 20

// Server is a running fake of GitHub's REST API. All methods are safe for
// concurrent use; the HTTP handlers and the test's setup and inspection calls
// share one mutex.
type Server struct {
	tb        testing.TB
	srv       *httptest.Server
	base      string
	key       *rsa.PrivateKey
	keyPEM    []byte
	appID     int64
	appSlug   string
	clock     func() time.Time
	validator *validator

	contentPerMinute int
	contentPerHour   int

	mu            sync.Mutex
	installations map[int64]*installation
	repos         map[string]*repo // by lower-case full name
	tokens        map[string]*token
	buckets       map[string]*bucket
	users         map[string]int64 // lower-case login → user id
	contentLog    map[string][]time.Time
	faults        []fault
	dropCreates   int
	nextID        int64
	counts        Counts
	teams         map[string]*team // by lower-case "org/slug"
	orgs          map[string]bool  // lower-case logins AddTeam made organisations
	// hooks is the webhook configuration, the delivery queue and the
	// delivery log; see webhooks.go.
	hooks hookState
}

// Option configures a Server.
type Option func(*config)

type config struct {
	appID            int64
	appSlug          string
	clock            func() time.Time
	validate         bool
	contentPerMinute int
	contentPerHour   int
}

// WithAppID sets the App's id (default DefaultAppID).
func WithAppID(id int64) Option { return func(c *config) { c.appID = id } }

// WithAppSlug sets the App's slug (default DefaultAppSlug); the bot login is
// the slug followed by "[bot]".
func WithAppSlug(slug string) Option { return func(c *config) { c.appSlug = slug } }

// WithClock replaces the fake's notion of now. It drives token expiry, rate
// limit windows and reset times, the content-creation limit and timestamps.
// The App JWT is still checked against the real clock, because ghinstallation
// signs it with the real clock.
func WithClock(now func() time.Time) Option { return func(c *config) { c.clock = now } }

// WithoutValidation turns off OpenAPI validation, for benchmarks and for tests
// that send deliberately odd requests through a path the spec does not cover.
func WithoutValidation() Option { return func(c *config) { c.validate = false } }

// WithContentLimit enforces GitHub's secondary limit on content-creating
// requests (creating issues, comments, reactions and pull requests, and
// committing files through the contents API): at most perMinute in any 60
// seconds and perHour in any hour, per installation. Beyond it the fake
// answers 403 with a secondary-rate-limit body and Retry-After. GitHub
// documents about 80 a minute and 500 an hour (see
// GitHubContentPerMinute/PerHour). Zero or negative values leave that
// window unlimited. Off by default.
func WithContentLimit(perMinute, perHour int) Option {
	return func(c *config) { c.contentPerMinute, c.contentPerHour = perMinute, perHour }
}

// GitHub's documented secondary limits on content creation.
const (
	GitHubContentPerMinute = 80
	GitHubContentPerHour   = 500
)

var (
	keyOnce sync.Once
	appKey  *rsa.PrivateKey
	keyErr  error
)

// sharedKey generates the App's RSA key once per test binary: generation
// costs up to a second, and nothing depends on servers having distinct keys.
func sharedKey() (*rsa.PrivateKey, error) {
	keyOnce.Do(func() { appKey, keyErr = rsa.GenerateKey(rand.Reader, 2048) })
	return appKey, keyErr
}

// New starts a fake GitHub on 127.0.0.1, serving at the root (not /api/v3),
// and closes it when the test ends. Errors the fake detects in the client's
// requests (OpenAPI violations) are reported with tb.Errorf; tb.Fatalf is
// only called from New itself.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	cfg := config{appID: DefaultAppID, appSlug: DefaultAppSlug, clock: time.Now, validate: true}
	for _, o := range opts {
		o(&cfg)
	}
	key, err := sharedKey()
	if err != nil {
		tb.Fatalf("failed to generate the App's RSA key: %v", err)
	}
	s := &Server{
		tb:               tb,
		key:              key,
		keyPEM:           pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}),
		appID:            cfg.appID,
		appSlug:          cfg.appSlug,
		clock:            cfg.clock,
		contentPerMinute: cfg.contentPerMinute,
		contentPerHour:   cfg.contentPerHour,
		installations:    map[int64]*installation{},
		repos:            map[string]*repo{},
		tokens:           map[string]*token{},
		buckets:          map[string]*bucket{},
		users:            map[string]int64{},
		contentLog:       map[string][]time.Time{},
		nextID:           1000,
		counts:           Counts{ByRoute: map[string]int{}},
		teams:            map[string]*team{},
		orgs:             map[string]bool{},
	}
	s.hooks.init(&s.mu)
	if cfg.validate {
		s.validator = newValidator(tb)
	}
	s.srv = httptest.NewUnstartedServer(s)
	// httptest already listens on 127.0.0.1; say so explicitly, because a
	// listener on another interface would break the no-network rule.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("failed to listen on 127.0.0.1: %v", err)
	}
	s.srv.Listener.Close()
	s.srv.Listener = l
	s.srv.Start()
	s.base = s.srv.URL + "/"
	tb.Cleanup(s.srv.Close)
	return s
}

// URL is the base URL with a trailing slash: what github.Client.BaseURL and
// go-githubapp's v3 API URL should be set to.
func (s *Server) URL() string { return s.base }

// AppID is the App's id, the JWT issuer ghinstallation must use.
func (s *Server) AppID() int64 { return s.appID }

// AppSlug is the App's slug, e.g. "liaisonbot".
func (s *Server) AppSlug() string { return s.appSlug }

// BotLogin is the login GitHub shows for the App's installation tokens,
// e.g. "liaisonbot[bot]".
func (s *Server) BotLogin() string { return s.appSlug + "[bot]" }

// PrivateKeyPEM is the App's private key in PKCS#1 PEM, as GitHub hands it out.
func (s *Server) PrivateKeyPEM() []byte { return bytes.Clone(s.keyPEM) }

func (s *Server) now() time.Time { return s.clock().UTC() }

// newID hands out ids for labels, issues and comments; GitHub's ids are
// global, so one sequence serves all of them. Callers hold s.mu.
func (s *Server) newID() int64 {
	s.nextID++
	return s.nextID
}

// ServeHTTP runs one request through the pipeline: route, validate, count,
// authenticate, inject faults, enforce limits, handle, make it conditional,
// charge the rate bucket, validate the response, and write (or drop) it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		http.Error(w, "failed to read request body", http.StatusBadRequest)
		return
	}
	c := &call{s: s, r: r, body: body, resp: newResponse()}
	c.route, c.params = match(r.Method, r.URL.EscapedPath())

	s.mu.Lock()
	s.countRequest(c)
	s.mu.Unlock()

	switch {
	case len(body) > maxRequestBody:
		c.error(http.StatusRequestEntityTooLarge, "Request body too large")
		s.refuse(w, c)
		return
	case c.route == nil:
		// Said aloud, because a 404 from an operation the fake does not
		// serve looks just like GitHub's 404 for a missing resource.
		s.tb.Logf("githubtest: no route for %s %s; answering 404", r.Method, r.URL.EscapedPath())
		c.error(http.StatusNotFound, "Not Found")
		s.refuse(w, c)
		return
	}

	if s.validator != nil {
		if err := s.validator.validateRequest(c); err != nil {
			s.tb.Errorf("githubtest: %s %s does not match GitHub's OpenAPI description: %s", r.Method, r.URL.RequestURI(), shortError(err))
			s.mu.Lock()
			s.counts.Invalid++
			s.mu.Unlock()
			c.error(http.StatusBadRequest, "githubtest: request does not match GitHub's OpenAPI description: "+shortError(err))
			s.refuse(w, c)
			return
		}
	}

	s.mu.Lock()
	s.serveLocked(c)
	s.mu.Unlock()
	s.finish(w, c)
}

// refuse sends a response the pipeline made up before authentication, with
// the caller's rate headers (GitHub sends them on every response) but
// without charging the caller.
func (s *Server) refuse(w http.ResponseWriter, c *call) {
	c.resp.skipValidation = true
	s.mu.Lock()
	s.setRateHeaders(c, s.headerBucket(c.r))
	s.mu.Unlock()
	s.finish(w, c)
}

// serveLocked is the part of the pipeline that reads and changes state.
func (s *Server) serveLocked(c *call) {
	if !s.authenticate(c) {
		s.setRateHeaders(c, s.anonBucket(c.r))
		return
	}
	b := s.bucketFor(c)
	if s.injectFault(c, b) {
		return
	}
	if s.enforceLimits(c, b) {
		return
	}
	c.route.handle(c)
	c.conditional()
	if s.charges(c) {
		b.charge(s.now())
	}
	if c.resp.status == http.StatusNotModified {
		s.counts.NotModified++
	}
	s.setRateHeaders(c, b)
}

// finish validates the response and writes it, or drops the connection when
// a fault asked for that.
func (s *Server) finish(w http.ResponseWriter, c *call) {
	resp := c.resp
	h := w.Header()
	for k, v := range resp.header {
		h[k] = v
	}
	h.Set("Cache-Control", "private, max-age=60, s-maxage=60")
	h.Set("Vary", "Accept, Authorization, Cookie, X-GitHub-OTP")
	h.Set("X-GitHub-Media-Type", "github.v3; format=json")
	h.Set("X-GitHub-Api-Version-Selected", "2022-11-28")
	h.Set("X-GitHub-Request-Id", strconv.FormatInt(time.Now().UnixNano(), 16))

	if s.validator != nil && c.route != nil && !resp.skipValidation {
		if err := s.validator.validateResponse(c); err != nil {
			s.tb.Errorf("githubtest: the fake's response %d to %s %s does not match GitHub's OpenAPI description: %s",
				resp.status, c.r.Method, c.r.URL.RequestURI(), shortError(err))
		}
	}

	if resp.drop {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		// Without a hijackable connection the closest thing is a reset stream.
		panic(http.ErrAbortHandler)
	}
	h.Set("Content-Length", strconv.Itoa(len(resp.body)))
	w.WriteHeader(resp.status)
	if c.r.Method != http.MethodHead {
		_, _ = w.Write(resp.body)
	}
}

// apiURL joins the fake's base URL and a path written without a leading slash.
func (s *Server) apiURL(format string, args ...any) string {
	return s.base + strings.TrimPrefix(fmt.Sprintf(format, args...), "/")
}
