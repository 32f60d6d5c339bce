package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

func sampleMail(key string) Mail {
	return Mail{
		Key:     key,
		Repo:    "ietf/liaisons",
		Issue:   12,
		From:    "Liaison Manager <manager@ietf.org>",
		ReplyTo: "manager@ietf.org",
		To:      []string{"Sender <sender@itu.int>"},
		Cc:      []string{"liaison-coordination@iab.org"},
		Subject: "Acknowledgement of LS 2001: Something",
		Body:    "Dear colleagues,\n\nthank you.\n",
	}
}

func TestEnqueueMailIsIdempotent(t *testing.T) {
	ctx := context.Background()
	s, _ := openFile(t)
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return t0 }

	m, created, err := s.EnqueueMail(ctx, sampleMail("ack:ietf/liaisons#12"))
	if err != nil || !created {
		t.Fatalf("first EnqueueMail = %v, %v; want created", created, err)
	}
	want := sampleMail("ack:ietf/liaisons#12")
	if m.ID == 0 || m.Key != want.Key || m.Repo != want.Repo || m.Issue != want.Issue ||
		m.From != want.From || m.ReplyTo != want.ReplyTo || m.Subject != want.Subject || m.Body != want.Body ||
		fmt.Sprint(m.To) != fmt.Sprint(want.To) || fmt.Sprint(m.Cc) != fmt.Sprint(want.Cc) {
		t.Errorf("stored mail = %+v; want the fields of %+v", m, want)
	}
	if m.Status != MailQueued || m.Attempts != 0 || !m.NextAttemptAt.Equal(t0) || !m.CreatedAt.Equal(t0) {
		t.Errorf("stored mail = status %s, attempts %d, next %v, created %v; want queued, 0, due at %v",
			m.Status, m.Attempts, m.NextAttemptAt, m.CreatedAt, t0)
	}
	if !regexp.MustCompile(`^<[a-z2-7]{26}@ietf\.org>$`).MatchString(m.MessageID) {
		t.Errorf("Message-ID = %q; want <random@ietf.org>", m.MessageID)
	}

	// The same key again, even with other contents, is the same mail.
	again := sampleMail("ack:ietf/liaisons#12")
	again.Subject = "something else"
	m2, created, err := s.EnqueueMail(ctx, again)
	if err != nil || created {
		t.Fatalf("second EnqueueMail = %v, %v; want not created", created, err)
	}
	if m2.ID != m.ID || m2.MessageID != m.MessageID || m2.Subject != m.Subject {
		t.Errorf("second EnqueueMail returned %+v; want the first mail %+v", m2, m)
	}
	if n, err := s.MailsByStatus(ctx, MailQueued, 10); err != nil || len(n) != 1 {
		t.Errorf("queued mails = %d, %v; want 1", len(n), err)
	}

	// Even a sent mail is not enqueued again.
	sending, err := s.MarkMailSending(ctx, m, t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.MarkMailSent(ctx, sending, t0, "250 ok"); err != nil {
		t.Fatal(err)
	}
	m3, created, err := s.EnqueueMail(ctx, sampleMail("ack:ietf/liaisons#12"))
	if err != nil || created || m3.Status != MailSent {
		t.Errorf("EnqueueMail after sent = %s, %v, %v; want the sent mail, not created", m3.Status, created, err)
	}

	other, _, err := s.EnqueueMail(ctx, sampleMail("ack:ietf/liaisons#13"))
	if err != nil {
		t.Fatal(err)
	}
	if other.MessageID == m.MessageID {
		t.Errorf("two mails share Message-ID %s", m.MessageID)
	}
}

