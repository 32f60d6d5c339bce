package schedule

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/rs/zerolog"

	"github.com/liaisonbot/liaisonbot/internal/datatracker"
	"github.com/liaisonbot/liaisonbot/internal/liaison"
	"github.com/liaisonbot/liaisonbot/internal/store"
)

// Datatracker is the part of the datatracker client the poller uses.
type Datatracker interface {
	Statements(ctx context.Context, q datatracker.Query, fn func(liaison.Statement) error) error
	Events(ctx context.Context, afterID int, fn func(datatracker.Event) error) error
	LatestEventID(ctx context.Context) (int, error)
	Statement(ctx context.Context, id int) (liaison.Statement, error)
}

// Cursor names in the store.
const (
	cursorEvent      = "datatracker.event_id"
	cursorStatement  = "datatracker.statement_id"
	cursorBackfilled = "datatracker.backfilled_to"
)

// eventOverlap re-reads this many event ids behind the cursor each pass: an
// event id handed out earlier can become visible later than a higher one.
// Re-reading is cheap because an unchanged statement writes nothing.
const eventOverlap = 50

// oldRun is how many consecutive statements older than the wanted date a
// newest-first walk sees before it concludes it has gone back far enough:
// ids follow submission, which roughly follows the posted date.
const oldRun = 20

// Puller copies posted statements from the datatracker into the store.
type Puller struct {
	Datatracker Datatracker
	Store       *store.Store
	Log         zerolog.Logger
}

// PullResult counts what a pull saw.
type PullResult struct {
	Fetched, Changed int
}

// Pull brings the store up to date: statements posted since the last pull,
// statements whose events say they changed (edited, posted after pending,
// killed), and — when from is earlier than anything pulled so far — a
// newest-first walk back to from.
func (p *Puller) Pull(ctx context.Context, from liaison.Date) (PullResult, error) {
	var res PullResult
	evCur, evKnown, err := p.intCursor(ctx, cursorEvent)
	if err != nil {
		return res, err
	}
	if !evKnown {
		// First pull: remember where the event feed stands before reading
		// statements, so nothing posted meanwhile is missed.
		if evCur, err = p.Datatracker.LatestEventID(ctx); err != nil {
			return res, fmt.Errorf("failed to read the datatracker's latest event: %w", err)
		}
		// Kept at once: if this pull fails later, the next one reads the
		// events from here rather than from a newer "latest".
		if err := p.Store.SetCursor(ctx, cursorEvent, strconv.Itoa(evCur)); err != nil {
			return res, err
		}
	}
	if err := p.backfill(ctx, from, &res); err != nil {
		return res, err
	}

	// Changed statements, from the event feed.
	touched := map[int]bool{}
	maxEv := evCur
	err = p.Datatracker.Events(ctx, max(0, evCur-eventOverlap), func(e datatracker.Event) error {
		touched[e.StatementID] = true
		maxEv = max(maxEv, e.ID)
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("failed to read datatracker events after %d: %w", evCur, err)
	}

	// New statements, by id.
	stCur, _, err := p.intCursor(ctx, cursorStatement)
	if err != nil {
		return res, err
	}
	if stCur == 0 {
		if stCur, err = p.Store.MaxStatementID(ctx); err != nil {
			return res, err
		}
	}
	maxID := stCur
	err = p.Datatracker.Statements(ctx, datatracker.Query{AfterID: stCur, State: liaison.StatePosted}, func(st liaison.Statement) error {
		delete(touched, st.ID)
		maxID = max(maxID, st.ID)
		return p.put(ctx, st, &res)
	})
	if err != nil {
		return res, fmt.Errorf("failed to read statements after %d: %w", stCur, err)
	}

	if len(touched) > 0 {
		ids := slices.Sorted(maps.Keys(touched))
		err := p.Datatracker.Statements(ctx, datatracker.Query{IDs: ids}, func(st liaison.Statement) error {
			if st.State == liaison.StatePosted {
				return p.put(ctx, st, &res)
			}
			// A statement leaving "posted" (dead, back to pending) matters
			// only when it was copied before: its issue gets marked.
			if _, ok, err := p.Store.Statement(ctx, st.ID); err != nil || !ok {
				return err
			}
			return p.put(ctx, st, &res)
		})
		if err != nil {
			return res, fmt.Errorf("failed to read %d changed statements: %w", len(ids), err)
		}
	}
	if err := p.Store.SetCursor(ctx, cursorStatement, strconv.Itoa(maxID)); err != nil {
		return res, err
	}
	if err := p.Store.SetCursor(ctx, cursorEvent, strconv.Itoa(maxEv)); err != nil {
		return res, err
	}
	return res, nil
}

// backfill walks posted statements newest first down to from, unless an
// earlier pull already went that far. Statements already in the store are
// not resolved again: the event feed keeps them current.
func (p *Puller) backfill(ctx context.Context, from liaison.Date, res *PullResult) error {
	done, ok, err := p.Store.Cursor(ctx, cursorBackfilled)
	if err != nil {
		return err
	}
	if ok {
		if d, err := liaison.ParseDate(done); err == nil && !from.Before(d) {
			return nil
		}
	}
	known, err := p.Store.Statements(ctx)
	if err != nil {
		return err
	}
	have := make(map[int]liaison.Date, len(known))
	for _, st := range known {
		have[st.ID] = st.Day()
	}
	older := 0
	maxID := 0
	errStop := fmt.Errorf("far enough")
	err = p.Datatracker.Statements(ctx, datatracker.Query{State: liaison.StatePosted, Descending: true, Known: func(id int) bool {
		_, ok := have[id]
		return ok
	}}, func(st liaison.Statement) error {
		maxID = max(maxID, st.ID)
		day, stored := have[st.ID]
		if !stored {
			day = st.Day()
			if err := p.put(ctx, st, res); err != nil {
				return err
			}
		}
		if !from.IsZero() && !day.IsZero() && day.Before(from) {
			older++
		} else {
			older = 0
		}
		if !from.IsZero() && older >= oldRun {
			return errStop
		}
		return nil
	})
	if err != nil && err != errStop {
		return fmt.Errorf("failed to walk statements back to %s: %w", from, err)
	}
	if cur, _, err := p.intCursor(ctx, cursorStatement); err == nil && maxID > cur {
		if err := p.Store.SetCursor(ctx, cursorStatement, strconv.Itoa(maxID)); err != nil {
			return err
		}
	}
	mark := from.String()
	if from.IsZero() {
		mark = "0001-01-01"
	}
	return p.Store.SetCursor(ctx, cursorBackfilled, mark)
}

func (p *Puller) put(ctx context.Context, st liaison.Statement, res *PullResult) error {
	res.Fetched++
	changed, err := p.Store.PutStatement(ctx, st)
	if err != nil {
		return err
	}
	if changed {
		res.Changed++
		p.Log.Debug().Int("statement", st.ID).Str("state", st.State).Msg("statement stored")
	}
	return nil
}

func (p *Puller) intCursor(ctx context.Context, name string) (int, bool, error) {
	v, ok, err := p.Store.Cursor(ctx, name)
	if err != nil || !ok {
		return 0, false, err
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, false, fmt.Errorf("cursor %s holds %q, not a number", name, v)
	}
	return n, true, nil
}
