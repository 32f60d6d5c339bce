package schedule

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/liaisonbot/liaisonbot/internal/datatracker"
	"github.com/liaisonbot/liaisonbot/internal/datatrackertest"
	"github.com/liaisonbot/liaisonbot/internal/liaison"
	"github.com/liaisonbot/liaisonbot/internal/store"
)

type pullFixture struct {
	dt *datatrackertest.Server
	st *store.Store
	p  *Puller
}

func newPullFixture(t *testing.T) *pullFixture {
	t.Helper()
	dt := datatrackertest.New(t)
	dt.AddGroup(liaison.Group{ID: 1, Acronym: "itu-t-sg-13", Name: "ITU-T SG13", Type: "sdo"})
	dt.AddGroup(liaison.Group{ID: 2, Acronym: "ietf", Name: "IETF", Type: "ietf"})
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "lb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c, err := datatracker.New(dt.URL(), datatracker.WithPageSize(5), datatracker.WithRetry(1, time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	return &pullFixture{dt: dt, st: st, p: &Puller{Datatracker: c, Store: st, Log: zerolog.Nop()}}
}

func (f *pullFixture) add(day int, mutate ...func(*datatrackertest.Statement)) int {
	f.dt.SetTime(time.Date(2025, 3, day, 12, 0, 0, 0, time.UTC))
	s := datatrackertest.Statement{Title: fmt.Sprintf("March %d", day), Purpose: "info", FromGroups: []int{1}, ToGroups: []int{2}, FromContact: "a@itu.int", Body: "x"}
	for _, m := range mutate {
		m(&s)
	}
	return f.dt.AddStatement(s)
}

func (f *pullFixture) stored(t *testing.T) map[int]liaison.Statement {
	t.Helper()
	all, err := f.st.Statements(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]liaison.Statement{}
	for _, s := range all {
		out[s.ID] = s
	}
	return out
}

func date(d int) liaison.Date { return liaison.Date{Year: 2025, Month: 3, Day: d} }

func TestFirstPullWalksBackToFrom(t *testing.T) {
	f := newPullFixture(t)
	for day := 1; day <= 28; day++ {
		f.add(day)
	}
	res, err := f.p.Pull(context.Background(), date(25))
	if err != nil {
		t.Fatal(err)
	}
	got := f.stored(t)
	for day := 25; day <= 28; day++ {
		if _, ok := got[day]; !ok {
			t.Errorf("LS %d (March %d) was not pulled", day, day)
		}
	}
	// The walk stops after oldRun statements older than from, so it does
	// not read the whole history.
	if len(got) >= 28 || len(got) < 4+oldRun {
		t.Errorf("pulled %d statements; want the 4 wanted and about %d older ones", len(got), oldRun)
	}
	if res.Changed != len(got) {
		t.Errorf("Changed = %d, stored %d", res.Changed, len(got))
	}
	// An earlier from walks further back, resolving only what it lacks.
	f.dt.ResetCounts()
	again, err := f.p.Pull(context.Background(), date(1))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(f.stored(t)); n != 28 {
		t.Errorf("after moving from to March 1: %d statements stored, want 28", n)
	}
	if again.Fetched != 28-len(got) {
		t.Errorf("the second pull resolved %d statements; want only the %d it lacked", again.Fetched, 28-len(got))
	}
}

func TestIncrementalPull(t *testing.T) {
	f := newPullFixture(t)
	ctx := context.Background()
	a := f.add(1)
	b := f.add(2)
	pending := f.add(3, func(s *datatrackertest.Statement) { s.State = "pending" })
	neverPosted := f.add(4, func(s *datatrackertest.Statement) { s.State = "pending" })
	if _, err := f.p.Pull(ctx, date(1)); err != nil {
		t.Fatal(err)
	}
	if got := f.stored(t); len(got) != 2 {
		t.Fatalf("first pull stored %v; want only the two posted", keys(got))
	}

	// Idle: nothing changes, nothing is written.
	res, err := f.p.Pull(ctx, date(1))
	if err != nil || res.Changed != 0 {
		t.Fatalf("idle pull: %+v, %v", res, err)
	}

	c := f.add(5)
	f.dt.Update(a, func(s *datatrackertest.Statement) { s.Title = "March 1, revised" })
	f.dt.Post(pending)
	f.dt.Kill(b)
	f.dt.Kill(neverPosted)
	res, err = f.p.Pull(ctx, date(1))
	if err != nil {
		t.Fatal(err)
	}
	got := f.stored(t)
	switch {
	case got[c].ID == 0:
		t.Error("a new statement was not pulled")
	case got[a].Title != "March 1, revised":
		t.Errorf("an edited statement was not updated: %q", got[a].Title)
	case got[pending].State != liaison.StatePosted:
		t.Error("a statement posted after pending was not pulled")
	case got[b].State != liaison.StateDead:
		t.Errorf("a killed statement is %q, want dead", got[b].State)
	}
	if _, ok := got[neverPosted]; ok {
		t.Error("a statement killed before it was posted was stored")
	}
	if res.Changed != 4 {
		t.Errorf("Changed = %d, want 4 (new, edited, posted, killed)", res.Changed)
	}
}

