package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	netmail "net/mail"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/liaisonbot/liaisonbot/internal/store"
)

func ackMail(key string) store.Mail {
	return store.Mail{
		Key:     key,
		Repo:    "ietf/liaisons",
		Issue:   12,
		From:    "Liaison Manager <manager@ietf.org>",
		ReplyTo: "Liaison Manager <manager@ietf.org>",
		To:      []string{"ITU-T SG17 <tsb-sg17@itu.int>", "chair@example.org"},
		Cc:      []string{"liaison-coordination@iab.org"},
		Subject: "Acknowledgement of LS 2001: Quantum-safe transition",
		Body:    "Dear colleagues,\n\nWe acknowledge receipt of your liaison statement.\n.\nA line with a lone dot, and a long line: " + strings.Repeat("word ", 30) + "\n\nBest regards,\nThe liaison manager\n",
	}
}

// parsed is a received message read back as a mail client would.
type parsed struct {
	msg  *netmail.Message
	body string
	raw  string
}

func parse(t *testing.T, data []byte) parsed {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("received message does not parse: %v\n%s", err, data)
	}
	var body []byte
	switch cte := msg.Header.Get("Content-Transfer-Encoding"); strings.ToLower(cte) {
	case "quoted-printable":
		body, err = io.ReadAll(quotedprintable.NewReader(msg.Body))
	default:
		t.Fatalf("Content-Transfer-Encoding = %q; want quoted-printable", cte)
	}
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return parsed{msg: msg, body: strings.ReplaceAll(string(body), "\r\n", "\n"), raw: string(data)}
}

// headerNames lists the field names of the raw header block, in order, and
// checks that every other line is a continuation.
func headerNames(t *testing.T, raw string) []string {
	t.Helper()
	head, _, ok := strings.Cut(raw, "\r\n\r\n")
	if !ok {
		t.Fatalf("no end of header in %q", raw)
	}
	var names []string
	for _, line := range strings.Split(head, "\r\n") {
		if strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t") {
			continue
		}
		name, _, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("header line %q is neither a field nor a continuation", line)
		}
		names = append(names, strings.ToLower(name))
	}
	return names
}

func addresses(t *testing.T, p parsed, field string) []string {
	t.Helper()
	list, err := p.msg.Header.AddressList(field)
	if err != nil {
		t.Fatalf("%s: %v", field, err)
	}
	var out []string
	for _, a := range list {
		out = append(out, a.String())
	}
	return out
}

