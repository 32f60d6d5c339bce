package githubtest

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Rate limits per hour, as GitHub grants them.
const (
	InstallationRateLimit = 5000
	AnonymousRateLimit    = 60
	// searchRateLimit is per minute; the fake serves no search yet but
	// reports the bucket in GET /rate_limit, whose schema requires it.
	searchRateLimit = 30
)

// SecondaryRetryAfter is the Retry-After the fake sends with an injected
// secondary limit; GitHub asks clients to wait at least a minute.
const SecondaryRetryAfter = 60 * time.Second

const (
	primaryDocs   = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-primary-rate-limits"
	secondaryDocs = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits"
)

// bucket is one primary rate-limit window.
type bucket struct {
	key      string
	resource string
	limit    int
	used     int
	reset    time.Time
}

// roll starts a new hour once the window has passed.
func (b *bucket) roll(now time.Time) {
	if b.reset.IsZero() || !now.Before(b.reset) {
		b.used = 0
		b.reset = now.Add(time.Hour).Truncate(time.Second)
	}
}

func (b *bucket) remaining(now time.Time) int {
	b.roll(now)
	return max(0, b.limit-b.used)
}

func (b *bucket) charge(now time.Time) {
	b.roll(now)
	b.used++
}

func (s *Server) bucket(key string, limit int) *bucket {
	b, ok := s.buckets[key]
	if !ok {
		b = &bucket{key: key, resource: "core", limit: limit}
		s.buckets[key] = b
	}
	return b
}

// bucketFor picks the caller's core bucket: one per installation, one for
// the App's JWT, and one per client address for anonymous requests.
func (s *Server) bucketFor(c *call) *bucket {
	switch c.who.kind {
	case installationToken:
		return s.bucket("installation:"+strconv.FormatInt(c.who.inst.id, 10), InstallationRateLimit)
	case appJWT:
		return s.bucket("app", InstallationRateLimit)
	}
	return s.anonBucket(c.r)
}

// headerBucket guesses the caller's bucket from its credentials without
// checking them, for the rate headers of requests refused before
// authentication. Callers hold s.mu.
func (s *Server) headerBucket(r *http.Request) *bucket {
	scheme, cred, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	cred = strings.TrimSpace(cred)
	if tok, ok := s.tokens[cred]; ok && (strings.EqualFold(scheme, "token") || strings.EqualFold(scheme, "Bearer")) {
		return s.bucket("installation:"+strconv.FormatInt(tok.inst, 10), InstallationRateLimit)
	}
	if strings.EqualFold(scheme, "Bearer") {
		return s.bucket("app", InstallationRateLimit)
	}
	return s.anonBucket(r)
}

func (s *Server) anonBucket(r *http.Request) *bucket {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return s.bucket("anonymous:"+host, AnonymousRateLimit)
}

// charges reports whether a handled request costs a unit of the primary
// limit: GET /rate_limit never does, and a 304 does not when authenticated
// (anonymous 304s are charged, as GitHub does).
func (s *Server) charges(c *call) bool {
	if c.route.pattern == "/rate_limit" {
		return false
	}
	return c.resp.status != http.StatusNotModified || c.who.kind == anonymous
}

// setRateHeaders writes the x-ratelimit-* headers of b.
func (s *Server) setRateHeaders(c *call, b *bucket) {
	now := s.now()
	rem := b.remaining(now)
	h := c.resp.header
	h.Set("X-RateLimit-Limit", strconv.Itoa(b.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(rem))
	h.Set("X-RateLimit-Used", strconv.Itoa(b.used))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(b.reset.Unix(), 10))
	h.Set("X-RateLimit-Resource", b.resource)
}

// limitExempt reports whether limits and injected limit faults skip the
// request: GET /rate_limit is free, and the App's own JWT endpoints are left
// alone so that ghinstallation's token minting, invisible inside the client,
// is not what a test's injected limit hits.
func limitExempt(c *call) bool {
	return c.route.pattern == "/rate_limit" || c.route.auth == authApp
}

