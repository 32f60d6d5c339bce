package inbox

import (
	"sync"
	"time"
)

// queue orders the unfinished deliveries in memory: per ordering key, a
// count of what waits in the store, whose oldest runs alone, so deliveries
// about one issue are handled in the order GitHub sent them while
// different issues go in parallel. The store holds the deliveries and says
// which is a key's oldest; the queue holds one entry per key, so a backlog
// through a long GitHub outage costs no memory. It is rebuilt from the
// store at start-up.
type queue struct {
	mu   sync.Mutex
	keys map[string]*keyQueue
}

type keyQueue struct {
	unfinished int
	// gen counts adds, so a worker that found the store empty does not
	// forget a delivery added while it looked.
	gen int
	// oldest orders keys: the sequence number of the key's oldest
	// delivery as far as the queue knows (after one finishes, the next is
	// newer than it).
	oldest int64
	due    time.Time // when the oldest may run (a retry waits)
	busy   bool      // the oldest is being handled
}

func newQueue() *queue { return &queue{keys: map[string]*keyQueue{}} }

// add counts n deliveries of key, the oldest of them seq, due at due.
func (q *queue) add(key string, n int, seq int64, due time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	k := q.keys[key]
	if k == nil {
		q.keys[key] = &keyQueue{unfinished: n, oldest: seq, due: due}
		return
	}
	k.unfinished += n
	k.gen++
	if seq < k.oldest {
		// A redelivery of a failed one keeps its sequence number and runs
		// first, without waiting for the retry of a newer one.
		k.oldest = seq
		if !k.busy && k.due.After(due) {
			k.due = due
		}
	}
}

// next takes the key with the oldest delivery that is due and not busy,
// and marks it busy. Without one, wait says when the earliest waiting key
// becomes due (0 when nothing waits).
func (q *queue) next(now time.Time) (key string, gen int, wait time.Duration, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var oldest int64
	for k, kq := range q.keys {
		if kq.busy {
			continue
		}
		if kq.due.After(now) {
			if w := kq.due.Sub(now); wait == 0 || w < wait {
				wait = w
			}
			continue
		}
		if !ok || kq.oldest < oldest {
			key, oldest, ok = k, kq.oldest, true
		}
	}
	if ok {
		q.keys[key].busy = true
		gen = q.keys[key].gen
	}
	return key, gen, wait, ok
}

// done counts off key's delivery seq: it finished, for good or for ill.
func (q *queue) done(key string, seq int64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	kq := q.keys[key]
	if kq == nil {
		return
	}
	kq.unfinished--
	kq.oldest, kq.busy, kq.due = seq+1, false, time.Time{}
	if kq.unfinished <= 0 {
		delete(q.keys, key)
	}
}

// drop forgets key, taken at generation gen, when the store had nothing
// of it left to start: unless a delivery was added since, which the store
// may not have shown. It reports whether the queue had counted more.
func (q *queue) drop(key string, gen int) (drift bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	kq := q.keys[key]
	if kq == nil {
		return false
	}
	if kq.gen != gen {
		kq.busy = false
		return false
	}
	delete(q.keys, key)
	return kq.unfinished > 0
}

// retry keeps key's oldest delivery, to run again at due.
func (q *queue) retry(key string, due time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if kq := q.keys[key]; kq != nil {
		kq.busy, kq.due = false, due
	}
}
