package githubtest_test

import (
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/liaisonbot/liaisonbot/internal/githubtest"
)

func TestInjectedRateLimitsAsGoGithubV62SeesThem(t *testing.T) {
	tests := []struct {
		kind   githubtest.LimitKind
		status int
		check  func(t *testing.T, err error)
	}{
		{githubtest.Primary403, http.StatusForbidden, func(t *testing.T, err error) {
			var rl *github.RateLimitError
			if !errors.As(err, &rl) {
				t.Fatalf("err = %T %v, want *github.RateLimitError", err, err)
			}
			if rl.Rate.Remaining != 0 || rl.Rate.Reset.Before(time.Now()) {
				t.Errorf("rate = %+v, want remaining 0 and a future reset", rl.Rate)
			}
		}},
		{githubtest.Secondary403, http.StatusForbidden, func(t *testing.T, err error) {
			var ab *github.AbuseRateLimitError
			if !errors.As(err, &ab) {
				t.Fatalf("err = %T %v, want *github.AbuseRateLimitError", err, err)
			}
			if ab.GetRetryAfter() != githubtest.SecondaryRetryAfter {
				t.Errorf("RetryAfter = %v, want %v", ab.GetRetryAfter(), githubtest.SecondaryRetryAfter)
			}
		}},
		{githubtest.Primary429, http.StatusTooManyRequests, nil},
		{githubtest.Secondary429, http.StatusTooManyRequests, nil},
	}
	for _, tc := range tests {
		t.Run(tc.kind.String(), func(t *testing.T) {
			s := fixture(t)
			c := installationClient(t, s, instID)
			s.RateLimitNext(1, tc.kind)
			_, resp, err := c.Issues.Create(ctx, owner, name, &github.IssueRequest{Title: github.String("t")})
			if resp == nil || resp.StatusCode != tc.status {
				t.Fatalf("response %v, err %v; want status %d", resp, err, tc.status)
			}
			if tc.check != nil {
				tc.check(t, err)
			} else {
				var er *github.ErrorResponse
				var rl *github.RateLimitError
				var ab *github.AbuseRateLimitError
				if !errors.As(err, &er) || errors.As(err, &rl) || errors.As(err, &ab) {
					t.Errorf("err = %T %v, want a plain *github.ErrorResponse (v62 does not know 429)", err, err)
				}
			}
			if n := len(s.Issues(repo)); n != 0 {
				t.Errorf("a rate-limited create made %d issues", n)
			}
			if s.Counts().RateLimited != 1 {
				t.Errorf("RateLimited = %d, want 1", s.Counts().RateLimited)
			}
			// The fault is used up: a fresh client (go-github blocks locally
			// after a 403 limit) goes through.
			if _, _, err := installationClient(t, s, instID).Issues.Create(ctx, owner, name, &github.IssueRequest{Title: github.String("t")}); err != nil {
				t.Errorf("create after the fault: %v", err)
			}
		})
	}
}

func TestAnonymousLimitRunsOut(t *testing.T) {
	s := fixture(t)
	anon := anonymousClient(t, s)
	for i := range githubtest.AnonymousRateLimit {
		if _, _, err := anon.Repositories.Get(ctx, owner, name); err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
	}
	// go-github would now refuse locally; a raw request shows the fake's answer.
	status, h, _ := rawRequest(t, s, "GET", "repos/ietf/liaisons", "", "")
	if status != http.StatusForbidden || h.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("request 61: %d remaining %s, want 403 and 0", status, h.Get("X-RateLimit-Remaining"))
	}
	// GET /rate_limit is free and still answers.
	status, h, body := rawRequest(t, s, "GET", "rate_limit", "", "")
	if status != http.StatusOK || h.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("GET /rate_limit: %d %s", status, body)
	}
	// The installation has its own bucket.
	if _, _, err := installationClient(t, s, instID).Repositories.Get(ctx, owner, name); err != nil {
		t.Errorf("installation request: %v", err)
	}
}

func TestRateLimitEndpointIsFree(t *testing.T) {
	s := fixture(t)
	c := installationClient(t, s, instID)
	_, resp, err := c.Repositories.Get(ctx, owner, name)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Header.Get("X-RateLimit-Limit") != "5000" || resp.Header.Get("X-RateLimit-Resource") != "core" || resp.Header.Get("X-RateLimit-Reset") == "" {
		t.Errorf("rate headers: %v", resp.Header)
	}
	used := resp.Rate.Remaining
	limits, _, err := c.RateLimit.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if limits.GetCore().Remaining != used || limits.GetCore().Limit != 5000 {
		t.Errorf("core = %+v, want remaining %d", limits.GetCore(), used)
	}
	if _, resp, _ = c.Repositories.Get(ctx, owner, name); resp.Rate.Remaining != used-1 {
		t.Errorf("remaining after GET /rate_limit and a GET = %d, want %d", resp.Rate.Remaining, used-1)
	}
}

func TestContentLimitWithClock(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = now.Add(d) }

	s := fixture(t, githubtest.WithClock(clock), githubtest.WithContentLimit(2, 3))
	c := installationClient(t, s, instID)
	create := func(c *github.Client) error {
		_, _, err := c.Issues.Create(ctx, owner, name, &github.IssueRequest{Title: github.String("t")})
		return err
	}
	for range 2 {
		if err := create(c); err != nil {
			t.Fatal(err)
		}
	}
	err := create(c)
	var ab *github.AbuseRateLimitError
	if !errors.As(err, &ab) || ab.GetRetryAfter() != time.Minute {
		t.Fatalf("third create in a minute: err = %v, want a secondary limit with Retry-After 60", err)
	}
	advance(61 * time.Second)
	c = installationClient(t, s, instID)
	if err := create(c); err != nil {
		t.Fatalf("create a minute later: %v", err)
	}
	advance(61 * time.Second)
	if err := create(installationClient(t, s, instID)); !errors.As(err, &ab) {
		t.Fatalf("fourth create in an hour: err = %v, want a secondary limit", err)
	}
	if n := len(s.Issues(repo)); n != 3 {
		t.Errorf("%d issues, want 3", n)
	}
}

func TestFailNext(t *testing.T) {
	s := fixture(t)
	c := installationClient(t, s, instID)
	s.FailNext("GET", "/repos/ietf/liaisons/issues", http.StatusBadGateway)
	if _, _, err := c.Issues.ListByRepo(ctx, owner, name, nil); statusOf(err) != http.StatusBadGateway {
		t.Errorf("err = %v, want 502", err)
	}
	if _, _, err := c.Issues.ListByRepo(ctx, owner, name, nil); err != nil {
		t.Errorf("the fault must be used up: %v", err)
	}
}

func TestDropAfterCreate(t *testing.T) {
	s := fixture(t)
	c := installationClient(t, s, instID)
	s.DropAfterCreate(1)
	if _, _, err := c.Issues.Create(ctx, owner, name, &github.IssueRequest{Title: github.String("first")}); err == nil {
		t.Fatal("the client must see an error when the connection is dropped")
	}
	if is, ok := s.Issue(repo, 1); !ok || is.Title != "first" {
		t.Fatalf("the dropped create must still exist: %+v", s.Issues(repo))
	}
	got, _, err := c.Issues.Create(ctx, owner, name, &github.IssueRequest{Title: github.String("second")})
	if err != nil || got.GetNumber() != 2 {
		t.Errorf("next create = %v, %v; want #2", got, err)
	}
	if s.Counts().Dropped != 1 {
		t.Errorf("Dropped = %d, want 1", s.Counts().Dropped)
	}
}
