package liaison

import (
	"fmt"
	"strings"
	"time"
)

// Statement is one liaison statement as the datatracker (or a manual intake
// form) describes it. Text fields are untrusted: they come from outside.
type Statement struct {
	ID                   int          `json:"id"`
	Title                string       `json:"title"`
	FromGroups           []Group      `json:"from_groups"`
	FromContact          string       `json:"from_contact"`
	ToGroups             []Group      `json:"to_groups"`
	ToContacts           string       `json:"to_contacts"`
	ResponseContacts     string       `json:"response_contacts"`
	TechnicalContacts    string       `json:"technical_contacts"`
	ActionHolderContacts string       `json:"action_holder_contacts"`
	CcContacts           string       `json:"cc_contacts"`
	Purpose              Purpose      `json:"purpose"`
	Deadline             *Date        `json:"deadline"`
	OtherIdentifiers     string       `json:"other_identifiers"`
	Body                 string       `json:"body"`
	Tags                 []string     `json:"tags"`
	State                string       `json:"state"`
	Attachments          []Attachment `json:"attachments"`
	Related              []Related    `json:"related"`
	Submitted            time.Time    `json:"submitted"`
	Posted               time.Time    `json:"posted"`
}

// Group is a datatracker group: a sending body (type "sdo") or an IETF, IAB
// or IRTF group.
type Group struct {
	ID      int    `json:"id"`
	Acronym string `json:"acronym"`
	Name    string `json:"name"`
	Type    string `json:"type"`
}

// DisplayName is the group's name, or its acronym when it has none.
func (g Group) DisplayName() string {
	if n := strings.TrimSpace(g.Name); n != "" {
		return n
	}
	return g.Acronym
}

// Attachment is a document attached to a statement; it is linked, never copied.
type Attachment struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Related is another statement this one refers to (a reply's target) or that
// refers to this one (a reply).
type Related struct {
	ID        int    `json:"id"`
	Title     string `json:"title,omitempty"`
	ReferedBy bool   `json:"referred_by,omitempty"`
}

// Statement states as the datatracker names them. The set is open: an unknown
// state is kept as its slug.
const (
	StatePending  = "pending"
	StateApproved = "approved"
	StatePosted   = "posted"
	StateDead     = "dead"
)

// Incoming reports whether the statement was sent to the IETF by an outside
// body: one of its senders is a standards development organisation.
func (s *Statement) Incoming() bool {
	for _, g := range s.FromGroups {
		if g.Type == "sdo" {
			return true
		}
	}
	return false
}

// Outgoing reports whether the statement was sent by the IETF to an outside body.
func (s *Statement) Outgoing() bool {
	if s.Incoming() {
		return false
	}
	for _, g := range s.ToGroups {
		if g.Type == "sdo" {
			return true
		}
	}
	return false
}

// Family decides which template family answers the statement: IRTF when a
// receiving group is the IRTF or a research group, IAB when it is the IAB,
// otherwise IETF.
func (s *Statement) Family() Family {
	fam := FamilyIETF
	for _, g := range s.ToGroups {
		switch {
		case g.Type == "irtf" || g.Type == "rg" || g.Acronym == "irtf":
			return FamilyIRTF
		case g.Type == "iab" || g.Acronym == "iab":
			fam = FamilyIAB
		}
	}
	return fam
}

// FromNames is the display names of the sending groups, as an addressee line
// such as "ITU-T SG13", falling back to the contact when there is no group.
func (s *Statement) FromNames() string {
	names := make([]string, 0, len(s.FromGroups))
	for _, g := range s.FromGroups {
		if n := g.DisplayName(); n != "" {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return strings.TrimSpace(s.FromContact)
	}
	return strings.Join(names, ", ")
}

// SenderBody names the sending body for a from/<body> label: the acronym of
// the first sending group up to its first dash ("itu-t-sg-13" → "itu-t").
// Sub-groups of one body share a label so a manager filters by body.
func (s *Statement) SenderBody() string {
	for _, g := range s.FromGroups {
		if b := BodyOf(g.Acronym); b != "" {
			return b
		}
	}
	return ""
}

// BodyOf reduces a group acronym to its body, the part before the first
// dash: "3gpp-tsgsa" → "3gpp", "ieee-802-1" → "ieee". The ITU's sectors
// keep their dash: "itu-t-sg-13" → "itu-t", "itu-r-wp-5d" → "itu-r".
func BodyOf(acronym string) string {
	a := strings.ToLower(strings.TrimSpace(acronym))
	if a == "" {
		return ""
	}
	parts := strings.Split(a, "-")
	if parts[0] == "itu" && len(parts) > 1 {
		return parts[0] + "-" + parts[1]
	}
	return parts[0]
}

// URL is the statement's public datatracker page under base.
func (s *Statement) URL(base string) string {
	return fmt.Sprintf("%s/liaison/%d/", strings.TrimRight(base, "/"), s.ID)
}

// ReplyURL is the datatracker's pre-filled reply form for the statement.
func (s *Statement) ReplyURL(base string) string {
	return fmt.Sprintf("%s/liaison/%d/reply/", strings.TrimRight(base, "/"), s.ID)
}

// Day is the date the statement was posted (or submitted, for one not yet
// posted) in UTC; it is what a repository's since date compares against.
func (s *Statement) Day() Date {
	t := s.Posted
	if t.IsZero() {
		t = s.Submitted
	}
	if t.IsZero() {
		return Date{}
	}
	return DateOf(t)
}
