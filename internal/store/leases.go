package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// LeaseHeldError says who holds a lease another caller wanted.
type LeaseHeldError struct {
	Name, Holder string
	Until        time.Time
}

func (e *LeaseHeldError) Error() string {
	return fmt.Sprintf("%s is held by %s until %s", e.Name, e.Holder, e.Until.Format(time.RFC3339))
}

// AcquireLease takes or renews the lease name for holder until now+ttl. It
// fails with a *LeaseHeldError while another holder's lease runs.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) error {
	now := s.now()
	res, err := s.db.ExecContext(ctx, `
		INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE leases.holder = excluded.holder OR leases.expires_at <= $4`,
		name, holder, formatTime(now.Add(ttl)), formatTime(now))
	if err != nil {
		return fmt.Errorf("failed to acquire lease %s: %w", name, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("failed to acquire lease %s: %w", name, err)
	} else if n == 1 {
		return nil
	}
	held := &LeaseHeldError{Name: name}
	var until string
	err = s.db.QueryRowContext(ctx, `SELECT holder, expires_at FROM leases WHERE name = $1`, name).Scan(&held.Holder, &until)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("failed to acquire lease %s: released while acquiring, try again", name)
	}
	if err != nil {
		return fmt.Errorf("failed to read lease %s: %w", name, err)
	}
	if held.Until, err = parseTime(until); err != nil {
		return fmt.Errorf("failed to read lease %s: %w", name, err)
	}
	return held
}

// ReleaseLease gives the lease up if holder has it.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM leases WHERE name = $1 AND holder = $2`, name, holder); err != nil {
		return fmt.Errorf("failed to release lease %s: %w", name, err)
	}
	return nil
}