func TestSendArrivesOnceWithTheRecordedHeaders(t *testing.T) {
	var r *rig
	var statusAtData string
	srv := startServer(t, "127.0.0.1:0", nil, func(ts *testServer) {
		ts.data = func(_ *gosmtp.Conn, _ []byte) error {
			// The store must say sending before the server can have
			// the message.
			statusAtData = r.mail("ack:ietf/liaisons#12").Status
			return nil
		}
	})
	r = newRig(t, plainConfig(srv.addr))
	queued := r.enqueue(ackMail("ack:ietf/liaisons#12"))

	if rep := r.round(); rep != (Report{Sent: 1, Reported: 1}) {
		t.Fatalf("first round = %+v; want one sent and reported", rep)
	}
	for i := 0; i < 3; i++ {
		r.clk.Add(time.Hour)
		if rep := r.round(); rep != (Report{}) {
			t.Fatalf("later round = %+v; want nothing", rep)
		}
	}
	got := srv.received()
	if len(got) != 1 {
		t.Fatalf("server received %d messages; want 1", len(got))
	}
	if statusAtData != store.MailSending {
		t.Errorf("store status while the server read the data = %q; want sending", statusAtData)
	}
	rec := got[0]
	if rec.from != "manager@ietf.org" {
		t.Errorf("MAIL FROM = %q; want manager@ietf.org", rec.from)
	}
	if want := []string{"tsb-sg17@itu.int", "chair@example.org", "liaison-coordination@iab.org"}; !slices.Equal(rec.rcpts, want) {
		t.Errorf("RCPT TO = %q; want %q", rec.rcpts, want)
	}

	p := parse(t, rec.data)
	h := p.msg.Header
	if s := h.Get("Subject"); s != "Acknowledgement of LS 2001: Quantum-safe transition" {
		t.Errorf("Subject = %q", s)
	}
	for _, tt := range []struct {
		field string
		want  []string
	}{
		{"From", []string{`"Liaison Manager" <manager@ietf.org>`}},
		{"Reply-To", []string{`"Liaison Manager" <manager@ietf.org>`}},
		{"To", []string{`"ITU-T SG17" <tsb-sg17@itu.int>`, "<chair@example.org>"}},
		{"Cc", []string{"<liaison-coordination@iab.org>"}},
	} {
		if got := addresses(t, p, tt.field); !slices.Equal(got, tt.want) {
			t.Errorf("%s = %q; want %q", tt.field, got, tt.want)
		}
	}
	if id := h.Get("Message-Id"); id != queued.MessageID || !strings.HasSuffix(id, "@ietf.org>") {
		t.Errorf("Message-ID = %q; want the recorded %q", id, queued.MessageID)
	}
	if d, err := h.Date(); err != nil || !d.Equal(t0) {
		t.Errorf("Date = %v, %v; want %v", d, err, t0)
	}
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "text/plain" || !strings.EqualFold(params["charset"], "utf-8") {
		t.Errorf("Content-Type = %q; want text/plain; charset=utf-8", h.Get("Content-Type"))
	}
	if p.body != ackMail("").Body {
		t.Errorf("body = %q\nwant %q", p.body, ackMail("").Body)
	}
	names := headerNames(t, p.raw)
	for _, n := range []string{"bcc", "content-disposition"} {
		if slices.Contains(names, n) {
			t.Errorf("unexpected header %s in %q", n, names)
		}
	}

	sent := r.mail("ack:ietf/liaisons#12")
	if sent.Status != store.MailSent || sent.Attempts != 1 || !sent.SentAt.Equal(t0) || sent.ServerReply == "" {
		t.Errorf("stored mail = %s, %d attempts, sent %v, reply %q; want sent once at %v with the reply",
			sent.Status, sent.Attempts, sent.SentAt, sent.ServerReply, t0)
	}
	if outs := r.res.outcomes(); !slices.Equal(outs, []Outcome{Sent}) {
		t.Fatalf("OnResult outcomes = %v; want one sent", outs)
	}
	if res := r.res.last(); res.MessageID != queued.MessageID || !res.At.Equal(t0) || res.Attempts != 1 {
		t.Errorf("sent result = %+v; want Message-ID %s at %v", res, queued.MessageID, t0)
	}
}

func TestSameKeyTwiceSendsOnce(t *testing.T) {
	srv := startServer(t, "127.0.0.1:0", nil, nil)
	r := newRig(t, plainConfig(srv.addr))
	first := r.enqueue(ackMail("ack:ietf/liaisons#7"))
	second := r.enqueue(ackMail("ack:ietf/liaisons#7"))
	if second.ID != first.ID {
		t.Fatalf("second enqueue made mail %d; want the first, %d", second.ID, first.ID)
	}
	r.round()
	r.enqueue(ackMail("ack:ietf/liaisons#7")) // again after it was sent
	r.clk.Add(time.Minute)
	r.round()
	if n := len(srv.received()); n != 1 {
		t.Errorf("server received %d messages; want 1", n)
	}
}

