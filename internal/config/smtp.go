package config

import (
	"net"
	"net/mail"
	"strconv"
	"strings"
	"time"
)

// StartTLS policies of smtp.starttls.
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

// DefaultSMTPTimeout bounds each step of an SMTP conversation.
const DefaultSMTPTimeout = 30 * time.Second

// check adds every problem with the SMTP settings to ps under its smtp.*
// key. These are the only SMTP rules: the mail sender checks its settings
// with them too, so check-config refuses what serve would. Without an
// address there is no mail server and nothing else to check.
func (s SMTPConfig) check(ps *problems) {
	if s.From != "" {
		if _, err := mail.ParseAddress(s.From); err != nil {
			ps.add("smtp.from", "%q is not a mailbox such as \"Liaison Manager <lm@example.org>\"", s.From)
		}
	}
	switch s.StartTLS {
	case "", StartTLSMandatory, StartTLSOpportunistic, StartTLSNone:
	default:
		ps.add("smtp.starttls", "%q: want %s, %s or %s", s.StartTLS, StartTLSMandatory, StartTLSOpportunistic, StartTLSNone)
	}
	if s.Addr == "" {
		return
	}
	host, port, err := net.SplitHostPort(s.Addr)
	switch {
	case err != nil:
		ps.add("smtp.addr", "%q is not host:port (such as \"smtp.example.org:587\")", s.Addr)
	case host == "":
		ps.add("smtp.addr", "%q names no host", s.Addr)
	default:
		if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
			ps.add("smtp.addr", "%q: port %q is not a number from 1 to 65535", s.Addr, port)
		}
		if s.StartTLS == StartTLSNone && !isLoopback(host) {
			ps.add("smtp.starttls", "%q is allowed only for a server on the loopback interface, not %s", StartTLSNone, host)
		}
	}
	switch {
	case s.Username == "" && s.Password != "":
		ps.add("smtp.password", "a password without a username")
	case s.Username != "" && s.Password == "":
		ps.add("smtp.username", "a username without a password")
	}
	if strings.ContainsFunc(s.Username, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		ps.add("smtp.username", "contains a control character")
	}
	if s.HeloName != "" && strings.ContainsFunc(s.HeloName, func(r rune) bool { return r <= ' ' || r >= 0x7f }) {
		ps.add("smtp.helo_name", "%q: want a host name without spaces", s.HeloName)
	}
	if s.Timeout < 0 {
		ps.add("smtp.timeout", "%s: want a positive duration", s.Timeout)
	}
}

// Check reports every problem with the SMTP settings, each a *FieldError
// naming its smtp.* key; nil when they are usable.
func (s SMTPConfig) Check() error {
	var ps problems
	s.check(&ps)
	return ps.err()
}

// isLoopback reports whether host is "localhost" or a loopback IP address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
