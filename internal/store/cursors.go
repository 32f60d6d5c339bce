package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Cursor is the value stored under name, such as the last datatracker event
// id the poller has read; ok is false when none is stored.
func (s *Store) Cursor(ctx context.Context, name string) (value string, ok bool, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT value FROM cursors WHERE name = $1`, name).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("failed to read cursor %q: %w", name, err)
	}
	return value, true, nil
}

// SetCursor stores value under name, replacing any earlier value. Setting the
// value already stored writes nothing.
func (s *Store) SetCursor(ctx context.Context, name, value string) error {
	if name == "" {
		return errors.New("failed to set cursor: empty name")
	}
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO cursors (name, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
		WHERE cursors.value <> excluded.value`,
		name, value, formatTime(s.now()))
	if err != nil {
		return fmt.Errorf("failed to set cursor %q: %w", name, err)
	}
	return nil
}
