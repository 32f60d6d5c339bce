package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strconv"
	"sync"
	"time"

	"github.com/rs/zerolog"
	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"github.com/liaisonbot/liaisonbot/internal/store"
)

// Defaults of a Sender.
const (
	DefaultInterval    = 5 * time.Second
	DefaultMaxAttempts = 8
	DefaultFirstRetry  = time.Minute
	DefaultMaxRetry    = time.Hour
	// dataReplyTimeout is how long the server may take to answer the final
	// "." (RFC 5321 4.5.3.2.6 suggests 10 minutes): giving up earlier on a
	// slow server would turn a delivered mail into an unknown one.
	dataReplyTimeout = 10 * time.Minute
	batchSize        = 20
)

// Outcome is what became of a mail.
type Outcome string

// Outcomes reported to Sender.OnResult.
const (
	// Sent: the server accepted the message.
	Sent Outcome = "sent"
	// Retrying: an attempt failed before the message data; the mail waits
	// for its next attempt.
	Retrying Outcome = "retrying"
	// Unknown: an attempt broke off during or after the message data. The
	// server may have the message; it is not retried automatically, a person
	// has to check.
	Unknown Outcome = "unknown"
	// Failed: the mail did not go out and will not be tried again.
	Failed Outcome = "failed"
)

// Result is an outcome with what the caller needs to report it on the issue.
type Result struct {
	Outcome   Outcome
	MessageID string    // the Message-ID header, with angle brackets
	At        time.Time // when it was sent, or when the outcome was recorded
	Next      time.Time // when retrying: the next attempt
	Attempts  int
	Reason    string // when not sent: why
	Reply     string // when sent: the server's reply accepting it
}

// ResultOf is the result the record m stands for. A queued mail is
// Retrying only after a failed attempt; m must not be queued otherwise.
func ResultOf(m store.Mail) Result {
	r := Result{MessageID: m.MessageID, At: m.UpdatedAt, Attempts: m.Attempts, Reason: m.LastError}
	switch m.Status {
	case store.MailSent:
		r.Outcome, r.At, r.Reply = Sent, m.SentAt, m.ServerReply
	case store.MailUnknown:
		r.Outcome = Unknown
	case store.MailFailed:
		r.Outcome = Failed
	default:
		r.Outcome, r.Next = Retrying, m.NextAttemptAt
	}
	return r
}

// Report counts what one round did.
type Report struct {
	Sent, Retrying, Unknown, Failed int
	// Reported counts final outcomes handed to OnResult successfully.
	Reported int
}

func (r *Report) count(o Outcome) {
	switch o {
	case Sent:
		r.Sent++
	case Retrying:
		r.Retrying++
	case Unknown:
		r.Unknown++
	case Failed:
		r.Failed++
	}
}

// Sender sends the outbox's due mails over SMTP. Set its exported fields
// before Run or SendDue; zero values take the defaults.
type Sender struct {
	// OnResult is told each outcome, to report it on the mail's issue. Final
	// outcomes (Sent, Unknown, Failed) are handed over until it returns nil,
	// also after a restart (the store records that they were reported), so
	// it may see one twice and must be idempotent. Retrying is told once per
	// failed attempt, and an error is only logged. It runs inside a round,
	// so it must not call SendDue or Recover; Wake is fine.
	OnResult func(ctx context.Context, m store.Mail, r Result) error
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Interval is how often Run looks for due mail.
	Interval time.Duration
	// MaxAttempts bounds the attempts that fail before the data; the last
	// one fails the mail.
	MaxAttempts int
	// FirstRetry is the wait after the first failed attempt; each further
	// one doubles it, up to MaxRetry.
	FirstRetry, MaxRetry time.Duration

	store *store.Store
	cfg   Config
	wake  chan struct{}

	mu          sync.Mutex // one round at a time
	reportAfter time.Time  // after OnResult failed: when to try again
}

// NewSender makes a sender of st's outbox through the server cfg names.
func NewSender(st *store.Store, cfg Config) (*Sender, error) {
	if st == nil {
		return nil, errors.New("failed to create mail sender: no store")
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("failed to create mail sender: %w", err)
	}
	if _, err := newClient(cfg, nil); err != nil {
		return nil, fmt.Errorf("failed to create mail sender for %s: %w", cfg.Addr, err)
	}
	return &Sender{store: st, cfg: cfg, wake: make(chan struct{}, 1)}, nil
}

