package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Response pull request statuses.
const (
	ResponseOpen   = "open"
	ResponseMerged = "merged"
	ResponseClosed = "closed"
)

// Response is one response pull request of an issue.
type Response struct {
	Repo    string
	Issue   int
	Attempt int // 1 for the issue's first response pull request
	// StatementID is the statement answered; 0 for an issue entered by
	// hand and not linked yet.
	StatementID int
	Kind        string // boilerplate or crafted
	Branch      string
	Path        string
	Pull        int    // 0 until the pull request exists
	Status      string // ResponseOpen, ResponseMerged or ResponseClosed
	// PrevState is the issue's state label before the response, restored
	// when the pull request is closed unmerged.
	PrevState string
	// ApprovedNoted is set once the issue was told the response is agreed.
	ApprovedNoted bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

const responseColumns = `repo, issue, attempt, statement_id, kind, branch, path, pull, status, prev_state, approved_noted, created_at, updated_at`

func scanResponse(row interface{ Scan(...any) error }) (Response, error) {
	var (
		r                Response
		noted            int
		created, updated string
	)
	if err := row.Scan(&r.Repo, &r.Issue, &r.Attempt, &r.StatementID, &r.Kind, &r.Branch, &r.Path,
		&r.Pull, &r.Status, &r.PrevState, &noted, &created, &updated); err != nil {
		return Response{}, err
	}
	r.ApprovedNoted = noted != 0
	var err error
	if r.CreatedAt, err = parseTime(created); err != nil {
		return Response{}, err
	}
	r.UpdatedAt, err = parseTime(updated)
	return r, err
}

// LatestResponse is the issue's newest response pull request; ok is false
// when it never had one.
func (s *Store) LatestResponse(ctx context.Context, repo string, issue int) (Response, bool, error) {
	return s.response(ctx, fmt.Sprintf("the response of %s#%d", repo, issue),
		`repo = $1 AND issue = $2 ORDER BY attempt DESC`, repo, issue)
}

// ResponseByPull is the response whose pull request is number pull in
// repo; ok is false when the pull request is not a response.
func (s *Store) ResponseByPull(ctx context.Context, repo string, pull int) (Response, bool, error) {
	return s.response(ctx, fmt.Sprintf("the response pull request %s#%d", repo, pull),
		`repo = $1 AND pull = $2 AND pull <> 0`, repo, pull)
}

// ResponseByBranch is the response written on branch in repo; ok is false
// when there is none.
func (s *Store) ResponseByBranch(ctx context.Context, repo, branch string) (Response, bool, error) {
	return s.response(ctx, fmt.Sprintf("the response on %s in %s", branch, repo),
		`repo = $1 AND branch = $2 ORDER BY attempt DESC`, repo, branch)
}

// response reads the first response that where selects; what names it in
// errors.
func (s *Store) response(ctx context.Context, what, where string, args ...any) (Response, bool, error) {
	r, err := scanResponse(s.db.QueryRowContext(ctx, `SELECT `+responseColumns+` FROM responses WHERE `+where+` LIMIT 1`, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Response{}, false, nil
	}
	if err != nil {
		return Response{}, false, fmt.Errorf("failed to read %s: %w", what, err)
	}
	return r, true, nil
}

// SaveResponse records r, replacing the record of the same attempt.
func (s *Store) SaveResponse(ctx context.Context, r Response) error {
	now := s.now()
	if r.CreatedAt.IsZero() {
		r.CreatedAt = now
	}
	noted := 0
	if r.ApprovedNoted {
		noted = 1
	}
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO responses (`+responseColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (repo, issue, attempt) DO UPDATE SET
			statement_id = excluded.statement_id, kind = excluded.kind, branch = excluded.branch,
			path = excluded.path, pull = excluded.pull, status = excluded.status,
			prev_state = excluded.prev_state, approved_noted = excluded.approved_noted,
			updated_at = excluded.updated_at`,
		r.Repo, r.Issue, r.Attempt, r.StatementID, r.Kind, r.Branch, r.Path, r.Pull, r.Status,
		r.PrevState, noted, formatTime(r.CreatedAt), formatTime(now))
	if err != nil {
		return fmt.Errorf("failed to record the response of %s#%d: %w", r.Repo, r.Issue, err)
	}
	return nil
}

// Involve remembers reviewers (logins, or "org/team") for the issue's
// response pull requests; names are kept as given, matched without case.
func (s *Store) Involve(ctx context.Context, repo string, issue int, reviewers []string) error {
	for _, who := range reviewers {
		if _, err := s.db.ExecContext(ctx,
			`INSERT INTO involved (repo, issue, reviewer) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			repo, issue, strings.ToLower(who)); err != nil {
			return fmt.Errorf("failed to record the reviewers of %s#%d: %w", repo, issue, err)
		}
	}
	return nil
}

// Involved lists the reviewers /involve'd on the issue, in name order.
func (s *Store) Involved(ctx context.Context, repo string, issue int) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT reviewer FROM involved WHERE repo = $1 AND issue = $2 ORDER BY reviewer`, repo, issue)
	if err != nil {
		return nil, fmt.Errorf("failed to read the reviewers of %s#%d: %w", repo, issue, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var who string
		if err := rows.Scan(&who); err != nil {
			return nil, fmt.Errorf("failed to read the reviewers of %s#%d: %w", repo, issue, err)
		}
		out = append(out, who)
	}
	return out, rows.Err()
}

// RecordReply remembers that the reply replyID was recorded on the issue;
// first is false when it had been already.
func (s *Store) RecordReply(ctx context.Context, repo string, issue, replyID int) (first bool, err error) {
	res, err := s.db.ExecContext(ctx,
		`INSERT INTO replies (repo, issue, reply_id, recorded_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
		repo, issue, replyID, formatTime(s.now()))
	if err != nil {
		return false, fmt.Errorf("failed to record reply LS %d on %s#%d: %w", replyID, repo, issue, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ReplyRecorded reports whether the reply replyID was recorded on the issue.
func (s *Store) ReplyRecorded(ctx context.Context, repo string, issue, replyID int) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM replies WHERE repo = $1 AND issue = $2 AND reply_id = $3`,
		repo, issue, replyID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("failed to read the replies of %s#%d: %w", repo, issue, err)
	}
	return n > 0, nil
}
