package githubtest

import (
	"cmp"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// TokenLifetime is how long an installation token lives, as on GitHub.
const TokenLifetime = time.Hour

// maxJWTLifetime is GitHub's ceiling on a JWT's exp, counted from now.
const maxJWTLifetime = 10 * time.Minute

type principalKind int

const (
	anonymous principalKind = iota
	appJWT
	installationToken
)

// principal is who sent a request.
type principal struct {
	kind principalKind
	inst *installation
	tok  *token
}

// token is an installation access token.
type token struct {
	value   string
	inst    int64
	expires time.Time
	// repos restricts the token to some of the installation's repositories
	// (lower-case full names); nil means all of them.
	repos map[string]bool
}

// authenticate works out who sent the request and whether the route accepts
// them, answering 401/403 itself when not. Callers hold s.mu.
func (s *Server) authenticate(c *call) bool {
	scheme, cred, _ := strings.Cut(strings.TrimSpace(c.r.Header.Get("Authorization")), " ")
	cred = strings.TrimSpace(cred)
	switch {
	case scheme == "":
		return s.authorize(c, principal{kind: anonymous})
	case strings.EqualFold(scheme, "Bearer") && strings.Count(cred, ".") == 2:
		if err := s.verifyJWT(cred); err != nil {
			c.error(http.StatusUnauthorized, err.Error())
			return false
		}
		return s.authorize(c, principal{kind: appJWT})
	case strings.EqualFold(scheme, "token") || strings.EqualFold(scheme, "Bearer"):
		if c.route.auth == authApp {
			c.error(http.StatusUnauthorized, "A JSON web token could not be decoded")
			return false
		}
		tok, ok := s.tokens[cred]
		if !ok || !s.now().Before(tok.expires) {
			c.error(http.StatusUnauthorized, "Bad credentials")
			return false
		}
		in := s.installations[tok.inst]
		if in == nil {
			c.error(http.StatusUnauthorized, "Bad credentials")
			return false
		}
		if !in.suspendedAt.IsZero() {
			c.error(http.StatusForbidden, "This installation has been suspended")
			return false
		}
		return s.authorize(c, principal{kind: installationToken, inst: in, tok: tok})
	default:
		c.error(http.StatusUnauthorized, "Bad credentials")
		return false
	}
}

// authorize checks the principal against the route's auth kind.
func (s *Server) authorize(c *call, p principal) bool {
	c.who = p
	switch c.route.auth {
	case authApp:
		if p.kind != appJWT {
			c.error(http.StatusUnauthorized, "A JSON web token could not be decoded")
			return false
		}
	case authInstallation:
		switch p.kind {
		case anonymous:
			c.error(http.StatusUnauthorized, "Requires authentication")
			return false
		case appJWT:
			c.error(http.StatusForbidden, "Resource not accessible by integration")
			return false
		}
	case authRepo:
		switch p.kind {
		case anonymous:
			if c.r.Method != http.MethodGet && c.r.Method != http.MethodHead {
				c.error(http.StatusUnauthorized, "Requires authentication")
				return false
			}
		case appJWT:
			c.error(http.StatusForbidden, "Resource not accessible by integration")
			return false
		}
	}
	return true
}

// canSee reports whether the principal may see the repository at all; for
// those who may not, GitHub answers 404 rather than 403.
func (p principal) canSee(r *repo) bool {
	switch p.kind {
	case installationToken:
		if !p.installed(r) {
			// Any installation token reads public repositories, as the
			// app reads intarchboard/liaison-templates.
			return !r.private
		}
		return true
	case anonymous:
		return !r.private
	}
	return false
}

// installed reports whether an installation token covers the repository.
func (p principal) installed(r *repo) bool {
	if !p.inst.has(r.fullName()) {
		return false
	}
	return p.tok.repos == nil || p.tok.repos[strings.ToLower(r.fullName())]
}

// repo finds the request's repository, answering 404 when it does not exist
// or the caller cannot see it, and 403 to an installation that may read a
// public repository it is not installed on but not write to it.
func (c *call) repo() (*repo, bool) {
	r, ok := c.s.repos[strings.ToLower(c.params["owner"]+"/"+c.params["repo"])]
	if !ok || !c.who.canSee(r) {
		c.notFound()
		return nil, false
	}
	if c.who.kind == installationToken && !c.who.installed(r) && c.r.Method != http.MethodGet && c.r.Method != http.MethodHead {
		c.error(http.StatusForbidden, "Resource not accessible by integration")
		return nil, false
	}
	return r, true
}

// actor is the login GitHub attributes writes to: the App's bot.
func (c *call) actor() string { return c.s.BotLogin() }

// jwtClaims are the claims GitHub reads from an App JWT. iss may be the app
// id as a string (ghinstallation) or a number, or the client id.
type jwtClaims struct {
	Iss json.RawMessage `json:"iss"`
	Exp *json.Number    `json:"exp"`
	Iat *json.Number    `json:"iat"`
}

// verifyJWT checks an App JWT: RS256 signed with the App's key, issued by
// the App, expiring in the future but at most 10 minutes ahead. It uses the
// real clock, like ghinstallation does when it signs. The error messages are
// GitHub's.
func (s *Server) verifyJWT(raw string) error {
	undecodable := errors.New("A JSON web token could not be decoded")
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return undecodable
	}
	headerJSON, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	claimsJSON, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return undecodable
	}
	var header struct {
		Alg string `json:"alg"`
	}
	if err := json.Unmarshal(headerJSON, &header); err != nil || header.Alg != "RS256" {
		return undecodable
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(&s.key.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
		return errors.New("A JSON web token could not be decoded")
	}
	var claims jwtClaims
	dec := json.NewDecoder(strings.NewReader(string(claimsJSON)))
	dec.UseNumber()
	if err := dec.Decode(&claims); err != nil {
		return undecodable
	}
	if !s.issuerMatches(claims.Iss) {
		return errors.New("'Issuer' claim ('iss') must be an Integer")
	}
	now := time.Now().Unix()
	if claims.Exp == nil {
		return errors.New("'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires")
	}
	exp, err := claims.Exp.Int64()
	if err != nil || exp <= now {
		return errors.New("'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires")
	}
	if exp > now+int64(maxJWTLifetime/time.Second) {
		return errors.New("'Expiration time' claim ('exp') is too far in the future")
	}
	if claims.Iat != nil {
		if iat, err := claims.Iat.Int64(); err != nil || iat > now+60 {
			return errors.New("'Issued at' claim ('iat') must be an Integer representing a time in the past")
		}
	}
	return nil
}

