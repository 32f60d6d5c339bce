// Package store keeps liaisonbot's durable state: the statements copied from
// the datatracker, cursors, the repositories that track statements, the issues
// the app created and the template cache.
//
// The default backend is a SQLite file through a pure-Go driver, so the app
// needs no database server. The schema is kept by goose migrations embedded in
// the binary and applied at Open, so a new binary upgrades the file it finds.
//
// A Store is safe for concurrent use: database/sql pools the connections and
// SQLite's busy timeout makes writers wait for each other.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/pressly/goose/v3"
)

//go:embed migrations/*.sql
var migrations embed.FS

// ErrNotFound is wrapped by errors from methods that change a record that
// does not exist.
var ErrNotFound = errors.New("not found")

// Store is liaisonbot's durable state.
type Store struct {
	db   *sql.DB
	name string           // the dsn without secrets, for errors
	now  func() time.Time // the clock for updated_at; tests replace it
}

// Open opens the store dsn names and brings its schema up to date. dsn is
// "sqlite:PATH", a bare PATH, or "sqlite::memory:" for a database that lives
// as long as the Store (for tests). The file is created if missing; its
// directory must exist.
func Open(ctx context.Context, dsn string) (*Store, error) {
	b, err := parseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("failed to open store %s: %w", redact(dsn), err)
	}
	if err := b.preflight(); err != nil {
		return nil, fmt.Errorf("failed to open store %s: %w", b.name, err)
	}
	db, err := sql.Open(b.driver, b.source)
	if err != nil {
		return nil, fmt.Errorf("failed to open store %s: %w", b.name, err)
	}
	b.configure(db)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("failed to open store %s: %w", b.name, err)
	}
	if err := b.check(ctx, db); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("failed to open store %s: %w", b.name, err)
	}
	if err := migrate(ctx, db, b.dialect); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("failed to migrate store %s: %w", b.name, err)
	}
	return &Store{db: db, name: b.name, now: time.Now}, nil
}

// migrate applies the embedded migrations not yet applied. goose parses
// every migration file with 4 MiB buffers, so a store already at the
// newest version skips it: restarts stay light.
func migrate(ctx context.Context, db *sql.DB, dialect goose.Dialect) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	if current, err := upToDate(ctx, db, fsys); err == nil && current {
		return nil
	}
	p, err := goose.NewProvider(dialect, db, fsys, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return err
	}
	_, err = p.Up(ctx)
	return err
}

// upToDate reports whether the database's goose version is the newest
// embedded migration's.
func upToDate(ctx context.Context, db *sql.DB, fsys fs.FS) (bool, error) {
	files, err := fs.Glob(fsys, "*.sql")
	if err != nil || len(files) == 0 {
		return false, err
	}
	var newest int64
	for _, f := range files {
		var v int64
		if _, err := fmt.Sscanf(f, "%d_", &v); err == nil && v > newest {
			newest = v
		}
	}
	var have sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MAX(version_id) FROM goose_db_version WHERE is_applied`).Scan(&have); err != nil {
		return false, err // no version table yet: a new database
	}
	return have.Valid && have.Int64 >= newest, nil
}

// Close closes the database. For a SQLite file, closing the last connection
// checkpoints the WAL into the main file.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("failed to close store %s: %w", s.name, err)
	}
	return nil
}

// String names the store as errors show it, without secrets.
func (s *Store) String() string { return s.name }

// timeFormat is RFC 3339 in UTC at a fixed width, so that stored times sort
// as text in time order.
const timeFormat = "2006-01-02T15:04:05.000000000Z07:00"

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid stored time %q: %w", s, err)
	}
	return t.UTC(), nil
}