func TestServerDownThenUpSendsOnce(t *testing.T) {
	addr := freeAddr(t)
	r := newRig(t, plainConfig(addr))
	r.enqueue(ackMail("ack:down"))

	if rep := r.round(); rep.Retrying != 1 || rep.Sent != 0 {
		t.Fatalf("round with the server down = %+v; want one retrying", rep)
	}
	m := r.mail("ack:down")
	if m.Status != store.MailQueued || m.Attempts != 1 || !m.NextAttemptAt.Equal(t0.Add(time.Minute)) ||
		!strings.Contains(m.LastError, "failed to connect to "+addr) {
		t.Fatalf("after a refused connection: %s, %d attempts, next %v, error %q; want queued, 1, %v",
			m.Status, m.Attempts, m.NextAttemptAt, m.LastError, t0.Add(time.Minute))
	}
	if res := r.res.last(); res.Outcome != Retrying || !res.Next.Equal(t0.Add(time.Minute)) || res.Reason == "" {
		t.Errorf("OnResult = %+v; want retrying at %v with a reason", res, t0.Add(time.Minute))
	}

	srv := startServer(t, addr, nil, nil)
	r.clk.Add(30 * time.Second)
	if rep := r.round(); rep != (Report{}) {
		t.Errorf("round before the retry is due = %+v; want nothing", rep)
	}
	if n := len(srv.received()); n != 0 {
		t.Fatalf("server received %d messages before the retry was due", n)
	}
	r.clk.Add(30 * time.Second)
	if rep := r.round(); rep.Sent != 1 {
		t.Fatalf("round when due = %+v; want sent", rep)
	}
	for i := 0; i < 3; i++ {
		r.clk.Add(time.Hour)
		r.round()
	}
	if n := len(srv.received()); n != 1 {
		t.Errorf("server received %d messages; want 1", n)
	}
	if m := r.mail("ack:down"); m.Status != store.MailSent || m.Attempts != 2 {
		t.Errorf("stored mail = %s after %d attempts; want sent after 2", m.Status, m.Attempts)
	}
}

func TestRefusalsBeforeData(t *testing.T) {
	tests := []struct {
		name     string
		code     int
		wantRuns []Outcome // outcome of each round, a minute or more apart
		status   string
	}{
		// A permanent refusal will not change: the mail fails at once.
		{"permanent", 550, []Outcome{Failed}, store.MailFailed},
		// A temporary one is retried, up to MaxAttempts.
		{"temporary", 450, []Outcome{Retrying, Retrying, Failed}, store.MailFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, "127.0.0.1:0", nil, func(ts *testServer) {
				ts.rcpt = func(to string) error {
					if to == "chair@example.org" {
						return errRefused(tt.code, "no such user")
					}
					return nil
				}
			})
			r := newRig(t, plainConfig(srv.addr))
			r.sender.MaxAttempts = 3
			r.enqueue(ackMail("ack:refused"))
			defer srv.waitClosed(t)
			var outs []Outcome
			for i := 0; i < 6; i++ {
				rep := r.round()
				switch {
				case rep.Retrying == 1:
					outs = append(outs, Retrying)
				case rep.Failed == 1:
					outs = append(outs, Failed)
				case rep.Unknown+rep.Sent > 0:
					t.Fatalf("round %d = %+v; a refused RCPT is neither sent nor unknown", i, rep)
				}
				r.clk.Add(time.Hour)
			}
			if !slices.Equal(outs, tt.wantRuns) {
				t.Errorf("outcomes = %v; want %v", outs, tt.wantRuns)
			}
			m := r.mail("ack:refused")
			if m.Status != tt.status || !strings.Contains(m.LastError, fmt.Sprint(tt.code)) ||
				!strings.Contains(m.LastError, "RCPT TO:<chair@example.org>") {
				t.Errorf("stored mail = %s, error %q; want %s naming the refused recipient", m.Status, m.LastError, tt.status)
			}
			if n := len(srv.received()); n != 0 {
				t.Errorf("server received %d messages; want none", n)
			}
			if last := r.res.last(); last.Outcome != Failed || last.Reason != m.LastError {
				t.Errorf("last OnResult = %+v; want failed with the stored reason", last)
			}
		})
	}
}

