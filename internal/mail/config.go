package mail

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// StartTLS policies.
const (
	// StartTLSMandatory refuses to send unless the connection is upgraded
	// with STARTTLS and the server's certificate verifies.
	StartTLSMandatory = "mandatory"
	// StartTLSOpportunistic upgrades when the server offers STARTTLS and
	// sends in the clear otherwise.
	StartTLSOpportunistic = "opportunistic"
	// StartTLSNone never upgrades; allowed only for a server on the loopback
	// interface (tests, a local relay).
	StartTLSNone = "none"
)

// DefaultTimeout bounds each step of an SMTP conversation.
const DefaultTimeout = 30 * time.Second

// Config says how to reach the SMTP server.
type Config struct {
	Addr     string // host:port
	Username string // empty: no AUTH
	Password string
	// StartTLS is StartTLSMandatory (the default when empty),
	// StartTLSOpportunistic or StartTLSNone.
	StartTLS string
	// HeloName is the name given in EHLO; empty: the machine's host name.
	HeloName string
	// Timeout bounds each step of the conversation; 0 means DefaultTimeout.
	Timeout time.Duration
	// RootCAs verifies the server's certificate; nil means the system's
	// roots. For a private CA, and for tests.
	RootCAs *x509.CertPool
}

// Validate checks c, naming the setting at fault.
func (c Config) Validate() error {
	if c.Addr == "" {
		return errors.New("invalid SMTP settings: no server address (smtp.addr, host:port)")
	}
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return fmt.Errorf("invalid SMTP server address %q: want host:port: %w", c.Addr, err)
	}
	if host == "" {
		return fmt.Errorf("invalid SMTP server address %q: no host", c.Addr)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		return fmt.Errorf("invalid SMTP server address %q: port %q is not a number from 1 to 65535", c.Addr, port)
	}
	switch c.StartTLS {
	case "", StartTLSMandatory, StartTLSOpportunistic:
	case StartTLSNone:
		if !isLoopback(host) {
			return fmt.Errorf("invalid SMTP settings: starttls %q is allowed only for a server on the loopback interface, not %s",
				StartTLSNone, host)
		}
	default:
		return fmt.Errorf("invalid SMTP starttls %q: want %s, %s or %s",
			c.StartTLS, StartTLSMandatory, StartTLSOpportunistic, StartTLSNone)
	}
	if c.Username == "" && c.Password != "" {
		return errors.New("invalid SMTP settings: a password without a username")
	}
	if c.Username != "" && c.Password == "" {
		return errors.New("invalid SMTP settings: a username without a password")
	}
	if strings.ContainsFunc(c.Username, isCtl) {
		return errors.New("invalid SMTP username: it contains a control character")
	}
	if c.HeloName != "" && strings.ContainsFunc(c.HeloName, func(r rune) bool { return r <= ' ' || r >= 0x7f }) {
		return fmt.Errorf("invalid SMTP helo name %q: want a host name without spaces", c.HeloName)
	}
	if c.Timeout < 0 {
		return fmt.Errorf("invalid SMTP timeout %s: want a positive duration", c.Timeout)
	}
	return nil
}

func (c Config) startTLS() string {
	if c.StartTLS == "" {
		return StartTLSMandatory
	}
	return c.StartTLS
}

func (c Config) timeout() time.Duration {
	if c.Timeout == 0 {
		return DefaultTimeout
	}
	return c.Timeout
}

// isLoopback reports whether host is "localhost" or a loopback IP address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func isCtl(r rune) bool { return r < ' ' || r == 0x7f }
