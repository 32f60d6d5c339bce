package store

import (
	"context"
	"database/sql"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// openFile opens a store on a new file in a temporary directory and closes it
// when the test ends.
func openFile(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(context.Background(), "sqlite:"+path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, path
}

func reopen(t *testing.T, s *Store, path string) *Store {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s2, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	t.Cleanup(func() { _ = s2.Close() })
	return s2
}

func TestOpenDSNForms(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	tests := []struct {
		name string
		dsn  string
		file string // the file that must exist afterwards, if any
	}{
		{"sqlite scheme", "sqlite:" + filepath.Join(dir, "a.db"), filepath.Join(dir, "a.db")},
		{"bare path", filepath.Join(dir, "b.db"), filepath.Join(dir, "b.db")},
		{"odd file name", "sqlite:" + filepath.Join(dir, "c ?x=1#y%20.db"), filepath.Join(dir, "c ?x=1#y%20.db")},
		{"memory", "sqlite::memory:", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(ctx, tt.dsn)
			if err != nil {
				t.Fatalf("Open(%q): %v", tt.dsn, err)
			}
			defer s.Close()
			if err := s.SetCursor(ctx, "k", "v"); err != nil {
				t.Fatalf("SetCursor: %v", err)
			}
			if tt.file != "" {
				if _, err := os.Stat(tt.file); err != nil {
					t.Errorf("database file not where the dsn says: %v", err)
				}
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	missing := filepath.Join(t.TempDir(), "no", "such", "dir", "x.db")
	tests := []struct {
		name    string
		dsn     string
		want    []string // substrings of the error
		notWant string   // a secret that must not appear
	}{
		{"empty", "", []string{`failed to open store "": no dsn given`}, ""},
		{"scheme only", "sqlite:", []string{"names no file"}, ""},
		{"postgres url", "postgres://bot:hunter2@db.example/liaison", []string{"postgres://bot:xxxxx@db.example/liaison", "PostgreSQL is not supported"}, "hunter2"},
		{"postgres key=value", "host=db password=hunter2 dbname=liaison", []string{"key=value", "not supported"}, "hunter2"},
		{"other scheme", "mysql://root@h/db", []string{`unsupported dsn scheme "mysql"`}, ""},
		{"missing directory", "sqlite:" + missing, []string{"failed to open store sqlite:" + missing, "failed to find the database directory", "no such file"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(ctx, tt.dsn)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q) succeeded, want an error", tt.dsn)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if tt.notWant != "" && strings.Contains(err.Error(), tt.notWant) {
				t.Errorf("error %q leaks %q", err, tt.notWant)
			}
		})
	}
}

func TestMigrationsApplyAndAreIdempotent(t *testing.T) {
	ctx := context.Background()
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no embedded migrations: %v", err)
	}
	s, path := openFile(t)
	version := func(s *Store) (max int64, rows int) {
		t.Helper()
		if err := s.db.QueryRowContext(ctx,
			`SELECT MAX(version_id), COUNT(*) FROM goose_db_version`).Scan(&max, &rows); err != nil {
			t.Fatalf("read goose version: %v", err)
		}
		return max, rows
	}
	v1, n1 := version(s)
	if v1 != int64(len(files)) {
		t.Errorf("schema version = %d, want %d (one per migration file)", v1, len(files))
	}
	for _, table := range []string{"statements", "cursors", "repos", "issues", "template_cache"} {
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
			t.Errorf("table %s: %v", table, err)
		}
	}
	if _, err := s.PutStatement(ctx, sample(1)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		s = reopen(t, s, path)
		v, n := version(s)
		if v != v1 || n != n1 {
			t.Errorf("reopen %d: version %d with %d rows, want %d with %d", i+1, v, n, v1, n1)
		}
		if _, ok, err := s.Statement(ctx, 1); err != nil || !ok {
			t.Errorf("reopen %d: statement 1 lost: ok=%v err=%v", i+1, ok, err)
		}
	}
}

func TestPragmasInEffect(t *testing.T) {
	ctx := context.Background()
	s, path := openFile(t)

	// Hold several connections at once so the pool must open new ones:
	// every one of them must carry the pragmas.
	var conns []*sql.Conn
	for i := 0; i < 3; i++ {
		c, err := s.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	for i, c := range conns {
		for _, p := range []struct {
			pragma string
			want   string
		}{
			{"journal_mode", "wal"},
			{"synchronous", "2"}, // FULL
			{"busy_timeout", "5000"},
			{"foreign_keys", "1"},
		} {
			var got string
			if err := c.QueryRowContext(ctx, "PRAGMA "+p.pragma).Scan(&got); err != nil {
				t.Fatalf("conn %d: PRAGMA %s: %v", i, p.pragma, err)
			}
			if !strings.EqualFold(got, p.want) {
				t.Errorf("conn %d: PRAGMA %s = %s, want %s", i, p.pragma, got, p.want)
			}
		}
	}

	// WAL mode is a property of the file: a plain connection without the
	// store's parameters sees it too.
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var mode string
	if err := raw.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("file journal_mode = %q, want wal", mode)
	}
}

// A transaction takes the write lock when it begins (_txlock=immediate), so
// one that reads and then writes waits for other writers up front instead
// of failing at its first write with SQLITE_BUSY.
func TestTransactionsBeginImmediate(t *testing.T) {
	ctx := context.Background()
	s, path := openFile(t)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM cursors").Scan(&n); err != nil {
		t.Fatal(err)
	}
	// Another process, as it were, that does not wait for locks.
	other, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	other.SetMaxOpenConns(1)
	if _, err := other.ExecContext(ctx, "BEGIN IMMEDIATE"); err == nil {
		other.ExecContext(ctx, "ROLLBACK")
		t.Fatal("a second writer got the write lock while a transaction was open")
	}
}

