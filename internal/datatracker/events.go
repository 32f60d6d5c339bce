package datatracker

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// Event is an entry in a statement's history. The event list is the
// cheapest change feed the datatracker has: a new id means a statement was
// submitted, edited, posted or killed.
type Event struct {
	ID          int
	StatementID int
	Time        time.Time
	// Type is the event type slug: "submitted", "modified", "posted",
	// "killed", ... (an open set).
	Type string
}

// Events calls fn with each event whose id is above afterID, in id order,
// across all pages. It stops at fn's first error and returns it.
func (c *Client) Events(ctx context.Context, afterID int, fn func(Event) error) error {
	q := url.Values{}
	if afterID > 0 {
		q.Set("id__gt", strconv.Itoa(afterID))
	}
	return c.events(ctx, q, fn)
}

// PostedSince calls fn with each "posted" event after t, in id order: the
// statements posted since a date, whatever their ids, so a statement that
// waited long in pending is found by a backfill that walks ids.
func (c *Client) PostedSince(ctx context.Context, t time.Time, fn func(Event) error) error {
	q := url.Values{"type": {EventPosted}, "time__gt": {t.UTC().Format("2006-01-02T15:04:05")}}
	return c.events(ctx, q, fn)
}

func (c *Client) events(ctx context.Context, q url.Values, fn func(Event) error) error {
	return walkByID(ctx, c, eventPath, q, false, func(r rawEvent) int { return r.ID }, func(raw rawEvent) error {
		sid, err := idOf("statement", raw.Statement)
		if err != nil {
			return fmt.Errorf("failed to read liaison statement event %d: %w", raw.ID, err)
		}
		t, err := parseTime(raw.Time)
		if err != nil {
			return fmt.Errorf("failed to read liaison statement event %d: %w", raw.ID, err)
		}
		return fn(Event{ID: raw.ID, StatementID: sid, Time: t, Type: slugOf(raw.Type)})
	})
}

// LatestEventID is the id of the newest event, or 0 when there is none:
// where a poller's event cursor starts.
func (c *Client) LatestEventID(ctx context.Context) (int, error) {
	q := url.Values{"order_by": {"-id"}, "limit": {"1"}}
	var p page[rawEvent]
	if err := c.get(ctx, c.endpoint(eventPath, q), &p); err != nil {
		return 0, err
	}
	if p.Objects == nil {
		return 0, fmt.Errorf("failed to decode the newest event: not a Tastypie list (no \"objects\")")
	}
	if len(p.Objects) == 0 {
		return 0, nil
	}
	return p.Objects[0].ID, nil
}
