package templates

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/liaisonbot/liaisonbot/internal/realworld"
)

// blobSHA is the git blob id of content, as the contents API reports it.
func blobSHA(content []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(content))
	h.Write(content)
	return hex.EncodeToString(h.Sum(nil))
}

func realTemplate(t *testing.T, rel string) Template {
	t.Helper()
	p := realworld.Require(t, rel)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	name := rel[strings.LastIndex(rel, "/")+1:]
	return Template{Name: name, SHA: blobSHA(b), Text: string(b)}
}

var sampleValues = Values{
	Title:  "LS on IMT-2030 network requirements",
	From:   "ITU-T SG13",
	Link:   "https://datatracker.ietf.org/liaison/1234/",
	Thanks: "Thanks,\nScott Mansfield, IETF liaison manager to ITU-T",
}

func TestFillRealTemplates(t *testing.T) {
	tests := []struct {
		dir      string
		name     string
		sha      string // blob prefix the reference records
		subject  string
		hasLink  bool
		hasThank bool
		contains []string // in Body
		text     []string // in Text
	}{
		{dir: "", name: EmailIETFInfo, sha: "7ae18f4ad7ff", subject: "Receipt of ", hasLink: true,
			contains: []string{"part(s) of the IETF community"}},
		{dir: "", name: EmailIETFAction, sha: "19c6a0f02e74", subject: "Receipt of ", hasLink: true,
			contains: []string{"marked as \u201cFor Action\u201d, the content", "indicated.  \n"}},
		{dir: "", name: EmailIRTF, sha: "e067a4bff424", subject: "Receipt of ", hasLink: true,
			contains: []string{"part(s) of the IRTF community"}},
		{dir: "", name: ResponseIETFAction, sha: "223abe86f92c", subject: "In response to ", hasThank: true,
			contains: []string{"has not reached consensus"}},
		{dir: "", name: ResponseIRTFAction, sha: "cee75179f94d", subject: "In response to ",
			contains: []string{"requirements.  \n\nThe IRTF takes no position"}},
		{dir: "original-branch/", name: EmailIETFInfo, sha: "4cce4e5b320c", subject: "Receipt of ", hasLink: true,
			contains: []string{"described in Internet Standards Process (1)"}},
		{dir: "original-branch/", name: EmailIETFAction, sha: "f9db65da8e44", subject: "Receipt of ", hasLink: true,
			contains: []string{"\u201cFor Action\u201d", "[Internet Standards Process](https://www.ietf.org/process/process)"},
			text:     []string{"described in Internet Standards Process (https://www.ietf.org/process/process) (1)."}},
		{dir: "original-branch/", name: EmailIRTF, sha: "8dcb47f379ac", subject: "Receipt of ", hasLink: true,
			contains: []string{"IRTF Policies and Procedures (1)"}},
		{dir: "original-branch/", name: ResponseIETFAction, sha: "ec151a49e468", subject: "In response to ",
			contains: []string{"gain consensus on some aspect of it in the future"}},
		{dir: "original-branch/", name: ResponseIRTFAction, sha: "5348dcacb230", subject: "In response to ",
			contains: []string{"requirements.  \n\nThe IRTF takes", "received.\n\nThe IRTF is"},
			text:     []string{"(1) IRTF Policies and Procedures https://www.irtf.org/policies\n(2) Internet"}},
	}
	for _, tc := range tests {
		t.Run(tc.dir+tc.name, func(t *testing.T) {
			tmpl := realTemplate(t, "liaison-templates/"+tc.dir+tc.name)
			if !strings.HasPrefix(tmpl.SHA, tc.sha) {
				t.Fatalf("real file has blob %s, the reference records %s: data changed?", tmpl.SHA, tc.sha)
			}
			if err := Check(tmpl); err != nil {
				t.Fatalf("Check: %v", err)
			}
			f, err := Fill(tmpl, sampleValues)
			if err != nil {
				t.Fatalf("Fill: %v", err)
			}
			if !f.Sendable || f.Problem != "" || f.Template != tc.name || f.SHA != tmpl.SHA {
				t.Errorf("Filled = {Template %q, SHA %q, Sendable %v, Problem %q}", f.Template, f.SHA, f.Sendable, f.Problem)
			}
			if want := tc.subject + sampleValues.Title; f.Subject != want {
				t.Errorf("Subject = %q, want %q", f.Subject, want)
			}
			for field, out := range map[string]string{"Subject": f.Subject, "Body": f.Body, "Text": f.Text} {
				if strings.ContainsAny(out, "{}") {
					t.Errorf("%s keeps a brace from the template:\n%s", field, out)
				}
				if strings.Contains(out, "**") {
					t.Errorf("%s keeps bold markers:\n%s", field, out)
				}
				if strings.Contains(out, "\r") || strings.ContainsRune(out, sentinelOpen) {
					t.Errorf("%s has a CR or a sentinel:\n%q", field, out)
				}
			}
			for field, out := range map[string]string{"Body": f.Body, "Text": f.Text} {
				if end := strings.TrimRight(out, " \t\n"); out != end+"\n" {
					t.Errorf("%s does not end in exactly one newline after text: %q", field, out[max(0, len(out)-30):])
				}
				// The addressee line comes first.
				if first, _, _ := strings.Cut(out, "\n"); first != sampleValues.From {
					t.Errorf("%s starts with %q, want the addressee %q", field, first, sampleValues.From)
				}
				if !strings.Contains(out, "liaison statement "+sampleValues.Title+".") {
					t.Errorf("%s lacks the title in the thank-you sentence", field)
				}
				if got := strings.Contains(out, "Database "+sampleValues.Link+"."); got != tc.hasLink {
					t.Errorf("%s has the link: %v, want %v", field, got, tc.hasLink)
				}
			}
			if tc.hasThank {
				if !strings.HasSuffix(f.Body, "\n\nThanks,  \nScott Mansfield, IETF liaison manager to ITU-T\n") {
					t.Errorf("Body does not end with the sign-off as hard-broken lines: %q", f.Body)
				}
				if !strings.HasSuffix(f.Text, "\n\nThanks,\nScott Mansfield, IETF liaison manager to ITU-T\n") {
					t.Errorf("Text does not end with the sign-off lines: %q", f.Text)
				}
			} else if strings.Contains(f.Body, "Scott Mansfield") {
				t.Errorf("sign-off appears in a template without {Thanks}")
			}
			for _, want := range tc.contains {
				if !strings.Contains(f.Body, want) {
					t.Errorf("Body lacks %q:\n%s", want, f.Body)
				}
			}
			for _, want := range tc.text {
				if !strings.Contains(f.Text, want) {
					t.Errorf("Text lacks %q:\n%s", want, f.Text)
				}
			}
			for i, line := range strings.Split(f.Text, "\n") {
				if strings.TrimRight(line, " \t") != line {
					t.Errorf("Text line %d has trailing white space: %q", i+1, line)
				}
			}
		})
	}
}

