package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// TemplateCache is the cached copy of the template under key with its blob
// SHA, its ETag and when it was last checked against GitHub; ok is false when
// nothing is cached. It backs the templates package's cache, so that a
// re-check is a conditional request and a restart does not refetch.
func (s *Store) TemplateCache(ctx context.Context, key string) (content []byte, sha, etag string, checkedAt time.Time, ok bool, err error) {
	var checked string
	err = s.db.QueryRowContext(ctx,
		`SELECT content, sha, etag, checked_at FROM template_cache WHERE key = $1`, key,
	).Scan(&content, &sha, &etag, &checked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", "", time.Time{}, false, nil
	}
	if err != nil {
		return nil, "", "", time.Time{}, false, fmt.Errorf("failed to read cached template %q: %w", key, err)
	}
	if checkedAt, err = parseTime(checked); err != nil {
		return nil, "", "", time.Time{}, false, fmt.Errorf("failed to read cached template %q: %w", key, err)
	}
	if content == nil {
		content = []byte{} // an empty template is cached, not missing
	}
	return content, sha, etag, checkedAt, true, nil
}

// PutTemplateCache stores content under key, replacing any earlier copy.
func (s *Store) PutTemplateCache(ctx context.Context, key string, content []byte, sha, etag string, checkedAt time.Time) error {
	if key == "" {
		return errors.New("failed to cache template: empty key")
	}
	if content == nil {
		content = []byte{} // the column is NOT NULL; nil would bind as NULL
	}
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO template_cache (key, content, sha, etag, checked_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (key) DO UPDATE SET
			content = excluded.content,
			sha = excluded.sha,
			etag = excluded.etag,
			checked_at = excluded.checked_at`,
		key, content, sha, etag, formatTime(checkedAt))
	if err != nil {
		return fmt.Errorf("failed to cache template %q: %w", key, err)
	}
	return nil
}
