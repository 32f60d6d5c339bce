package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/klauspost/compress/s2"
)

// Delivery statuses in the webhook inbox.
const (
	DeliveryPending    = "pending"
	DeliveryProcessing = "processing"
	DeliveryDone       = "done"
	DeliveryFailed     = "failed"
)

// Delivery is one webhook delivery in the inbox.
type Delivery struct {
	Seq   int64
	GUID  string
	Event string
	// OrderingKey groups deliveries that must be handled in order, such as
	// "owner/repo#12"; "" orders nothing.
	OrderingKey string
	// Payload is the delivery's JSON. Stored, when set, is the payload as
	// CompressPayload encoded it, for callers that compress concurrently
	// before a batch is recorded.
	Payload    []byte
	Stored     []byte
	Status     string
	Attempts   int
	LastError  string
	ReceivedAt time.Time
}

// Recorded is where a delivery stands after RecordDeliveries: its
// sequence number, 0 when it was not queued, and the ordering key the
// store keeps for it (a redelivery keeps the one it was first recorded
// under).
type Recorded struct {
	Seq         int64
	OrderingKey string
}

// RecordDeliveries commits a batch of new deliveries in one transaction —
// one sync to disk for all of them — and says for each whether it was
// queued. A guid seen before is not queued again unless it failed: then
// it is queued afresh (GitHub's redelivery reuses the guid). Payloads are
// stored s2-compressed: webhook JSON shrinks about fourfold, and the pages
// written per delivery are most of ingest's cost.
func (s *Store) RecordDeliveries(ctx context.Context, ds []Delivery) ([]Recorded, error) {
	out := make([]Recorded, len(ds))
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("failed to record %d webhook deliveries: %w", len(ds), err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `
		INSERT INTO deliveries (guid, event, ordering_key, payload, status, attempts, last_error, next_attempt_at, received_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, 0, '', $6, $6, $6)
		ON CONFLICT (guid) DO UPDATE SET
			status = excluded.status, attempts = 0, last_error = '', payload = excluded.payload,
			next_attempt_at = excluded.next_attempt_at, updated_at = excluded.updated_at
		WHERE deliveries.status = $7
		RETURNING seq, ordering_key`)
	if err != nil {
		return nil, fmt.Errorf("failed to record webhook deliveries: %w", err)
	}
	defer stmt.Close()
	now := formatTime(s.now())
	for i, d := range ds {
		if d.GUID == "" {
			return nil, errors.New("failed to record a webhook delivery: no delivery id")
		}
		stored := d.Stored
		if stored == nil {
			stored = CompressPayload(nil, d.Payload)
		}
		err := stmt.QueryRowContext(ctx, d.GUID, d.Event, d.OrderingKey, stored, DeliveryPending, now, DeliveryFailed).Scan(&out[i].Seq, &out[i].OrderingKey)
		if errors.Is(err, sql.ErrNoRows) {
			continue // seen before and not failed: once is enough
		}
		if err != nil {
			return nil, fmt.Errorf("failed to record webhook delivery %s: %w", d.GUID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("failed to commit %d webhook deliveries: %w", len(ds), err)
	}
	return out, nil
}

// CompressPayload encodes a payload as the inbox stores it: s2, which
// shrinks webhook JSON about fourfold at a few microseconds per delivery.
// dst, when large enough, is used for the result (see CompressBuffer).
func CompressPayload(dst, p []byte) []byte {
	if cap(dst) < s2.MaxEncodedLen(len(p)) {
		dst = nil
	}
	return s2.Encode(dst[:cap(dst)], p)
}

// Backlog is what an ordering key has waiting in the inbox.
type Backlog struct {
	OrderingKey string
	// Unfinished counts its deliveries pending or in progress.
	Unfinished int
	// Oldest is the sequence number of the oldest, which runs first, and
	// Due when it may run (a retry waits).
	Oldest int64
	Due    time.Time
}

// Backlogs lists the ordering keys with deliveries still to process, so a
// starting process can queue them again: one row per key, however many
// deliveries wait.
func (s *Store) Backlogs(ctx context.Context) ([]Backlog, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT k.ordering_key, k.n, d.seq, d.next_attempt_at
		FROM (SELECT ordering_key, COUNT(*) AS n, MIN(seq) AS oldest FROM deliveries
		      WHERE status IN ($1, $2) GROUP BY ordering_key) k
		JOIN deliveries d ON d.seq = k.oldest
		ORDER BY d.seq`, DeliveryPending, DeliveryProcessing)
	if err != nil {
		return nil, fmt.Errorf("failed to list unfinished webhook deliveries: %w", err)
	}
	defer rows.Close()
	var out []Backlog
	for rows.Next() {
		var b Backlog
		var due string
		if err := rows.Scan(&b.OrderingKey, &b.Unfinished, &b.Oldest, &due); err != nil {
			return nil, fmt.Errorf("failed to list unfinished webhook deliveries: %w", err)
		}
		if b.Due, err = parseTime(due); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// StartNext starts the oldest pending delivery with the ordering key, as
// StartDelivery does; ok is false when the key has none pending.
func (s *Store) StartNext(ctx context.Context, key string) (d Delivery, ok bool, err error) {
	// The outer status test matters on PostgreSQL, where two processes'
	// subqueries can pick the same row before either updates it.
	return s.start(ctx, `seq = (SELECT seq FROM deliveries WHERE ordering_key = $3 AND status = $4 ORDER BY seq LIMIT 1) AND status = $4`, key)
}

// StartDelivery marks a pending delivery processing, counts the attempt
// and returns it with its payload; ok is false when it is no longer
// pending. A payload that cannot be read is kept as failed, and the error
// says why, with only Seq set in d.
func (s *Store) StartDelivery(ctx context.Context, seq int64) (d Delivery, ok bool, err error) {
	return s.start(ctx, `seq = $3 AND status = $4`, seq)
}

// start starts the pending delivery that where ($3 its argument, $4 the
// pending status) selects.
func (s *Store) start(ctx context.Context, where string, arg any) (d Delivery, ok bool, err error) {
	var received string
	err = s.db.QueryRowContext(ctx, `
		UPDATE deliveries SET status = $1, attempts = attempts + 1, updated_at = $2
		WHERE `+where+`
		RETURNING seq, guid, event, ordering_key, payload, attempts, received_at`,
		DeliveryProcessing, formatTime(s.now()), arg, DeliveryPending,
	).Scan(&d.Seq, &d.GUID, &d.Event, &d.OrderingKey, &d.Payload, &d.Attempts, &received)
	if errors.Is(err, sql.ErrNoRows) {
		return Delivery{}, false, nil
	}
	if err != nil {
		return Delivery{}, false, fmt.Errorf("failed to start a webhook delivery: %w", err)
	}
	d.Status = DeliveryProcessing
	if d.ReceivedAt, err = parseTime(received); err == nil {
		d.Payload, err = s2.Decode(nil, d.Payload)
	}
	if err != nil {
		// Unreadable for good: kept as failed with the reason, not retried.
		// The error comes with the delivery's Seq (and nothing else), so
		// the caller can count it off.
		cause := fmt.Errorf("failed to read webhook delivery %s: %w", d.GUID, err)
		if ferr := s.FinishDelivery(ctx, d.Seq, cause, time.Time{}); ferr != nil {
			return Delivery{}, false, errors.Join(cause, ferr)
		}
		return Delivery{Seq: d.Seq}, false, cause
	}
	return d, true, nil
}

// FinishDelivery records the outcome of processing: done when cause is nil;
// otherwise pending again until retryAt, or failed for good when retryAt is
// zero. The error is kept either way.
func (s *Store) FinishDelivery(ctx context.Context, seq int64, cause error, retryAt time.Time) error {
	now := s.now()
	status, msg, next := DeliveryDone, "", now
	switch {
	case cause == nil:
	case retryAt.IsZero():
		status, msg = DeliveryFailed, cause.Error()
	default:
		status, msg, next = DeliveryPending, cause.Error(), retryAt
	}
	_, err := s.db.ExecContext(ctx, `
		UPDATE deliveries SET status = $1, last_error = $2, next_attempt_at = $3, updated_at = $4
		WHERE seq = $5`,
		status, msg, formatTime(next), formatTime(now), seq)
	if err != nil {
		return fmt.Errorf("failed to record the outcome of webhook delivery %d: %w", seq, err)
	}
	return nil
}

// RequeueProcessing puts deliveries left in processing by a process that
// stopped back into the queue, at start-up.
func (s *Store) RequeueProcessing(ctx context.Context) (int, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE deliveries SET status = $1, updated_at = $2 WHERE status = $3`,
		DeliveryPending, formatTime(s.now()), DeliveryProcessing)
	if err != nil {
		return 0, fmt.Errorf("failed to requeue webhook deliveries in progress: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// DeliveryStatus is the status of the delivery with guid, and false when
// the inbox never recorded it.
func (s *Store) DeliveryStatus(ctx context.Context, guid string) (status string, ok bool, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT status FROM deliveries WHERE guid = $1`, guid).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("failed to read webhook delivery %s: %w", guid, err)
	}
	return status, true, nil
}

// Deliveries lists the inbox's deliveries with status, oldest first, up to
// limit, for reporting and tests.
func (s *Store) Deliveries(ctx context.Context, status string, limit int) ([]Delivery, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT seq, guid, event, ordering_key, status, attempts, last_error, received_at
		FROM deliveries WHERE status = $1 ORDER BY seq LIMIT $2`, status, limit)
	if err != nil {
		return nil, fmt.Errorf("failed to list %s webhook deliveries: %w", status, err)
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		var d Delivery
		var received string
		if err := rows.Scan(&d.Seq, &d.GUID, &d.Event, &d.OrderingKey, &d.Status, &d.Attempts, &d.LastError, &received); err != nil {
			return nil, fmt.Errorf("failed to list webhook deliveries: %w", err)
		}
		if d.ReceivedAt, err = parseTime(received); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// PurgeDeliveries drops deliveries done before cutoff: the inbox is a
// queue, not an archive.
func (s *Store) PurgeDeliveries(ctx context.Context, cutoff time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM deliveries WHERE status = $1 AND updated_at < $2`,
		DeliveryDone, formatTime(cutoff))
	if err != nil {
		return 0, fmt.Errorf("failed to purge webhook deliveries: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}
