package tracker

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
)

type fakeClock struct {
	now   time.Time
	slept []time.Duration
}

func (c *fakeClock) Now() time.Time { return c.now }
func (c *fakeClock) Sleep(_ context.Context, d time.Duration) error {
	c.slept = append(c.slept, d)
	c.now = c.now.Add(d)
	return nil
}

func newTestPacer(perMinute, perHour int) (*Pacer, *fakeClock) {
	c := &fakeClock{now: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)}
	p := NewPacer(perMinute, perHour)
	p.Now, p.Sleep = c.Now, c.Sleep
	return p, c
}

func TestPacerKeepsUnderTheMinuteAndHourBudgets(t *testing.T) {
	p, c := newTestPacer(3, 5)
	for i := 0; i < 6; i++ {
		if err := p.Do(context.Background(), func() error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	// Three at once, the fourth a minute later, the fifth with it, the
	// sixth an hour after the first.
	want := []time.Duration{time.Minute, time.Hour - time.Minute}
	if len(c.slept) != len(want) {
		t.Fatalf("slept %v, want %v", c.slept, want)
	}
	for i := range want {
		if c.slept[i] != want[i] {
			t.Errorf("sleep %d = %v, want %v", i, c.slept[i], want[i])
		}
	}
}

func TestPacerWaitsOutReportedLimits(t *testing.T) {
	retry := 42 * time.Second
	resp429 := &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"17"}}}
	tests := []struct {
		name string
		err  error
		want time.Duration
	}{
		{"secondary 403", &github.AbuseRateLimitError{RetryAfter: &retry}, retry},
		{"secondary 403 without header", &github.AbuseRateLimitError{}, time.Minute},
		{"429 with Retry-After", &github.ErrorResponse{Response: resp429}, 17 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, c := newTestPacer(0, 0)
			calls := 0
			err := p.Do(context.Background(), func() error {
				calls++
				if calls == 1 {
					return tc.err
				}
				return nil
			})
			if err != nil || calls != 2 || len(c.slept) != 1 || c.slept[0] != tc.want {
				t.Errorf("err %v, %d calls, slept %v; want one wait of %v", err, calls, c.slept, tc.want)
			}
		})
	}
}

func TestPacerGivesUpOnLongLimits(t *testing.T) {
	p, c := newTestPacer(0, 0)
	long := 2 * time.Hour
	calls := 0
	err := p.Do(context.Background(), func() error {
		calls++
		return &github.AbuseRateLimitError{RetryAfter: &long}
	})
	if err == nil || calls != 1 || len(c.slept) != 0 {
		t.Errorf("err %v, %d calls, slept %v: a wait over MaxWait must end the pass", err, calls, c.slept)
	}
}
