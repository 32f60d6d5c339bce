package liaison

import (
	"slices"
	"strings"
)

// LabelSpec is a label the app uses, with the colour and description it
// creates it with.
type LabelSpec struct {
	Name, Color, Description string
}

// Catalog is every fixed label of the scheme. from/<body> labels are made
// on first use, as bodies are an open set.
var Catalog = []LabelSpec{
	{LabelLiaison, "1d76db", "A liaison statement"},
	{LabelIncoming, "0e8a16", "Sent to the IETF, IAB or IRTF by an outside body"},
	{LabelOutgoing, "5319e7", "Sent by the IETF, IAB or IRTF to an outside body"},
	{PurposeLabel(PurposeAction), "d93f0b", "For action: a response is due by the deadline"},
	{PurposeLabel(PurposeComment), "e99695", "For comment: comments are due by the deadline"},
	{PurposeLabel(PurposeInformation), "c2e0c6", "For information: no response expected"},
	{PurposeLabel(PurposeResponse), "bfdadc", "In response to an earlier statement"},
	{FamilyLabel(FamilyIETF), "0052cc", "Addressed to the IETF: IETF templates"},
	{FamilyLabel(FamilyIRTF), "006b75", "Addressed to the IRTF: IRTF templates"},
	{FamilyLabel(FamilyIAB), "1d76db", "Addressed to the IAB: IETF templates"},
	{StateNew.Label(), "fbca04", "Received, not yet acknowledged"},
	{StateAcknowledged.Label(), "fef2c0", "Receipt acknowledged to the sender"},
	{StateResponding.Label(), "f9d0c4", "A response is being written"},
	{StateResponseApproved.Label(), "bfd4f2", "The response is approved, to be posted"},
	{StateResponded.Label(), "0e8a16", "The response is posted on the datatracker"},
	{StateNoResponse.Label(), "cccccc", "Closed without a formal response"},
	{LabelNeedsRouting, "b60205", "Needs a destination: a working group, area, the IESG, IAB or IRTF"},
	{LabelDeadlineSoon, "fbca04", "The deadline is within 7 days"},
	{LabelDeadlineOverdue, "b60205", "The deadline has passed"},
	{LabelAckOverdue, "d93f0b", "Not acknowledged in time"},
	{LabelDead, "000000", "Withdrawn on the datatracker"},
}

// States lists the triage states in workflow order.
var States = []TriageState{StateNew, StateAcknowledged, StateResponding, StateResponseApproved, StateResponded, StateNoResponse}

// Correction is what keeps an issue's labels consistent: exactly one
// state/*, one purpose/* and one to/* label.
type Correction struct {
	Remove []string
	Add    []string
	// Notes explain each correction in a sentence, for the comment that
	// says so.
	Notes []string
}

// Empty reports whether nothing needs correcting.
func (c Correction) Empty() bool { return len(c.Remove) == 0 && len(c.Add) == 0 }

// Consistent corrects a label set so that each of the exclusive namespaces
// (state/, purpose/, to/) holds one label. When a namespace holds two, the
// one just added (preferred) wins — a person setting purpose/action by hand
// switches the flow — otherwise the first in the workflow's order stays.
// A statement issue without a state gets state/new.
func Consistent(labels []string, preferred string) Correction {
	var c Correction
	for _, ns := range []string{PrefixState, PrefixPurpose, PrefixTo} {
		var in []string
		for _, l := range labels {
			if strings.HasPrefix(l, ns) {
				in = append(in, l)
			}
		}
		if len(in) == 0 {
			if ns == PrefixState && slices.Contains(labels, LabelLiaison) {
				c.Add = append(c.Add, StateNew.Label())
				c.Notes = append(c.Notes, "added `"+StateNew.Label()+"`: every statement has a state")
			}
			continue
		}
		if len(in) == 1 {
			continue
		}
		keep := in[0]
		if slices.Contains(in, preferred) {
			keep = preferred
		} else if ns == PrefixState {
			keep = earliestState(in)
		}
		for _, l := range in {
			if l != keep {
				c.Remove = append(c.Remove, l)
			}
		}
		c.Notes = append(c.Notes, "kept `"+keep+"` and removed `"+strings.Join(removed(in, keep), "`, `")+"`: an issue has one "+strings.TrimSuffix(ns, "/")+" label")
	}
	return c
}

func earliestState(in []string) string {
	for _, s := range States {
		if slices.Contains(in, s.Label()) {
			return s.Label()
		}
	}
	return in[0]
}

func removed(in []string, keep string) []string {
	var out []string
	for _, l := range in {
		if l != keep {
			out = append(out, l)
		}
	}
	return out
}

// StateOf reads the triage state from labels ("" when none).
func StateOf(labels []string) TriageState {
	for _, l := range labels {
		if v, ok := strings.CutPrefix(l, PrefixState); ok {
			return TriageState(v)
		}
	}
	return ""
}

// PurposeOf reads the purpose from labels ("" when none).
func PurposeOf(labels []string) Purpose {
	for _, l := range labels {
		if v, ok := strings.CutPrefix(l, PrefixPurpose); ok {
			return Purpose(v)
		}
	}
	return ""
}

// FamilyOf reads the addressee family from labels ("" when none).
func FamilyOf(labels []string) Family {
	for _, l := range labels {
		if v, ok := strings.CutPrefix(l, PrefixTo); ok {
			if f, ok := ParseFamily(v); ok {
				return f
			}
		}
	}
	return ""
}
