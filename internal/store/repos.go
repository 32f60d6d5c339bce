package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// RepoRecord is a repository the app has seen tracking statements.
type RepoRecord struct {
	FullName       string // owner/name as GitHub spells it
	InstallationID int64  // the app installation that reaches the repository
	// FirstSeen is when the app first saw the repository; it never changes,
	// so a reinstallation does not make old statements look new.
	FirstSeen time.Time
}

// Repo is the record of the repository fullName; ok is false when there is
// none. Names are matched exactly: pass GitHub's own spelling.
func (s *Store) Repo(ctx context.Context, fullName string) (rec RepoRecord, ok bool, err error) {
	var first string
	err = s.db.QueryRowContext(ctx,
		`SELECT full_name, installation_id, first_seen FROM repos WHERE full_name = $1`,
		fullName).Scan(&rec.FullName, &rec.InstallationID, &first)
	if errors.Is(err, sql.ErrNoRows) {
		return RepoRecord{}, false, nil
	}
	if err != nil {
		return RepoRecord{}, false, fmt.Errorf("failed to read repository %s: %w", fullName, err)
	}
	if rec.FirstSeen, err = parseTime(first); err != nil {
		return RepoRecord{}, false, fmt.Errorf("failed to read repository %s: %w", fullName, err)
	}
	return rec, true, nil
}

// TouchRepo records that the repository fullName is reached through
// installationID, first seen at now if it is new. For a known repository it
// updates the installation id only, and writes nothing when that is
// unchanged. It returns the record as stored.
func (s *Store) TouchRepo(ctx context.Context, fullName string, installationID int64, now time.Time) (RepoRecord, error) {
	if fullName == "" {
		return RepoRecord{}, errors.New("failed to record repository: empty name")
	}
	rec, ok, err := s.Repo(ctx, fullName)
	if err != nil {
		return RepoRecord{}, err
	}
	if ok && rec.InstallationID == installationID {
		return rec, nil
	}
	_, err = s.db.ExecContext(ctx, `
		INSERT INTO repos (full_name, installation_id, first_seen, updated_at)
		VALUES ($1, $2, $3, $3)
		ON CONFLICT (full_name) DO UPDATE SET
			installation_id = excluded.installation_id,
			updated_at = excluded.updated_at
		WHERE repos.installation_id <> excluded.installation_id`,
		fullName, installationID, formatTime(now))
	if err != nil {
		return RepoRecord{}, fmt.Errorf("failed to record repository %s: %w", fullName, err)
	}
	rec, ok, err = s.Repo(ctx, fullName)
	if err != nil {
		return RepoRecord{}, err
	}
	if !ok {
		return RepoRecord{}, fmt.Errorf("failed to record repository %s: %w after writing it", fullName, ErrNotFound)
	}
	return rec, nil
}

// Repos is every recorded repository in name order.
func (s *Store) Repos(ctx context.Context) ([]RepoRecord, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT full_name, installation_id, first_seen FROM repos ORDER BY full_name`)
	if err != nil {
		return nil, fmt.Errorf("failed to list repositories: %w", err)
	}
	defer rows.Close()
	var out []RepoRecord
	for rows.Next() {
		var (
			rec   RepoRecord
			first string
		)
		if err := rows.Scan(&rec.FullName, &rec.InstallationID, &first); err != nil {
			return nil, fmt.Errorf("failed to list repositories: %w", err)
		}
		if rec.FirstSeen, err = parseTime(first); err != nil {
			return nil, fmt.Errorf("failed to read repository %s: %w", rec.FullName, err)
		}
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("failed to list repositories: %w", err)
	}
	return out, nil
}
