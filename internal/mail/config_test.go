package mail

import (
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string // a substring of the error; "" for valid
	}{
		{"submission port", Config{Addr: "smtp.example.org:587", Username: "u", Password: "p"}, ""},
		{"explicit mandatory", Config{Addr: "smtp.example.org:25", StartTLS: StartTLSMandatory}, ""},
		{"opportunistic", Config{Addr: "[2001:db8::1]:25", StartTLS: StartTLSOpportunistic}, ""},
		{"none on loopback", Config{Addr: "127.0.0.1:2525", StartTLS: StartTLSNone}, ""},
		{"none on localhost", Config{Addr: "localhost:2525", StartTLS: StartTLSNone}, ""},
		{"none on ::1", Config{Addr: "[::1]:2525", StartTLS: StartTLSNone}, ""},
		{"no address", Config{}, "no server address"},
		{"no port", Config{Addr: "smtp.example.org"}, "is not host:port"},
		{"no host", Config{Addr: ":25"}, "no host"},
		{"bad port", Config{Addr: "smtp.example.org:smtp"}, `port "smtp" is not a number`},
		{"port out of range", Config{Addr: "smtp.example.org:70000"}, "not a number from 1 to 65535"},
		{"none off loopback", Config{Addr: "smtp.example.org:25", StartTLS: StartTLSNone}, "only for a server on the loopback interface"},
		{"unknown starttls", Config{Addr: "smtp.example.org:25", StartTLS: "yes"}, `smtp.starttls: "yes"`},
		{"password alone", Config{Addr: "smtp.example.org:25", Password: "p"}, "a password without a username"},
		{"username alone", Config{Addr: "smtp.example.org:25", Username: "u"}, "a username without a password"},
		{"username with newline", Config{Addr: "smtp.example.org:25", Username: "u\n", Password: "p"}, "control character"},
		{"helo with space", Config{Addr: "smtp.example.org:25", HeloName: "a b"}, "smtp.helo_name"},
		{"negative timeout", Config{Addr: "smtp.example.org:25", Timeout: -time.Second}, "smtp.timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate = %v; want valid", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate = %v; want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	c := Config{Addr: "smtp.example.org:587"}
	if c.startTLS() != StartTLSMandatory || c.timeout() != DefaultTimeout {
		t.Errorf("defaults = %q, %s; want mandatory STARTTLS and %s", c.startTLS(), c.timeout(), DefaultTimeout)
	}
	if _, err := NewSender(nil, c); err == nil {
		t.Error("NewSender without a store succeeded")
	}
}