// The short wording ends the IETF response with {Thanks}; the long one does
// not, so only the short one needs a sign-off.
func TestFillRealResponseNeedsSignOff(t *testing.T) {
	short := realTemplate(t, "liaison-templates/"+ResponseIETFAction)
	long := realTemplate(t, "liaison-templates/original-branch/"+ResponseIETFAction)
	v := sampleValues
	v.Thanks = " \n "

	f, err := Fill(short, v)
	var missing *MissingValueError
	if !errors.As(err, &missing) {
		t.Fatalf("Fill without sign-off: err = %v, want *MissingValueError", err)
	}
	if missing.Field != "Thanks" || missing.Placeholder != "{Thanks}" || missing.SHA != short.SHA {
		t.Errorf("error = %+v", missing)
	}
	if !strings.Contains(err.Error(), "no sign-off is configured") || !strings.Contains(err.Error(), short.SHA[:8]) {
		t.Errorf("message %q does not name the missing setting and blob", err)
	}
	if f.Sendable || f.Problem != err.Error() || f.Body != "" || f.Subject != "" || f.Template != ResponseIETFAction {
		t.Errorf("Filled on error = %+v", f)
	}

	if _, err := Fill(long, v); err != nil {
		t.Errorf("long wording without sign-off: %v", err)
	}
}

