package datatracker

import (
	"testing"
	"time"
)

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		h    string
		want time.Duration
	}{
		{"", 0},
		{"7", 7 * time.Second},
		{"-3", 0},
		{"soon", 0},
		{"Sun, 01 Jun 2025 12:00:30 GMT", 30 * time.Second},
		{"Sun, 01 Jun 2025 11:00:00 GMT", 0},
		{"999999999", 24 * time.Hour},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.h, now); got != tt.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tt.h, got, tt.want)
		}
	}
}

func TestBackoffBounds(t *testing.T) {
	c := &Client{minBackoff: 100 * time.Millisecond, maxBackoff: time.Second}
	tests := []struct {
		attempt  int
		min, max time.Duration
	}{
		{1, 50 * time.Millisecond, 100 * time.Millisecond},
		{2, 100 * time.Millisecond, 200 * time.Millisecond},
		{3, 200 * time.Millisecond, 400 * time.Millisecond},
		{10, 500 * time.Millisecond, time.Second},
		{100, 500 * time.Millisecond, time.Second},
	}
	for _, tt := range tests {
		for i := 0; i < 50; i++ {
			if d := c.backoff(tt.attempt); d < tt.min || d > tt.max {
				t.Fatalf("backoff(%d) = %v, want within %v..%v", tt.attempt, d, tt.min, tt.max)
			}
		}
	}
}

func TestContactOf(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Jane Doe <jane@example.org>", "Jane Doe <jane@example.org>"},
		{" jane@example.org ", "jane@example.org"},
		{"/api/v1/person/email/jane@example.org/", "jane@example.org"},
		{"/api/v1/person/email/jane%40example.org/", "jane@example.org"},
		{"https://datatracker.ietf.org/api/v1/person/email/jane@example.org/", "jane@example.org"},
		{"Dr: Jane <jane@example.org>", "Dr: Jane <jane@example.org>"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := contactOf(tt.in); got != tt.want {
			t.Errorf("contactOf(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSlugOf(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/api/v1/name/liaisonstatementstate/posted/", "posted"},
		{"/api/v1/name/liaisonstatementstate/posted", "posted"},
		{"/api/v1/name/liaisonstatementpurposename/some%20thing/", "some thing"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := slugOf(tt.in); got != tt.want {
			t.Errorf("slugOf(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
