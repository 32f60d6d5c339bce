package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Issue statuses. An issue is recorded as creating before the request that
// creates it and as created once GitHub has answered with its number. A
// creating record found later means the outcome of that request is unknown:
// the issue may exist, so the caller looks for it before creating another.
const (
	IssueCreating = "creating"
	IssueCreated  = "created"
)

// IssueRecord is the issue the app made for a statement in a repository; there
// is at most one per (Repo, StatementID).
type IssueRecord struct {
	Repo        string
	StatementID int
	Number      int    // 0 while creating
	Status      string // IssueCreating or IssueCreated
	Hash        string // Hash of the statement the issue body was written from
	TemplateSHA string // blob SHA of the template the draft was filled from, if any
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

const issueColumns = `repo, statement_id, number, status, hash, template_sha, created_at, updated_at`

// scanIssue reads one row of issueColumns.
func scanIssue(row interface{ Scan(...any) error }) (IssueRecord, error) {
	var (
		rec              IssueRecord
		created, updated string
	)
	if err := row.Scan(&rec.Repo, &rec.StatementID, &rec.Number, &rec.Status,
		&rec.Hash, &rec.TemplateSHA, &created, &updated); err != nil {
		return IssueRecord{}, err
	}
	var err error
	if rec.CreatedAt, err = parseTime(created); err != nil {
		return IssueRecord{}, err
	}
	if rec.UpdatedAt, err = parseTime(updated); err != nil {
		return IssueRecord{}, err
	}
	return rec, nil
}

// Issue is the record for statementID in repo; ok is false when there is none.
func (s *Store) Issue(ctx context.Context, repo string, statementID int) (rec IssueRecord, ok bool, err error) {
	rec, err = scanIssue(s.db.QueryRowContext(ctx,
		`SELECT `+issueColumns+` FROM issues WHERE repo = $1 AND statement_id = $2`,
		repo, statementID))
	if errors.Is(err, sql.ErrNoRows) {
		return IssueRecord{}, false, nil
	}
	if err != nil {
		return IssueRecord{}, false, fmt.Errorf("failed to read issue for statement %d in %s: %w", statementID, repo, err)
	}
	return rec, true, nil
}

// BeginCreate records the intent to create the issue for statementID in repo,
// before the create request is sent. When a record exists already, whether
// creating or created, it is left as it is and begun is false: someone else
// (another pass, another process) got there first, so the caller must not
// send its create request.
func (s *Store) BeginCreate(ctx context.Context, repo string, statementID int, now time.Time) (begun bool, err error) {
	if err := validIssueKey(repo, statementID); err != nil {
		return false, fmt.Errorf("failed to record intent to create issue: %w", err)
	}
	t := formatTime(now)
	res, err := s.db.ExecContext(ctx, `
		INSERT INTO issues (repo, statement_id, number, status, hash, template_sha, created_at, updated_at)
		VALUES ($1, $2, 0, $3, '', '', $4, $4)
		ON CONFLICT (repo, statement_id) DO NOTHING`,
		repo, statementID, IssueCreating, t)
	if err != nil {
		return false, fmt.Errorf("failed to record intent to create issue for statement %d in %s: %w", statementID, repo, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("failed to record intent to create issue for statement %d in %s: %w", statementID, repo, err)
	}
	return n == 1, nil
}

// RecordIssue records that rec.Number is the issue for rec.StatementID in
// rec.Repo, with status created whatever rec.Status says. It replaces a
// creating record (keeping its CreatedAt) or inserts one; a zero CreatedAt or
// UpdatedAt means now.
func (s *Store) RecordIssue(ctx context.Context, rec IssueRecord) error {
	if err := validIssueKey(rec.Repo, rec.StatementID); err != nil {
		return fmt.Errorf("failed to record issue: %w", err)
	}
	if rec.Number <= 0 {
		return fmt.Errorf("failed to record issue for statement %d in %s: invalid issue number %d",
			rec.StatementID, rec.Repo, rec.Number)
	}
	now := s.now()
	if rec.CreatedAt.IsZero() {
		rec.CreatedAt = now
	}
	if rec.UpdatedAt.IsZero() {
		rec.UpdatedAt = now
	}
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO issues (repo, statement_id, number, status, hash, template_sha, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (repo, statement_id) DO UPDATE SET
			number = excluded.number,
			status = excluded.status,
			hash = excluded.hash,
			template_sha = excluded.template_sha,
			updated_at = excluded.updated_at`,
		rec.Repo, rec.StatementID, rec.Number, IssueCreated, rec.Hash, rec.TemplateSHA,
		formatTime(rec.CreatedAt), formatTime(rec.UpdatedAt))
	if err != nil {
		return fmt.Errorf("failed to record issue #%d for statement %d in %s: %w",
			rec.Number, rec.StatementID, rec.Repo, err)
	}
	return nil
}

// IssuesByRepo is every record for repo in statement id order.
func (s *Store) IssuesByRepo(ctx context.Context, repo string) ([]IssueRecord, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT `+issueColumns+` FROM issues WHERE repo = $1 ORDER BY statement_id`, repo)
	if err != nil {
		return nil, fmt.Errorf("failed to list issues in %s: %w", repo, err)
	}
	defer rows.Close()
	var out []IssueRecord
	for rows.Next() {
		rec, err := scanIssue(rows)
		if err != nil {
			return nil, fmt.Errorf("failed to list issues in %s: %w", repo, err)
		}
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("failed to list issues in %s: %w", repo, err)
	}
	return out, nil
}

// ForgetIssue deletes the creating record for statementID in repo, for when
// the create request definitely failed, so that the next pass tries again.
// It refuses to delete a created record, whose issue exists; with no record
// it does nothing.
func (s *Store) ForgetIssue(ctx context.Context, repo string, statementID int) error {
	res, err := s.db.ExecContext(ctx,
		`DELETE FROM issues WHERE repo = $1 AND statement_id = $2 AND status = $3`,
		repo, statementID, IssueCreating)
	if err != nil {
		return fmt.Errorf("failed to forget issue for statement %d in %s: %w", statementID, repo, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("failed to forget issue for statement %d in %s: %w", statementID, repo, err)
	} else if n > 0 {
		return nil
	}
	rec, ok, err := s.Issue(ctx, repo, statementID)
	if err != nil {
		return err
	}
	if ok && rec.Status != IssueCreating {
		return fmt.Errorf("failed to forget issue for statement %d in %s: issue #%d is %s, not %s",
			statementID, repo, rec.Number, rec.Status, IssueCreating)
	}
	return nil
}

func validIssueKey(repo string, statementID int) error {
	if repo == "" {
		return errors.New("empty repository name")
	}
	if statementID <= 0 {
		return fmt.Errorf("invalid statement id %d", statementID)
	}
	return nil
}
