package tracker

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/google/go-github/v62/github"
)

// Pacer keeps content-creating requests under GitHub's secondary limits
// (about 80 a minute and 500 an hour) and waits out the limits GitHub
// reports anyway.
type Pacer struct {
	PerMinute, PerHour int
	// MaxWait bounds one wait for a reported limit; a longer one fails the
	// request so the pass ends and the next one resumes.
	MaxWait time.Duration
	Now     func() time.Time
	Sleep   func(context.Context, time.Duration) error

	mu   sync.Mutex
	sent []time.Time
}

// NewPacer paces at GitHub's documented secondary limits.
func NewPacer(perMinute, perHour int) *Pacer {
	return &Pacer{PerMinute: perMinute, PerHour: perHour, MaxWait: 15 * time.Minute}
}

func (p *Pacer) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Pacer) sleep(ctx context.Context, d time.Duration) error {
	if p.Sleep != nil {
		return p.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Do runs one content-creating request when the budget allows, and again
// after a reported limit. A limit response means GitHub did not apply the
// request, so repeating it is safe.
func (p *Pacer) Do(ctx context.Context, f func() error) error {
	if p == nil {
		return f()
	}
	for attempt := 0; ; attempt++ {
		if err := p.wait(ctx); err != nil {
			return err
		}
		err := f()
		d, limited := retryAfter(err, p.now())
		if !limited || attempt >= 3 {
			return err
		}
		if d > p.MaxWait {
			return err
		}
		if err := p.sleep(ctx, d); err != nil {
			return err
		}
	}
}

func (p *Pacer) wait(ctx context.Context) error {
	if p == nil {
		return nil
	}
	for {
		p.mu.Lock()
		now := p.now()
		keep := p.sent[:0]
		for _, t := range p.sent {
			if now.Sub(t) < time.Hour {
				keep = append(keep, t)
			}
		}
		p.sent = keep
		var lastMinute int
		for _, t := range p.sent {
			if now.Sub(t) < time.Minute {
				lastMinute++
			}
		}
		var d time.Duration
		switch {
		case p.PerHour > 0 && len(p.sent) >= p.PerHour:
			d = p.sent[len(p.sent)-p.PerHour].Add(time.Hour).Sub(now)
		case p.PerMinute > 0 && lastMinute >= p.PerMinute:
			d = p.sent[len(p.sent)-p.PerMinute].Add(time.Minute).Sub(now)
		}
		if d <= 0 {
			p.sent = append(p.sent, now)
			p.mu.Unlock()
			return nil
		}
		p.mu.Unlock()
		if err := p.sleep(ctx, d); err != nil {
			return err
		}
	}
}

// retryAfter reads how long GitHub asks to wait from a rate-limit error:
// go-github's own types for 403s, and the headers of a 429, which go-github
// v62 returns as a plain ErrorResponse.
func retryAfter(err error, now time.Time) (time.Duration, bool) {
	if err == nil {
		return 0, false
	}
	var ab *github.AbuseRateLimitError
	if errors.As(err, &ab) {
		if ab.RetryAfter != nil {
			return *ab.RetryAfter, true
		}
		return time.Minute, true // GitHub: wait at least a minute without a header
	}
	var rl *github.RateLimitError
	if errors.As(err, &rl) {
		return rl.Rate.Reset.Time.Sub(now) + time.Second, true
	}
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusTooManyRequests {
		h := er.Response.Header
		if s, err := strconv.Atoi(h.Get("Retry-After")); err == nil {
			return time.Duration(s) * time.Second, true
		}
		if r, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			return time.Unix(r, 0).Sub(now) + time.Second, true
		}
		return time.Minute, true
	}
	return 0, false
}
