package intake

import (
	"strings"
	"testing"

	"github.com/liaisonbot/liaisonbot/internal/liaison"
)

func form(fields map[string]string) string {
	var b strings.Builder
	for _, k := range []string{"Title", "From", "To", "Purpose", "Deadline", "Sender's identifier", "Response contact", "Link", "Statement"} {
		v, ok := fields[k]
		if !ok {
			v = "_No response_"
		}
		b.WriteString("### " + k + "\r\n\r\n" + v + "\r\n\r\n")
	}
	return b.String()
}

func TestParse(t *testing.T) {
	good := map[string]string{"Title": "LS on slicing", "From": "ITU-T SG13", "To": "IAB", "Purpose": "For comment", "Deadline": "2027-01-31", "Sender's identifier": "SG13-LS1", "Statement": "Line one.\n\nLine two."}
	f, ok, err := Parse(form(good))
	if !ok || err != nil {
		t.Fatalf("Parse = %v, %v", ok, err)
	}
	if f.Title != "LS on slicing" || f.From != "ITU-T SG13" || f.Family != liaison.FamilyIAB || f.Purpose != liaison.PurposeComment ||
		f.Deadline == nil || f.Deadline.String() != "2027-01-31" || f.Identifier != "SG13-LS1" || f.Link != "" || !strings.Contains(f.Body, "Line two.") {
		t.Errorf("form = %+v", f)
	}
	st := f.Statement()
	if !st.Incoming() || st.Family() != liaison.FamilyIAB || st.FromNames() != "ITU-T SG13" || liaison.BodyOf(st.FromGroups[0].Acronym) != "itu-t" {
		t.Errorf("statement = %+v", st)
	}

	bad := map[string]string{"Title": "", "From": "ITU-T SG13", "To": "W3C", "Purpose": "For fun", "Deadline": "2026-13-40"}
	_, ok, err = Parse(form(bad))
	if !ok || err == nil {
		t.Fatalf("a bad form: ok %v, err %v", ok, err)
	}
	for _, want := range []string{"Title is empty", `To "W3C"`, `Purpose "For fun"`, "2026-13-40"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	if _, ok, _ := Parse("Just an issue.\n\n### Notes\n\nnothing"); ok {
		t.Error("an ordinary issue was read as the form")
	}
}

// TestParseHeadingsInTheStatement: the pasted statement is untrusted; its
// own headings, even ones named like the form's fields, stay in its text.
func TestParseHeadingsInTheStatement(t *testing.T) {
	good := map[string]string{"Title": "LS on slicing", "From": "ITU-T SG13", "To": "IETF", "Purpose": "For action",
		"Statement": "Dear IETF,\n\n### Background\n\nSlices.\n\n### From\n\nevil\n\n### Statement\n\nmore"}
	f, ok, err := Parse(form(good))
	if !ok || err != nil {
		t.Fatalf("Parse = %v, %v", ok, err)
	}
	if f.From != "ITU-T SG13" {
		t.Errorf("From = %q: a heading in the statement replaced it", f.From)
	}
	for _, want := range []string{"Dear IETF,", "### Background", "### From\n\nevil", "### Statement\n\nmore"} {
		if !strings.Contains(f.Body, want) {
			t.Errorf("statement lacks %q:\n%s", want, f.Body)
		}
	}
	// A field's heading out of order, in an earlier field's text, is text.
	early := map[string]string{"Title": "LS\n### Purpose\nFor fun", "From": "ITU-T SG13", "To": "IETF", "Purpose": "For action"}
	if f, ok, err := Parse(form(early)); !ok || err != nil || f.Purpose != liaison.PurposeAction {
		t.Errorf("a Purpose heading inside the title: %+v, %v, %v", f, ok, err)
	}
}
