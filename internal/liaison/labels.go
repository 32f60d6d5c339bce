package liaison

import (
	"sort"
	"strings"
)

// Label names. Prow-style "namespace/value" names keep related labels
// together and let a person filter by prefix.
const (
	LabelLiaison  = "liaison"
	LabelIncoming = "incoming"
	LabelOutgoing = "outgoing"

	LabelNeedsRouting    = "needs-routing"
	LabelDeadlineSoon    = "deadline/soon"
	LabelDeadlineOverdue = "deadline/overdue"
	LabelAckOverdue      = "ack/overdue"
	LabelDead            = "datatracker/dead"

	PrefixPurpose = "purpose/"
	PrefixTo      = "to/"
	PrefixFrom    = "from/"
	PrefixState   = "state/"
)

// TriageState is where a statement is in the liaison manager's workflow;
// exactly one state/* label carries it.
type TriageState string

// The workflow's states in order, plus the side exit.
const (
	StateNew              TriageState = "new"
	StateAcknowledged     TriageState = "acknowledged"
	StateResponding       TriageState = "responding"
	StateResponseApproved TriageState = "response-approved"
	StateResponded        TriageState = "responded"
	StateNoResponse       TriageState = "no-response"
)

// Label is the state's label name.
func (s TriageState) Label() string { return PrefixState + string(s) }

// PurposeLabel is the label for a purpose; an unknown purpose gets its own
// label so it stays visible.
func PurposeLabel(p Purpose) string {
	if p == "" {
		return ""
	}
	return PrefixPurpose + string(p)
}

// FamilyLabel is the label for an addressee family.
func FamilyLabel(f Family) string { return PrefixTo + string(f) }

// FromLabel is the label for a sending body, or "" when there is none.
func FromLabel(body string) string {
	body = labelValue(body)
	if body == "" {
		return ""
	}
	return PrefixFrom + body
}

// labelValue keeps label values to what GitHub shows well: lower case,
// letters, digits, dots and dashes, at most 40 characters.
func labelValue(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '.':
			b.WriteRune(r)
		case r == ' ' || r == '_':
			b.WriteByte('-')
		}
		if b.Len() >= 40 {
			break
		}
	}
	return strings.Trim(b.String(), "-.")
}

// Classification is what the labels of one statement's issue say.
type Classification struct {
	Purpose  Purpose
	Family   Family
	Incoming bool
	Body     string
	State    TriageState
	Dead     bool
}

// Labels is the full label set for c, sorted.
func (c Classification) Labels() []string {
	set := []string{LabelLiaison}
	if c.Incoming {
		set = append(set, LabelIncoming)
	} else {
		set = append(set, LabelOutgoing)
	}
	for _, l := range []string{PurposeLabel(c.Purpose), FamilyLabel(c.Family), FromLabel(c.Body)} {
		if l != "" {
			set = append(set, l)
		}
	}
	st := c.State
	if st == "" {
		st = StateNew
	}
	set = append(set, st.Label())
	if c.Dead {
		set = append(set, LabelDead)
	}
	sort.Strings(set)
	return set
}

// Classify is the initial classification of a statement; override, when
// set, replaces the family derived from the receiving groups (the IRTF is
// never a datatracker "to" group today).
func Classify(s *Statement, override Family) Classification {
	fam := s.Family()
	if override != "" {
		fam = override
	}
	return Classification{
		Purpose:  s.Purpose,
		Family:   fam,
		Incoming: s.Incoming(),
		Body:     s.SenderBody(),
		State:    StateNew,
		Dead:     s.State == StateDead,
	}
}
