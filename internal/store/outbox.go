package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
)

// Mail statuses in the outbox. The statuses record how far sending got, so
// that no mail is ever sent twice:
//
//   - MailQueued: waiting for its next attempt. No server has a copy.
//   - MailSending: set before the SMTP DATA command. From here on a server may
//     have the message, so a mail left in this status (a crash) becomes
//     MailUnknown, never MailQueued.
//   - MailSent: the server accepted the message data.
//   - MailUnknown: the attempt broke off during or after the data; the
//     server may or may not have the message. Never retried automatically.
//   - MailFailed: it did not go out: too many attempts failed before the
//     data, or a server refused it for good.
const (
	MailQueued  = "queued"
	MailSending = "sending"
	MailSent    = "sent"
	MailUnknown = "unknown"
	MailFailed  = "failed"
)

// ErrMailStatus is wrapped by errors from outbox transitions that the mail's
// current status does not allow, such as marking a sent mail as sending. For
// a sender it means someone else took the mail: it must leave it alone.
var ErrMailStatus = errors.New("mail is not in a status that allows this")

// Mail is one message in the outbox.
type Mail struct {
	ID int64
	// Key makes enqueueing idempotent, as "ack:owner/repo#12": there is at
	// most one mail per key.
	Key string
	// Repo and Issue are the issue the mail belongs to, where its outcome is
	// reported.
	Repo  string
	Issue int
	// From, ReplyTo and each of To and Cc are RFC 5322 addresses, as
	// "Jane Doe <jane@example.org>" or "jane@example.org". ReplyTo is
	// optional.
	From    string
	ReplyTo string
	To      []string
	Cc      []string
	Subject string
	Body    string // plain text
	// MessageID is the Message-ID header with its angle brackets. It is
	// generated at enqueue, unless given, and kept across attempts, so the
	// issue can name the message before it is sent and the recipients can
	// match it.
	MessageID string
	Status    string
	// Attempts counts the finished attempts to send.
	Attempts  int
	LastError string
	// ServerReply is the server's reply accepting the message data.
	ServerReply   string
	NextAttemptAt time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
	SentAt        time.Time // zero unless sent
	ReportedAt    time.Time // zero until the final outcome was reported
}

// Final reports whether m's status is an outcome that no longer changes by
// itself: sent, unknown or failed.
func (m Mail) Final() bool {
	return m.Status == MailSent || m.Status == MailUnknown || m.Status == MailFailed
}

const mailColumns = `id, mail_key, repo, issue, from_addr, reply_to, to_addrs, cc_addrs, subject, body,
	message_id, status, attempts, last_error, server_reply, next_attempt_at, created_at, updated_at,
	sent_at, reported_at`

// scanMail reads one row of mailColumns.
func scanMail(row interface{ Scan(...any) error }) (Mail, error) {
	var (
		m                                  Mail
		to, cc                             string
		next, created, updated, sent, repd string
	)
	if err := row.Scan(&m.ID, &m.Key, &m.Repo, &m.Issue, &m.From, &m.ReplyTo, &to, &cc,
		&m.Subject, &m.Body, &m.MessageID, &m.Status, &m.Attempts, &m.LastError, &m.ServerReply,
		&next, &created, &updated, &sent, &repd); err != nil {
		return Mail{}, err
	}
	if err := json.Unmarshal([]byte(to), &m.To); err != nil {
		return Mail{}, fmt.Errorf("invalid stored recipients of mail %d: %w", m.ID, err)
	}
	if err := json.Unmarshal([]byte(cc), &m.Cc); err != nil {
		return Mail{}, fmt.Errorf("invalid stored copy recipients of mail %d: %w", m.ID, err)
	}
	var err error
	for _, f := range []struct {
		dst *time.Time
		s   string
	}{{&m.NextAttemptAt, next}, {&m.CreatedAt, created}, {&m.UpdatedAt, updated}, {&m.SentAt, sent}, {&m.ReportedAt, repd}} {
		if f.s == "" {
			continue
		}
		if *f.dst, err = parseTime(f.s); err != nil {
			return Mail{}, err
		}
	}
	return m, nil
}