func TestEnqueueMailValidates(t *testing.T) {
	ctx := context.Background()
	s, _ := openFile(t)
	tests := []struct {
		name   string
		change func(*Mail)
		want   string
	}{
		{"no key", func(m *Mail) { m.Key = "" }, "empty key"},
		{"key with newline", func(m *Mail) { m.Key = "ack:\nx" }, "key contains a control character"},
		{"no repo", func(m *Mail) { m.Repo = "" }, "empty repository name"},
		{"no issue", func(m *Mail) { m.Issue = 0 }, "invalid issue number 0"},
		{"no from", func(m *Mail) { m.From = "" }, "no From address"},
		{"bad from", func(m *Mail) { m.From = "not an address" }, "invalid From address"},
		{"header injection in a name", func(m *Mail) { m.From = "Evil\r\nBcc: x@example.com <a@example.com>" }, "invalid From address"},
		{"bad reply-to", func(m *Mail) { m.ReplyTo = "a@" }, "invalid Reply-To address"},
		{"no to", func(m *Mail) { m.To = nil }, "no To address"},
		{"bad to", func(m *Mail) { m.To = []string{"ok@example.com", "bad"} }, `invalid To address "bad"`},
		{"bad cc", func(m *Mail) { m.Cc = []string{"x@y\n"} }, "invalid Cc address"},
		{"empty subject", func(m *Mail) { m.Subject = " " }, "empty subject"},
		{"bad message id", func(m *Mail) { m.MessageID = "<a b@c>" }, "invalid Message-ID"},
		{"message id without brackets", func(m *Mail) { m.MessageID = "a@c" }, "invalid Message-ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := sampleMail("ack:" + tt.name)
			tt.change(&m)
			_, _, err := s.EnqueueMail(ctx, m)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("EnqueueMail: err = %v; want one containing %q", err, tt.want)
			}
		})
	}
	if all, err := s.MailsByStatus(ctx, MailQueued, 100); err != nil || len(all) != 0 {
		t.Errorf("invalid mails stored: %d, %v", len(all), err)
	}

	m := sampleMail("ack:given-id")
	m.MessageID = "<given@example.org>"
	got, _, err := s.EnqueueMail(ctx, m)
	if err != nil || got.MessageID != "<given@example.org>" {
		t.Errorf("EnqueueMail with a Message-ID = %q, %v; want it kept", got.MessageID, err)
	}
	if _, err := s.MailsByStatus(ctx, "bogus", 1); err == nil {
		t.Error("MailsByStatus(bogus) succeeded; want an error")
	}
}