func (s *Server) issuerMatches(raw json.RawMessage) bool {
	id := strconv.FormatInt(s.appID, 10)
	var str string
	if json.Unmarshal(raw, &str) == nil {
		return str == id || str == s.clientID()
	}
	var num json.Number
	if json.Unmarshal(raw, &num) == nil {
		return num.String() == id
	}
	return false
}

// newTokenValue makes a token in GitHub's ghs_ format. The length is not
// 40 on purpose: GitHub's newer tokens are longer and clients must not care.
func newTokenValue() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 48)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			panic(fmt.Sprintf("githubtest: crypto/rand failed: %v", err))
		}
		b[i] = alphabet[n.Int64()]
	}
	return "ghs_" + string(b)
}

// IssueToken mints an installation token directly, for tests that use a
// plain go-github client rather than ghinstallation.
func (s *Server) IssueToken(installationID int64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.installations[installationID]; !ok {
		s.tb.Fatalf("githubtest: installation %d was never added", installationID)
	}
	return s.mintToken(installationID, nil).value
}

func (s *Server) mintToken(inst int64, repos map[string]bool) *token {
	tok := &token{value: newTokenValue(), inst: inst, expires: s.now().Add(TokenLifetime), repos: repos}
	s.tokens[tok.value] = tok
	return tok
}

// ExpireTokens makes every token issued so far expired, so the next request
// with one gets 401 Bad credentials.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	past := s.now().Add(-time.Second)
	for _, t := range s.tokens {
		t.expires = past
	}
}

// GET /app
func (c *call) getApp() {
	c.json(http.StatusOK, c.s.appJSON())
}