func TestOutcomeAfterData(t *testing.T) {
	tests := []struct {
		name string
		data func(c *gosmtp.Conn, _ []byte) error
		want string
	}{
		{"connection dropped before the reply", func(c *gosmtp.Conn, _ []byte) error {
			_ = c.Conn().Close()
			return nil
		}, store.MailUnknown},
		{"temporary refusal of the data", func(*gosmtp.Conn, []byte) error {
			return errRefused(451, "try again later")
		}, store.MailUnknown},
		{"permanent refusal of the data", func(*gosmtp.Conn, []byte) error {
			return errRefused(554, "message content rejected")
		}, store.MailFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, "127.0.0.1:0", nil, func(ts *testServer) { ts.data = tt.data })
			r := newRig(t, plainConfig(srv.addr))
			r.enqueue(ackMail("ack:data"))
			r.round()
			for i := 0; i < 5; i++ {
				r.clk.Add(24 * time.Hour)
				if rep := r.round(); rep.Sent+rep.Retrying+rep.Unknown+rep.Failed != 0 {
					t.Fatalf("round %d after the data = %+v; want no attempt", i, rep)
				}
			}
			if n := len(srv.received()); n != 1 {
				t.Errorf("server read the data %d times; want exactly 1", n)
			}
			m := r.mail("ack:data")
			if m.Status != tt.want || m.Attempts != 1 || m.LastError == "" {
				t.Errorf("stored mail = %s after %d attempts, error %q; want %s after 1", m.Status, m.Attempts, m.LastError, tt.want)
			}
			want := Unknown
			if tt.want == store.MailFailed {
				want = Failed
			}
			if outs := r.res.outcomes(); !slices.Equal(outs, []Outcome{want}) {
				t.Errorf("OnResult outcomes = %v; want [%s]", outs, want)
			}
		})
	}
}

func TestCrashWhileSendingIsUnknown(t *testing.T) {
	srv := startServer(t, "127.0.0.1:0", nil, nil)
	r := newRig(t, plainConfig(srv.addr))
	ctx := context.Background()
	m := r.enqueue(ackMail("ack:crash"))
	// The last process marked it sending, then died.
	if _, err := r.st.MarkMailSending(ctx, m, r.clk.Now()); err != nil {
		t.Fatal(err)
	}
	if err := r.st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, "sqlite:"+r.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	r.st = st
	r.sender = r.newSender(st)

	r.clk.Add(time.Second)
	rep, err := r.sender.Recover(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Unknown != 1 || rep.Reported != 1 {
		t.Errorf("Recover = %+v; want one unknown, reported", rep)
	}
	for i := 0; i < 3; i++ {
		r.clk.Add(24 * time.Hour)
		r.round()
	}
	if n := len(srv.received()); n != 0 {
		t.Errorf("server received %d messages; a mail left sending must never be sent again", n)
	}
	if got := r.mail("ack:crash"); got.Status != store.MailUnknown {
		t.Errorf("status = %s; want unknown", got.Status)
	}
	if outs := r.res.outcomes(); !slices.Equal(outs, []Outcome{Unknown}) {
		t.Errorf("OnResult outcomes = %v; want [unknown]", outs)
	}
}

// A mail another process left sending is taken as unknown by a later round
// once no live send can still be under way.
func TestStaleSendingSwept(t *testing.T) {
	srv := startServer(t, "127.0.0.1:0", nil, nil)
	r := newRig(t, plainConfig(srv.addr))
	ctx := context.Background()
	m := r.enqueue(ackMail("ack:stale"))
	if _, err := r.st.MarkMailSending(ctx, m, r.clk.Now()); err != nil {
		t.Fatal(err)
	}
	r.clk.Add(time.Minute)
	if rep := r.round(); rep != (Report{}) {
		t.Errorf("round while the send may still be live = %+v; want nothing", rep)
	}
	r.clk.Add(r.sender.staleAfter())
	if rep := r.round(); rep.Unknown != 1 {
		t.Errorf("round after the send went stale = %+v; want one unknown", rep)
	}
	if n := len(srv.received()); n != 0 {
		t.Errorf("server received %d messages; want none", n)
	}
}

func TestHeaderInjectionAddsNoHeader(t *testing.T) {
	srv := startServer(t, "127.0.0.1:0", nil, nil)
	r := newRig(t, plainConfig(srv.addr))
	m := ackMail("ack:inject")
	m.Subject = "LS\r\nBcc: evil@example.com"
	m.To = []string{
		FormatAddress("Evil\r\nBcc: evil2@example.com", "tsb@itu.int"),
		// An encoded word that decodes to a line break.
		mime.BEncoding.Encode("utf-8", "Enc\r\nBcc: evil3@example.com") + " <enc@itu.int>",
	}
	m.From = FormatAddress("Manager\nX-Injected: yes", "manager@ietf.org")
	r.enqueue(m)
	r.round()
	got := srv.received()
	if len(got) != 1 {
		t.Fatalf("server received %d messages; want 1", len(got))
	}
	names := headerNames(t, string(got[0].data))
	want := []string{"date", "mime-version", "message-id", "subject", "user-agent", "x-mailer",
		"from", "to", "cc", "reply-to", "content-transfer-encoding", "content-type"}
	slices.Sort(names)
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("header fields = %q; want exactly %q", names, want)
	}
	if strings.Contains(strings.ToLower(string(got[0].data)), "\nbcc:") {
		t.Errorf("raw message has a Bcc line:\n%s", got[0].data)
	}
	for _, rcpt := range got[0].rcpts {
		if strings.Contains(rcpt, "evil") {
			t.Errorf("envelope recipient %q from an injected header", rcpt)
		}
	}
	p := parse(t, got[0].data)
	if s := p.msg.Header.Get("Subject"); s != "LS Bcc: evil@example.com" {
		t.Errorf("Subject = %q; want the line break folded to a space", s)
	}
	to, err := p.msg.Header.AddressList("To")
	if err != nil || len(to) != 2 || to[0].Name != "Evil Bcc: evil2@example.com" || to[1].Name != "Enc Bcc: evil3@example.com" {
		t.Errorf("To = %v, %v; want the names with spaces for line breaks", to, err)
	}
}