// newClient configures go-mail's client, used here only to connect: dial,
// EHLO, STARTTLS by policy, AUTH. dial, when set, opens the connection.
func newClient(cfg Config, dial gomail.DialContextFunc) (*gomail.Client, error) {
	host, portText, _ := net.SplitHostPort(cfg.Addr) // checked by Validate
	port, _ := strconv.Atoi(portText)
	policy := gomail.TLSMandatory
	switch cfg.startTLS() {
	case StartTLSOpportunistic:
		policy = gomail.TLSOpportunistic
	case StartTLSNone:
		policy = gomail.NoTLS
	}
	opts := []gomail.Option{
		gomail.WithPort(port),
		gomail.WithTimeout(cfg.timeout()),
		gomail.WithTLSPolicy(policy),
		gomail.WithTLSConfig(&tls.Config{ServerName: host, RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12}),
	}
	if dial != nil {
		opts = append(opts, gomail.WithDialContextFunc(dial))
	}
	if cfg.HeloName != "" {
		opts = append(opts, gomail.WithHELO(cfg.HeloName))
	}
	if cfg.Username != "" {
		// The strongest mechanism the server offers; PLAIN and LOGIN only
		// over TLS.
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	return gomail.NewClient(host, opts...)
}

func (s *Sender) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Sender) maxAttempts() int {
	if s.MaxAttempts > 0 {
		return s.MaxAttempts
	}
	return DefaultMaxAttempts
}

// backoff is the wait after the attempts-th failed attempt.
func (s *Sender) backoff(attempts int) time.Duration {
	first, limit := s.FirstRetry, s.MaxRetry
	if first <= 0 {
		first = DefaultFirstRetry
	}
	if limit <= 0 {
		limit = DefaultMaxRetry
	}
	d := first
	for i := 1; i < attempts && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// staleAfter is how long a mail can be sending in a live sender: a mail
// sending for longer was left by one that stopped.
func (s *Sender) staleAfter() time.Duration {
	return dataReplyTimeout + 3*s.cfg.timeout() + time.Minute
}

// claimFor is how long an attempt at m can take before the data: the
// connection (one deadline for dial, EHLO, STARTTLS and AUTH), MAIL FROM and
// each RCPT TO are bounded by the timeout each.
func (s *Sender) claimFor(m store.Mail) time.Duration {
	return time.Duration(2+len(m.To)+len(m.Cc))*s.cfg.timeout() + time.Minute
}

// connect dials the server and gets through EHLO, STARTTLS and AUTH. Unlike
// go-mail, it closes the connection when one of those fails.
func (s *Sender) connect(ctx context.Context) (*smtp.Client, error) {
	var (
		d    net.Dialer
		conn net.Conn
	)
	client, err := newClient(s.cfg, func(ctx context.Context, network, addr string) (net.Conn, error) {
		var err error
		conn, err = d.DialContext(ctx, network, addr)
		return conn, err
	})
	if err != nil {
		return nil, err
	}
	c, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		if conn != nil {
			_ = conn.Close()
		}
		return nil, err
	}
	return c, nil
}

// Wake makes Run look for due mail now, as after an enqueue.
func (s *Sender) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run sends due mail until ctx ends: at start, every Interval and when
// woken. It starts with Recover, so call it in one process per store. A
// conversation under way when ctx ends is finished (each step is bounded by
// the timeout) so that its outcome is recorded.
func (s *Sender) Run(ctx context.Context) error {
	interval := s.Interval
	if interval <= 0 {
		interval = DefaultInterval
	}
	log := zerolog.Ctx(ctx)
	if _, err := s.Recover(ctx); err != nil {
		log.Error().Err(err).Msg("Failed to recover mail left sending")
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.SendDue(ctx); err != nil && ctx.Err() == nil {
			log.Error().Err(err).Msg("Failed to send due mail")
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-s.wake:
		}
	}
}