// enforceLimits refuses the request when the caller's primary bucket is
// empty or, with WithContentLimit, when it creates content too fast.
func (s *Server) enforceLimits(c *call, b *bucket) bool {
	if limitExempt(c) {
		return false
	}
	now := s.now()
	if b.remaining(now) == 0 {
		s.primaryLimit(c, b, http.StatusForbidden)
		return true
	}
	if c.route.contentCreating && (s.contentPerMinute > 0 || s.contentPerHour > 0) {
		if wait := s.contentWait(b.key, now); wait > 0 {
			s.secondaryLimit(c, b, http.StatusForbidden, wait)
			return true
		}
		s.contentLog[b.key] = append(s.contentLog[b.key], now)
	}
	return false
}

// contentWait is how long the caller must wait before creating content
// again, or 0 when it may go ahead now.
func (s *Server) contentWait(key string, now time.Time) time.Duration {
	log := s.contentLog[key]
	kept := log[:0]
	for _, t := range log {
		if now.Sub(t) < time.Hour {
			kept = append(kept, t)
		}
	}
	s.contentLog[key] = kept
	var wait time.Duration
	check := func(limit int, window time.Duration) {
		if limit <= 0 {
			return
		}
		var inWindow []time.Time
		for _, t := range kept {
			if now.Sub(t) < window {
				inWindow = append(inWindow, t)
			}
		}
		if len(inWindow) >= limit {
			// The request may go once enough of the window has slid past.
			wait = max(wait, inWindow[len(inWindow)-limit].Add(window).Sub(now))
		}
	}
	check(s.contentPerMinute, time.Minute)
	check(s.contentPerHour, time.Hour)
	return wait
}

// primaryLimit answers a primary rate-limit error: remaining 0 and the
// window's reset time, with status 403 or 429 (GitHub sends both).
func (s *Server) primaryLimit(c *call, b *bucket, status int) {
	s.counts.RateLimited++
	var who string
	switch c.who.kind {
	case installationToken:
		who = "installation ID " + strconv.FormatInt(c.who.inst.id, 10) + "."
	case appJWT:
		who = "the App's JWT."
	default:
		host, _, _ := net.SplitHostPort(c.r.RemoteAddr)
		who = host + ". (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)"
	}
	c.json(status, basicError{Message: "API rate limit exceeded for " + who, DocumentationURL: primaryDocs, Status: strconv.Itoa(status)})
	c.resp.skipValidation = true
	b.roll(s.now())
	h := c.resp.header
	h.Set("X-RateLimit-Limit", strconv.Itoa(b.limit))
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Used", strconv.Itoa(b.limit))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(b.reset.Unix(), 10))
	h.Set("X-RateLimit-Resource", b.resource)
}

// secondaryLimit answers a secondary rate-limit error: a documentation_url
// ending in secondary-rate-limits (what go-github v62 looks for) and
// Retry-After in seconds, with status 403 or 429.
func (s *Server) secondaryLimit(c *call, b *bucket, status int, wait time.Duration) {
	s.counts.RateLimited++
	c.json(status, basicError{
		Message:          "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.",
		DocumentationURL: secondaryDocs,
		Status:           strconv.Itoa(status),
	})
	c.resp.skipValidation = true
	secs := int64((wait + time.Second - 1) / time.Second)
	c.resp.header.Set("Retry-After", strconv.FormatInt(max(1, secs), 10))
	s.setRateHeaders(c, b)
}

// GET /rate_limit: the caller's buckets; it costs nothing.
func (c *call) getRateLimit() {
	now := c.s.now()
	b := c.s.bucketFor(c)
	core := map[string]any{
		"limit": b.limit, "remaining": b.remaining(now), "used": b.used, "reset": b.reset.Unix(),
	}
	search := map[string]any{
		"limit": searchRateLimit, "remaining": searchRateLimit, "used": 0, "reset": now.Add(time.Minute).Unix(),
	}
	c.json(http.StatusOK, map[string]any{
		"resources": map[string]any{"core": core, "search": search},
		"rate":      core,
	})
}