func TestNonASCIIAndLongHeadersOnTheWire(t *testing.T) {
	srv := startServer(t, "127.0.0.1:0", nil, nil)
	r := newRig(t, plainConfig(srv.addr))
	long := "Acknowledgement of LS 2001: " + strings.Repeat("a fairly long liaison statement title ", 4)
	long = strings.TrimSpace(long)
	tests := []struct {
		key, subject, name string
	}{
		{"ack:utf8", "Accusé de réception : LS 2001 – Übertragung 量子 安全 et la suite d'un titre assez long pour être plié", "Jürgen Müller-Lüdenscheidt"},
		{"ack:long", long, "Liaison Manager"},
	}
	for _, tt := range tests {
		m := ackMail(tt.key)
		m.Subject = tt.subject
		m.From = FormatAddress(tt.name, "manager@ietf.org")
		r.enqueue(m)
	}
	r.round()
	got := srv.received()
	if len(got) != len(tests) {
		t.Fatalf("server received %d messages; want %d", len(got), len(tests))
	}
	for i, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			raw := string(got[i].data)
			head, _, _ := strings.Cut(raw, "\r\n\r\n")
			for _, line := range strings.Split(head, "\r\n") {
				if len(line) > 78 && strings.Contains(line, " ") {
					t.Errorf("header line of %d octets not folded: %q", len(line), line)
				}
				for _, b := range []byte(line) {
					if b >= 0x80 {
						t.Fatalf("raw header has 8-bit text: %q", line)
					}
				}
			}
			p := parse(t, got[i].data)
			if s := p.msg.Header.Get("Subject"); s == tt.subject {
				// net/mail does not decode encoded words: Get returned
				// raw text, which must then be the unfolded original.
			} else {
				dec, err := new(mime.WordDecoder).DecodeHeader(s)
				if err != nil || dec != tt.subject {
					t.Errorf("Subject decodes to %q, %v; want %q", dec, err, tt.subject)
				}
				if !regexp.MustCompile(`(?i)=\?utf-8\?[qb]\?`).MatchString(s) {
					t.Errorf("Subject %q is neither the original nor RFC 2047 words", s)
				}
			}
			from, err := p.msg.Header.AddressList("From")
			if err != nil || len(from) != 1 || from[0].Name != tt.name {
				t.Errorf("From = %v, %v; want the name %q", from, err, tt.name)
			}
		})
	}
}

