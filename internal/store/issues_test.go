package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestIssueLifecycle(t *testing.T) {
	ctx := context.Background()
	s, _ := openFile(t)
	const repo = "ietf/liaisons"
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	t1 := t0.Add(2 * time.Second)
	s.now = func() time.Time { return t1 }

	type want struct {
		ok     bool
		status string
		number int
		hash   string
	}
	check := func(step string, w want) IssueRecord {
		t.Helper()
		rec, ok, err := s.Issue(ctx, repo, 2001)
		if err != nil {
			t.Fatalf("%s: Issue: %v", step, err)
		}
		if ok != w.ok || rec.Status != w.status || rec.Number != w.number || rec.Hash != w.hash {
			t.Fatalf("%s: Issue = %+v, %v; want %+v", step, rec, ok, w)
		}
		return rec
	}

	check("before anything", want{})

	if begun, err := s.BeginCreate(ctx, repo, 2001, t0); err != nil || !begun {
		t.Fatalf("first BeginCreate = %v, %v; want begun", begun, err)
	}
	rec := check("after BeginCreate", want{ok: true, status: IssueCreating})
	if !rec.CreatedAt.Equal(t0) || !rec.UpdatedAt.Equal(t0) {
		t.Errorf("creating record times = %v, %v; want %v", rec.CreatedAt, rec.UpdatedAt, t0)
	}

	if begun, err := s.BeginCreate(ctx, repo, 2001, t1); err != nil || begun {
		t.Fatalf("second BeginCreate = %v, %v; want not begun: someone else is creating", begun, err)
	}
	if rec := check("after second BeginCreate", want{ok: true, status: IssueCreating}); !rec.CreatedAt.Equal(t0) {
		t.Errorf("second BeginCreate moved CreatedAt to %v", rec.CreatedAt)
	}

	if err := s.RecordIssue(ctx, IssueRecord{Repo: repo, StatementID: 2001, Number: 7, Status: "bogus", Hash: "h1", TemplateSHA: "tsha"}); err != nil {
		t.Fatal(err)
	}
	rec = check("after RecordIssue", want{ok: true, status: IssueCreated, number: 7, hash: "h1"})
	if rec.TemplateSHA != "tsha" || !rec.CreatedAt.Equal(t0) || !rec.UpdatedAt.Equal(t1) {
		t.Errorf("recorded issue = %+v; want template tsha, created %v, updated %v", rec, t0, t1)
	}

	// A late or repeated intent must not clobber the created record: that
	// would make the next pass create a second issue.
	if begun, err := s.BeginCreate(ctx, repo, 2001, t1); err != nil || begun {
		t.Fatalf("BeginCreate after created = %v, %v; want not begun", begun, err)
	}
	check("BeginCreate after created", want{ok: true, status: IssueCreated, number: 7, hash: "h1"})

	if err := s.ForgetIssue(ctx, repo, 2001); err == nil || !strings.Contains(err.Error(), "issue #7 is created") {
		t.Errorf("ForgetIssue of a created issue: err = %v, want a refusal", err)
	}
	check("after refused ForgetIssue", want{ok: true, status: IssueCreated, number: 7, hash: "h1"})

	// An update records the new hash over the created record.
	if err := s.RecordIssue(ctx, IssueRecord{Repo: repo, StatementID: 2001, Number: 7, Hash: "h2"}); err != nil {
		t.Fatal(err)
	}
	check("after an update", want{ok: true, status: IssueCreated, number: 7, hash: "h2"})
}