// Recover turns every mail left sending into unknown and reports them: at
// start-up, a mail found sending was being sent when the last process
// stopped, and the server may have it. Call it only where no other process
// is sending from the same store (a live send would be reported unknown,
// though never sent twice); SendDue does the same for mails sending for
// longer than any live send can take.
func (s *Sender) Recover(ctx context.Context) (Report, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.round(ctx, s.now(), false)
}

// SendDue runs one round: mails left sending too long become unknown, each
// due mail gets one attempt, and final outcomes not yet reported go to
// OnResult. The error is the first store error; outcomes of the mails are in
// the report and the store, not in the error.
func (s *Sender) SendDue(ctx context.Context) (Report, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.round(ctx, s.now().Add(-s.staleAfter()), true)
}

func (s *Sender) round(ctx context.Context, staleBefore time.Time, send bool) (Report, error) {
	var rep Report
	stale, err := s.store.ResumeMailSending(ctx, staleBefore)
	if err != nil {
		return rep, err
	}
	for _, m := range stale {
		zerolog.Ctx(ctx).Warn().Str("key", m.Key).Str("message_id", m.MessageID).
			Msg("Mail was left sending; its outcome is unknown")
		rep.Unknown++
	}
	if send {
		due, err := s.store.DueMail(ctx, s.now(), batchSize)
		if err != nil {
			return rep, err
		}
		for _, m := range due {
			if ctx.Err() != nil {
				break
			}
			out, err := s.attempt(ctx, m)
			if err != nil {
				return rep, err
			}
			rep.count(out)
		}
	}
	n, err := s.report(ctx)
	rep.Reported = n
	return rep, err
}

