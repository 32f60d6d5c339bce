package githubtest_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/liaisonbot/liaisonbot/internal/githubtest"
)

// signJWT makes an RS256 JWT with the given claims.
func signJWT(t *testing.T, key *rsa.PrivateKey, claims map[string]any) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	unsigned := enc(map[string]string{"alg": "RS256", "typ": "JWT"}) + "." + enc(claims)
	sum := sha256.Sum256([]byte(unsigned))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return unsigned + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func appKey(t *testing.T, s *githubtest.Server) *rsa.PrivateKey {
	t.Helper()
	block, _ := pem.Decode(s.PrivateKeyPEM())
	if block == nil {
		t.Fatal("PrivateKeyPEM is not PEM")
	}
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func TestAppJWTIsVerified(t *testing.T) {
	s := fixture(t)
	key := appKey(t, s)
	other, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	iss := strconv.FormatInt(s.AppID(), 10)
	tests := []struct {
		name   string
		jwt    string
		status int
	}{
		{"valid", signJWT(t, key, map[string]any{"iss": iss, "iat": now - 30, "exp": now + 90}), http.StatusOK},
		{"numeric iss", signJWT(t, key, map[string]any{"iss": s.AppID(), "iat": now - 30, "exp": now + 90}), http.StatusOK},
		{"other key", signJWT(t, other, map[string]any{"iss": iss, "iat": now - 30, "exp": now + 90}), http.StatusUnauthorized},
		{"other app", signJWT(t, key, map[string]any{"iss": "7", "iat": now - 30, "exp": now + 90}), http.StatusUnauthorized},
		{"expired", signJWT(t, key, map[string]any{"iss": iss, "iat": now - 300, "exp": now - 10}), http.StatusUnauthorized},
		{"exp 11 minutes ahead", signJWT(t, key, map[string]any{"iss": iss, "iat": now, "exp": now + 660}), http.StatusUnauthorized},
		{"no exp", signJWT(t, key, map[string]any{"iss": iss, "iat": now}), http.StatusUnauthorized},
		{"garbage", "a.b.c", http.StatusUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := rawRequest(t, s, "GET", "app", "", "", "Authorization", "Bearer "+tc.jwt)
			if status != tc.status {
				t.Errorf("GET /app: %d %s, want %d", status, body, tc.status)
			}
		})
	}
	if status, _, _ := rawRequest(t, s, "GET", "app", s.IssueToken(instID), ""); status != http.StatusUnauthorized {
		t.Errorf("an installation token on /app: %d, want 401", status)
	}
	if status, _, _ := rawRequest(t, s, "GET", "app", "", ""); status != http.StatusUnauthorized {
		t.Errorf("no credentials on /app: %d, want 401", status)
	}
}

