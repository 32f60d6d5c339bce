package liaison

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestPurposeFromSlug(t *testing.T) {
	tests := []struct {
		slug string
		want Purpose
	}{
		{"action", PurposeAction},
		{"comment", PurposeComment},
		{"info", PurposeInformation},
		{"information", PurposeInformation},
		{"response", PurposeResponse},
		{" Action ", PurposeAction},
		{"other", Purpose("other")},
		{"", Purpose("")},
	}
	for _, tc := range tests {
		if got := PurposeFromSlug(tc.slug); got != tc.want {
			t.Errorf("PurposeFromSlug(%q) = %q, want %q", tc.slug, got, tc.want)
		}
	}
	if !PurposeComment.NeedsResponse() || PurposeInformation.NeedsResponse() || Purpose("other").NeedsResponse() {
		t.Error("NeedsResponse: action and comment need a response, nothing else")
	}
	if Purpose("other").Known() || !PurposeResponse.Known() {
		t.Error("Known")
	}
}

func TestFamilyAndDirection(t *testing.T) {
	sdo := Group{Acronym: "itu-t-sg-13", Name: "ITU-T SG13", Type: "sdo"}
	ietf := Group{Acronym: "ietf", Type: "ietf"}
	tests := []struct {
		name     string
		from, to []Group
		family   Family
		incoming bool
		outgoing bool
	}{
		{"to the IETF", []Group{sdo}, []Group{ietf}, FamilyIETF, true, false},
		{"to a working group", []Group{sdo}, []Group{{Acronym: "6man", Type: "wg"}}, FamilyIETF, true, false},
		{"to the IAB", []Group{sdo}, []Group{{Acronym: "iab", Type: "iab"}}, FamilyIAB, true, false},
		{"to the IRTF", []Group{sdo}, []Group{{Acronym: "irtf", Type: "irtf"}}, FamilyIRTF, true, false},
		{"to a research group and the IAB", []Group{sdo}, []Group{{Acronym: "iab", Type: "iab"}, {Acronym: "cfrg", Type: "rg"}}, FamilyIRTF, true, false},
		{"outgoing", []Group{ietf}, []Group{sdo}, FamilyIETF, false, true},
		{"internal", []Group{ietf}, []Group{{Acronym: "iab", Type: "iab"}}, FamilyIAB, false, false},
	}
	for _, tc := range tests {
		st := Statement{FromGroups: tc.from, ToGroups: tc.to}
		if got := st.Family(); got != tc.family {
			t.Errorf("%s: Family = %s, want %s", tc.name, got, tc.family)
		}
		if st.Incoming() != tc.incoming || st.Outgoing() != tc.outgoing {
			t.Errorf("%s: Incoming %v Outgoing %v", tc.name, st.Incoming(), st.Outgoing())
		}
	}
	if FamilyIAB.TemplateFamily() != FamilyIETF || FamilyIRTF.TemplateFamily() != FamilyIRTF {
		t.Error("TemplateFamily: the IAB uses the IETF templates")
	}
}

func TestBodyOf(t *testing.T) {
	tests := map[string]string{
		"itu-t-sg-13":    "itu-t",
		"itu-t":          "itu-t",
		"itu-r-wp-5d":    "itu-r",
		"3gpp-tsgsa-sa2": "3gpp",
		"ieee-802-1":     "ieee",
		"etsi":           "etsi",
		"":               "",
		"  ITU-T-TSAG  ": "itu-t",
		"itu":            "itu",
	}
	for in, want := range tests {
		if got := BodyOf(in); got != want {
			t.Errorf("BodyOf(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClassificationLabels(t *testing.T) {
	st := Statement{
		FromGroups: []Group{{Acronym: "itu-t-sg-13", Type: "sdo"}},
		ToGroups:   []Group{{Acronym: "ietf", Type: "ietf"}},
		Purpose:    PurposeAction,
		State:      StateDead,
	}
	got := Classify(&st, FamilyIRTF).Labels()
	want := []string{"datatracker/dead", "from/itu-t", "incoming", "liaison", "purpose/action", "state/new", "to/irtf"}
	if !slices.Equal(got, want) {
		t.Errorf("labels = %v, want %v", got, want)
	}
	if l := FromLabel("Weird Body!/x"); l != "from/weird-bodyx" {
		t.Errorf("FromLabel sanitises to %q", l)
	}
}

func TestDate(t *testing.T) {
	for _, bad := range []string{"2026-13-40", "2026-02-30", "26-01-01", "2026/01/01", ""} {
		if _, err := ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) accepted a date that does not exist", bad)
		}
	}
	d, err := ParseDate("2026-03-31")
	if err != nil || d.String() != "2026-03-31" {
		t.Fatalf("ParseDate = %v, %v", d, err)
	}
	b, _ := json.Marshal(struct {
		D Date
		Z Date
		P *Date
	}{D: d})
	if string(b) != `{"D":"2026-03-31","Z":null,"P":null}` {
		t.Errorf("JSON = %s", b)
	}
	var back struct{ D, Z Date }
	if err := json.Unmarshal([]byte(`{"D":"2026-03-31","Z":null}`), &back); err != nil || back.D != d || !back.Z.IsZero() {
		t.Errorf("unmarshal = %+v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"D":"2026-13-01"}`), &back); err == nil {
		t.Error("unmarshal accepted month 13")
	}
	if n := d.DaysUntil(Date{2026, 4, 7}); n != 7 {
		t.Errorf("DaysUntil = %d", n)
	}
}

func TestConsistent(t *testing.T) {
	tests := []struct {
		name      string
		labels    []string
		preferred string
		remove    []string
		add       []string
	}{
		{"already consistent", []string{"liaison", "state/new", "purpose/action", "to/ietf"}, "", nil, nil},
		{"purpose switched by hand", []string{"liaison", "state/new", "purpose/information", "purpose/action"}, "purpose/action", []string{"purpose/information"}, nil},
		{"two states, none preferred: earliest wins", []string{"liaison", "state/responded", "state/acknowledged"}, "", []string{"state/responded"}, nil},
		{"two states, the added one wins", []string{"liaison", "state/acknowledged", "state/no-response"}, "state/no-response", []string{"state/acknowledged"}, nil},
		{"no state", []string{"liaison", "purpose/action"}, "", nil, []string{"state/new"}},
		{"not a statement issue", []string{"bug"}, "", nil, nil},
		{"two families", []string{"liaison", "state/new", "to/ietf", "to/irtf"}, "to/irtf", []string{"to/ietf"}, nil},
	}
	for _, tc := range tests {
		c := Consistent(tc.labels, tc.preferred)
		if !slices.Equal(c.Remove, tc.remove) || !slices.Equal(c.Add, tc.add) {
			t.Errorf("%s: remove %v add %v; want remove %v add %v", tc.name, c.Remove, c.Add, tc.remove, tc.add)
		}
		if c.Empty() != (len(c.Notes) == 0) {
			t.Errorf("%s: notes %v do not match the correction", tc.name, c.Notes)
		}
	}
	seen := map[string]bool{}
	for _, l := range Catalog {
		if seen[l.Name] || len(l.Color) != 6 || l.Description == "" {
			t.Errorf("catalog entry %+v is a duplicate or incomplete", l)
		}
		seen[l.Name] = true
	}
}
