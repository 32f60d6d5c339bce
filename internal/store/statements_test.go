package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liaisonbot/liaisonbot/internal/liaison"
)

// sample is a statement with every kind of field filled.
func sample(id int) liaison.Statement {
	deadline := liaison.Date{Year: 2026, Month: time.April, Day: 30}
	return liaison.Statement{
		ID:          id,
		Title:       fmt.Sprintf("LS on something %d", id),
		FromGroups:  []liaison.Group{{ID: 1, Acronym: "itu-t-sg-13", Name: "ITU-T SG13", Type: "sdo"}},
		FromContact: "tsbsg13@itu.int",
		ToGroups:    []liaison.Group{{ID: 2, Acronym: "iab", Name: "IAB", Type: "ietf"}},
		ToContacts:  "iab@iab.org",
		Purpose:     liaison.PurposeFromSlug("action"),
		Deadline:    &deadline,
		Body:        "Dear colleagues,\n@someone /respond <b>x</b>",
		Tags:        []string{"required"},
		State:       liaison.StatePosted,
		Attachments: []liaison.Attachment{{Title: "LS text", URL: "https://datatracker.ietf.org/documents/LIAISON/x.pdf"}},
		Related:     []liaison.Related{{ID: id - 1, Title: "earlier"}},
		Submitted:   time.Date(2026, 2, 1, 9, 30, 0, 0, time.UTC),
		Posted:      time.Date(2026, 2, 2, 10, 0, 0, 0, time.UTC),
	}
}

func TestPutStatementChanged(t *testing.T) {
	ctx := context.Background()
	s, _ := openFile(t)

	edited := sample(10)
	edited.Title = "LS on something else"
	deadlineMoved := edited
	d := liaison.Date{Year: 2026, Month: time.May, Day: 1}
	deadlineMoved.Deadline = &d

	steps := []struct {
		name string
		st   liaison.Statement
		want bool
	}{
		{"new", sample(10), true},
		{"same again", sample(10), false},
		{"title edited", edited, true},
		{"edited again", edited, false},
		{"deadline moved", deadlineMoved, true},
		{"back to the original", sample(10), true},
		{"another id", sample(11), true},
		{"another id again", sample(11), false},
	}
	for _, step := range steps {
		changed, err := s.PutStatement(ctx, step.st)
		if err != nil {
			t.Fatalf("%s: PutStatement: %v", step.name, err)
		}
		if changed != step.want {
			t.Errorf("%s: changed = %v, want %v", step.name, changed, step.want)
		}
		got, ok, err := s.Statement(ctx, step.st.ID)
		if err != nil || !ok {
			t.Fatalf("%s: Statement: ok=%v err=%v", step.name, ok, err)
		}
		if Hash(got) != Hash(step.st) || got.Title != step.st.Title || !got.Posted.Equal(step.st.Posted) {
			t.Errorf("%s: stored statement differs: %+v", step.name, got)
		}
		h, ok, err := s.StatementHash(ctx, step.st.ID)
		if err != nil || !ok || h != Hash(step.st) {
			t.Errorf("%s: StatementHash = %q, %v, %v; want %q", step.name, h, ok, err, Hash(step.st))
		}
	}
}

// An unchanged statement must not be written at all, not even its updated_at.
func TestPutStatementIdleWritesNothing(t *testing.T) {
	ctx := context.Background()
	s, _ := openFile(t)
	t1 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return t1 }
	if _, err := s.PutStatement(ctx, sample(3)); err != nil {
		t.Fatal(err)
	}
	s.now = func() time.Time { return t1.Add(time.Hour) }
	if changed, err := s.PutStatement(ctx, sample(3)); err != nil || changed {
		t.Fatalf("idle PutStatement = %v, %v", changed, err)
	}
	var updated string
	if err := s.db.QueryRowContext(ctx, `SELECT updated_at FROM statements WHERE id = 3`).Scan(&updated); err != nil {
		t.Fatal(err)
	}
	if updated != formatTime(t1) {
		t.Errorf("idle PutStatement rewrote updated_at: %s, want %s", updated, formatTime(t1))
	}
}

// An unchanged statement is recognised by reading alone: it does not wait for
// the write lock, so an idle pass goes on while another writer is busy.
func TestPutStatementIdleTakesNoWriteLock(t *testing.T) {
	ctx := context.Background()
	s, _ := openFile(t)
	if _, err := s.PutStatement(ctx, sample(3)); err != nil {
		t.Fatal(err)
	}
	writer, err := s.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	if _, err := writer.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer writer.ExecContext(ctx, "ROLLBACK")

	ctx2, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	begin := time.Now()
	changed, err := s.PutStatement(ctx2, sample(3))
	if err != nil || changed {
		t.Fatalf("idle PutStatement while another writer holds the lock = %v, %v", changed, err)
	}
	if d := time.Since(begin); d > time.Second {
		t.Errorf("idle PutStatement waited %v for the write lock", d)
	}
}