func TestFillValuesAreLiteral(t *testing.T) {
	for _, rel := range []string{"liaison-templates/" + EmailIETFAction, "liaison-templates/original-branch/" + EmailIRTF} {
		t.Run(rel, func(t *testing.T) {
			tmpl := realTemplate(t, rel)
			v := Values{
				Title:  "Use of {insert link} and **{x}** in Y",
				From:   "ITU-T SG13 {Insert From}",
				Link:   "https://datatracker.ietf.org/liaison/99/?q={Thanks}",
				Thanks: "{insert title}",
			}
			f, err := Fill(tmpl, v)
			if err != nil {
				t.Fatalf("Fill: %v", err)
			}
			if f.Subject != "Receipt of "+v.Title {
				t.Errorf("Subject = %q", f.Subject)
			}
			for field, out := range map[string]string{"Body": f.Body, "Text": f.Text} {
				for _, want := range []string{v.Title, v.From + "\n", v.Link} {
					if !strings.Contains(out, want) {
						t.Errorf("%s lacks the literal value %q:\n%s", field, want, out)
					}
				}
				// Exactly one link: the title's "{insert link}" was not filled.
				if n := strings.Count(out, "datatracker.ietf.org"); n != 1 {
					t.Errorf("%s has %d links, want 1", field, n)
				}
				// Every brace comes from a value: title (2 pairs) ×1, from, link.
				if n := strings.Count(out, "{"); n != 4 {
					t.Errorf("%s has %d opening braces, want the 4 from values", field, n)
				}
			}
		})
	}
}

func TestFillSynthetic(t *testing.T) {
	const sha = "8dcb47f379ac2a8983a3be70a3965106cf97fa07"
	tests := []struct {
		name    string
		text    string
		values  Values
		subject string
		body    string
		text2   string // expected Text; "" means same as body
	}{
		{
			name:    "case and spacing of names",
			text:    "Subject:\tRe: { LIAISON   title }\n\n__{insert FROM}__\n\nSee {Insert Link} for *{insert title}*.\n",
			subject: "Re: T",
			body:    "F\n\nSee L for *T*.\n",
		},
		{
			name:    "CRLF, BOM, blank lines around the body",
			text:    "\uFEFFSubject: S {insert title}\r\n\r\n  \r\n{Insert From}  \r\nline two\r\n\r\n\r\n",
			subject: "S T",
			body:    "F  \nline two\n",
			text2:   "F\nline two\n",
		},
		{
			name:    "values are trimmed, collapsed and stripped of controls",
			text:    "Subject: Receipt of **{Liaison Title}**\n\n**{Insert From}**\n",
			values:  Values{Title: "  A\n\tlong\x00 title\r\n", From: "ITU-T\x07 SG13"},
			subject: "Receipt of A long title",
			body:    "ITU-T SG13\n",
		},
		{
			name:    "bold around a phrase with a placeholder",
			text:    "Subject: x\n\n**Dear {insert from}**, see [the statement]({insert link}).\n",
			subject: "x",
			body:    "**Dear F**, see [the statement](L).\n",
			text2:   "Dear F, see the statement (L).\n",
		},
		{
			name:    "no placeholders at all",
			text:    "Subject: Hello\nBody\n",
			subject: "Hello",
			body:    "Body\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := tc.values
			if v == (Values{}) {
				v = Values{Title: "T", From: "F", Link: "L", Thanks: "K"}
			}
			f, err := Fill(Template{Name: "X.md", SHA: sha, Text: tc.text}, v)
			if err != nil {
				t.Fatalf("Fill: %v", err)
			}
			if f.Subject != tc.subject {
				t.Errorf("Subject = %q, want %q", f.Subject, tc.subject)
			}
			if f.Body != tc.body {
				t.Errorf("Body = %q, want %q", f.Body, tc.body)
			}
			want := tc.text2
			if want == "" {
				want = tc.body
			}
			if f.Text != want {
				t.Errorf("Text = %q, want %q", f.Text, want)
			}
		})
	}
}

