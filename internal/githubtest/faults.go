package githubtest

import (
	"fmt"
	"net/http"
	"strings"
)

// LimitKind is the shape of an injected rate-limit error. GitHub sends each
// kind as 403 or 429; go-github v62 recognises only the 403 shapes (as
// *github.RateLimitError and *github.AbuseRateLimitError) and returns a 429
// as a plain *github.ErrorResponse, so tests need all four.
type LimitKind int

const (
	// Primary403 is 403 with x-ratelimit-remaining 0 and the window's reset.
	Primary403 LimitKind = iota + 1
	// Primary429 is the same with status 429.
	Primary429
	// Secondary403 is 403 with a documentation_url ending in
	// secondary-rate-limits and Retry-After (SecondaryRetryAfter).
	Secondary403
	// Secondary429 is the same with status 429.
	Secondary429
)

func (k LimitKind) String() string {
	switch k {
	case Primary403:
		return "primary403"
	case Primary429:
		return "primary429"
	case Secondary403:
		return "secondary403"
	case Secondary429:
		return "secondary429"
	}
	return fmt.Sprintf("LimitKind(%d)", int(k))
}

// fault is one queued failure, consumed by the first request it matches.
type fault struct {
	// limit, when set, makes this an injected rate limit that matches any
	// request not exempt from limits.
	limit LimitKind
	// method ("" for any) and prefix (of the escaped path) select the
	// request for FailNext; status is what it gets.
	method string
	prefix string
	status int
}

func (f fault) matches(c *call) bool {
	if f.limit != 0 {
		return !limitExempt(c)
	}
	return (f.method == "" || strings.EqualFold(f.method, c.r.Method)) &&
		strings.HasPrefix(c.r.URL.EscapedPath(), f.prefix)
}

// RateLimitNext makes the next n requests (other than GET /rate_limit and
// the App's JWT endpoints) fail with a rate-limit error of the given kind,
// without being applied. A primary limit carries the caller's real window
// reset: go-github then refuses calls locally until that time, so a test
// that goes on must use a fresh client, or a WithClock in the past.
func (s *Server) RateLimitNext(n int, kind LimitKind) {
	if kind < Primary403 || kind > Secondary429 {
		s.tb.Fatalf("githubtest: unknown rate-limit kind %v", kind)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, fault{limit: kind})
	}
}

// FailNext makes the next request with the given method ("" for any) whose
// escaped path starts with pathPrefix fail with status and a basic-error
// body, without being applied. Calls queue up.
func (s *Server) FailNext(method, pathPrefix string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, fault{method: method, prefix: pathPrefix, status: status})
}

// DropAfterCreate makes the next n issue creates take effect and then close
// the connection without a response: GitHub created the issue, but the app
// never heard of it (as when the app crashes between the two).
func (s *Server) DropAfterCreate(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropCreates += n
}

// injectFault applies the first queued fault that matches the request.
func (s *Server) injectFault(c *call, b *bucket) bool {
	for i, f := range s.faults {
		if !f.matches(c) {
			continue
		}
		s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		switch f.limit {
		case Primary403:
			s.primaryLimit(c, b, http.StatusForbidden)
		case Primary429:
			s.primaryLimit(c, b, http.StatusTooManyRequests)
		case Secondary403:
			s.secondaryLimit(c, b, http.StatusForbidden, SecondaryRetryAfter)
		case Secondary429:
			s.secondaryLimit(c, b, http.StatusTooManyRequests, SecondaryRetryAfter)
		default:
			c.error(f.status, http.StatusText(f.status))
			c.resp.skipValidation = true
			s.setRateHeaders(c, b)
		}
		return true
	}
	return false
}

// dropIfAsked marks an issue create's response to be dropped when
// DropAfterCreate asked for it. Callers hold s.mu.
func (s *Server) dropIfAsked(c *call) {
	if s.dropCreates > 0 {
		s.dropCreates--
		s.counts.Dropped++
		c.resp.drop = true
		c.resp.skipValidation = true
	}
}