func TestPutStatementRejects(t *testing.T) {
	ctx := context.Background()
	s, _ := openFile(t)
	farFuture := sample(4)
	farFuture.Posted = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		st   liaison.Statement
		want string
	}{
		{"no id", liaison.Statement{Title: "x"}, "invalid id 0"},
		{"negative id", liaison.Statement{ID: -2}, "invalid id -2"},
		{"unencodable time", farFuture, "failed to encode statement 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.PutStatement(ctx, tt.st)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("PutStatement error = %v, want one containing %q", err, tt.want)
			}
		})
	}
	if Hash(farFuture) != "" {
		t.Errorf("Hash of an unencodable statement = %q, want empty", Hash(farFuture))
	}
	if n, _ := s.MaxStatementID(ctx); n != 0 {
		t.Errorf("a rejected statement was stored: max id %d", n)
	}
}

func TestStatementsListing(t *testing.T) {
	ctx := context.Background()
	s, _ := openFile(t)
	if n, err := s.MaxStatementID(ctx); err != nil || n != 0 {
		t.Fatalf("MaxStatementID on empty store = %d, %v", n, err)
	}
	if _, ok, err := s.Statement(ctx, 1); err != nil || ok {
		t.Fatalf("Statement on empty store: ok=%v err=%v", ok, err)
	}
	if _, ok, err := s.StatementHash(ctx, 1); err != nil || ok {
		t.Fatalf("StatementHash on empty store: ok=%v err=%v", ok, err)
	}
	for _, id := range []int{1900, 5, 2100, 17} {
		if _, err := s.PutStatement(ctx, sample(id)); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.Statements(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int
	for _, st := range all {
		ids = append(ids, st.ID)
	}
	if fmt.Sprint(ids) != "[5 17 1900 2100]" {
		t.Errorf("Statements ids = %v, want [5 17 1900 2100]", ids)
	}
	if n, err := s.MaxStatementID(ctx); err != nil || n != 2100 {
		t.Errorf("MaxStatementID = %d, %v; want 2100", n, err)
	}
}

func TestHashDeterministic(t *testing.T) {
	a, b := sample(7), sample(7)
	if Hash(a) != Hash(b) || len(Hash(a)) != 64 {
		t.Fatalf("Hash not deterministic or not sha256 hex: %q %q", Hash(a), Hash(b))
	}
	b.Tags = append(b.Tags, "new")
	if Hash(a) == Hash(b) {
		t.Error("Hash ignores a change of tags")
	}
}

// Eight writers at once, all on one file: SQLite's busy timeout must make
// them wait for each other rather than fail with "database is locked".
func TestConcurrentPutStatement(t *testing.T) {
	ctx := context.Background()
	s, _ := openFile(t)
	const workers, each = 8, 25

	var wg sync.WaitGroup
	errs := make(chan error, workers*each*2)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				st := sample(1000 + w*each + i)
				if changed, err := s.PutStatement(ctx, st); err != nil {
					errs <- err
				} else if !changed {
					errs <- fmt.Errorf("new statement %d not reported as changed", st.ID)
				}
				st.Title += " (edited)"
				if changed, err := s.PutStatement(ctx, st); err != nil {
					errs <- err
				} else if !changed {
					errs <- fmt.Errorf("edited statement %d not reported as changed", st.ID)
				}
				if _, err := s.Statements(ctx); err != nil {
					errs <- err
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	all, err := s.Statements(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != workers*each {
		t.Errorf("stored %d statements, want %d", len(all), workers*each)
	}
	for _, st := range all {
		if !strings.HasSuffix(st.Title, " (edited)") {
			t.Errorf("statement %d lost its edit: %q", st.ID, st.Title)
		}
	}
}

// Eight writers storing the same edit at the same moment: exactly one of them
// sees it as a change, so the edit is acted on once.
func TestConcurrentPutSameStatement(t *testing.T) {
	ctx := context.Background()
	s, _ := openFile(t)
	const workers, rounds = 8, 10
	for r := 0; r < rounds; r++ {
		st := sample(1)
		st.Title = fmt.Sprintf("version %d", r)
		start := make(chan struct{})
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			changed int
		)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				c, err := s.PutStatement(ctx, st)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					t.Errorf("round %d: %v", r, err)
				}
				if c {
					changed++
				}
			}()
		}
		close(start)
		wg.Wait()
		if changed != 1 {
			t.Errorf("round %d: %d writers saw a change, want exactly 1", r, changed)
		}
	}
}