func TestFillErrors(t *testing.T) {
	const sha = "8dcb47f379ac2a8983a3be70a3965106cf97fa07"
	full := Values{Title: "T", From: "F", Link: "L", Thanks: "K"}
	tests := []struct {
		name        string
		text        string
		values      Values
		unknown     string // expected UnknownPlaceholderError.Placeholder
		missing     string // expected MissingValueError.Field
		problem     string // expected in TemplateError.Problem
		line        int
		wantMessage string
	}{
		{
			// The historic first wording of the templates.
			name:        "historic group name",
			text:        "Subject: Receipt of {Liaison Title}\n\nThank you {insert group name} for your liaison statement {insert title}.\n",
			unknown:     "{insert group name}",
			line:        3,
			wantMessage: `template Template-Email-IRTF.md (blob 8dcb47f3) has unknown placeholder "{insert group name}" on line 3`,
		},
		{name: "bold unknown", text: "Subject: x\n\n**{Deadline}**\n", unknown: "{Deadline}", line: 3},
		{name: "unknown in subject", text: "Subject: {insert number}\n\nbody\n", unknown: "{insert number}", line: 1},
		{name: "empty braces", text: "Subject: x\n\n{}\n", unknown: "{}", line: 3},
		{name: "no subject line", text: "**{Insert From}**\n\nThank you.\n", problem: `first line is not a "Subject:" line`, line: 1},
		{name: "leading blank line", text: "\nSubject: x\n\nbody\n", problem: `first line is not a "Subject:" line`, line: 1},
		{name: "empty text", text: "", problem: `first line is not a "Subject:" line`, line: 1},
		{name: "empty subject", text: "Subject:   \n\nbody\n", problem: "subject is empty", line: 1},
		{name: "no body", text: "Subject: x {insert title}\n\n  \n", problem: "no body after the subject line"},
		{name: "doubled braces", text: "Subject: x\n\nDear {{Insert From}},\n", problem: `"{" is not part of a placeholder`, line: 3},
		{name: "lone closing brace", text: "Subject: x\n\nline\nfoo } bar\n", problem: `"}" is not part of a placeholder`, line: 4},
		{name: "placeholder across lines", text: "Subject: x\n\n{insert\ntitle}\n", problem: `"{" is not part of a placeholder`, line: 3},
		{name: "not UTF-8", text: "Subject: x\n\n\xff\n", problem: "not valid UTF-8"},
		{name: "noncharacter", text: "Subject: x\n\n\uFDD0\n", problem: "noncharacters"},
		{name: "missing title", text: "Subject: {Liaison Title}\n\nx\n", values: Values{From: "F"}, missing: "Title"},
		{name: "missing from", text: "Subject: x\n\n**{Insert From}**\n", values: Values{Title: "T"}, missing: "From"},
		{name: "missing link", text: "Subject: x\n\nsee {insert link}\n", values: Values{Title: "T", From: "F"}, missing: "Link",
			wantMessage: `template Template-Email-IRTF.md (blob 8dcb47f3) needs a value for "{insert link}" but the statement has no datatracker link`},
		{name: "missing thanks", text: "Subject: x\n\n**{Thanks}**\n", values: Values{Title: "T"}, missing: "Thanks"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := tc.values
			if v == (Values{}) {
				v = full
			}
			tmpl := Template{Name: EmailIRTF, SHA: sha, Text: tc.text}
			f, err := Fill(tmpl, v)
			if err == nil {
				t.Fatalf("Fill succeeded: %+v", f)
			}
			if f.Sendable || f.Problem != err.Error() || f.Subject != "" || f.Body != "" || f.Text != "" || f.Template != EmailIRTF || f.SHA != sha {
				t.Errorf("Filled on error = %+v", f)
			}
			if tc.wantMessage != "" && err.Error() != tc.wantMessage {
				t.Errorf("message = %q\nwant      %q", err, tc.wantMessage)
			}
			if !strings.Contains(err.Error(), EmailIRTF) || !strings.Contains(err.Error(), sha[:8]) {
				t.Errorf("message %q does not name the template and blob", err)
			}
			var (
				unknown  *UnknownPlaceholderError
				missing  *MissingValueError
				template *TemplateError
			)
			switch {
			case tc.unknown != "":
				if !errors.As(err, &unknown) {
					t.Fatalf("err = %v, want *UnknownPlaceholderError", err)
				}
				if unknown.Placeholder != tc.unknown || unknown.Line != tc.line || unknown.Template != EmailIRTF || unknown.SHA != sha {
					t.Errorf("error = %+v", unknown)
				}
				// Fill and Check agree on what a template lacks.
				if cerr := Check(tmpl); cerr == nil || cerr.Error() != err.Error() {
					t.Errorf("Check = %v", cerr)
				}
			case tc.missing != "":
				if !errors.As(err, &missing) || missing.Field != tc.missing {
					t.Fatalf("err = %v, want *MissingValueError for %s", err, tc.missing)
				}
				// A template missing only values passes Check.
				if cerr := Check(tmpl); cerr != nil {
					t.Errorf("Check = %v", cerr)
				}
			default:
				if !errors.As(err, &template) {
					t.Fatalf("err = %v, want *TemplateError", err)
				}
				if !strings.Contains(template.Problem, tc.problem) || template.Line != tc.line {
					t.Errorf("error = %+v, want problem %q on line %d", template, tc.problem, tc.line)
				}
			}
		})
	}
}
