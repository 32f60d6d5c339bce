// Package mailtest is a real SMTP server on loopback for tests of code that
// sends mail: it accepts every message and records it with its envelope.
package mailtest

import (
	"io"
	"log"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// Message is one message the server received.
type Message struct {
	From string
	To   []string
	Data []byte
}

// Server records the messages it receives.
type Server struct {
	Addr string
	mu   sync.Mutex
	msgs []Message
}

// Start serves on 127.0.0.1 until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String()}
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) {
		return &session{s: s}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// Messages returns what the server received so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

type session struct {
	s    *Server
	from string
	to   []string
}

func (c *session) AuthMechanisms() []string { return nil }
func (c *session) Auth(string) (sasl.Server, error) {
	return nil, gosmtp.ErrAuthUnsupported
}
func (c *session) Mail(from string, _ *gosmtp.MailOptions) error { c.from = from; return nil }
func (c *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	c.to = append(c.to, to)
	return nil
}
func (c *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	c.s.mu.Lock()
	c.s.msgs = append(c.s.msgs, Message{From: c.from, To: c.to, Data: b})
	c.s.mu.Unlock()
	return nil
}
func (c *session) Reset()        { c.from, c.to = "", nil }
func (c *session) Logout() error { return nil }
