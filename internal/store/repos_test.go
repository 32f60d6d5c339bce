package store

import (
	"context"
	"testing"
	"time"
)

func TestTouchRepo(t *testing.T) {
	ctx := context.Background()
	s, path := openFile(t)
	t0 := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)

	if _, ok, err := s.Repo(ctx, "ietf/liaisons"); err != nil || ok {
		t.Fatalf("Repo on empty store: ok=%v err=%v", ok, err)
	}
	steps := []struct {
		name    string
		install int64
		at      time.Time
	}{
		{"first seen", 100, t0},
		{"seen again", 100, t0.Add(time.Hour)},
		{"reinstalled", 200, t0.Add(48 * time.Hour)},
		{"in another zone", 200, t0.Add(72 * time.Hour).In(time.FixedZone("CET", 3600))},
	}
	for _, step := range steps {
		rec, err := s.TouchRepo(ctx, "ietf/liaisons", step.install, step.at)
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if rec.FullName != "ietf/liaisons" || rec.InstallationID != step.install || !rec.FirstSeen.Equal(t0) {
			t.Errorf("%s: TouchRepo = %+v; want installation %d, first seen %v", step.name, rec, step.install, t0)
		}
		got, ok, err := s.Repo(ctx, "ietf/liaisons")
		if err != nil || !ok || got != rec {
			t.Errorf("%s: Repo = %+v, %v, %v; want %+v", step.name, got, ok, err, rec)
		}
	}

	cet := time.Date(2026, 2, 1, 12, 0, 0, 0, time.FixedZone("CET", 3600))
	if _, err := s.TouchRepo(ctx, "acme/b", 1, cet); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TouchRepo(ctx, "", 1, t0); err == nil {
		t.Error("TouchRepo with an empty name succeeded")
	}

	s = reopen(t, s, path)
	all, err := s.Repos(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].FullName != "acme/b" || all[1].FullName != "ietf/liaisons" {
		t.Fatalf("Repos = %+v, want acme/b then ietf/liaisons", all)
	}
	if !all[0].FirstSeen.Equal(cet) || all[0].FirstSeen.Location() != time.UTC {
		t.Errorf("first seen of acme/b = %v, want %v in UTC", all[0].FirstSeen, cet)
	}
	if all[1].InstallationID != 200 || !all[1].FirstSeen.Equal(t0) {
		t.Errorf("ietf/liaisons after reopen = %+v", all[1])
	}
}
