package schedule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/rs/zerolog"

	"github.com/liaisonbot/liaisonbot/internal/datatracker"
	"github.com/liaisonbot/liaisonbot/internal/liaison"
	"github.com/liaisonbot/liaisonbot/internal/store"
)

// Datatracker is the part of the datatracker client the poller uses.
type Datatracker interface {
	Statements(ctx context.Context, q datatracker.Query, fn func(liaison.Statement) error) error
	Events(ctx context.Context, afterID int, fn func(datatracker.Event) error) error
	PostedSince(ctx context.Context, t time.Time, fn func(datatracker.Event) error) error
	LatestEventID(ctx context.Context) (int, error)
	Statement(ctx context.Context, id int) (liaison.Statement, error)
}

// Cursor names in the store.
const (
	cursorEvent      = "datatracker.event_id"
	cursorEventsSeen = "datatracker.events_seen"
	cursorStatement  = "datatracker.statement_id"
	cursorBackfilled = "datatracker.backfilled_to"
	cursorRetry      = "datatracker.retry_ids"
)

// eventOverlap re-reads this many event ids behind the cursor each pass: an
// event id handed out earlier can become visible later than a higher one.
// The events of the window already handled are remembered, so re-reading
// costs one list request and resolves nothing again.
const eventOverlap = 50

// oldRun is how many consecutive statements older than the wanted date a
// newest-first walk sees before it concludes it has gone back far enough:
// ids follow submission, which roughly follows posting. Statements that
// waited long in pending are found from their posted events instead.
const oldRun = 20

// Puller copies posted statements from the datatracker into the store.
type Puller struct {
	Datatracker Datatracker
	Store       *store.Store
	Log         zerolog.Logger
}

// PullResult counts what a pull saw.
type PullResult struct {
	// Fetched statements were resolved; Changed of them were new or
	// different in the store; Failed could not be resolved and are retried
	// by the next pull.
	Fetched, Changed, Failed int
}

// pull is one Pull's working state.
type pull struct {
	*Puller
	res   PullResult
	retry map[int]bool
}

// Pull brings the store up to date: statements posted since the last pull,
// statements whose events say they changed (edited, posted after pending,
// killed), and — when from is earlier than anything pulled so far — the
// statements posted since from. A statement that cannot be resolved does
// not hold up the others: it is kept for the next pull to try again.
func (p *Puller) Pull(ctx context.Context, from liaison.Date) (PullResult, error) {
	w := &pull{Puller: p, retry: map[int]bool{}}
	if err := w.pull(ctx, from); err != nil {
		return w.res, err
	}
	return w.res, nil
}