// report hands final outcomes not yet reported to OnResult. After a failure
// it pauses for a while rather than retry every round.
func (s *Sender) report(ctx context.Context) (int, error) {
	if s.OnResult == nil || s.now().Before(s.reportAfter) {
		return 0, nil
	}
	list, err := s.store.UnreportedMail(ctx, batchSize)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range list {
		if err := s.OnResult(ctx, m, ResultOf(m)); err != nil {
			zerolog.Ctx(ctx).Error().Err(err).Str("key", m.Key).Msg("Failed to report mail outcome")
			s.reportAfter = s.now().Add(time.Minute)
			return n, nil
		}
		if err := s.store.MarkMailReported(context.WithoutCancel(ctx), m.ID, s.now()); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// attempt makes one attempt at m and records its outcome; "" means none was
// recorded (someone else had the mail, or ctx ended before the data). The
// error is a store error only.
func (s *Sender) attempt(ctx context.Context, m store.Mail) (Outcome, error) {
	log := zerolog.Ctx(ctx).With().Str("key", m.Key).Str("message_id", m.MessageID).Logger()
	now := s.now()
	// The claim keeps other senders off the mail while this one works
	// before the data; MarkMailSending decides in any case.
	m, ok, err := s.store.ClaimMail(ctx, m, now, now.Add(s.claimFor(m)))
	if err != nil || !ok {
		return "", err
	}
	raw, env, err := compose(m, now)
	if err != nil {
		return s.fail(ctx, m, fmt.Errorf("failed to compose the message: %w", err))
	}

	c, err := s.connect(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return "", nil // stopping; the claim expires and the mail is due again
		}
		return s.retry(ctx, m, fmt.Errorf("failed to connect to %s: %w", s.cfg.Addr, err))
	}
	timeout := s.cfg.timeout()
	defer func() {
		// QUIT is a courtesy; its failure changes nothing.
		_ = c.UpdateDeadline(timeout)
		_ = c.Quit()
		_ = c.Close()
	}()
	_ = c.UpdateDeadline(timeout)
	if err := c.Mail(env.from); err != nil {
		return s.refused(ctx, m, "MAIL FROM:"+env.from, err)
	}
	for _, rcpt := range env.rcpts {
		_ = c.UpdateDeadline(timeout)
		if err := c.Rcpt(rcpt); err != nil {
			_ = c.Reset()
			return s.refused(ctx, m, "RCPT TO:"+rcpt, err)
		}
	}
	if ctx.Err() != nil {
		_ = c.Reset()
		return "", nil
	}

	// From here on the server may end up with the message. Record that
	// first, and finish recording whatever happens to ctx.
	m, err = s.store.MarkMailSending(ctx, m, s.now())
	if errors.Is(err, store.ErrMailStatus) {
		_ = c.Reset()
		log.Info().Err(err).Msg("Mail taken by another sender")
		return "", nil
	}
	if err != nil {
		_ = c.Reset()
		return "", err // still queued and claimed: nothing was sent
	}
	ctx = context.WithoutCancel(ctx)

	_ = c.UpdateDeadline(timeout)
	w, err := c.Data()
	if err != nil {
		// The DATA command was refused or not answered: none of the message
		// was written, so the server has no copy.
		return s.refused(ctx, m, "DATA", err)
	}
	_ = c.UpdateDeadline(max(timeout, dataReplyTimeout))
	if _, err := w.Write(raw); err != nil {
		_ = c.Close()
		return s.unknown(ctx, m, fmt.Errorf("failed while writing the message data: %w", err))
	}
	if err := w.Close(); err != nil {
		if code := replyCode(err); code >= 500 {
			return s.fail(ctx, m, fmt.Errorf("the server refused the message after its data: %w", err))
		}
		return s.unknown(ctx, m, fmt.Errorf("no confirmation from the server after the message data: %w", err))
	}
	reply := ""
	if dc, ok := w.(*smtp.DataCloser); ok {
		reply = dc.ServerResponse()
	}
	if _, err := s.store.MarkMailSent(ctx, m, s.now(), reply); err != nil {
		// Sent, but not recorded: left sending, the sweep reports it
		// unknown. Never twice.
		return "", err
	}
	log.Info().Str("reply", reply).Msg("Mail sent")
	return Sent, nil
}

// refused handles a failure before the message data: a permanent refusal
// (5xx) fails the mail at once, as asking again would get the same answer;
// anything else (4xx, a broken connection) is retried.
func (s *Sender) refused(ctx context.Context, m store.Mail, step string, err error) (Outcome, error) {
	if replyCode(err) >= 500 {
		return s.fail(ctx, m, fmt.Errorf("the server refused %s: %w", step, err))
	}
	return s.retry(ctx, m, fmt.Errorf("failed at %s: %w", step, err))
}

// retry queues m for its next attempt, or fails it after the last one.
func (s *Sender) retry(ctx context.Context, m store.Mail, cause error) (Outcome, error) {
	attempts := m.Attempts + 1
	if attempts >= s.maxAttempts() {
		return s.fail(ctx, m, fmt.Errorf("gave up after %d attempts: %w", attempts, cause))
	}
	now := s.now()
	m, err := s.store.MarkMailRetry(ctx, m, now, cause, now.Add(s.backoff(attempts)))
	if errors.Is(err, store.ErrMailStatus) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	zerolog.Ctx(ctx).Warn().Err(cause).Str("key", m.Key).Time("next", m.NextAttemptAt).Msg("Mail not sent; will retry")
	if s.OnResult != nil {
		if err := s.OnResult(ctx, m, ResultOf(m)); err != nil {
			zerolog.Ctx(ctx).Error().Err(err).Str("key", m.Key).Msg("Failed to report mail retry")
		}
	}
	return Retrying, nil
}

func (s *Sender) fail(ctx context.Context, m store.Mail, cause error) (Outcome, error) {
	_, err := s.store.MarkMailFailed(ctx, m, s.now(), cause)
	if errors.Is(err, store.ErrMailStatus) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	zerolog.Ctx(ctx).Error().Err(cause).Str("key", m.Key).Msg("Mail failed")
	return Failed, nil
}

func (s *Sender) unknown(ctx context.Context, m store.Mail, cause error) (Outcome, error) {
	_, err := s.store.MarkMailUnknown(ctx, m, s.now(), cause)
	if errors.Is(err, store.ErrMailStatus) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	zerolog.Ctx(ctx).Error().Err(cause).Str("key", m.Key).Msg("Mail outcome unknown; not retried")
	return Unknown, nil
}

// replyCode is the SMTP reply code in err, or 0 when err is not a reply
// (a network error, a timeout).
func replyCode(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}
