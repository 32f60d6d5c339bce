package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/liaisonbot/liaisonbot/internal/liaison"
)

func TestInboxRecordsEachDeliveryOnce(t *testing.T) {
	s, _ := openFile(t)
	ctx := context.Background()
	ds := []Delivery{
		{GUID: "a", Event: "issue_comment", OrderingKey: "o/r#1", Payload: []byte(`{"a":1}`)},
		{GUID: "b", Event: "issues", OrderingKey: "o/r#2", Payload: []byte(`{}`)},
		{GUID: "a", Event: "issue_comment", OrderingKey: "o/r#1", Payload: []byte(`{"a":1}`)},
	}
	rec, err := s.RecordDeliveries(ctx, ds)
	if err != nil {
		t.Fatal(err)
	}
	if rec[0].Seq == 0 || rec[1].Seq == 0 || rec[2].Seq != 0 || rec[1].OrderingKey != "o/r#2" {
		t.Errorf("recorded = %v; a repeated guid must not be queued twice", rec)
	}
	if rec, _ := s.RecordDeliveries(ctx, ds[:1]); rec[0].Seq != 0 {
		t.Error("a delivery seen before was queued again")
	}
	if _, err := s.RecordDeliveries(ctx, []Delivery{{Event: "x"}}); err == nil {
		t.Error("a delivery without an id was recorded")
	}
}

func TestInboxLifecycle(t *testing.T) {
	s, path := openFile(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	rec, err := s.RecordDeliveries(ctx, []Delivery{
		{GUID: "1", Event: "issues", OrderingKey: "o/r#1", Payload: []byte(`{"n":1}`)},
		{GUID: "2", Event: "issue_comment", OrderingKey: "o/r#1", Payload: []byte(`{"n":2}`)},
		{GUID: "3", Event: "issues", OrderingKey: "o/r#2", Payload: []byte(`{"n":3}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	seqs := []int64{rec[0].Seq, rec[1].Seq, rec[2].Seq}
	d, ok, err := s.StartNext(ctx, "o/r#1")
	if err != nil || !ok || d.Seq != seqs[0] || string(d.Payload) != `{"n":1}` || d.Attempts != 1 || d.Event != "issues" {
		t.Fatalf("StartNext = %+v, %v, %v", d, ok, err)
	}
	if _, ok, _ := s.StartDelivery(ctx, seqs[0]); ok {
		t.Fatal("a delivery in progress was started twice")
	}
	if err := s.FinishDelivery(ctx, seqs[0], errors.New("boom"), now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	// One row per key: the count, and the oldest with its retry time.
	backlogs, err := s.Backlogs(ctx)
	want := []Backlog{
		{OrderingKey: "o/r#1", Unfinished: 2, Oldest: seqs[0], Due: now.Add(time.Minute)},
		{OrderingKey: "o/r#2", Unfinished: 1, Oldest: seqs[2], Due: now},
	}
	if err != nil || len(backlogs) != len(want) {
		t.Fatalf("Backlogs = %+v, %v", backlogs, err)
	}
	for i := range want {
		if b := backlogs[i]; b.OrderingKey != want[i].OrderingKey || b.Unfinished != want[i].Unfinished || b.Oldest != want[i].Oldest || !b.Due.Equal(want[i].Due) {
			t.Errorf("backlog %d = %+v, want %+v", i, b, want[i])
		}
	}
	// The retried head comes first again: order within a key holds.
	if d, ok, _ := s.StartNext(ctx, "o/r#1"); !ok || d.Seq != seqs[0] {
		t.Fatalf("StartNext after a retry = %+v, %v; want seq %d", d, ok, seqs[0])
	}
	if err := s.FinishDelivery(ctx, seqs[0], errors.New("boom again"), time.Time{}); err != nil {
		t.Fatal(err)
	}
	failed, _ := s.Deliveries(ctx, DeliveryFailed, 10)
	if len(failed) != 1 || failed[0].LastError != "boom again" || failed[0].Attempts != 2 {
		t.Errorf("failed = %+v", failed)
	}
	// A crash while 2 is in progress; the restart requeues it.
	if _, ok, _ := s.StartDelivery(ctx, seqs[1]); !ok {
		t.Fatal("could not start 2")
	}
	s.Close()
	s = reopen(t, s, path)
	s.now = func() time.Time { return now }
	if n, err := s.RequeueProcessing(ctx); err != nil || n != 1 {
		t.Fatalf("requeued %d, %v", n, err)
	}
	// GitHub's redelivery of the failed 1 queues it again, same seq.
	// Computed under another key now, it keeps the key it was recorded under.
	again, _ := s.RecordDeliveries(ctx, []Delivery{{GUID: "1", Event: "issues", OrderingKey: "o/r#other", Payload: []byte(`{"n":1}`)}})
	if again[0].Seq != seqs[0] || again[0].OrderingKey != "o/r#1" {
		t.Fatalf("redelivery = %+v, want seq %d under o/r#1", again[0], seqs[0])
	}
	if st, _, _ := s.DeliveryStatus(ctx, "1"); st != DeliveryPending {
		t.Errorf("redelivered status = %s", st)
	}
	for _, seq := range seqs {
		s.StartDelivery(ctx, seq)
		s.FinishDelivery(ctx, seq, nil, time.Time{})
	}
	if _, ok, err := s.StartNext(ctx, "o/r#1"); ok || err != nil {
		t.Errorf("StartNext on a finished key = %v, %v", ok, err)
	}
	if n, err := s.PurgeDeliveries(ctx, now.Add(time.Hour)); err != nil || n != 3 {
		t.Errorf("purged %d, %v", n, err)
	}
}

func TestDeadlines(t *testing.T) {
	s, _ := openFile(t)
	ctx := context.Background()
	if err := s.SetDeadline(ctx, "o/r", 3, Deadline{Date: liaison.Date{Year: 2027, Month: 1, Day: 31}, SetBy: "alice"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDeadline(ctx, "o/r", 4, Deadline{SetBy: "bob"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDeadline(ctx, "o/r", 3, Deadline{Date: liaison.Date{Year: 2027, Month: 2, Day: 1}, SetBy: "carol"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Deadlines(ctx, "o/r")
	if err != nil || len(got) != 2 || got[3].Date.String() != "2027-02-01" || got[3].SetBy != "carol" || !got[4].Date.IsZero() {
		t.Errorf("deadlines = %+v, %v", got, err)
	}
}