func TestFailedPullLosesNothing(t *testing.T) {
	f := newPullFixture(t)
	ctx := context.Background()
	f.add(1)
	if _, err := f.p.Pull(ctx, date(1)); err != nil {
		t.Fatal(err)
	}
	edited := f.add(2)
	if _, err := f.p.Pull(ctx, date(1)); err != nil {
		t.Fatal(err)
	}
	f.dt.Update(edited, func(s *datatrackertest.Statement) { s.Body = "edited" })
	late := f.add(3)
	f.dt.FailNext(1, http.StatusServiceUnavailable)
	if _, err := f.p.Pull(ctx, date(1)); err == nil {
		t.Fatal("a pull against a failing datatracker succeeded")
	}
	if _, err := f.p.Pull(ctx, date(1)); err != nil {
		t.Fatal(err)
	}
	got := f.stored(t)
	if got[edited].Body != "edited" || got[late].ID == 0 {
		t.Errorf("after a failed pull: edited body %q, late statement stored %v", got[edited].Body, got[late].ID != 0)
	}
}

func keys(m map[int]liaison.Statement) []int {
	var out []int
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestMalformedStatementDoesNotHoldUpOthers(t *testing.T) {
	f := newPullFixture(t)
	ctx := context.Background()
	bad := f.add(1, func(s *datatrackertest.Statement) { s.Deadline = "31/12/2026" })
	good := f.add(2)
	res, err := f.p.Pull(ctx, date(1))
	if err != nil {
		t.Fatalf("one malformed statement failed the pull: %v", err)
	}
	got := f.stored(t)
	if _, ok := got[good]; !ok || res.Failed != 1 {
		t.Fatalf("stored %v, failed %d; want the good one stored and one failure", keys(got), res.Failed)
	}
	// Fixed upstream (without a new event), it is retried and stored.
	f.dt.Update(bad, func(s *datatrackertest.Statement) { s.Deadline = "2026-12-31" })
	if _, err := f.p.Pull(ctx, date(1)); err != nil {
		t.Fatal(err)
	}
	if got := f.stored(t); got[bad].Deadline == nil {
		t.Errorf("the fixed statement was not stored on the next pull")
	}
}

func TestLongPendingStatementIsFoundByItsPostedEvent(t *testing.T) {
	f := newPullFixture(t)
	late := f.add(1, func(s *datatrackertest.Statement) { s.State = "pending" })
	for day := 2; day <= 26; day++ {
		f.add(day)
	}
	f.dt.SetTime(time.Date(2025, 3, 28, 12, 0, 0, 0, time.UTC))
	f.dt.Post(late)
	if _, err := f.p.Pull(context.Background(), date(27)); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.stored(t)[late]; !ok {
		t.Error("a statement with a low id posted after from was missed by the backfill")
	}
}

func TestIdlePullIsCheap(t *testing.T) {
	f := newPullFixture(t)
	ctx := context.Background()
	c, err := datatracker.New(f.dt.URL()) // the default page holds the overlap window
	if err != nil {
		t.Fatal(err)
	}
	f.p.Datatracker = c
	for day := 1; day <= 12; day++ {
		f.add(day)
	}
	if _, err := f.p.Pull(ctx, date(1)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		f.dt.ResetCounts()
		res, err := f.p.Pull(ctx, date(1))
		if err != nil {
			t.Fatal(err)
		}
		// One page of events (the overlap window) and one of new statements.
		if n := f.dt.Requests(); n != 2 || res.Fetched != 0 {
			for _, r := range f.dt.Log() {
				t.Logf("%s?%s", r.Path, r.Query.Encode())
			}
			t.Errorf("idle pull %d: %d datatracker requests, %d statements resolved; want 2 and 0", i, n, res.Fetched)
		}
	}
}