// EnqueueMail records m as queued, due at m.NextAttemptAt (default: now),
// and returns the stored mail with created true. When a mail with m.Key
// exists already, whatever its status, nothing changes: it returns that mail
// with created false, so a repeated request never sends a second copy.
//
// The addresses must parse as RFC 5322 addresses; a header value with a raw
// CR or LF does not, so nothing that could add a header is stored. Status,
// attempts and the other bookkeeping fields of m are ignored.
func (s *Store) EnqueueMail(ctx context.Context, m Mail) (Mail, bool, error) {
	if err := validMail(&m); err != nil {
		return Mail{}, false, fmt.Errorf("failed to enqueue mail %q: %w", m.Key, err)
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = s.now()
	}
	if m.NextAttemptAt.IsZero() {
		m.NextAttemptAt = m.CreatedAt
	}
	if m.MessageID == "" {
		id, err := newMessageID(m.From)
		if err != nil {
			return Mail{}, false, fmt.Errorf("failed to enqueue mail %q: %w", m.Key, err)
		}
		m.MessageID = id
	}
	to, err := json.Marshal(mailAddrs(m.To))
	if err != nil {
		return Mail{}, false, fmt.Errorf("failed to enqueue mail %q: %w", m.Key, err)
	}
	cc, err := json.Marshal(mailAddrs(m.Cc))
	if err != nil {
		return Mail{}, false, fmt.Errorf("failed to enqueue mail %q: %w", m.Key, err)
	}
	created := formatTime(m.CreatedAt)
	res, err := s.db.ExecContext(ctx, `
		INSERT INTO outbox (mail_key, repo, issue, from_addr, reply_to, to_addrs, cc_addrs, subject, body,
			message_id, status, attempts, last_error, server_reply, next_attempt_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, '', '', $12, $13, $13)
		ON CONFLICT (mail_key) DO NOTHING`,
		m.Key, m.Repo, m.Issue, m.From, m.ReplyTo, string(to), string(cc), m.Subject, m.Body,
		m.MessageID, MailQueued, formatTime(m.NextAttemptAt), created)
	if err != nil {
		return Mail{}, false, fmt.Errorf("failed to enqueue mail %q: %w", m.Key, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return Mail{}, false, fmt.Errorf("failed to enqueue mail %q: %w", m.Key, err)
	}
	stored, ok, err := s.Mail(ctx, m.Key)
	if err != nil {
		return Mail{}, false, err
	}
	if !ok {
		return Mail{}, false, fmt.Errorf("failed to enqueue mail %q: not found after insert", m.Key)
	}
	return stored, n == 1, nil
}

// Mail is the mail with key; ok is false when there is none.
func (s *Store) Mail(ctx context.Context, key string) (m Mail, ok bool, err error) {
	m, err = scanMail(s.db.QueryRowContext(ctx, `SELECT `+mailColumns+` FROM outbox WHERE mail_key = $1`, key))
	if errors.Is(err, sql.ErrNoRows) {
		return Mail{}, false, nil
	}
	if err != nil {
		return Mail{}, false, fmt.Errorf("failed to read mail %q: %w", key, err)
	}
	return m, true, nil
}

// MailByID is the mail with id; ok is false when there is none.
func (s *Store) MailByID(ctx context.Context, id int64) (m Mail, ok bool, err error) {
	m, err = scanMail(s.db.QueryRowContext(ctx, `SELECT `+mailColumns+` FROM outbox WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Mail{}, false, nil
	}
	if err != nil {
		return Mail{}, false, fmt.Errorf("failed to read mail %d: %w", id, err)
	}
	return m, true, nil
}

// DueMail lists up to limit queued mails whose next attempt is due at now,
// the longest waiting first.
func (s *Store) DueMail(ctx context.Context, now time.Time, limit int) ([]Mail, error) {
	return s.listMail(ctx, "due mail", `
		SELECT `+mailColumns+` FROM outbox
		WHERE status = $1 AND next_attempt_at <= $2
		ORDER BY next_attempt_at, id LIMIT $3`,
		MailQueued, formatTime(now), limit)
}

// MailsByStatus lists up to limit mails in status, the oldest first, for
// reports.
func (s *Store) MailsByStatus(ctx context.Context, status string, limit int) ([]Mail, error) {
	if !validMailStatus(status) {
		return nil, fmt.Errorf("failed to list mail: unknown status %q", status)
	}
	return s.listMail(ctx, status+" mail", `
		SELECT `+mailColumns+` FROM outbox WHERE status = $1 ORDER BY created_at, id LIMIT $2`,
		status, limit)
}

// MailsByIssue lists the mails of an issue, the oldest first.
func (s *Store) MailsByIssue(ctx context.Context, repo string, issue int) ([]Mail, error) {
	return s.listMail(ctx, fmt.Sprintf("mail of %s#%d", repo, issue), `
		SELECT `+mailColumns+` FROM outbox WHERE repo = $1 AND issue = $2 ORDER BY created_at, id`,
		repo, issue)
}

// UnreportedMail lists up to limit mails with a final outcome that was not
// yet reported, the oldest first.
func (s *Store) UnreportedMail(ctx context.Context, limit int) ([]Mail, error) {
	return s.listMail(ctx, "unreported mail", `
		SELECT `+mailColumns+` FROM outbox
		WHERE status IN ($1, $2, $3) AND reported_at = ''
		ORDER BY updated_at, id LIMIT $4`,
		MailSent, MailUnknown, MailFailed, limit)
}

func (s *Store) listMail(ctx context.Context, what, query string, args ...any) ([]Mail, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("failed to list %s: %w", what, err)
	}
	defer rows.Close()
	var out []Mail
	for rows.Next() {
		m, err := scanMail(rows)
		if err != nil {
			return nil, fmt.Errorf("failed to list %s: %w", what, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("failed to list %s: %w", what, err)
	}
	return out, nil
}

// ClaimMail reserves a due queued mail for one sender until until, by moving
// its next attempt there, so that other senders' DueMail skip it meanwhile,
// and returns it as claimed. claimed is false when the mail is not queued and
// due at now any more: someone else has it. A claim that is not followed by
// another transition (the sender died before the data) simply expires: the
// mail is due again.
func (s *Store) ClaimMail(ctx context.Context, m Mail, now, until time.Time) (claimed Mail, ok bool, err error) {
	claimed, err = scanMail(s.db.QueryRowContext(ctx, `
		UPDATE outbox SET next_attempt_at = $1, updated_at = $2
		WHERE id = $3 AND status = $4 AND next_attempt_at <= $2
		RETURNING `+mailColumns,
		formatTime(until), formatTime(now), m.ID, MailQueued))
	if errors.Is(err, sql.ErrNoRows) {
		return Mail{}, false, nil
	}
	if err != nil {
		return Mail{}, false, fmt.Errorf("failed to claim mail %d: %w", m.ID, err)
	}
	return claimed, true, nil
}

// The transitions below take the mail as the caller last saw it and change
// it only if it is still in that status (compare and set), so that a sender
// acts only on the state it knows: one that saw a mail queued cannot move it
// back out of sending when another sender has taken it meanwhile. They fail
// with ErrMailStatus when the mail has moved on or its status does not allow
// the transition, and return the changed mail.

// MarkMailSending records, at at, that the SMTP DATA command is about to be
// sent for a queued mail. It must be committed before that command: from
// then on the outcome may be unknown. Only one sender can win it.
func (s *Store) MarkMailSending(ctx context.Context, m Mail, at time.Time) (Mail, error) {
	return s.transition(ctx, m, "mark mail sending", []string{MailQueued}, `
		UPDATE outbox SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4`,
		MailSending, formatTime(at), m.ID, m.Status)
}

// MarkMailSent records that the server accepted the data of a sending mail
// at at, with its reply.
func (s *Store) MarkMailSent(ctx context.Context, m Mail, at time.Time, reply string) (Mail, error) {
	t := formatTime(at)
	return s.transition(ctx, m, "mark mail sent", []string{MailSending}, `
		UPDATE outbox SET status = $1, attempts = attempts + 1, last_error = '', server_reply = $2,
			sent_at = $3, updated_at = $3
		WHERE id = $4 AND status = $5`,
		MailSent, reply, t, m.ID, m.Status)
}

// MarkMailRetry records a failed attempt that ended before the message data
// (the server has no copy) and queues the mail again for next. It is allowed
// from sending too, for a DATA command the server refused.
func (s *Store) MarkMailRetry(ctx context.Context, m Mail, at time.Time, cause error, next time.Time) (Mail, error) {
	return s.transition(ctx, m, "mark mail for retry", []string{MailQueued, MailSending}, `
		UPDATE outbox SET status = $1, attempts = attempts + 1, last_error = $2, next_attempt_at = $3,
			updated_at = $4
		WHERE id = $5 AND status = $6`,
		MailQueued, mailCause(cause), formatTime(next), formatTime(at), m.ID, m.Status)
}

// MarkMailUnknown records that an attempt broke off during or after the
// message data of a sending mail: it is not known whether the server has
// the message, so it is not retried.
func (s *Store) MarkMailUnknown(ctx context.Context, m Mail, at time.Time, cause error) (Mail, error) {
	return s.transition(ctx, m, "mark mail outcome unknown", []string{MailSending}, `
		UPDATE outbox SET status = $1, attempts = attempts + 1, last_error = $2, updated_at = $3
		WHERE id = $4 AND status = $5`,
		MailUnknown, mailCause(cause), formatTime(at), m.ID, m.Status)
}

// MarkMailFailed records that a queued or sending mail did not go out and
// will not be tried again: its last attempt failed with cause.
func (s *Store) MarkMailFailed(ctx context.Context, m Mail, at time.Time, cause error) (Mail, error) {
	return s.transition(ctx, m, "mark mail failed", []string{MailQueued, MailSending}, `
		UPDATE outbox SET status = $1, attempts = attempts + 1, last_error = $2, updated_at = $3
		WHERE id = $4 AND status = $5`,
		MailFailed, mailCause(cause), formatTime(at), m.ID, m.Status)
}

// RequeueMail queues a failed or unknown mail again, due at now, with its
// attempts reset and its Message-ID kept. For an unknown mail this must be a
// person's decision, made after checking that the message did not arrive;
// nothing in the app calls it by itself.
func (s *Store) RequeueMail(ctx context.Context, m Mail, now time.Time) (Mail, error) {
	t := formatTime(now)
	return s.transition(ctx, m, "requeue mail", []string{MailFailed, MailUnknown}, `
		UPDATE outbox SET status = $1, attempts = 0, last_error = '', next_attempt_at = $2,
			updated_at = $2, reported_at = ''
		WHERE id = $3 AND status = $4`,
		MailQueued, t, m.ID, m.Status)
}

// MarkMailReported records that the final outcome of mail id was reported at
// at, so that it is reported once.
func (s *Store) MarkMailReported(ctx context.Context, id int64, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `
		UPDATE outbox SET reported_at = $1 WHERE id = $2 AND status IN ($3, $4, $5)`,
		formatTime(at), id, MailSent, MailUnknown, MailFailed)
	if err != nil {
		return fmt.Errorf("failed to mark mail %d reported: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("failed to mark mail %d reported: %w", id, err)
	} else if n == 1 {
		return nil
	}
	cur, ok, err := s.MailByID(ctx, id)
	if err != nil {
		return fmt.Errorf("failed to mark mail %d reported: %w", id, err)
	}
	if !ok {
		return fmt.Errorf("failed to mark mail %d reported: %w", id, ErrNotFound)
	}
	return fmt.Errorf("failed to mark mail %d reported: it is %s, which is not final: %w", id, cur.Status, ErrMailStatus)
}

// ResumeMailSending turns the mails that have been sending since before
// before into unknown and returns them. Call it at start-up, and with a
// cutoff well past the longest possible send for mails another process may
// still be sending: a mail left sending by a crash may or may not have
// reached the server, so it must never be sent again by itself.
func (s *Store) ResumeMailSending(ctx context.Context, before time.Time) ([]Mail, error) {
	now := formatTime(s.now())
	rows, err := s.db.QueryContext(ctx, `
		UPDATE outbox SET status = $1, attempts = attempts + 1, last_error = $2, updated_at = $3
		WHERE status = $4 AND updated_at < $5
		RETURNING `+mailColumns,
		MailUnknown, "the sender stopped while sending the message data; the server may have it",
		now, MailSending, formatTime(before))
	if err != nil {
		return nil, fmt.Errorf("failed to resume mail left sending: %w", err)
	}
	defer rows.Close()
	var out []Mail
	for rows.Next() {
		m, err := scanMail(rows)
		if err != nil {
			return nil, fmt.Errorf("failed to resume mail left sending: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("failed to resume mail left sending: %w", err)
	}
	return out, nil
}

// transition runs update, which must change mail m if it is still in
// m.Status, after checking that m.Status is one of from, and returns the
// changed mail. When nothing changed it tells a missing mail (ErrNotFound)
// from one that moved on (ErrMailStatus).
func (s *Store) transition(ctx context.Context, m Mail, what string, from []string, update string, args ...any) (Mail, error) {
	if !slices.Contains(from, m.Status) {
		return Mail{}, fmt.Errorf("failed to %s %d: it is %s, not %s: %w",
			what, m.ID, m.Status, strings.Join(from, " or "), ErrMailStatus)
	}
	changed, err := scanMail(s.db.QueryRowContext(ctx, update+` RETURNING `+mailColumns, args...))
	if err == nil {
		return changed, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return Mail{}, fmt.Errorf("failed to %s %d: %w", what, m.ID, err)
	}
	cur, ok, err := s.MailByID(ctx, m.ID)
	if err != nil {
		return Mail{}, fmt.Errorf("failed to %s %d: %w", what, m.ID, err)
	}
	if !ok {
		return Mail{}, fmt.Errorf("failed to %s %d: %w", what, m.ID, ErrNotFound)
	}
	return Mail{}, fmt.Errorf("failed to %s %d: it is %s now, no longer %s: %w",
		what, m.ID, cur.Status, m.Status, ErrMailStatus)
}

// validMail checks what EnqueueMail stores, naming the field at fault.
func validMail(m *Mail) error {
	if m.Key == "" {
		return errors.New("empty key")
	}
	if strings.ContainsFunc(m.Key, isMailCtl) {
		return errors.New("key contains a control character")
	}
	if m.Repo == "" {
		return errors.New("empty repository name")
	}
	if m.Issue <= 0 {
		return fmt.Errorf("invalid issue number %d", m.Issue)
	}
	if m.From == "" {
		return errors.New("no From address")
	}
	if err := validAddress("From", m.From); err != nil {
		return err
	}
	if m.ReplyTo != "" {
		if err := validAddress("Reply-To", m.ReplyTo); err != nil {
			return err
		}
	}
	if len(m.To) == 0 {
		return errors.New("no To address")
	}
	for _, a := range m.To {
		if err := validAddress("To", a); err != nil {
			return err
		}
	}
	for _, a := range m.Cc {
		if err := validAddress("Cc", a); err != nil {
			return err
		}
	}
	if strings.TrimSpace(m.Subject) == "" {
		return errors.New("empty subject")
	}
	if m.MessageID != "" {
		if err := validMessageID(m.MessageID); err != nil {
			return err
		}
	}
	return nil
}

// validAddress checks one RFC 5322 address. net/mail refuses a raw CR or LF,
// so an address that passes cannot start a header of its own.
func validAddress(field, a string) error {
	if strings.ContainsFunc(a, isMailCtl) {
		return fmt.Errorf("invalid %s address %q: it contains a control character", field, a)
	}
	if _, err := mail.ParseAddress(a); err != nil {
		return fmt.Errorf("invalid %s address %q: %w", field, a, err)
	}
	return nil
}

// validMessageID checks a given Message-ID: "<left@right>", printable ASCII
// without spaces.
func validMessageID(id string) error {
	inner, ok := strings.CutPrefix(id, "<")
	if ok {
		inner, ok = strings.CutSuffix(inner, ">")
	}
	left, right, at := strings.Cut(inner, "@")
	if !ok || !at || left == "" || right == "" ||
		strings.ContainsFunc(inner, func(r rune) bool { return r <= ' ' || r >= 0x7f || r == '<' || r == '>' }) {
		return fmt.Errorf("invalid Message-ID %q: want <left@right> in printable ASCII", id)
	}
	return nil
}

// newMessageID makes "<random@domain>" with the domain of from, so that the
// id is unique (128 random bits) and names the sender's domain as RFC 5322
// recommends. A domain that is not plain ASCII is replaced by
// "liaisonbot.invalid", as an id must be ASCII.
func newMessageID(from string) (string, error) {
	a, err := mail.ParseAddress(from)
	if err != nil {
		return "", fmt.Errorf("invalid From address %q: %w", from, err)
	}
	domain := "liaisonbot.invalid"
	if i := strings.LastIndexByte(a.Address, '@'); i >= 0 {
		d := a.Address[i+1:]
		if d != "" && !strings.ContainsFunc(d, func(r rune) bool {
			return !(r == '.' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
		}) {
			domain = strings.ToLower(d)
		}
	}
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("failed to generate a Message-ID: %w", err)
	}
	left := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
	return "<" + left + "@" + domain + ">", nil
}

func validMailStatus(s string) bool {
	switch s {
	case MailQueued, MailSending, MailSent, MailUnknown, MailFailed:
		return true
	}
	return false
}

func isMailCtl(r rune) bool { return r < ' ' || r == 0x7f }

func mailCause(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func mailAddrs(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