func TestDueAndClaimMail(t *testing.T) {
	ctx := context.Background()
	s, _ := openFile(t)
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	enqueue := func(key string, due time.Time) Mail {
		t.Helper()
		m := sampleMail(key)
		m.CreatedAt = t0
		m.NextAttemptAt = due
		got, _, err := s.EnqueueMail(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	later := enqueue("b", t0.Add(time.Minute))
	first := enqueue("a", t0)
	keys := func(now time.Time) string {
		t.Helper()
		due, err := s.DueMail(ctx, now, 10)
		if err != nil {
			t.Fatal(err)
		}
		var ks []string
		for _, m := range due {
			ks = append(ks, m.Key)
		}
		return strings.Join(ks, ",")
	}
	if got := keys(t0); got != "a" {
		t.Errorf("due at t0 = %q; want a", got)
	}
	if got := keys(t0.Add(time.Minute)); got != "a,b" {
		t.Errorf("due at t0+1m = %q; want a,b (longest waiting first)", got)
	}

	claimed, ok, err := s.ClaimMail(ctx, first, t0, t0.Add(5*time.Minute))
	if err != nil || !ok || claimed.Status != MailQueued || !claimed.NextAttemptAt.Equal(t0.Add(5*time.Minute)) {
		t.Fatalf("ClaimMail = %+v, %v, %v; want claimed until t0+5m", claimed, ok, err)
	}
	if _, ok, err := s.ClaimMail(ctx, first, t0, t0.Add(5*time.Minute)); err != nil || ok {
		t.Fatalf("second ClaimMail = %v, %v; want not claimed", ok, err)
	}
	if got := keys(t0.Add(time.Minute)); got != "b" {
		t.Errorf("due while a is claimed = %q; want b", got)
	}
	if got := keys(t0.Add(5 * time.Minute)); got != "b,a" {
		t.Errorf("due after the claim expired = %q; want b,a", got)
	}

	if _, err := s.MarkMailSending(ctx, later, t0); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.ClaimMail(ctx, later, t0.Add(time.Hour), t0.Add(2*time.Hour)); err != nil || ok {
		t.Errorf("ClaimMail of a sending mail = %v, %v; want not claimed", ok, err)
	}
	if got := keys(t0.Add(time.Hour)); got != "a" {
		t.Errorf("due with b sending = %q; want a", got)
	}
}

func TestMailTransitions(t *testing.T) {
	ctx := context.Background()
	s, _ := openFile(t)
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	cause := errors.New("boom")

	// into puts a new mail into status.
	n := 0
	into := func(status string) Mail {
		t.Helper()
		n++
		m, _, err := s.EnqueueMail(ctx, sampleMail(fmt.Sprintf("k%d", n)))
		if err != nil {
			t.Fatal(err)
		}
		switch status {
		case MailQueued:
		case MailSending:
			m, err = s.MarkMailSending(ctx, m, t0)
		case MailSent:
			if m, err = s.MarkMailSending(ctx, m, t0); err == nil {
				m, err = s.MarkMailSent(ctx, m, t0, "250 ok")
			}
		case MailUnknown:
			if m, err = s.MarkMailSending(ctx, m, t0); err == nil {
				m, err = s.MarkMailUnknown(ctx, m, t0, cause)
			}
		case MailFailed:
			m, err = s.MarkMailFailed(ctx, m, t0, cause)
		}
		if err != nil || m.Status != status {
			t.Fatalf("into %s: status %s, %v", status, m.Status, err)
		}
		return m
	}
	marks := map[string]func(m Mail) (Mail, error){
		"sending": func(m Mail) (Mail, error) { return s.MarkMailSending(ctx, m, t0) },
		"sent":    func(m Mail) (Mail, error) { return s.MarkMailSent(ctx, m, t0, "250 ok") },
		"retry":   func(m Mail) (Mail, error) { return s.MarkMailRetry(ctx, m, t0, cause, t0.Add(time.Minute)) },
		"unknown": func(m Mail) (Mail, error) { return s.MarkMailUnknown(ctx, m, t0, cause) },
		"failed":  func(m Mail) (Mail, error) { return s.MarkMailFailed(ctx, m, t0, cause) },
		"requeue": func(m Mail) (Mail, error) { return s.RequeueMail(ctx, m, t0) },
	}
	tests := []struct {
		from, mark string
		want       string // the new status, or "" for ErrMailStatus
	}{
		{MailQueued, "sending", MailSending},
		{MailQueued, "retry", MailQueued},
		{MailQueued, "failed", MailFailed},
		{MailQueued, "sent", ""},    // a mail is sent only after sending was recorded
		{MailQueued, "unknown", ""}, // nothing was sent, so the outcome is known
		{MailQueued, "requeue", ""},
		{MailSending, "sent", MailSent},
		{MailSending, "unknown", MailUnknown},
		{MailSending, "retry", MailQueued}, // the DATA command was refused
		{MailSending, "failed", MailFailed},
		{MailSending, "sending", ""}, // a second sender loses
		{MailSent, "sending", ""},
		{MailSent, "retry", ""},
		{MailSent, "failed", ""},
		{MailSent, "requeue", ""},
		{MailUnknown, "sending", ""}, // never sent again by itself
		{MailUnknown, "retry", ""},
		{MailUnknown, "requeue", MailQueued}, // a person's decision
		{MailFailed, "sending", ""},
		{MailFailed, "requeue", MailQueued},
	}
	for _, tt := range tests {
		t.Run(tt.from+" "+tt.mark, func(t *testing.T) {
			m := into(tt.from)
			got, err := marks[tt.mark](m)
			if tt.want == "" {
				if !errors.Is(err, ErrMailStatus) {
					t.Fatalf("err = %v; want ErrMailStatus", err)
				}
				cur, _, _ := s.MailByID(ctx, m.ID)
				if cur.Status != tt.from {
					t.Errorf("status after a refused transition = %s; want %s", cur.Status, tt.from)
				}
				return
			}
			if err != nil || got.Status != tt.want {
				t.Fatalf("status = %s, %v; want %s", got.Status, err, tt.want)
			}
			if got.MessageID != m.MessageID {
				t.Errorf("Message-ID changed from %s to %s", m.MessageID, got.MessageID)
			}
		})
	}

	if _, err := s.MarkMailSending(ctx, Mail{ID: 9999, Status: MailQueued}, t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("MarkMailSending of a missing mail: err = %v; want ErrNotFound", err)
	}
}

// A sender acts only on the status it saw: one that saw the mail queued
// must not take it out of sending when another sender has it, or a second
// copy could follow.
func TestMailTransitionsCompareStatus(t *testing.T) {
	ctx := context.Background()
	s, _ := openFile(t)
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	seen, _, err := s.EnqueueMail(ctx, sampleMail("ack:race"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.MarkMailSending(ctx, seen, t0); err != nil { // the other sender
		t.Fatal(err)
	}
	stale := []struct {
		name string
		mark func() (Mail, error)
	}{
		{"retry", func() (Mail, error) { return s.MarkMailRetry(ctx, seen, t0, errors.New("dial"), t0) }},
		{"failed", func() (Mail, error) { return s.MarkMailFailed(ctx, seen, t0, errors.New("dial")) }},
		{"sending", func() (Mail, error) { return s.MarkMailSending(ctx, seen, t0) }},
	}
	for _, tt := range stale {
		if _, err := tt.mark(); !errors.Is(err, ErrMailStatus) || !strings.Contains(err.Error(), "sending now, no longer queued") {
			t.Errorf("%s from a stale queued view: err = %v; want ErrMailStatus", tt.name, err)
		}
	}
	if m, _, _ := s.MailByID(ctx, seen.ID); m.Status != MailSending || m.Attempts != 0 {
		t.Errorf("mail after stale transitions = %s with %d attempts; want sending, 0", m.Status, m.Attempts)
	}
}

func TestMailRetryBookkeeping(t *testing.T) {
	ctx := context.Background()
	s, _ := openFile(t)
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	m, _, err := s.EnqueueMail(ctx, sampleMail("ack:x"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 2; i++ {
		next := t0.Add(time.Duration(i) * time.Minute)
		m, err = s.MarkMailRetry(ctx, m, t0, fmt.Errorf("dial failed %d", i), next)
		if err != nil {
			t.Fatal(err)
		}
		if m.Attempts != i || !m.NextAttemptAt.Equal(next) || m.LastError != fmt.Sprintf("dial failed %d", i) {
			t.Errorf("after retry %d: attempts %d, next %v, error %q", i, m.Attempts, m.NextAttemptAt, m.LastError)
		}
	}
	if m, err = s.MarkMailSending(ctx, m, t0); err != nil {
		t.Fatal(err)
	}
	sent := t0.Add(3 * time.Minute)
	m, err = s.MarkMailSent(ctx, m, sent, "250 2.0.0 queued as X")
	if err != nil {
		t.Fatal(err)
	}
	if m.Attempts != 3 || !m.SentAt.Equal(sent) || m.ServerReply != "250 2.0.0 queued as X" || m.LastError != "" {
		t.Errorf("sent mail = attempts %d, sent at %v, reply %q, error %q", m.Attempts, m.SentAt, m.ServerReply, m.LastError)
	}
}

func TestResumeMailSendingAfterCrash(t *testing.T) {
	ctx := context.Background()
	s, path := openFile(t)
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	crashed, _, err := s.EnqueueMail(ctx, sampleMail("ack:crashed"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.MarkMailSending(ctx, crashed, t0); err != nil {
		t.Fatal(err)
	}
	busy, _, err := s.EnqueueMail(ctx, sampleMail("ack:busy"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.MarkMailSending(ctx, busy, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}

	// The process dies; the next one finds the mails still sending.
	s = reopen(t, s, path)
	resumed, err := s.ResumeMailSending(ctx, t0.Add(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if len(resumed) != 1 || resumed[0].ID != crashed.ID || resumed[0].Status != MailUnknown ||
		resumed[0].Attempts != 1 || !strings.Contains(resumed[0].LastError, "may have it") {
		t.Fatalf("ResumeMailSending = %+v; want only the crashed mail, unknown", resumed)
	}
	if m, _, _ := s.MailByID(ctx, busy.ID); m.Status != MailSending {
		t.Errorf("a mail sending since after the cutoff became %s; want it left sending", m.Status)
	}
	if due, err := s.DueMail(ctx, t0.Add(24*time.Hour), 10); err != nil || len(due) != 0 {
		t.Errorf("due after resume = %d, %v; want none: unknown is never retried", len(due), err)
	}
	if again, err := s.ResumeMailSending(ctx, t0.Add(30*time.Second)); err != nil || len(again) != 0 {
		t.Errorf("second ResumeMailSending = %d, %v; want nothing", len(again), err)
	}
}

func TestUnreportedMail(t *testing.T) {
	ctx := context.Background()
	s, _ := openFile(t)
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	queued, _, _ := s.EnqueueMail(ctx, sampleMail("q"))
	failed, _, _ := s.EnqueueMail(ctx, sampleMail("f"))
	if _, err := s.MarkMailFailed(ctx, failed, t0, errors.New("550 no such user")); err != nil {
		t.Fatal(err)
	}
	list, err := s.UnreportedMail(ctx, 10)
	if err != nil || len(list) != 1 || list[0].ID != failed.ID {
		t.Fatalf("UnreportedMail = %+v, %v; want the failed mail only", list, err)
	}
	if err := s.MarkMailReported(ctx, failed.ID, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkMailReported(ctx, queued.ID, t0); !errors.Is(err, ErrMailStatus) {
		t.Errorf("MarkMailReported of a queued mail: err = %v; want ErrMailStatus", err)
	}
	if list, err := s.UnreportedMail(ctx, 10); err != nil || len(list) != 0 {
		t.Errorf("UnreportedMail after reporting = %d, %v; want none", len(list), err)
	}
	if m, _, _ := s.MailByID(ctx, failed.ID); !m.ReportedAt.Equal(t0) {
		t.Errorf("ReportedAt = %v; want %v", m.ReportedAt, t0)
	}
	byIssue, err := s.MailsByIssue(ctx, "ietf/liaisons", 12)
	if err != nil || len(byIssue) != 2 {
		t.Errorf("MailsByIssue = %d, %v; want 2", len(byIssue), err)
	}
}