func TestStartTLSWithAuth(t *testing.T) {
	cert, pool := selfSigned(t)
	auth := func(user, pass string) error {
		if user != "liaisonbot" || pass != "s3cret" {
			return errors.New("bad credentials")
		}
		return nil
	}
	tests := []struct {
		name     string
		cert     bool
		password string
		roots    bool
		want     Outcome
		reason   string
	}{
		{"mandatory STARTTLS and AUTH PLAIN", true, "s3cret", true, Sent, ""},
		{"wrong password", true, "wrong", true, Retrying, "535"},
		{"untrusted certificate", true, "s3cret", false, Retrying, "certificate"},
		{"server without STARTTLS", false, "s3cret", true, Retrying, "STARTTLS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c = cert
			if !tt.cert {
				c = nil
			}
			srv := startServer(t, "127.0.0.1:0", c, func(ts *testServer) { ts.auth = auth })
			cfg := Config{Addr: srv.addr, Username: "liaisonbot", Password: tt.password}
			if tt.roots {
				cfg.RootCAs = pool
			}
			r := newRig(t, cfg)
			r.enqueue(ackMail("ack:tls"))
			r.round()
			srv.waitClosed(t)
			res := r.res.last()
			if res.Outcome != tt.want || !strings.Contains(res.Reason, tt.reason) {
				t.Fatalf("result = %+v; want %s with a reason naming %q", res, tt.want, tt.reason)
			}
			got := srv.received()
			if tt.want != Sent {
				if len(got) != 0 {
					t.Errorf("server received %d messages; want none", len(got))
				}
				return
			}
			if len(got) != 1 || !got[0].tls {
				t.Errorf("received %d messages, over TLS: %v; want one over TLS", len(got), len(got) == 1 && got[0].tls)
			}
		})
	}
}

func TestOnResultRetriedUntilAccepted(t *testing.T) {
	srv := startServer(t, "127.0.0.1:0", nil, nil)
	r := newRig(t, plainConfig(srv.addr))
	r.res.fail = errors.New("GitHub is down")
	r.enqueue(ackMail("ack:report"))
	if rep := r.round(); rep.Sent != 1 || rep.Reported != 0 {
		t.Fatalf("round = %+v; want sent, not reported", rep)
	}
	r.clk.Add(10 * time.Second)
	r.round() // within the pause after a failed report: not tried
	if n := len(r.res.outcomes()); n != 1 {
		t.Errorf("OnResult called %d times during the pause; want 1", n)
	}
	r.res.fail = nil
	r.clk.Add(time.Minute)
	if rep := r.round(); rep.Reported != 1 {
		t.Errorf("round after the pause = %+v; want reported", rep)
	}
	r.clk.Add(time.Minute)
	r.round()
	if outs := r.res.outcomes(); !slices.Equal(outs, []Outcome{Sent, Sent}) {
		t.Errorf("OnResult outcomes = %v; want sent twice (failed, then accepted), then no more", outs)
	}
	if n := len(srv.received()); n != 1 {
		t.Errorf("server received %d messages; want 1", n)
	}
}

func TestRunSendsWhenWoken(t *testing.T) {
	srv := startServer(t, "127.0.0.1:0", nil, nil)
	r := newRig(t, plainConfig(srv.addr))
	r.sender.Interval = time.Hour // only Wake makes it look
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.sender.Run(ctx) }()

	time.Sleep(50 * time.Millisecond) // let the first round pass idle
	r.enqueue(ackMail("ack:wake"))
	r.sender.Wake()
	deadline := time.Now().Add(5 * time.Second)
	for len(srv.received()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if n := len(srv.received()); n != 1 {
		t.Errorf("server received %d messages after Wake; want 1", n)
	}
}

func TestBackoff(t *testing.T) {
	s := &Sender{}
	var got []time.Duration
	for n := 1; n <= 9; n++ {
		got = append(got, s.backoff(n))
	}
	want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute,
		16 * time.Minute, 32 * time.Minute, time.Hour, time.Hour, time.Hour}
	if !slices.Equal(got, want) {
		t.Errorf("backoff = %v; want %v", got, want)
	}
}
