package tracker

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/liaisonbot/liaisonbot/internal/liaison"
	"github.com/liaisonbot/liaisonbot/internal/realworld"
	"github.com/liaisonbot/liaisonbot/internal/templates"
)

// realTemplates reads one wording of the liaison templates from the real
// copies beside the project.
func realTemplates(t *testing.T, dir string) map[string]templates.Template {
	t.Helper()
	root := realworld.Require(t, dir)
	out := map[string]templates.Template{}
	for _, n := range templates.Names {
		b, err := os.ReadFile(filepath.Join(root, n))
		if err != nil {
			t.Fatal(err)
		}
		out[n] = templates.Template{Name: n, SHA: "0123456789abcdef" + n[:4], Text: string(b)}
	}
	return out
}

func sg13() liaison.Group {
	return liaison.Group{ID: 1, Acronym: "itu-t-sg-13", Name: "ITU-T SG13", Type: "sdo"}
}

func statement(id int, purpose liaison.Purpose) liaison.Statement {
	d := liaison.Date{Year: 2026, Month: 12, Day: 24}
	return liaison.Statement{
		ID: id, Title: "LS on network slicing", Purpose: purpose, State: liaison.StatePosted,
		FromGroups:       []liaison.Group{sg13()},
		ToGroups:         []liaison.Group{{ID: 2, Acronym: "ietf", Name: "IETF", Type: "ietf"}},
		FromContact:      "Alice Sender <alice@itu.int>",
		ResponseContacts: "tsbsg13@itu.int, Bob <bob@itu.int>",
		Deadline:         &d,
		Body:             "Dear colleagues,\n\nPlease comment.",
		Posted:           time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC),
	}
}

func TestRenderFillsTheRightTemplate(t *testing.T) {
	for _, wording := range []string{"liaison-templates", "liaison-templates/original-branch"} {
		tpls := realTemplates(t, wording)
		r := &Renderer{DatatrackerURL: "https://datatracker.example", Templates: tpls}
		tests := []struct {
			purpose liaison.Purpose
			family  liaison.Family
			want    string
		}{
			{liaison.PurposeAction, "", templates.EmailIETFAction},
			{liaison.PurposeComment, "", templates.EmailIETFAction},
			{liaison.PurposeInformation, "", templates.EmailIETFInfo},
			{liaison.PurposeResponse, "", templates.EmailIETFInfo},
			{"other", "", templates.EmailIETFInfo},
			{liaison.PurposeAction, liaison.FamilyIRTF, templates.EmailIRTF},
			{liaison.PurposeInformation, liaison.FamilyIAB, templates.EmailIETFInfo},
		}
		for _, tc := range tests {
			st := statement(1983, tc.purpose)
			d := r.Render(&st, Target{Repo: "o/r", Family: tc.family, Signoff: "Scott"})
			if d.Ack.Template != tc.want || !d.Ack.Sendable {
				t.Errorf("%s %s/%s: ack %s sendable=%v (%s), want %s", wording, tc.purpose, tc.family, d.Ack.Template, d.Ack.Sendable, d.Ack.Problem, tc.want)
			}
			if strings.ContainsAny(d.Ack.Subject+d.Ack.Body, "{}") {
				t.Errorf("%s: placeholder left in %q / %q", wording, d.Ack.Subject, d.Ack.Body)
			}
			if !strings.Contains(d.Ack.Subject, st.Title) || !strings.Contains(d.Ack.Body, "ITU-T SG13") {
				t.Errorf("%s: ack not filled: %q\n%s", wording, d.Ack.Subject, d.Ack.Body)
			}
			if !strings.Contains(d.Issue.Body, "https://datatracker.example/liaison/1983/") {
				t.Errorf("issue body lacks the datatracker link")
			}
		}
	}
}

func TestRenderUnknownPlaceholderStillDrafts(t *testing.T) {
	tpl := templates.Template{Name: templates.EmailIETFInfo, SHA: "feedfacecafe", Text: "Subject: Receipt of {Liaison Title}\n\n{insert group name}\n\nThanks.\n"}
	r := &Renderer{DatatrackerURL: "https://dt", Templates: map[string]templates.Template{templates.EmailIETFInfo: tpl}}
	st := statement(7, liaison.PurposeInformation)
	d := r.Render(&st, Target{Repo: "o/r"})
	if d.Ack.Sendable {
		t.Fatal("a draft with an unknown placeholder must not be sendable")
	}
	for _, want := range []string{"{insert group name}", "feedface"} {
		if !strings.Contains(d.Ack.Problem, want) || !strings.Contains(d.Issue.Body, strings.Trim(want, "{}")) {
			t.Errorf("problem %q / body does not name %q", d.Ack.Problem, want)
		}
	}
	if d.Issue.Title != "LS 7: LS on network slicing" {
		t.Errorf("title = %q", d.Issue.Title)
	}
}

