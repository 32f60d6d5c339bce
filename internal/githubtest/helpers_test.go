package githubtest_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-github/v62/github"
	"github.com/palantir/go-githubapp/githubapp"

	"github.com/liaisonbot/liaisonbot/internal/githubtest"
)

const (
	instID = int64(42)
	owner  = "ietf"
	name   = "liaisons"
	repo   = owner + "/" + name
)

// fixture is a fake with one installation on ietf/liaisons, alice (write)
// and bob (read) as collaborators.
func fixture(t *testing.T, opts ...githubtest.Option) *githubtest.Server {
	t.Helper()
	return fixtureOn(t, opts...)
}

// fixtureOn is fixture reporting to tb, for tests of the fake's own
// failures.
func fixtureOn(tb testing.TB, opts ...githubtest.Option) *githubtest.Server {
	tb.Helper()
	s := githubtest.New(tb, opts...)
	s.AddInstallation(instID, owner, repo)
	s.AddCollaborator(repo, "alice", githubtest.RoleWrite)
	s.AddCollaborator(repo, "bob", githubtest.RoleRead)
	return s
}

func creator(s *githubtest.Server) githubapp.ClientCreator {
	return githubapp.NewClientCreator(s.URL(), s.URL(), s.AppID(), s.PrivateKeyPEM())
}

// installationClient is a go-github client authenticated the way the app
// is: ghinstallation through go-githubapp's ClientCreator.
func installationClient(t *testing.T, s *githubtest.Server, id int64) *github.Client {
	t.Helper()
	return s.InstallationClient(id)
}

// anonymousClient is a go-github client without credentials.
func anonymousClient(t *testing.T, s *githubtest.Server) *github.Client {
	t.Helper()
	c := github.NewClient(nil)
	u, err := url.Parse(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL = u
	return c
}

// rawRequest sends a request with an optional token and returns status,
// headers and body.
func rawRequest(t *testing.T, s *githubtest.Server, method, path, token, body string, header ...string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL()+strings.TrimPrefix(path, "/"), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "token "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

func statusOf(err error) int {
	var er *github.ErrorResponse
	if e, ok := err.(*github.ErrorResponse); ok {
		er = e
	}
	if er == nil || er.Response == nil {
		return 0
	}
	return er.Response.StatusCode
}

// recordingTB captures Errorf so a test can assert that the fake reports a
// problem without failing itself.
type recordingTB struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recordingTB) Error(args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprint(args...))
}

func (r *recordingTB) recorded() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errors...)
}

var ctx = context.Background()

func mustJSON(t *testing.T, b []byte, want string) {
	t.Helper()
	if !bytes.Contains(b, []byte(want)) {
		t.Errorf("body %s does not contain %s", b, want)
	}
}
