package store

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestInboxRecordsEachDeliveryOnce(t *testing.T) {
	s, _ := openFile(t)
	ctx := context.Background()
	ds := []Delivery{
		{GUID: "a", Event: "issue_comment", OrderingKey: "o/r#1", Payload: []byte(`{"a":1}`)},
		{GUID: "b", Event: "issues", OrderingKey: "o/r#2", Payload: []byte(`{}`)},
		{GUID: "a", Event: "issue_comment", OrderingKey: "o/r#1", Payload: []byte(`{"a":1}`)},
	}
	q, err := s.RecordDeliveries(ctx, ds)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(q, []bool{true, true, false}) {
		t.Errorf("queued = %v; a repeated guid must not be queued twice", q)
	}
	if q, _ := s.RecordDeliveries(ctx, ds[:1]); q[0] {
		t.Error("a delivery seen before was queued again")
	}
	if _, err := s.RecordDeliveries(ctx, []Delivery{{Event: "x"}}); err == nil {
		t.Error("a delivery without an id was recorded")
	}
}

func TestInboxOrderRetryAndRedelivery(t *testing.T) {
	s, path := openFile(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	if _, err := s.RecordDeliveries(ctx, []Delivery{
		{GUID: "1", Event: "issues", OrderingKey: "o/r#1", Payload: []byte("1")},
		{GUID: "2", Event: "issue_comment", OrderingKey: "o/r#1", Payload: []byte("2")},
		{GUID: "3", Event: "issues", OrderingKey: "o/r#2", Payload: []byte("3")},
	}); err != nil {
		t.Fatal(err)
	}
	claim := func() string {
		t.Helper()
		d, ok, err := s.ClaimDelivery(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return ""
		}
		return d.GUID
	}
	if g := claim(); g != "1" {
		t.Fatalf("first claim = %q", g)
	}
	// 2 waits for 1 (same issue); 3 may go.
	if g := claim(); g != "3" {
		t.Fatalf("second claim = %q, want 3: 2 must wait for 1", g)
	}
	if g := claim(); g != "" {
		t.Fatalf("claimed %q while 1 is in progress", g)
	}
	// 1 fails and is retried later: 2 still waits behind it.
	if err := s.FinishDelivery(ctx, 1, errors.New("boom"), now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if g := claim(); g != "" {
		t.Fatalf("claimed %q before 1's retry", g)
	}
	now = now.Add(2 * time.Minute)
	if g := claim(); g != "1" {
		t.Fatalf("retry claim = %q", g)
	}
	if err := s.FinishDelivery(ctx, 1, errors.New("boom again"), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if st, _, _ := s.DeliveryStatus(ctx, "1"); st != DeliveryFailed {
		t.Fatalf("status after giving up = %s", st)
	}
	failed, _ := s.Deliveries(ctx, DeliveryFailed, 10)
	if len(failed) != 1 || failed[0].LastError != "boom again" || failed[0].Attempts != 2 {
		t.Errorf("failed deliveries = %+v", failed)
	}
	if g := claim(); g != "2" {
		t.Fatalf("after 1 failed for good, 2 = %q", g)
	}
	// A crash: 2 is left processing; a restart puts it back.
	s.Close()
	s = reopen(t, s, path)
	s.now = func() time.Time { return now }
	if n, err := s.RequeueProcessing(ctx); err != nil || n != 2 { // 2 and 3
		t.Fatalf("requeued %d, %v", n, err)
	}
	// GitHub's redelivery of the failed 1 queues it again.
	if q, _ := s.RecordDeliveries(ctx, []Delivery{{GUID: "1", Event: "issues", OrderingKey: "o/r#1", Payload: []byte("1")}}); !q[0] {
		t.Fatal("a redelivered failed delivery was not queued again")
	}
	var got []string
	for g := claim(); g != ""; g = claim() {
		got = append(got, g)
		d, _ := s.Deliveries(ctx, DeliveryProcessing, 10)
		for _, x := range d {
			s.FinishDelivery(ctx, x.Seq, nil, time.Time{})
		}
	}
	if !slices.Equal(got, []string{"1", "2", "3"}) {
		t.Errorf("after restart = %v, want 1 2 3", got)
	}
	if n, err := s.PurgeDeliveries(ctx, now.Add(time.Hour)); err != nil || n != 3 {
		t.Errorf("purged %d, %v", n, err)
	}
}