func TestTitleCut(t *testing.T) {
	st := liaison.Statement{ID: 12345, Title: strings.Repeat("Ü", 400) + "\r\nBcc: x"}
	got := Title(&st)
	if n := utf8.RuneCountInString(got); n != MaxTitle {
		t.Errorf("title has %d characters, want %d", n, MaxTitle)
	}
	if !strings.HasSuffix(got, "…") || !strings.HasPrefix(got, "LS 12345: ÜÜ") || strings.ContainsAny(got, "\r\n") {
		t.Errorf("title = %q", got)
	}
}

func TestRecipients(t *testing.T) {
	tests := []struct {
		name               string
		st                 liaison.Statement
		valid, invalidList string
	}{
		{"response contacts win", liaison.Statement{ResponseContacts: "a@x.org, B <b@x.org>", FromContact: "c@x.org"}, `<a@x.org>,B <b@x.org>`, ""},
		{"from contact otherwise", liaison.Statement{FromContact: "Chair <chair@x.org>"}, `Chair <chair@x.org>`, ""},
		{"bad entries apart", liaison.Statement{ResponseContacts: "ok@x.org, not an address, @@"}, `<ok@x.org>`, "not an address|@@"},
		{"newline separated", liaison.Statement{ResponseContacts: "a@x.org\r\nb@x.org"}, `<a@x.org>,<b@x.org>`, ""},
		{"none", liaison.Statement{}, "", ""},
		{"non-ASCII and specials", liaison.Statement{FromContact: `"Müller, Jürgen" <j@x.org>`}, `"Müller, Jürgen" <j@x.org>`, ""},
	}
	for _, tc := range tests {
		v, inv := Recipients(&tc.st)
		if got := strings.Join(v, ","); got != tc.valid {
			t.Errorf("%s: valid = %q, want %q", tc.name, got, tc.valid)
		}
		if got := strings.Join(inv, "|"); got != tc.invalidList {
			t.Errorf("%s: invalid = %q, want %q", tc.name, got, tc.invalidList)
		}
	}
}

func TestBodyStaysUnderGitHubsLimit(t *testing.T) {
	r := &Renderer{DatatrackerURL: "https://dt", Templates: map[string]templates.Template{}}
	for _, body := range []string{
		strings.Repeat("A line of a very long statement with @mentions and <b>tags</b>.\n", 3000),
		strings.Repeat("x*", 70000), // one enormous line, doubled by escaping
	} {
		st := statement(9, liaison.PurposeAction)
		st.Body = body
		d := r.Render(&st, Target{Repo: "o/r"})
		if n := utf8.RuneCountInString(d.Issue.Body); n > MaxBody {
			t.Errorf("body has %d characters, over %d", n, MaxBody)
		}
		if !strings.Contains(d.Issue.Body, "too long for an issue") || !strings.Contains(d.Issue.Body, "https://dt/liaison/9/") {
			t.Errorf("a cut body must say so and link the full text")
		}
		if id, ok := StatementIDOf(d.Issue.Body); !ok || id != 9 {
			t.Errorf("marker lost in a cut body")
		}
	}
}

func TestReplaceSectionsKeepsPeoplesText(t *testing.T) {
	r := &Renderer{DatatrackerURL: "https://dt", Templates: map[string]templates.Template{}}
	st := statement(5, liaison.PurposeAction)
	old := r.Render(&st, Target{Repo: "o/r"}).Issue.Body + "\nNotes from the manager: ask SG13 for a call.\n"
	st.Body = "New text."
	fresh := r.Render(&st, Target{Repo: "o/r"}).Issue.Body
	got := ReplaceSections(old, fresh, "metadata", "statement")
	if !strings.Contains(got, "Notes from the manager") || !strings.Contains(got, "New text") || strings.Contains(got, "Please comment") {
		t.Errorf("ReplaceSections lost people's text or kept the old statement:\n%s", got)
	}
}

func TestOutgoingStatementHasNoAcknowledgement(t *testing.T) {
	r := &Renderer{DatatrackerURL: "https://dt", Templates: map[string]templates.Template{}}
	st := statement(4, liaison.PurposeInformation)
	st.FromGroups, st.ToGroups = st.ToGroups, st.FromGroups
	d := r.Render(&st, Target{Repo: "o/r"})
	if d.Ack != nil {
		t.Errorf("an outgoing statement got an acknowledgement draft: %+v", d.Ack)
	}
	if !strings.Contains(d.Issue.Body, "No acknowledgement") || !slices.Contains(d.Issue.Labels, "outgoing") {
		t.Errorf("outgoing issue:\n%v\n%s", d.Issue.Labels, d.Issue.Body)
	}
}
