package mail

import (
	"bytes"
	"fmt"
	netmail "net/mail"
	"strings"
	"time"
	"unicode"

	gomail "github.com/wneessen/go-mail"

	"github.com/liaisonbot/liaisonbot/internal/store"
)

// Limits on header text from outside. A subject or name longer than this is
// cut with an ellipsis: go-mail folds header lines only between words, so a
// bound keeps even a single long word under SMTP's 998-octet line limit,
// which a server would enforce only after the data, when the outcome of a
// refusal can no longer be told apart from a broken connection.
const (
	maxSubjectRunes = 250
	maxNameRunes    = 120
)

// userAgent names the sender in the User-Agent and X-Mailer headers.
const userAgent = "liaisonbot"

// envelope is the SMTP sender and recipients of a message, as paths for
// MAIL FROM and RCPT TO ("<addr>", the local part quoted if need be).
type envelope struct {
	from  string
	rcpts []string
}

func pathOf(addr string) string { return (&netmail.Address{Address: addr}).String() }

// FormatAddress is the RFC 5322 address of name and addr, as
// store.EnqueueMail takes it, with the name made safe for a header: CR, LF and
// other control characters become spaces, and a non-ASCII name is encoded
// (RFC 2047). Use it for names from outside, such as a liaison's contact.
func FormatAddress(name, addr string) string {
	return (&netmail.Address{Name: headerText(name, maxNameRunes), Address: addr}).String()
}

// compose renders m as the message to send at date: plain text (UTF-8,
// quoted-printable) with From, Reply-To, To, Cc, Subject, Message-ID and Date
// from the record. Text for headers is cleaned of line breaks before go-mail
// sees it, so nothing in it can start a header of its own; go-mail encodes
// non-ASCII text as RFC 2047 words and folds long lines.
func compose(m store.Mail, date time.Time) ([]byte, envelope, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent(),
		gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP))
	from, err := parseAddress("From", m.From)
	if err != nil {
		return nil, envelope{}, err
	}
	msg.SetAddrHeaderFromMailAddress(gomail.HeaderFrom, from)
	env := envelope{from: pathOf(from.Address)}
	if m.ReplyTo != "" {
		replyTo, err := parseAddress("Reply-To", m.ReplyTo)
		if err != nil {
			return nil, envelope{}, err
		}
		msg.SetAddrHeaderFromMailAddress(gomail.HeaderReplyTo, replyTo)
	}
	seen := map[string]bool{}
	for _, h := range []struct {
		header gomail.AddrHeader
		name   string
		addrs  []string
	}{{gomail.HeaderTo, "To", m.To}, {gomail.HeaderCc, "Cc", m.Cc}} {
		var list []*netmail.Address
		for _, s := range h.addrs {
			a, err := parseAddress(h.name, s)
			if err != nil {
				return nil, envelope{}, err
			}
			list = append(list, a)
			if k := strings.ToLower(a.Address); !seen[k] {
				seen[k] = true
				env.rcpts = append(env.rcpts, pathOf(a.Address))
			}
		}
		if len(list) > 0 {
			msg.SetAddrHeaderFromMailAddress(h.header, list...)
		}
	}
	if len(env.rcpts) == 0 {
		return nil, envelope{}, fmt.Errorf("mail %q has no recipients", m.Key)
	}
	subject := headerText(m.Subject, maxSubjectRunes)
	if subject == "" {
		return nil, envelope{}, fmt.Errorf("mail %q has an empty subject", m.Key)
	}
	msg.Subject(subject)
	id := strings.TrimSuffix(strings.TrimPrefix(m.MessageID, "<"), ">")
	if id == "" || strings.ContainsFunc(id, func(r rune) bool { return r <= ' ' || r >= 0x7f || r == '<' || r == '>' }) {
		return nil, envelope{}, fmt.Errorf("mail %q has an invalid Message-ID %q", m.Key, m.MessageID)
	}
	msg.SetMessageIDWithValue(id)
	msg.SetDateWithValue(date)
	msg.SetUserAgent(userAgent)
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	var buf bytes.Buffer
	if _, err := msg.WriteTo(&buf); err != nil {
		return nil, envelope{}, fmt.Errorf("failed to render mail %q: %w", m.Key, err)
	}
	return buf.Bytes(), env, nil
}

// parseAddress parses one stored address and cleans its display name: a
// name may carry RFC 2047 words that decode to line breaks.
func parseAddress(field, s string) (*netmail.Address, error) {
	a, err := netmail.ParseAddress(s)
	if err != nil {
		return nil, fmt.Errorf("invalid %s address %q: %w", field, s, err)
	}
	if strings.ContainsFunc(a.Address, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return nil, fmt.Errorf("invalid %s address %q: it contains a space or control character", field, s)
	}
	a.Name = headerText(a.Name, maxNameRunes)
	return a, nil
}

// headerText makes untrusted text safe for one header value: every run of
// white space and control characters (CR, LF, NEL, the Unicode line and
// paragraph separators) becomes one space, the ends are trimmed, and text
// longer than max runes is cut with an ellipsis.
func headerText(s string, max int) string {
	var b strings.Builder
	gap, n := false, 0
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			gap = true
			continue
		}
		space := gap && b.Len() > 0
		need := 1
		if space {
			need = 2
		}
		if n+need > max {
			b.WriteRune('…')
			break
		}
		if space {
			b.WriteByte(' ')
		}
		gap = false
		b.WriteRune(r)
		n += need
	}
	return b.String()
}
