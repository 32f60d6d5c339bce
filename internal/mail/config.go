package mail

import (
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/liaisonbot/liaisonbot/internal/config"
)

// StartTLS policies, as smtp.starttls names them.
const (
	StartTLSMandatory     = config.StartTLSMandatory
	StartTLSOpportunistic = config.StartTLSOpportunistic
	StartTLSNone          = config.StartTLSNone
)

// DefaultTimeout bounds each step of an SMTP conversation.
const DefaultTimeout = config.DefaultSMTPTimeout

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

// Validate checks c by the server config's SMTP rules (config's
// SMTPConfig.Check, which check-config runs too), naming the setting at
// fault.
func (c Config) Validate() error {
	if c.Addr == "" {
		return errors.New("invalid SMTP settings: no server address (smtp.addr, host:port)")
	}
	err := config.SMTPConfig{
		Addr: c.Addr, Username: c.Username, Password: c.Password,
		StartTLS: c.StartTLS, HeloName: c.HeloName, Timeout: c.Timeout,
	}.Check()
	if err != nil {
		return fmt.Errorf("invalid SMTP settings: %w", err)
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