func TestForgetIssue(t *testing.T) {
	ctx := context.Background()
	s, _ := openFile(t)
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	if _, err := s.BeginCreate(ctx, "o/r", 5, now); err != nil {
		t.Fatal(err)
	}
	if err := s.ForgetIssue(ctx, "o/r", 5); err != nil {
		t.Fatalf("ForgetIssue of a creating record: %v", err)
	}
	if _, ok, _ := s.Issue(ctx, "o/r", 5); ok {
		t.Error("creating record still there after ForgetIssue")
	}
	if err := s.ForgetIssue(ctx, "o/r", 5); err != nil {
		t.Errorf("ForgetIssue with no record: %v", err)
	}
	// After forgetting, the next attempt can begin again.
	if _, err := s.BeginCreate(ctx, "o/r", 5, now); err != nil {
		t.Fatal(err)
	}
	if rec, ok, _ := s.Issue(ctx, "o/r", 5); !ok || rec.Status != IssueCreating {
		t.Errorf("after forget and BeginCreate: %+v, %v", rec, ok)
	}
}

func TestIssueKeyIsRepoAndStatement(t *testing.T) {
	ctx := context.Background()
	s, _ := openFile(t)
	recs := []IssueRecord{
		{Repo: "a/x", StatementID: 30, Number: 3},
		{Repo: "a/x", StatementID: 10, Number: 1},
		{Repo: "b/y", StatementID: 10, Number: 1}, // same statement, another repository
		{Repo: "a/x", StatementID: 20, Number: 2},
	}
	for _, r := range recs {
		if err := s.RecordIssue(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	// Recording the same key again replaces, never duplicates.
	if err := s.RecordIssue(ctx, IssueRecord{Repo: "a/x", StatementID: 20, Number: 22}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		repo string
		want string // statement:number in statement order
	}{
		{"a/x", "[10:1 20:22 30:3]"},
		{"b/y", "[10:1]"},
		{"c/z", "[]"},
	}
	for _, tt := range tests {
		got, err := s.IssuesByRepo(ctx, tt.repo)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, r := range got {
			if r.Repo != tt.repo {
				t.Errorf("IssuesByRepo(%s) returned a record of %s", tt.repo, r.Repo)
			}
			keys = append(keys, fmt.Sprintf("%d:%d", r.StatementID, r.Number))
		}
		if got := fmt.Sprint(keys); got != tt.want {
			t.Errorf("IssuesByRepo(%s) = %s, want %s", tt.repo, got, tt.want)
		}
	}
}

func TestIssueRejects(t *testing.T) {
	ctx := context.Background()
	s, _ := openFile(t)
	now := time.Now()
	tests := []struct {
		name string
		run  func() error
		want string
	}{
		{"record without repo", func() error { return s.RecordIssue(ctx, IssueRecord{StatementID: 1, Number: 1}) }, "empty repository name"},
		{"record without statement", func() error { return s.RecordIssue(ctx, IssueRecord{Repo: "o/r", Number: 1}) }, "invalid statement id 0"},
		{"record without number", func() error { return s.RecordIssue(ctx, IssueRecord{Repo: "o/r", StatementID: 1}) }, "invalid issue number 0"},
		{"begin without repo", func() error { _, err := s.BeginCreate(ctx, "", 1, now); return err }, "empty repository name"},
		{"begin with bad statement", func() error { _, err := s.BeginCreate(ctx, "o/r", -1, now); return err }, "invalid statement id -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
	if recs, _ := s.IssuesByRepo(ctx, "o/r"); len(recs) != 0 {
		t.Errorf("rejected records were stored: %+v", recs)
	}
}

// Workers racing to begin the same issue leave one creating record, and a
// racing RecordIssue wins over any BeginCreate.
func TestConcurrentBeginCreate(t *testing.T) {
	ctx := context.Background()
	s, _ := openFile(t)
	now := time.Now()
	start := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			<-start
			var err error
			if w == 3 {
				err = s.RecordIssue(ctx, IssueRecord{Repo: "o/r", StatementID: 1, Number: 42})
			} else {
				_, err = s.BeginCreate(ctx, "o/r", 1, now)
			}
			if err != nil {
				t.Error(err)
			}
		}(w)
	}
	close(start)
	wg.Wait()
	recs, err := s.IssuesByRepo(ctx, "o/r")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Status != IssueCreated || recs[0].Number != 42 {
		t.Errorf("records = %+v, want one created #42", recs)
	}
}