func TestInstallationTokens(t *testing.T) {
	s := fixture(t)
	s.AddRepo("other/secret", githubtest.Private())
	s.AddInstallation(7, "other", "other/secret")
	app, err := creator(s).NewAppClient()
	if err != nil {
		t.Fatal(err)
	}
	tok, resp, err := app.Apps.CreateInstallationToken(ctx, instID, nil)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("CreateInstallationToken: %v", err)
	}
	if d := time.Until(tok.GetExpiresAt().Time); d < 59*time.Minute || d > 61*time.Minute {
		t.Errorf("token expires in %v, want an hour", d)
	}
	if _, _, err := app.Apps.CreateInstallationToken(ctx, 999, nil); statusOf(err) != http.StatusNotFound {
		t.Errorf("token for an unknown installation: err = %v, want 404", err)
	}

	path := "repos/ietf/liaisons"
	if status, _, _ := rawRequest(t, s, "GET", path, tok.GetToken(), ""); status != http.StatusOK {
		t.Errorf("GET with the token: %d", status)
	}
	if status, _, _ := rawRequest(t, s, "GET", "repos/other/secret", tok.GetToken(), ""); status != http.StatusNotFound {
		t.Errorf("a repository outside the installation: %d, want 404", status)
	}
	if status, _, _ := rawRequest(t, s, "GET", "repos/other/secret", "", ""); status != http.StatusNotFound {
		t.Errorf("a private repository anonymously: %d, want 404", status)
	}
	if status, _, _ := rawRequest(t, s, "GET", path, "ghs_unknown", ""); status != http.StatusUnauthorized {
		t.Errorf("an unknown token: %d, want 401", status)
	}
	if status, _, _ := rawRequest(t, s, "POST", path+"/issues", "", `{"title":"t"}`); status != http.StatusUnauthorized {
		t.Errorf("an anonymous write: %d, want 401", status)
	}
	repos, _, err := installationClient(t, s, instID).Apps.ListRepos(ctx, nil)
	if err != nil || repos.GetTotalCount() != 1 || repos.Repositories[0].GetFullName() != repo {
		t.Errorf("ListRepos = %v, %v", repos, err)
	}

	s.ExpireTokens()
	if status, _, _ := rawRequest(t, s, "GET", path, tok.GetToken(), ""); status != http.StatusUnauthorized {
		t.Errorf("an expired token: %d, want 401", status)
	}

	s.SetSuspended(instID)
	if _, _, err := app.Apps.CreateInstallationToken(ctx, instID, nil); statusOf(err) != http.StatusForbidden {
		t.Errorf("token for a suspended installation: err = %v, want 403", err)
	}
	inst, _, err := app.Apps.GetInstallation(ctx, instID)
	if err != nil || inst.SuspendedAt == nil {
		t.Errorf("GetInstallation of a suspended installation = %v, %v; want suspended_at", inst, err)
	}
	found, _, err := app.Apps.FindRepositoryInstallation(ctx, "other", "secret")
	if err != nil || found.GetID() != 7 {
		t.Errorf("FindRepositoryInstallation = %v, %v", found, err)
	}
}

func TestTokenRestrictedToRepositories(t *testing.T) {
	s := fixture(t)
	s.AddRepo("ietf/closed", githubtest.Private())
	s.AddInstallation(instID, owner, "ietf/other", "ietf/closed")
	app, err := creator(s).NewAppClient()
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := app.Apps.CreateInstallationToken(ctx, instID, &github.InstallationTokenOptions{Repositories: []string{"other"}})
	if err != nil || len(tok.Repositories) != 1 {
		t.Fatalf("CreateInstallationToken(other) = %v, %v", tok, err)
	}
	if status, _, _ := rawRequest(t, s, "GET", "repos/ietf/closed", tok.GetToken(), ""); status != http.StatusNotFound {
		t.Errorf("a private repository the token was not given: %d, want 404", status)
	}
	// Public repositories are readable with any token, but not writable.
	if status, _, _ := rawRequest(t, s, "GET", "repos/ietf/liaisons", tok.GetToken(), ""); status != http.StatusOK {
		t.Errorf("a public repository the token was not given: %d, want 200", status)
	}
	if status, _, _ := rawRequest(t, s, "POST", "repos/ietf/liaisons/issues", tok.GetToken(), `{"title":"x"}`); status != http.StatusForbidden {
		t.Errorf("writing to a public repository the token was not given: %d, want 403", status)
	}
	if status, _, _ := rawRequest(t, s, "GET", "repos/ietf/other", tok.GetToken(), ""); status != http.StatusOK {
		t.Errorf("the repository the token was given: %d", status)
	}
}

func TestUnknownRouteIsABasicError404(t *testing.T) {
	s := fixture(t)
	status, h, body := rawRequest(t, s, "GET", "api/v3/repos/ietf/liaisons", s.IssueToken(instID), "")
	if status != http.StatusNotFound {
		t.Fatalf("status = %d", status)
	}
	if h.Get("X-RateLimit-Limit") != "5000" || h.Get("X-RateLimit-Resource") != "core" {
		t.Errorf("rate headers on a 404: %v", h)
	}
	var e struct {
		Message, DocumentationURL, Status string
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Message != "Not Found" || e.Status != "404" {
		t.Errorf("body = %s (%v)", body, err)
	}
	mustJSON(t, body, `"documentation_url"`)
}