func (w *pull) pull(ctx context.Context, from liaison.Date) error {
	evCur, evKnown, err := w.intCursor(ctx, cursorEvent)
	if err != nil {
		return err
	}
	if !evKnown {
		// First pull: remember where the event feed stands before reading
		// statements, so nothing posted meanwhile is missed; kept at once so
		// a pull that fails later restarts from here.
		if evCur, err = w.Datatracker.LatestEventID(ctx); err != nil {
			return fmt.Errorf("failed to read the datatracker's latest event: %w", err)
		}
		if err := w.Store.SetCursor(ctx, cursorEvent, strconv.Itoa(evCur)); err != nil {
			return err
		}
	}
	retry, err := w.intSet(ctx, cursorRetry)
	if err != nil {
		return err
	}
	if err := w.backfill(ctx, from); err != nil {
		return err
	}

	// Changed statements, from the events not handled yet.
	seen, err := w.intSet(ctx, cursorEventsSeen)
	if err != nil {
		return err
	}
	touched := retry
	maxEv := evCur
	window := map[int]bool{}
	err = w.Datatracker.Events(ctx, max(0, evCur-eventOverlap), func(e datatracker.Event) error {
		window[e.ID] = true
		maxEv = max(maxEv, e.ID)
		// On a first pull the statements just read already reflect every
		// event up to the cursor.
		if e.ID > evCur || evKnown && !seen[e.ID] {
			touched[e.StatementID] = true
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("failed to read datatracker events after %d: %w", evCur, err)
	}

	// New statements, by id.
	stCur, _, err := w.intCursor(ctx, cursorStatement)
	if err != nil {
		return err
	}
	if stCur == 0 {
		if stCur, err = w.Store.MaxStatementID(ctx); err != nil {
			return err
		}
	}
	maxID := stCur
	q := datatracker.Query{AfterID: stCur, State: liaison.StatePosted, OnError: w.failed}
	err = w.Datatracker.Statements(ctx, q, func(st liaison.Statement) error {
		delete(touched, st.ID)
		maxID = max(maxID, st.ID)
		return w.put(ctx, st)
	})
	if err != nil {
		return fmt.Errorf("failed to read statements after %d: %w", stCur, err)
	}
	if err := w.changed(ctx, touched); err != nil {
		return err
	}

	// Only now that everything read is stored do the cursors move.
	if err := w.Store.SetCursor(ctx, cursorStatement, strconv.Itoa(max(maxID, w.maxFailed()))); err != nil {
		return err
	}
	if err := w.Store.SetCursor(ctx, cursorEvent, strconv.Itoa(maxEv)); err != nil {
		return err
	}
	for id := range window {
		if id <= maxEv-eventOverlap {
			delete(window, id)
		}
	}
	if err := w.setIntSet(ctx, cursorEventsSeen, window); err != nil {
		return err
	}
	return w.setIntSet(ctx, cursorRetry, w.retry)
}

// changed re-reads the statements whose events are new. One leaving
// "posted" (dead, back to pending) matters only when it was copied before:
// its issue gets marked.
func (w *pull) changed(ctx context.Context, ids map[int]bool) error {
	if len(ids) == 0 {
		return nil
	}
	list := slices.Sorted(maps.Keys(ids))
	q := datatracker.Query{IDs: list, OnError: w.failed}
	err := w.Datatracker.Statements(ctx, q, func(st liaison.Statement) error {
		if st.State != liaison.StatePosted {
			if _, ok, err := w.Store.Statement(ctx, st.ID); err != nil || !ok {
				return err
			}
		}
		return w.put(ctx, st)
	})
	if err != nil {
		return fmt.Errorf("failed to read %d changed statements: %w", len(list), err)
	}
	return nil
}

var errFarEnough = errors.New("walked back far enough")

// backfill brings in the statements posted since from, unless an earlier
// pull already went that far: newest first by id down to a run of older
// ones, then the posted events since from for statements whose ids the
// walk stopped before. Statements already in the store are not resolved
// again: the event feed keeps them current.
func (w *pull) backfill(ctx context.Context, from liaison.Date) error {
	if from.IsZero() {
		return nil // nobody wants statements yet
	}
	done, ok, err := w.Store.Cursor(ctx, cursorBackfilled)
	if err != nil {
		return err
	}
	if ok {
		if d, err := liaison.ParseDate(done); err == nil && !from.Before(d) {
			return nil
		}
	}
	known, err := w.Store.Statements(ctx)
	if err != nil {
		return err
	}
	have := make(map[int]liaison.Date, len(known))
	for _, st := range known {
		have[st.ID] = st.Day()
	}
	older, maxID := 0, 0
	q := datatracker.Query{
		State:      liaison.StatePosted,
		Descending: true,
		Known:      func(id int) bool { _, ok := have[id]; return ok },
		OnError:    w.failed,
	}
	err = w.Datatracker.Statements(ctx, q, func(st liaison.Statement) error {
		maxID = max(maxID, st.ID)
		day, stored := have[st.ID]
		if !stored {
			day = st.Day()
			have[st.ID] = day
			if err := w.put(ctx, st); err != nil {
				return err
			}
		}
		if !day.IsZero() && day.Before(from) {
			older++
		} else {
			older = 0
		}
		if older >= oldRun {
			return errFarEnough
		}
		return nil
	})
	if err != nil && !errors.Is(err, errFarEnough) {
		return fmt.Errorf("failed to walk statements back to %s: %w", from, err)
	}
	stragglers := map[int]bool{}
	err = w.Datatracker.PostedSince(ctx, from.Time(), func(e datatracker.Event) error {
		if _, ok := have[e.StatementID]; !ok {
			stragglers[e.StatementID] = true
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("failed to read the statements posted since %s: %w", from, err)
	}
	if err := w.changed(ctx, stragglers); err != nil {
		return err
	}
	cur, _, err := w.intCursor(ctx, cursorStatement)
	if err != nil {
		return err
	}
	if maxID > cur {
		if err := w.Store.SetCursor(ctx, cursorStatement, strconv.Itoa(maxID)); err != nil {
			return err
		}
	}
	return w.Store.SetCursor(ctx, cursorBackfilled, from.String())
}

func (w *pull) put(ctx context.Context, st liaison.Statement) error {
	w.res.Fetched++
	delete(w.retry, st.ID)
	w.res.Failed = len(w.retry)
	changed, err := w.Store.PutStatement(ctx, st)
	if err != nil {
		return err
	}
	if changed {
		w.res.Changed++
		w.Log.Debug().Int("statement", st.ID).Str("state", st.State).Msg("statement stored")
	}
	return nil
}

// failed keeps a statement that could not be resolved for the next pull.
func (w *pull) failed(id int, err error) error {
	w.retry[id] = true
	w.res.Failed = len(w.retry)
	w.Log.Error().Err(err).Int("statement", id).Msg("statement skipped until the next pull")
	return nil
}

func (w *pull) maxFailed() int {
	n := 0
	for id := range w.retry {
		n = max(n, id)
	}
	return n
}

func (w *pull) intCursor(ctx context.Context, name string) (int, bool, error) {
	v, ok, err := w.Store.Cursor(ctx, name)
	if err != nil || !ok {
		return 0, false, err
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, false, fmt.Errorf("cursor %s holds %q, not a number", name, v)
	}
	return n, true, nil
}

func (w *pull) intSet(ctx context.Context, name string) (map[int]bool, error) {
	out := map[int]bool{}
	v, ok, err := w.Store.Cursor(ctx, name)
	if err != nil || !ok || v == "" {
		return out, err
	}
	var ids []int
	if err := json.Unmarshal([]byte(v), &ids); err != nil {
		return nil, fmt.Errorf("cursor %s holds %q, not a list of ids", name, v)
	}
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

func (w *pull) setIntSet(ctx context.Context, name string, set map[int]bool) error {
	b, err := json.Marshal(slices.Sorted(maps.Keys(set)))
	if err != nil {
		return err
	}
	return w.Store.SetCursor(ctx, name, string(b))
}
