package inbox

import (
	"fmt"
	"sync"
	"time"
)

// queue orders the unfinished deliveries in memory: per ordering key a
// FIFO whose head runs alone, so deliveries about one issue are handled in
// the order GitHub sent them, while different issues go in parallel. The
// store stays the record; the queue is rebuilt from it at start-up.
type queue struct {
	mu   sync.Mutex
	keys map[string]*keyQueue
}

type keyQueue struct {
	seqs []int64
	due  time.Time // when the head may run (a retry waits)
	busy bool      // the head is being handled
}

func newQueue() *queue { return &queue{keys: map[string]*keyQueue{}} }

// keyOf gives deliveries without an ordering key a key of their own.
func keyOf(key string, seq int64) string {
	if key == "" {
		return fmt.Sprintf("\x00%d", seq)
	}
	return key
}

// push adds a delivery at the end of its key's FIFO.
func (q *queue) push(key string, seq int64, due time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	k := q.keys[key]
	if k == nil {
		k = &keyQueue{due: due}
		q.keys[key] = k
	}
	k.seqs = append(k.seqs, seq)
}

// next takes the oldest head that is due and not busy, and marks it busy.
// Without one, wait says when the earliest waiting head becomes due (0 when
// nothing waits).
func (q *queue) next(now time.Time) (key string, seq int64, wait time.Duration, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
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
		if !ok || kq.seqs[0] < seq {
			key, seq, ok = k, kq.seqs[0], true
		}
	}
	if ok {
		q.keys[key].busy = true
	}
	return key, seq, wait, ok
}

// done drops the head of key's FIFO: it finished, for good or for ill.
func (q *queue) done(key string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	kq := q.keys[key]
	if kq == nil {
		return
	}
	kq.seqs, kq.busy, kq.due = kq.seqs[1:], false, time.Time{}
	if len(kq.seqs) == 0 {
		delete(q.keys, key)
	}
}

// retry keeps the head of key's FIFO, to run again at due.
func (q *queue) retry(key string, due time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if kq := q.keys[key]; kq != nil {
		kq.busy, kq.due = false, due
	}
}
