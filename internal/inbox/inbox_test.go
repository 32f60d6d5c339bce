package inbox

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"

	"github.com/liaisonbot/liaisonbot/internal/store"
)

// orderHandler records the order in which deliveries of each issue run and
// fails the first attempt of the deliveries named in failOnce.
type orderHandler struct {
	mu       sync.Mutex
	seen     map[string][]string
	failOnce map[string]bool
	running  map[string]bool
	overlap  bool
	// now and peak count the deliveries running at once.
	now, peak int
}

func (h *orderHandler) Handles() []string { return []string{"issues"} }

func (h *orderHandler) Handle(_ context.Context, _, id string, payload []byte) error {
	key := orderingKey(payload)
	h.mu.Lock()
	if h.running[key] {
		h.overlap = true
	}
	h.running[key] = true
	h.now++
	h.peak = max(h.peak, h.now)
	fail := h.failOnce[id]
	delete(h.failOnce, id)
	h.mu.Unlock()
	time.Sleep(time.Millisecond) // long enough for another worker to try the same issue
	h.mu.Lock()
	defer h.mu.Unlock()
	h.running[key] = false
	h.now--
	if fail {
		return errors.New("temporary failure")
	}
	h.seen[key] = append(h.seen[key], id)
	return nil
}

func TestDeliveriesOfOneIssueRunInOrderOthersInParallel(t *testing.T) {
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "lb.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := &orderHandler{seen: map[string][]string{}, failOnce: map[string]bool{"a-2": true}, running: map[string]bool{}}
	in := New(st, zerolog.Nop(), h)
	in.Workers = 4
	in.Backoff = func(int) time.Duration { return 20 * time.Millisecond }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { in.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	var want = map[string][]string{}
	for i := 0; i < 10; i++ {
		for _, issue := range []string{"a", "b", "c"} {
			id := fmt.Sprintf("%s-%d", issue, i)
			payload := fmt.Sprintf(`{"action":"edited","issue":{"number":%d},"repository":{"full_name":"o/r"}}`, issue[0])
			if err := in.Schedule(ctx, githubapp.Dispatch{EventType: "issues", DeliveryID: id, Payload: []byte(payload)}); err != nil {
				t.Fatal(err)
			}
			want[fmt.Sprintf("o/r#%d", issue[0])] = append(want[fmt.Sprintf("o/r#%d", issue[0])], id)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		h.mu.Lock()
		n := 0
		for _, ids := range h.seen {
			n += len(ids)
		}
		h.mu.Unlock()
		if n == 30 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of 30 deliveries handled", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for key, ids := range want {
		if !slices.Equal(h.seen[key], ids) {
			t.Errorf("%s ran in the order %v, want %v (a failed delivery holds back the later ones of its issue)", key, h.seen[key], ids)
		}
	}
	if h.overlap {
		t.Error("two deliveries of one issue ran at once")
	}
	if h.peak < 2 {
		t.Errorf("at most %d delivery ran at once: different issues must go in parallel", h.peak)
	}
}

func TestOrderingKey(t *testing.T) {
	tests := map[string]string{
		`{"issue":{"number":7},"repository":{"full_name":"o/r"}}`:              "o/r#7",
		`{"pull_request":{"number":8},"repository":{"full_name":"o/r"}}`:       "o/r#8",
		`{"repository":{"full_name":"o/r"},"ref":"refs/heads/main"}`:           "o/r",
		`{"installation":{"id":1},"repositories_added":[{"full_name":"o/r"}]}`: "installation:1",
		`{"zen":"Keep it logically awesome."}`:                                 "",
		`not json`:                                                             "",
		`{"comment":{"body":"\"repository\":{\"full_name\":\"x/y\"}"},"issue":{"number":1},"repository":{"full_name":"o/r"}}`: "o/r#1",
	}
	for in, want := range tests {
		if got := orderingKey([]byte(in)); got != want {
			t.Errorf("orderingKey(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestIdleInboxSleeps(t *testing.T) {
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "lb.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	in := New(st, zerolog.Nop(), &orderHandler{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { in.Run(ctx); close(done) }()
	time.Sleep(50 * time.Millisecond) // past start-up
	var before, after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	time.Sleep(500 * time.Millisecond)
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cancel()
	<-done
	cpu := time.Duration(after.Utime.Nano()+after.Stime.Nano()-before.Utime.Nano()-before.Stime.Nano()) * time.Nanosecond
	if cpu > 100*time.Millisecond {
		t.Errorf("an idle inbox used %v of CPU in 500ms: its workers spin", cpu)
	}
}

func TestQueueKeepsACountPerKey(t *testing.T) {
	q := newQueue()
	now := time.Now()
	q.add("o/r#1", 1, 10, now)
	q.add("o/r#2", 1, 11, now)
	q.add("o/r#1", 2, 12, now) // two more of #1: still one entry
	if len(q.keys) != 2 || q.keys["o/r#1"].unfinished != 3 {
		t.Fatalf("keys = %d, #1 unfinished = %d; want 2 keys, 3 of #1", len(q.keys), q.keys["o/r#1"].unfinished)
	}
	// The oldest delivery's key goes first; a busy key is not handed out.
	if k, _, _, ok := q.next(now); !ok || k != "o/r#1" {
		t.Fatalf("next = %q, %v; want o/r#1", k, ok)
	}
	if k, _, _, ok := q.next(now); !ok || k != "o/r#2" {
		t.Fatalf("next with #1 busy = %q, %v; want o/r#2", k, ok)
	}
	if _, _, _, ok := q.next(now); ok {
		t.Fatal("next handed out a busy key")
	}
	// #1's oldest finished and #2's waits for a retry: #1 is the one due.
	q.done("o/r#1", 10)
	q.retry("o/r#2", now.Add(time.Minute))
	if k, _, wait, ok := q.next(now); !ok || k != "o/r#1" || wait != time.Minute {
		t.Fatalf("next = %q, wait %v, %v; want o/r#1 and a minute's wait for #2", k, wait, ok)
	}
	q.done("o/r#1", 12)
	q.next(now)
	q.done("o/r#1", 13)
	if _, ok := q.keys["o/r#1"]; ok {
		t.Error("a key with nothing unfinished is kept")
	}
	// A redelivered failed delivery keeps its old sequence number, goes
	// first again, and does not wait for a newer one's retry.
	q.add("o/r#3", 1, 20, now)
	q.next(now)
	q.retry("o/r#3", now.Add(time.Hour))
	q.add("o/r#3", 1, 5, now)
	if kq := q.keys["o/r#3"]; kq.oldest != 5 || kq.due.After(now) {
		t.Errorf("oldest = %d, due in %v; want 5, now", kq.oldest, kq.due.Sub(now))
	}
	// The store had nothing to start, but a delivery came while it looked:
	// the key stays.
	_, gen, _, _ := q.next(now)
	q.add("o/r#3", 1, 30, now)
	if q.drop("o/r#3", gen); q.keys["o/r#3"] == nil || q.keys["o/r#3"].busy {
		t.Fatal("drop forgot a delivery added while the store was asked, or left the key busy")
	}
	// Nothing came: the count the store disproved goes.
	_, gen, _, _ = q.next(now)
	if drift := q.drop("o/r#3", gen); !drift || q.keys["o/r#3"] != nil {
		t.Errorf("drop = %v, key kept %v; want drift reported and the key gone", drift, q.keys["o/r#3"] != nil)
	}
}

// TestUnreadableDeliveryIsCountedOff: a delivery whose stored payload
// cannot be read is kept as failed and counted off the queue, so the next
// one of the issue runs and the queue empties.
func TestUnreadableDeliveryIsCountedOff(t *testing.T) {
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "lb.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const payload = `{"action":"edited","issue":{"number":1},"repository":{"full_name":"o/r"}}`
	// Recorded before the inbox starts: one corrupt, one good, same issue.
	if _, err := st.RecordDeliveries(context.Background(), []store.Delivery{
		{GUID: "bad", Event: "issues", OrderingKey: "o/r#1", Stored: []byte("not s2 at all")},
		{GUID: "good", Event: "issues", OrderingKey: "o/r#1", Payload: []byte(payload)},
	}); err != nil {
		t.Fatal(err)
	}
	h := &orderHandler{seen: map[string][]string{}, failOnce: map[string]bool{}, running: map[string]bool{}}
	in := New(st, zerolog.Nop(), h)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { in.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	deadline := time.Now().Add(5 * time.Second)
	for {
		h.mu.Lock()
		ran := slices.Equal(h.seen["o/r#1"], []string{"good"})
		h.mu.Unlock()
		in.queue.mu.Lock()
		empty := len(in.queue.keys) == 0
		in.queue.mu.Unlock()
		if ran && empty {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("ran %v, queue empty %v", h.seen, empty)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if failed, _ := st.Deliveries(context.Background(), store.DeliveryFailed, 10); len(failed) != 1 || failed[0].GUID != "bad" {
		t.Errorf("failed = %+v, want the unreadable one", failed)
	}
}
