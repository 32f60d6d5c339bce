// Package inbox makes webhook deliveries durable: a delivery is committed
// to the store before GitHub gets its answer, and workers process the
// inbox afterwards — in order per issue, again after a failure, again
// after a restart. GitHub never retries a failed delivery by itself, so
// the inbox also asks GitHub to redeliver the ones it never received.
package inbox

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/klauspost/compress/s2"
	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"
	"github.com/tidwall/gjson"

	"github.com/liaisonbot/liaisonbot/internal/store"
)

// Defaults for processing.
const (
	DefaultWorkers     = 4
	DefaultMaxAttempts = 8
	// maxBatch bounds one group commit.
	maxBatch = 256
	// idlePoll is how often idle workers look at the inbox without being
	// woken: deliveries waiting for a retry become due on their own.
	idlePoll = time.Second
)

// Inbox is the durable webhook queue. The webhook handler verifies the
// signature and hands each delivery to Prepare and Commit, which returns
// once the delivery is on disk; workers then run the go-githubapp
// EventHandlers. Schedule (Prepare then Commit) keeps it a go-githubapp
// Scheduler.
type Inbox struct {
	store    *store.Store
	handlers map[string]githubapp.EventHandler
	log      zerolog.Logger

	// Workers process deliveries concurrently (different issues only);
	// zero records without processing (an ingest-only benchmark).
	Workers int
	// MaxAttempts is how often a failing delivery is tried before it is
	// kept as failed with its error.
	MaxAttempts int
	// Backoff is the wait before attempt n+1 after n failures.
	Backoff func(attempt int) time.Duration
	// HandlerTimeout bounds one handler call; go-githubapp's contexts have
	// no deadline of their own.
	HandlerTimeout time.Duration

	commits chan commit
	queue   *queue

	mu     sync.Mutex
	notify chan struct{} // closed and replaced by Wake: a broadcast
}

type commit struct {
	d    store.Delivery
	done chan error
}

// New is an inbox over st for handlers, one per event type.
func New(st *store.Store, log zerolog.Logger, handlers ...githubapp.EventHandler) *Inbox {
	in := &Inbox{
		store:          st,
		handlers:       map[string]githubapp.EventHandler{},
		log:            log,
		Workers:        DefaultWorkers,
		MaxAttempts:    DefaultMaxAttempts,
		Backoff:        defaultBackoff,
		HandlerTimeout: 5 * time.Minute,
		commits:        make(chan commit, maxBatch),
		queue:          newQueue(),
		notify:         make(chan struct{}),
	}
	for _, h := range handlers {
		for _, ev := range h.Handles() {
			in.handlers[ev] = h
		}
	}
	return in
}