func TestMemoryStoresAreSeparate(t *testing.T) {
	ctx := context.Background()
	a, err := Open(ctx, "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := a.SetCursor(ctx, "events", "42"); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := a.Cursor(ctx, "events"); err != nil || !ok || v != "42" {
		t.Errorf("a.Cursor = %q, %v, %v; want 42, true, nil", v, ok, err)
	}
	if _, ok, err := b.Cursor(ctx, "events"); err != nil || ok {
		t.Errorf("b sees a's cursor: ok=%v err=%v", ok, err)
	}
}

// An in-memory store used from several goroutines must keep to its one
// connection: another connection would see a new, empty database.
func TestMemoryStoreConcurrent(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				if _, err := s.PutStatement(ctx, sample(1+w*10+i)); err != nil {
					t.Error(err)
					return
				}
				if _, err := s.Statements(ctx); err != nil {
					t.Error(err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	if n, err := s.MaxStatementID(ctx); err != nil || n != 80 {
		t.Errorf("MaxStatementID = %d, %v; want 80", n, err)
	}
}

func TestCursor(t *testing.T) {
	ctx := context.Background()
	s, path := openFile(t)
	if _, ok, err := s.Cursor(ctx, "events"); err != nil || ok {
		t.Fatalf("Cursor on empty store: ok=%v err=%v", ok, err)
	}
	for _, v := range []string{"100", "100", "250", ""} {
		if err := s.SetCursor(ctx, "events", v); err != nil {
			t.Fatalf("SetCursor(%q): %v", v, err)
		}
		got, ok, err := s.Cursor(ctx, "events")
		if err != nil || !ok || got != v {
			t.Errorf("Cursor after SetCursor(%q) = %q, %v, %v", v, got, ok, err)
		}
	}
	if err := s.SetCursor(ctx, "", "x"); err == nil {
		t.Error("SetCursor with empty name succeeded")
	}
	if err := s.SetCursor(ctx, "events", "300"); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s, path)
	if got, _, _ := s.Cursor(ctx, "events"); got != "300" {
		t.Errorf("cursor after reopen = %q, want 300", got)
	}
}

func TestSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	s, path := openFile(t)
	now := time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)
	st := sample(2001)
	if _, err := s.PutStatement(ctx, st); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCursor(ctx, "events", "77"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TouchRepo(ctx, "ietf/liaisons", 9, now); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordIssue(ctx, IssueRecord{Repo: "ietf/liaisons", StatementID: 2001, Number: 5, Hash: Hash(st), CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutTemplateCache(ctx, "Template-Email-IRTF.md", []byte("Subject: x"), "abc", `"etag"`, now); err != nil {
		t.Fatal(err)
	}

	s = reopen(t, s, path)

	got, ok, err := s.Statement(ctx, 2001)
	if err != nil || !ok || Hash(got) != Hash(st) {
		t.Errorf("statement after reopen: ok=%v err=%v equal=%v", ok, err, Hash(got) == Hash(st))
	}
	if v, _, _ := s.Cursor(ctx, "events"); v != "77" {
		t.Errorf("cursor after reopen = %q", v)
	}
	if r, ok, _ := s.Repo(ctx, "ietf/liaisons"); !ok || r.InstallationID != 9 || !r.FirstSeen.Equal(now) {
		t.Errorf("repo after reopen = %+v, %v", r, ok)
	}
	if is, ok, _ := s.Issue(ctx, "ietf/liaisons", 2001); !ok || is.Number != 5 || is.Status != IssueCreated {
		t.Errorf("issue after reopen = %+v, %v", is, ok)
	}
	if c, sha, _, _, ok, _ := s.TemplateCache(ctx, "Template-Email-IRTF.md"); !ok || string(c) != "Subject: x" || sha != "abc" {
		t.Errorf("template after reopen = %q %q %v", c, sha, ok)
	}
}
