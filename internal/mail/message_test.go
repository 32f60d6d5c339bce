package mail

import (
	"net/mail"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/liaisonbot/liaisonbot/internal/store"
)

func TestHeaderText(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"LS 2001: Title", 50, "LS 2001: Title"},
		{"LS\r\nBcc: evil@example.com", 50, "LS Bcc: evil@example.com"},
		{"  a\t\tb \n\n c  ", 50, "a b c"},
		{"a\u2028b\u2029c\u0085d\x00e\x7ff", 50, "a b c d e f"},
		{"Accusé de réception", 50, "Accusé de réception"},
		{"abcdef", 3, "abc…"},
		{"ab cdef", 3, "ab…"},
		{"ab c", 4, "ab c"},
		{"\r\n", 10, ""},
		{"bad \xff utf-8", 50, "bad \uFFFD utf-8"},
	}
	for _, tt := range tests {
		if got := headerText(tt.in, tt.max); got != tt.want {
			t.Errorf("headerText(%q, %d) = %q; want %q", tt.in, tt.max, got, tt.want)
		}
	}
	long := headerText(strings.Repeat("x", 2000), maxSubjectRunes)
	if n := utf8.RuneCountInString(long); n != maxSubjectRunes+1 {
		t.Errorf("a 2000-character subject keeps %d runes; want %d and an ellipsis", n, maxSubjectRunes)
	}
}

func TestFormatAddress(t *testing.T) {
	tests := []struct {
		name, addr string
		wantName   string
	}{
		{"Jane Doe", "jane@example.org", "Jane Doe"},
		{"", "jane@example.org", ""},
		{"Evil\r\nBcc: x@example.com", "a@example.org", "Evil Bcc: x@example.com"},
		{"Jürgen Müller", "j@example.org", "Jürgen Müller"},
		{`Quote "me", please`, "q@example.org", `Quote "me", please`},
	}
	for _, tt := range tests {
		s := FormatAddress(tt.name, tt.addr)
		if strings.ContainsAny(s, "\r\n") {
			t.Errorf("FormatAddress(%q) = %q has a line break", tt.name, s)
		}
		a, err := mail.ParseAddress(s)
		if err != nil || a.Name != tt.wantName || a.Address != tt.addr {
			t.Errorf("FormatAddress(%q, %q) = %q, parsing back to %v, %v; want %q <%s>", tt.name, tt.addr, s, a, err, tt.wantName, tt.addr)
		}
	}
}

func TestComposeRefusesBadRecords(t *testing.T) {
	base := store.Mail{Key: "k", From: "a@example.org", To: []string{"b@example.org"}, Subject: "s", MessageID: "<x@example.org>"}
	tests := []struct {
		name   string
		change func(*store.Mail)
		want   string
	}{
		{"bad from", func(m *store.Mail) { m.From = "nope" }, "invalid From address"},
		{"bad reply-to", func(m *store.Mail) { m.ReplyTo = "nope" }, "invalid Reply-To address"},
		{"bad cc", func(m *store.Mail) { m.Cc = []string{"nope"} }, "invalid Cc address"},
		{"no recipients", func(m *store.Mail) { m.To = nil }, "no recipients"},
		{"subject of line breaks", func(m *store.Mail) { m.Subject = "\r\n" }, "empty subject"},
		{"message id with a space", func(m *store.Mail) { m.MessageID = "<a b@c>" }, "invalid Message-ID"},
		{"no message id", func(m *store.Mail) { m.MessageID = "" }, "invalid Message-ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := base
			tt.change(&m)
			_, _, err := compose(m, time.Now())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("compose = %v; want an error containing %q", err, tt.want)
			}
		})
	}
	raw, env, err := compose(base, time.Now())
	if err != nil || len(raw) == 0 || env.from != "<a@example.org>" || len(env.rcpts) != 1 || env.rcpts[0] != "<b@example.org>" {
		t.Errorf("compose of a valid record = %d bytes, %+v, %v", len(raw), env, err)
	}
}

func TestComposeDeduplicatesRecipients(t *testing.T) {
	m := store.Mail{Key: "k", From: "a@example.org", To: []string{"B <b@example.org>"},
		Cc: []string{"b@EXAMPLE.org", "liaison-coordination@iab.org"}, Subject: "s", MessageID: "<x@example.org>"}
	_, env, err := compose(m, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(env.rcpts, ",") != "<b@example.org>,<liaison-coordination@iab.org>" {
		t.Errorf("recipients = %q; want each address once", env.rcpts)
	}
}
