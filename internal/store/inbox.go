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

// RecordDeliveries commits a batch of new deliveries in one transaction —
// one sync to disk for all of them — and returns each one's sequence
// number, or 0 when it was not queued. A guid seen before is not queued
// again unless it failed: then it is queued afresh (GitHub's redelivery
// reuses the guid). Payloads are stored s2-compressed: webhook JSON
// shrinks about fourfold, and the pages written per delivery are most of
// ingest's cost.
func (s *Store) RecordDeliveries(ctx context.Context, ds []Delivery) ([]int64, error) {
	seqs := make([]int64, len(ds))
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
		RETURNING seq`)
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
		err := stmt.QueryRowContext(ctx, d.GUID, d.Event, d.OrderingKey, stored, DeliveryPending, now, DeliveryFailed).Scan(&seqs[i])
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
	return seqs, nil
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

// DeliveryRef is where an unfinished delivery stands in the queue.
type DeliveryRef struct {
	Seq         int64
	OrderingKey string
	Due         time.Time
}

// UnfinishedDeliveries lists the deliveries still to process, oldest
// first, so a starting process can queue them again.
func (s *Store) UnfinishedDeliveries(ctx context.Context) ([]DeliveryRef, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT seq, ordering_key, next_attempt_at FROM deliveries
		WHERE status IN ($1, $2) ORDER BY seq`, DeliveryPending, DeliveryProcessing)
	if err != nil {
		return nil, fmt.Errorf("failed to list unfinished webhook deliveries: %w", err)
	}
	defer rows.Close()
	var out []DeliveryRef
	for rows.Next() {
		var r DeliveryRef
		var due string
		if err := rows.Scan(&r.Seq, &r.OrderingKey, &due); err != nil {
			return nil, fmt.Errorf("failed to list unfinished webhook deliveries: %w", err)
		}
		if r.Due, err = parseTime(due); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// StartDelivery marks a pending delivery processing, counts the attempt
// and returns it with its payload; ok is false when it is no longer
// pending.
func (s *Store) StartDelivery(ctx context.Context, seq int64) (d Delivery, ok bool, err error) {
	var received string
	err = s.db.QueryRowContext(ctx, `
		UPDATE deliveries SET status = $1, attempts = attempts + 1, updated_at = $2
		WHERE seq = $3 AND status = $4
		RETURNING seq, guid, event, ordering_key, payload, attempts, received_at`,
		DeliveryProcessing, formatTime(s.now()), seq, DeliveryPending,
	).Scan(&d.Seq, &d.GUID, &d.Event, &d.OrderingKey, &d.Payload, &d.Attempts, &received)
	if errors.Is(err, sql.ErrNoRows) {
		return Delivery{}, false, nil
	}
	if err != nil {
		return Delivery{}, false, fmt.Errorf("failed to start webhook delivery %d: %w", seq, err)
	}
	d.Status = DeliveryProcessing
	if d.ReceivedAt, err = parseTime(received); err == nil {
		d.Payload, err = s2.Decode(nil, d.Payload)
	}
	if err != nil {
		// Unreadable for good: kept as failed with the reason, not retried.
		cause := fmt.Errorf("failed to read webhook delivery %s: %w", d.GUID, err)
		if ferr := s.FinishDelivery(ctx, seq, cause, time.Time{}); ferr != nil {
			return Delivery{}, false, errors.Join(cause, ferr)
		}
		return Delivery{}, false, cause
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
