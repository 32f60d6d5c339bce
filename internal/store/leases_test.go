package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestLeases(t *testing.T) {
	s, _ := openFile(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }

	if err := s.AcquireLease(ctx, "sync", "serve@a", time.Minute); err != nil {
		t.Fatal(err)
	}
	var held *LeaseHeldError
	if err := s.AcquireLease(ctx, "sync", "cli@b", time.Minute); !errors.As(err, &held) || held.Holder != "serve@a" {
		t.Fatalf("a second holder got the lease: %v", err)
	}
	if err := s.AcquireLease(ctx, "sync", "serve@a", time.Minute); err != nil {
		t.Fatalf("the holder could not renew: %v", err)
	}
	if err := s.AcquireLease(ctx, "other", "cli@b", time.Minute); err != nil {
		t.Fatalf("leases of other names are independent: %v", err)
	}
	now = now.Add(2 * time.Minute) // serve@a crashed: its lease ran out
	if err := s.AcquireLease(ctx, "sync", "cli@b", time.Minute); err != nil {
		t.Fatalf("an expired lease was not taken over: %v", err)
	}
	if err := s.ReleaseLease(ctx, "sync", "serve@a"); err != nil {
		t.Fatal(err)
	}
	if err := s.AcquireLease(ctx, "sync", "serve@a", time.Minute); err == nil {
		t.Fatal("releasing someone else's lease freed it")
	}
	if err := s.ReleaseLease(ctx, "sync", "cli@b"); err != nil {
		t.Fatal(err)
	}
	if err := s.AcquireLease(ctx, "sync", "serve@a", time.Minute); err != nil {
		t.Fatalf("a released lease could not be taken: %v", err)
	}
}
