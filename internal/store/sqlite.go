package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/pressly/goose/v3"

	// The pure-Go SQLite driver, registered as "sqlite": no cgo, so the
	// binary builds and cross-compiles with CGO_ENABLED=0.
	_ "modernc.org/sqlite"

	"github.com/liaisonbot/liaisonbot/internal/config"
)

// This file holds everything that is particular to SQLite. The queries and
// migrations elsewhere are plain SQL that PostgreSQL runs too ($N parameters,
// ON CONFLICT upserts, RETURNING), so a PostgreSQL backend needs only another
// file like this one.

// backend is a database a dsn names, ready for database/sql.
type backend struct {
	driver  string        // database/sql driver name
	source  string        // the driver's data source name
	dialect goose.Dialect // for migrations
	name    string        // the dsn as errors show it, without secrets
	memory  bool          // an in-memory SQLite database
	path    string        // the SQLite file, unless memory
}

// sqliteParams are set on every connection: SQLite pragmas hold per
// connection, so a connection the pool opens later must get them too.
//
//   - journal_mode WAL lets readers run while one writer commits.
//   - synchronous FULL syncs the WAL on every commit, so a commit the app has
//     acted on (an issue recorded as created) survives a power cut; NORMAL
//     could lose the last commits and the app would create a second issue.
//   - busy_timeout makes a writer wait up to 5 s for another writer instead of
//     failing at once with "database is locked".
//   - foreign_keys is off by default in SQLite.
//   - cache_size keeps 512 KiB of pages per connection instead of 2 MiB:
//     the working set is small, and the process's memory is not.
//   - _txlock=immediate begins transactions with the write lock taken: a
//     deferred transaction that reads and then writes can fail with
//     SQLITE_BUSY without waiting, as SQLite cannot upgrade its snapshot.
var sqliteParams = url.Values{
	"_pragma": {
		"busy_timeout(5000)",
		"journal_mode(WAL)",
		"synchronous(FULL)",
		"foreign_keys(1)",
		"cache_size(-512)",
	},
	"_txlock": {"immediate"},
}

// parseDSN reads the dsn forms Open accepts, by config's rules (so
// check-config and Open agree): "sqlite:PATH", "sqlite::memory:" and a
// bare PATH.
func parseDSN(dsn string) (backend, error) {
	path, memory, err := config.SQLiteFile(dsn)
	if err != nil {
		return backend{}, err
	}
	b := backend{driver: "sqlite", dialect: goose.DialectSQLite3}
	if memory {
		b.name = "sqlite::memory:"
		b.memory = true
		b.source = "file::memory:?" + sqliteParams.Encode()
		return b, nil
	}
	b.path = path
	b.name = "sqlite:" + path
	// A "file:" URI, so that the path is taken literally: percent-escaping
	// keeps a '?' or '#' in a file name from starting the URI's query.
	b.source = "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + sqliteParams.Encode()
	return b, nil
}

// preflight checks what SQLite would only report as "unable to open
// database file": that the file's directory exists.
func (b backend) preflight() error {
	if b.memory {
		return nil
	}
	dir := filepath.Dir(b.path)
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("failed to find the database directory: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	return nil
}

// configure sizes the connection pool. An in-memory SQLite database lives
// only as long as its one connection, and each new connection would get a
// fresh, empty one, so the pool holds exactly one connection and never
// retires it. A file needs few: SQLite writes one transaction at a time,
// and each connection keeps a page cache of its own.
func (b backend) configure(db *sql.DB) {
	if b.memory {
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
		return
	}
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(2)
}

// maxConns bounds a SQLite file's connections: enough for the webhook
// commits, the inbox workers and the poller to read while one writes.
const maxConns = 6

// check confirms the pragmas took effect. journal_mode=WAL does not fail when
// the file system cannot support WAL; it leaves the old mode, which would
// silently change the durability and concurrency the store relies on.
func (b backend) check(ctx context.Context, db *sql.DB) error {
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("failed to read journal_mode: %w", err)
	}
	want := "wal"
	if b.memory {
		want = "memory" // an in-memory database has no WAL file
	}
	if !strings.EqualFold(mode, want) {
		return fmt.Errorf("journal_mode is %q, want %q", mode, want)
	}
	var sync int
	if err := db.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
		return fmt.Errorf("failed to read synchronous: %w", err)
	}
	if sync < 2 { // 2 is FULL, 3 EXTRA
		return fmt.Errorf("synchronous is %d, want 2 (FULL)", sync)
	}
	var fk int
	if err := db.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
		return fmt.Errorf("failed to read foreign_keys: %w", err)
	}
	if fk != 1 {
		return fmt.Errorf("foreign_keys is %d, want 1", fk)
	}
	return nil
}

// redact is dsn as an error may show it: a URL loses its password and a
// key=value dsn is not shown at all.
func redact(dsn string) string {
	if dsn == "" {
		return `""`
	}
	if config.IsKeyValueDSN(dsn) {
		return "(key=value dsn)"
	}
	if strings.Contains(dsn, "://") {
		if u, err := url.Parse(dsn); err == nil {
			return u.Redacted()
		}
		return "(unparsable dsn)"
	}
	return dsn
}
