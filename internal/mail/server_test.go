package mail

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"

	"github.com/liaisonbot/liaisonbot/internal/store"
)

// received is one message a test server got, with its envelope.
type received struct {
	from  string
	rcpts []string
	data  []byte
	tls   bool
}

// testServer is a real SMTP server on loopback (go-smtp), in process, that
// records what it receives. Its hooks make it refuse or break off at a
// chosen step.
type testServer struct {
	addr string
	srv  *gosmtp.Server

	// rcpt, when set, answers each RCPT TO; an error refuses it.
	rcpt func(to string) error
	// data, when set, is called with the received message after it was
	// recorded; a *gosmtp.SMTPError refuses it, and it may close conn to
	// break off before the reply.
	data func(conn *gosmtp.Conn, msg []byte) error
	// auth, when set, makes AUTH PLAIN required and checks the credentials.
	auth func(user, pass string) error

	mu   sync.Mutex
	msgs []received
	open int // sessions not yet logged out: connections the client left open
}

// startServer serves on addr ("127.0.0.1:0" for any port) until the test
// ends; with cert it offers STARTTLS.
func startServer(t *testing.T, addr string, cert *tls.Certificate, setup func(*testServer)) *testServer {
	t.Helper()
	ts := &testServer{}
	if setup != nil {
		setup(ts)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen on %s: %v", addr, err)
	}
	ts.addr = ln.Addr().String()
	ts.srv = gosmtp.NewServer(gosmtp.BackendFunc(func(c *gosmtp.Conn) (gosmtp.Session, error) {
		ts.mu.Lock()
		ts.open++
		ts.mu.Unlock()
		return &testSession{ts: ts, conn: c}, nil
	}))
	ts.srv.Domain = "localhost"
	ts.srv.ReadTimeout = 10 * time.Second
	ts.srv.WriteTimeout = 10 * time.Second
	ts.srv.ErrorLog = log.New(io.Discard, "", 0)
	if cert != nil {
		ts.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*cert}}
	}
	go func() { _ = ts.srv.Serve(ln) }()
	t.Cleanup(func() { _ = ts.srv.Close() })
	return ts
}

func (ts *testServer) received() []received {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]received(nil), ts.msgs...)
}

type testSession struct {
	ts     *testServer
	conn   *gosmtp.Conn
	authed bool
	from   string
	rcpts  []string
}

func (s *testSession) AuthMechanisms() []string {
	if s.ts.auth == nil {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *testSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if err := s.ts.auth(user, pass); err != nil {
			return gosmtp.ErrAuthFailed
		}
		s.authed = true
		return nil
	}), nil
}

func (s *testSession) Mail(from string, _ *gosmtp.MailOptions) error {
	if s.ts.auth != nil && !s.authed {
		return gosmtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *testSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	if s.ts.rcpt != nil {
		if err := s.ts.rcpt(to); err != nil {
			return err
		}
	}
	s.rcpts = append(s.rcpts, to)
	return nil
}

func (s *testSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.ts.mu.Lock()
	s.ts.msgs = append(s.ts.msgs, received{from: s.from, rcpts: append([]string(nil), s.rcpts...), data: b, tls: isTLS})
	s.ts.mu.Unlock()
	if s.ts.data != nil {
		return s.ts.data(s.conn, b)
	}
	return nil
}

func (s *testSession) Reset() { s.from, s.rcpts = "", nil }

func (s *testSession) Logout() error {
	s.ts.mu.Lock()
	s.ts.open--
	s.ts.mu.Unlock()
	return nil
}

// waitClosed fails the test unless the client closes all its connections
// soon (the server itself would wait for its read timeout).
func (ts *testServer) waitClosed(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		ts.mu.Lock()
		open := ts.open
		ts.mu.Unlock()
		if open == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d connections left open by the client", open)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// freeAddr is a loopback address nothing listens on (for now).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// selfSigned is a certificate for 127.0.0.1 and the pool that trusts it.
func selfSigned(t *testing.T) (*tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "liaisonbot test SMTP"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// results records what OnResult was told.
type results struct {
	mu   sync.Mutex
	list []Result
	fail error // returned by OnResult when set
}

func (r *results) on(_ context.Context, _ store.Mail, res Result) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.list = append(r.list, res)
	return r.fail
}

func (r *results) outcomes() []Outcome {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Outcome
	for _, res := range r.list {
		out = append(out, res.Outcome)
	}
	return out
}

func (r *results) last() Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.list) == 0 {
		return Result{}
	}
	return r.list[len(r.list)-1]
}

// rig is a store on a temporary file, a clock and a sender to addr.
type rig struct {
	t       *testing.T
	path    string
	st      *store.Store
	clk     *clock
	res     *results
	sender  *Sender
	cfg     Config
	enqueue func(store.Mail) store.Mail
}

var t0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

func newRig(t *testing.T, cfg Config) *rig {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.db")
	st, err := store.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	r := &rig{t: t, path: path, st: st, clk: &clock{t: t0}, res: &results{}, cfg: cfg}
	r.sender = r.newSender(st)
	r.enqueue = func(m store.Mail) store.Mail {
		t.Helper()
		m.CreatedAt = r.clk.Now()
		got, _, err := r.st.EnqueueMail(context.Background(), m)
		if err != nil {
			t.Fatalf("EnqueueMail: %v", err)
		}
		return got
	}
	return r
}

func (r *rig) newSender(st *store.Store) *Sender {
	r.t.Helper()
	if r.cfg.Timeout == 0 {
		r.cfg.Timeout = 5 * time.Second
	}
	s, err := NewSender(st, r.cfg)
	if err != nil {
		r.t.Fatalf("NewSender: %v", err)
	}
	s.Now = r.clk.Now
	s.OnResult = r.res.on
	return s
}

// round runs SendDue and fails the test on a store error.
func (r *rig) round() Report {
	r.t.Helper()
	rep, err := r.sender.SendDue(context.Background())
	if err != nil {
		r.t.Fatalf("SendDue: %v", err)
	}
	return rep
}

func (r *rig) mail(key string) store.Mail {
	r.t.Helper()
	m, ok, err := r.st.Mail(context.Background(), key)
	if err != nil || !ok {
		r.t.Fatalf("Mail(%q) = %v, %v", key, ok, err)
	}
	return m
}

func plainConfig(addr string) Config {
	return Config{Addr: addr, StartTLS: StartTLSNone, HeloName: "liaisonbot.test"}
}

// errRefused makes an SMTP refusal for a hook.
func errRefused(code int, msg string) error {
	return &gosmtp.SMTPError{Code: code, EnhancedCode: gosmtp.EnhancedCode{code / 100, 0, 0}, Message: msg}
}
