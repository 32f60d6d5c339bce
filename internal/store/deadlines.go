package store

import (
	"context"
	"fmt"

	"github.com/liaisonbot/liaisonbot/internal/liaison"
)

// Deadline is a deadline a person set for an issue; the zero Date means
// "no deadline".
type Deadline struct {
	Date  liaison.Date
	SetBy string
}

// SetDeadline records the deadline a person set for an issue.
func (s *Store) SetDeadline(ctx context.Context, repo string, number int, d Deadline) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO deadlines (repo, number, deadline, set_by, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (repo, number) DO UPDATE SET deadline = excluded.deadline, set_by = excluded.set_by, updated_at = excluded.updated_at`,
		repo, number, d.Date.String(), d.SetBy, formatTime(s.now()))
	if err != nil {
		return fmt.Errorf("failed to set the deadline of %s#%d: %w", repo, number, err)
	}
	return nil
}

// Deadlines are the deadlines people set in repo, by issue number.
func (s *Store) Deadlines(ctx context.Context, repo string) (map[int]Deadline, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT number, deadline, set_by FROM deadlines WHERE repo = $1`, repo)
	if err != nil {
		return nil, fmt.Errorf("failed to read the deadlines of %s: %w", repo, err)
	}
	defer rows.Close()
	out := map[int]Deadline{}
	for rows.Next() {
		var n int
		var date, by string
		if err := rows.Scan(&n, &date, &by); err != nil {
			return nil, fmt.Errorf("failed to read the deadlines of %s: %w", repo, err)
		}
		d := Deadline{SetBy: by}
		if date != "" {
			if d.Date, err = liaison.ParseDate(date); err != nil {
				return nil, fmt.Errorf("deadline of %s#%d: %w", repo, n, err)
			}
		}
		out[n] = d
	}
	return out, rows.Err()
}