// defaultBackoff waits 2^n seconds (1 s, 2 s, 4 s, … capped at 10 min) with
// jitter, so a GitHub outage is waited out without hammering it.
func defaultBackoff(attempt int) time.Duration {
	d := time.Second << min(attempt, 10)
	d = min(d, 10*time.Minute)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// Schedule records the delivery durably; go-githubapp answers GitHub once
// it returns nil. It is Prepare then Commit.
func (in *Inbox) Schedule(ctx context.Context, d githubapp.Dispatch) error {
	p, err := in.Prepare(d)
	if err != nil {
		return err
	}
	return in.Commit(ctx, p)
}

// Prepared is a delivery ready to be recorded: its ordering key and
// compressed payload, nothing that points into the request's body.
type Prepared struct {
	d store.Delivery
}

// Prepare reads what the inbox keeps of a delivery. It is done in the
// request's goroutine, so the one goroutine that commits does as little as
// possible, and it does not keep d.Payload: the caller may reuse the body's
// buffer while the commit waits for the disk.
func (in *Inbox) Prepare(d githubapp.Dispatch) (Prepared, error) {
	if d.DeliveryID == "" {
		return Prepared{}, githubapp.ValidationError{EventType: d.EventType, Cause: errors.New("missing X-GitHub-Delivery header")}
	}
	return Prepared{d: store.Delivery{
		GUID:        d.DeliveryID,
		Event:       d.EventType,
		OrderingKey: orderingKey(d.Payload),
		Stored:      store.CompressPayload(getBuffer(len(d.Payload)), d.Payload),
	}}, nil
}

// Commit records a prepared delivery durably. Concurrent deliveries share
// one commit (and one sync to disk), which is what lets the durable inbox
// keep up with a burst.
func (in *Inbox) Commit(ctx context.Context, p Prepared) error {
	c := commit{d: p.d, done: make(chan error, 1)}
	select {
	case in.commits <- c:
	case <-ctx.Done():
		putBuffer(p.d.Stored)
		return ctx.Err()
	}
	select {
	case err := <-c.done:
		return err
	case <-ctx.Done():
		// The commit may still land; GitHub will see a failure and the
		// recovery will find the delivery recorded.
		return ctx.Err()
	}
}

// orderingKey reads which issue a delivery is about: "owner/repo#number",
// "owner/repo" for repository events, "installation:<id>" for the
// installation's own events, or "" for the rest. Ingest must stay cheap
// (decoding belongs to the worker), so it is one pass over the top-level
// fields with gjson, skipping what it does not need, over the payload
// viewed as a string without a copy: the bytes do not change while it
// runs, and the one string kept is copied out.
func orderingKey(payload []byte) string {
	if len(payload) == 0 {
		return ""
	}
	doc := unsafe.String(unsafe.SliceData(payload), len(payload))
	var (
		repo                                    string
		issue, pull, installation               gjson.Result
		seenRepo, seenIssue, seenPull, seenInst bool
	)
	gjson.Parse(doc).ForEach(func(key, value gjson.Result) bool {
		// The first field found wins, as in a path lookup (which also
		// looks past a repeated key that lacks it).
		switch key.Str {
		case "repository":
			if v := value.Get("full_name"); !seenRepo && v.Exists() {
				repo, seenRepo = strings.Clone(v.Str), true
			}
		case "issue":
			if v := value.Get("number"); !seenIssue && v.Exists() {
				issue, seenIssue = v, true
			}
		case "pull_request":
			if v := value.Get("number"); !seenPull && v.Exists() {
				pull, seenPull = v, true
			}
		case "installation":
			if v := value.Get("id"); !seenInst && v.Exists() {
				installation, seenInst = v, true
			}
		}
		return true
	})
	switch {
	case repo == "" && installation.Type == gjson.Number:
		// Installation events: in order per installation, and one
		// installation's failing event does not hold up another's.
		return "installation:" + strconv.FormatInt(installation.Int(), 10)
	case repo == "":
		return ""
	case issue.Type == gjson.Number:
		return repo + "#" + strconv.FormatInt(issue.Int(), 10)
	case pull.Type == gjson.Number:
		return repo + "#" + strconv.FormatInt(pull.Int(), 10)
	}
	return repo
}

// buffers recycles compression buffers: a burst of deliveries would
// otherwise allocate one payload-sized buffer each and keep the garbage
// collector busy.
var buffers sync.Pool

func getBuffer(n int) []byte {
	if b, ok := buffers.Get().(*[]byte); ok && cap(*b) >= s2.MaxEncodedLen(n) {
		return *b
	}
	return make([]byte, s2.MaxEncodedLen(n))
}

func putBuffer(b []byte) {
	if cap(b) <= 1<<20 { // keep the pool's buffers small
		buffers.Put(&b)
	}
}

// Run commits and processes deliveries until ctx ends. Deliveries left in
// progress by an earlier process go back into the queue first. When ctx
// ends, the handlers running finish (their outcome is recorded); what was
// not started stays in the inbox for the next start.
func (in *Inbox) Run(ctx context.Context) error {
	n, err := in.store.RequeueProcessing(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		in.log.Info().Int("deliveries", n).Msg("resuming webhook deliveries left in progress")
	}
	backlogs, err := in.store.Backlogs(ctx)
	if err != nil {
		return err
	}
	for _, b := range backlogs {
		in.queue.add(b.OrderingKey, b.Unfinished, b.Oldest, b.Due)
	}
	var wg sync.WaitGroup
	commitCtx, stopCommits := context.WithCancel(context.WithoutCancel(ctx))
	wg.Add(1)
	go func() {
		defer wg.Done()
		in.commitLoop(commitCtx)
	}()
	var workers sync.WaitGroup
	for i := 0; i < in.Workers; i++ {
		workers.Add(1)
		go func() {
			defer workers.Done()
			in.work(ctx)
		}()
	}
	in.Wake()
	<-ctx.Done()
	workers.Wait()
	stopCommits()
	wg.Wait()
	return nil
}

// Wake tells every idle worker that there may be work.
func (in *Inbox) Wake() {
	in.mu.Lock()
	close(in.notify)
	in.notify = make(chan struct{})
	in.mu.Unlock()
}

// woken is closed by the next Wake. A worker takes it before looking at
// the queue, so a Wake in between is not missed.
func (in *Inbox) woken() <-chan struct{} {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.notify
}

// commitLoop gathers the deliveries waiting to be recorded into one
// transaction at a time.
func (in *Inbox) commitLoop(ctx context.Context) {
	batch := make([]commit, 0, maxBatch)
	for {
		batch = batch[:0]
		select {
		case <-ctx.Done():
			in.drain(ctx.Err())
			return
		case c := <-in.commits:
			batch = append(batch, c)
		}
	gather:
		for len(batch) < maxBatch {
			select {
			case c := <-in.commits:
				batch = append(batch, c)
			default:
				break gather
			}
		}
		ds := make([]store.Delivery, len(batch))
		for i, c := range batch {
			ds[i] = c.d
		}
		recorded, err := in.store.RecordDeliveries(context.WithoutCancel(ctx), ds)
		if err == nil {
			now := time.Now()
			for _, r := range recorded {
				if r.Seq != 0 {
					// The store's key: a redelivery keeps the one it was
					// first recorded under.
					in.queue.add(r.OrderingKey, 1, r.Seq, now)
				}
			}
		}
		for _, c := range batch {
			putBuffer(c.d.Stored)
			c.done <- err
		}
		if err != nil {
			in.log.Error().Err(err).Int("deliveries", len(batch)).Msg("failed to record webhook deliveries: GitHub is told, and they are recovered later")
		} else {
			in.Wake()
		}
	}
}

func (in *Inbox) drain(err error) {
	for {
		select {
		case c := <-in.commits:
			c.done <- err
		default:
			return
		}
	}
}

func (in *Inbox) work(ctx context.Context) {
	for ctx.Err() == nil {
		woken := in.woken()
		key, gen, wait, ok := in.queue.next(time.Now())
		if !ok {
			if wait == 0 || wait > idlePoll {
				wait = idlePoll
			}
			select {
			case <-ctx.Done():
				return
			case <-woken:
			case <-time.After(wait):
			}
			continue
		}
		d, started, err := in.store.StartNext(context.WithoutCancel(ctx), key)
		switch {
		case err != nil && d.Seq != 0:
			// Found unreadable and kept as failed: counted off.
			in.log.Error().Err(err).Str("ordering_key", key).Msg("webhook delivery unreadable: kept as failed")
			in.queue.done(key, d.Seq)
		case err != nil:
			// The store could not start it: try the key again shortly.
			in.log.Error().Err(err).Str("ordering_key", key).Msg("failed to start a webhook delivery")
			in.queue.retry(key, time.Now().Add(idlePoll))
		case !started:
			// The store has nothing pending of the key, though the queue
			// counted some: forget it, unless a delivery came meanwhile.
			if in.queue.drop(key, gen) {
				in.log.Warn().Str("ordering_key", key).Msg("webhook queue and store disagreed: the store's word taken")
			}
		case d.Attempts > in.MaxAttempts:
			// It was started this often without an outcome: it takes the
			// process down. Keep it with an error instead of running it.
			in.finish(ctx, d, fmt.Errorf("started %d times without finishing: not run again", d.Attempts-1), time.Time{})
			in.queue.done(key, d.Seq)
		default:
			if retryAt := in.process(ctx, d); retryAt.IsZero() {
				in.queue.done(key, d.Seq)
			} else {
				in.queue.retry(key, retryAt)
			}
		}
	}
}

// finish records a delivery's outcome, trying again while the store
// fails: the queue and the record must agree before the next delivery of
// the issue may start.
func (in *Inbox) finish(ctx context.Context, d store.Delivery, cause error, retryAt time.Time) {
	for wait := 100 * time.Millisecond; ; wait = min(2*wait, 5*time.Second) {
		err := in.store.FinishDelivery(context.WithoutCancel(ctx), d.Seq, cause, retryAt)
		if err == nil {
			return
		}
		in.log.Error().Err(err).Str(githubapp.LogKeyDeliveryID, d.GUID).Msg("failed to record a webhook delivery's outcome; trying again")
		select {
		case <-ctx.Done():
			return // left processing: requeued at the next start
		case <-time.After(wait):
		}
	}
}

// process runs a delivery's handler and records the outcome. The handler
// gets its own deadline, not the run's context: shutting down lets a
// started delivery finish rather than leave it half done.
func (in *Inbox) process(ctx context.Context, d store.Delivery) (retryAt time.Time) {
	log := in.log.With().Str(githubapp.LogKeyEventType, d.Event).Str(githubapp.LogKeyDeliveryID, d.GUID).Logger()
	hctx, cancel := context.WithTimeout(log.WithContext(context.WithoutCancel(ctx)), in.HandlerTimeout)
	defer cancel()
	err := in.handle(hctx, d)
	switch {
	case err == nil:
	case d.Attempts >= in.MaxAttempts:
		log.Error().Err(err).Int("attempts", d.Attempts).Msg("webhook delivery failed for good: kept with its error")
	default:
		retryAt = time.Now().Add(in.Backoff(d.Attempts))
		log.Warn().Err(err).Int("attempt", d.Attempts).Time("retry_at", retryAt).Msg("webhook delivery failed: will retry")
	}
	in.finish(ctx, d, err, retryAt)
	return retryAt
}

func (in *Inbox) handle(ctx context.Context, d store.Delivery) (err error) {
	h, ok := in.handlers[d.Event]
	if !ok {
		return nil // recorded before its handler was removed: nothing to do
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("handler for %s panicked: %v", d.Event, r)
		}
	}()
	return h.Handle(ctx, d.Event, d.GUID, d.Payload)
}