// appJSON renders the App (an integration), as GET /app and check runs
// carry it.
func (s *Server) appJSON() map[string]any {
	// The App belongs to the account of its first installation, or to an
	// organisation named like it when it has none.
	owner := s.appSlug
	if insts := s.sortedInstallations(); len(insts) > 0 {
		owner = insts[0].account
	}
	created := timestamp(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	return map[string]any{
		"id":                  s.appID,
		"slug":                s.appSlug,
		"node_id":             fmt.Sprintf("A_%d", s.appID),
		"client_id":           s.clientID(),
		"owner":               s.user(owner),
		"name":                s.appSlug,
		"description":         "Turns IETF liaison statements into GitHub issues",
		"external_url":        appExternalURL,
		"html_url":            htmlBase + "apps/" + s.appSlug,
		"created_at":          created,
		"updated_at":          created,
		"permissions":         appPermissions(),
		"events":              appEvents,
		"installations_count": len(s.installations),
	}
}

// appExternalURL is the App's homepage, which GitHub also uses as a check
// run's details_url when the App gives none.
const appExternalURL = "https://github.com/liaisonbot/liaisonbot"

// sortedInstallations lists installations by id.
func (s *Server) sortedInstallations() []*installation {
	out := make([]*installation, 0, len(s.installations))
	for _, in := range s.installations {
		out = append(out, in)
	}
	slices.SortFunc(out, func(a, b *installation) int { return cmp.Compare(a.id, b.id) })
	return out
}

// GET /app/installations
func (c *call) listInstallations() {
	c.json(http.StatusOK, renderPage(c, c.s.sortedInstallations(), c.s.installationJSON))
}

func (c *call) installation() (*installation, bool) {
	id, _ := strconv.ParseInt(c.params["installation_id"], 10, 64)
	in, ok := c.s.installations[id]
	if !ok {
		c.notFound()
	}
	return in, ok
}

// GET /app/installations/{installation_id}
func (c *call) getInstallation() {
	if in, ok := c.installation(); ok {
		c.json(http.StatusOK, c.s.installationJSON(in))
	}
}

// GET /repos/{owner}/{repo}/installation
func (c *call) getRepoInstallation() {
	name := c.params["owner"] + "/" + c.params["repo"]
	for _, in := range c.s.sortedInstallations() {
		if in.has(name) {
			c.json(http.StatusOK, c.s.installationJSON(in))
			return
		}
	}
	c.notFound()
}

// POST /app/installations/{installation_id}/access_tokens. The body may be
// absent or null (ghinstallation sends null).
func (c *call) createInstallationToken() {
	in, ok := c.installation()
	if !ok {
		return
	}
	var req struct {
		Repositories  []string          `json:"repositories"`
		RepositoryIDs []int64           `json:"repository_ids"`
		Permissions   map[string]string `json:"permissions"`
	}
	if !c.decode(&req) {
		return
	}
	if !in.suspendedAt.IsZero() {
		c.error(http.StatusForbidden, "This installation has been suspended")
		return
	}
	var restrict map[string]bool
	var repos []*repo
	if len(req.Repositories) > 0 || len(req.RepositoryIDs) > 0 {
		restrict = map[string]bool{}
		for _, full := range in.repos {
			r := c.s.repos[full]
			wanted := false
			for _, n := range req.Repositories {
				wanted = wanted || strings.EqualFold(n, r.name)
			}
			for _, id := range req.RepositoryIDs {
				wanted = wanted || id == r.id
			}
			if wanted {
				restrict[full] = true
				repos = append(repos, r)
			}
		}
		if len(restrict) != len(req.Repositories)+len(req.RepositoryIDs) {
			c.unprocessable(fieldError{Code: "custom", Message: "There is at least one repository that does not exist or is not accessible to the parent installation."})
			return
		}
	}
	perms := appPermissions()
	if len(req.Permissions) > 0 {
		perms = req.Permissions
	}
	tok := c.s.mintToken(in.id, restrict)
	out := map[string]any{
		"token":                tok.value,
		"expires_at":           timestamp(tok.expires),
		"permissions":          perms,
		"repository_selection": "selected",
	}
	if repos != nil {
		list := make([]map[string]any, 0, len(repos))
		for _, r := range repos {
			list = append(list, c.s.repository(r, false))
		}
		out["repositories"] = list
	}
	c.json(http.StatusCreated, out)
}

// GET /installation/repositories
func (c *call) listInstallationRepos() {
	var visible []*repo
	for _, full := range c.who.inst.repos {
		if r := c.s.repos[full]; c.who.canSee(r) {
			visible = append(visible, r)
		}
	}
	c.json(http.StatusOK, map[string]any{
		"total_count":          len(visible),
		"repositories":         renderPage(c, visible, func(r *repo) map[string]any { return c.s.repository(r, false) }),
		"repository_selection": "selected",
	})
}
