package liaison

import "strings"

// Purpose is what the sender asks of the IETF. The datatracker's set is
// open: an unknown slug is kept as it is and shown, never dropped.
type Purpose string

// The datatracker's purposes, under the names the labels use.
const (
	PurposeAction      Purpose = "action"
	PurposeComment     Purpose = "comment"
	PurposeInformation Purpose = "information"
	PurposeResponse    Purpose = "response"
)

// Purposes lists the known purposes in the datatracker's order.
var Purposes = []Purpose{PurposeAction, PurposeComment, PurposeInformation, PurposeResponse}

// PurposeFromSlug maps a datatracker slug ("info") or a label value
// ("information") to a Purpose; any other slug is kept in lower case.
func PurposeFromSlug(slug string) Purpose {
	s := strings.ToLower(strings.TrimSpace(slug))
	switch s {
	case "info", "information":
		return PurposeInformation
	}
	return Purpose(s)
}

// Known reports whether p is one of the datatracker's four purposes.
func (p Purpose) Known() bool {
	for _, k := range Purposes {
		if p == k {
			return true
		}
	}
	return false
}

// NeedsResponse reports whether the IETF owes the sender a reply by the
// deadline. RFC 4053 treats "for comment" like "for action".
func (p Purpose) NeedsResponse() bool { return p == PurposeAction || p == PurposeComment }

// Display is the datatracker's wording of the purpose ("For action").
func (p Purpose) Display() string {
	switch p {
	case PurposeAction:
		return "For action"
	case PurposeComment:
		return "For comment"
	case PurposeInformation:
		return "For information"
	case PurposeResponse:
		return "In response"
	case "":
		return "(none)"
	}
	return string(p) + " (unknown purpose)"
}

// Family is who the statement is addressed to; it decides the template set.
type Family string

// Addressee families. Statements to the IAB use the IETF templates.
const (
	FamilyIETF Family = "ietf"
	FamilyIRTF Family = "irtf"
	FamilyIAB  Family = "iab"
)

// ParseFamily accepts "ietf", "irtf" or "iab" in any case.
func ParseFamily(s string) (Family, bool) {
	switch f := Family(strings.ToLower(strings.TrimSpace(s))); f {
	case FamilyIETF, FamilyIRTF, FamilyIAB:
		return f, true
	}
	return "", false
}

// TemplateFamily is the family whose templates answer f: the IAB uses the
// IETF's.
func (f Family) TemplateFamily() Family {
	if f == FamilyIRTF {
		return FamilyIRTF
	}
	return FamilyIETF
}

// Display is the family's name in text ("IETF").
func (f Family) Display() string { return strings.ToUpper(string(f)) }
