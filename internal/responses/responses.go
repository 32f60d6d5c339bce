// Package responses writes a statement's response as a file on a branch
// and a pull request: the boilerplate reply or a skeleton to write, its
// front matter, the check that nothing is left unfilled, and what reviews
// add up to. It does no I/O; github.go does the requests.
package responses

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/liaisonbot/liaisonbot/internal/markdown"
)

// Kind is how a response is written.
type Kind string

// Response kinds, as /respond names them.
const (
	Boilerplate Kind = "boilerplate"
	Crafted     Kind = "crafted"
)

// Dir is where response files live in a tracking repository.
const Dir = "responses/"

// BranchPrefix starts the name of every response branch.
const BranchPrefix = "liaisonbot/response-"

// CheckName is the name of the check run on response pull requests.
const CheckName = "liaisonbot/response"

// referenceMarker starts the part of a crafted response that quotes the
// incoming statement for its writers: it is neither checked nor posted.
const referenceMarker = "<!-- liaisonbot:reference -->"

// MaxTitle is GitHub's limit on a pull request title.
const MaxTitle = 256

// Meta is a response file's front matter: what the response answers and
// how. The check compares it with the issue, so a file moved to the wrong
// pull request is caught.
type Meta struct {
	Statement int    `yaml:"statement"`
	Link      string `yaml:"link,omitempty"`
	Issue     int    `yaml:"issue"`
	Title     string `yaml:"title"`
	To        string `yaml:"to"`
	From      string `yaml:"from"`
	Kind      Kind   `yaml:"kind"`
	Deadline  string `yaml:"deadline,omitempty"`
}

// key names a response in branch and file names: the statement, or the
// issue of one entered by hand and not linked yet.
func key(statementID, issue int) string {
	if statementID > 0 {
		return fmt.Sprintf("ls-%d", statementID)
	}
	return fmt.Sprintf("issue-%d", issue)
}

// Branch is the branch of an issue's attempt-th response pull request.
func Branch(statementID, issue, attempt int) string {
	b := BranchPrefix + key(statementID, issue)
	if attempt > 1 {
		b += fmt.Sprintf("-%d", attempt)
	}
	return b
}

// Path is the response file: responses/<id>-<slug>.md.
func Path(statementID, issue int, title string) string {
	name := strings.TrimPrefix(key(statementID, issue), "ls-")
	return Dir + name + "-" + Slug(title) + ".md"
}

// Slug is title as a file name part: lower-case ASCII letters and digits
// joined by dashes, cut at a word to at most 50 characters; "response"
// when nothing is left.
func Slug(title string) string {
	words := strings.FieldsFunc(strings.ToLower(title), func(r rune) bool {
		return r >= unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r))
	})
	s := ""
	for _, w := range words {
		next := w
		if s != "" {
			next = s + "-" + w
		}
		if len(next) > 50 {
			if s == "" {
				s = w[:50]
			}
			break
		}
		s = next
	}
	if s == "" {
		return "response"
	}
	return s
}

// Unbraced replaces braces in text from outside (a statement's title, a
// group's name) before it goes into a response: the check reads {...} as
// a placeholder left unfilled.
func Unbraced(s string) string {
	return strings.NewReplacer("{", "(", "}", ")").Replace(s)
}

// Title is the pull request's title, cut to GitHub's limit.
func Title(m Meta) string {
	t := markdown.PlainLine(m.Title)
	if m.Statement > 0 {
		return markdown.Truncate(fmt.Sprintf("Response to LS %d: %s", m.Statement, t), MaxTitle)
	}
	return markdown.Truncate("Response to "+t, MaxTitle)
}

// File writes a response file: the front matter, then the text.
func File(m Meta, text string) []byte {
	var b bytes.Buffer
	b.WriteString("---\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	// A struct of strings and ints always encodes.
	_ = enc.Encode(m)
	_ = enc.Close()
	b.WriteString("---\n")
	b.WriteString(text)
	if !strings.HasSuffix(text, "\n") {
		b.WriteString("\n")
	}
	return b.Bytes()
}

// BoilerplateText is the text of a boilerplate response: the filled
// template's subject line and its Markdown body.
func BoilerplateText(subject, body string) string {
	return "Subject: " + subject + "\n\n" + strings.TrimLeft(body, "\n")
}

// CraftedText is the skeleton of a crafted response: a subject, the
// addressee, a marked place to write (the check fails until it is
// written), the sign-off, and the incoming statement quoted inertly below
// the reference marker.
func CraftedText(m Meta, signoff, statementBody string) string {
	var b strings.Builder
	subject := Unbraced(markdown.PlainLine(m.Title))
	if m.Statement > 0 {
		subject = fmt.Sprintf("Response to LS %d: %s", m.Statement, subject)
	}
	fmt.Fprintf(&b, "Subject: %s\n\n", subject)
	fmt.Fprintf(&b, "To: %s\n\n", Unbraced(markdown.PlainLine(m.To)))
	b.WriteString("{Write the response here: replace this line, braces included}\n\n")
	if s := strings.TrimSpace(signoff); s != "" {
		b.WriteString(s + "\n")
	}
	b.WriteString("\n" + referenceMarker + "\n")
	b.WriteString("<!-- Below: the incoming statement, for reference. It is not part of the response; the check skips it. -->\n\n")
	if strings.TrimSpace(statementBody) == "" {
		b.WriteString("_The statement has no body text; its content is in the attachments on its datatracker page._\n")
	} else {
		b.WriteString(markdown.Quote(statementBody))
	}
	return b.String()
}

// Problem is one thing the check found, at a line of the file (1-based).
type Problem struct {
	Line    int
	Message string
}

var placeholder = regexp.MustCompile(`\{[^{}\n]{1,80}\}`)

// Lint checks a response file against what its issue says it answers:
// front matter present and matching, and no {placeholder} left in the
// text. The quoted statement below the reference marker is not checked.
func Lint(content []byte, want Meta) []Problem {
	text := strings.ReplaceAll(string(content), "\r\n", "\n")
	lines := strings.Split(text, "\n")
	var ps []Problem
	if len(lines) == 0 || lines[0] != "---" {
		return []Problem{{1, "the file must start with front matter (a line ---, the fields, a line ---) naming the statement and the issue"}}
	}
	end := -1
	for i := 1; i < len(lines); i++ {
		if lines[i] == "---" {
			end = i
			break
		}
	}
	if end < 0 {
		return []Problem{{1, "the front matter is not closed by a line ---"}}
	}
	var got Meta
	dec := yaml.NewDecoder(strings.NewReader(strings.Join(lines[1:end], "\n")))
	dec.KnownFields(true)
	if err := dec.Decode(&got); err != nil {
		line, msg := yamlError(err)
		return []Problem{{line + 1, "the front matter is not valid YAML: " + msg}}
	}
	at := func(field string) int {
		for i := 1; i < end; i++ {
			if strings.HasPrefix(lines[i], field+":") {
				return i + 1
			}
		}
		return 2
	}
	if got.Statement != want.Statement {
		ps = append(ps, Problem{at("statement"), fmt.Sprintf("statement is %d; this response answers LS %d", got.Statement, want.Statement)})
	}
	if got.Issue != want.Issue {
		ps = append(ps, Problem{at("issue"), fmt.Sprintf("issue is %d; this response belongs to issue #%d", got.Issue, want.Issue)})
	}
	if got.Kind != Boilerplate && got.Kind != Crafted {
		ps = append(ps, Problem{at("kind"), fmt.Sprintf("kind is %q; want boilerplate or crafted", got.Kind)})
	}
	fence := ""
	for i := end + 1; i < len(lines); i++ {
		line := lines[i]
		if strings.TrimSpace(line) == referenceMarker {
			break
		}
		// Braces in code (JSON, YANG, ABNF examples) are not placeholders.
		if f := fenceOf(line); f != "" {
			switch {
			case fence == "":
				fence = f
			case strings.HasPrefix(f, fence[:1]) && len(f) >= len(fence):
				fence = ""
			}
			continue
		}
		if fence != "" {
			continue
		}
		for _, m := range placeholder.FindAllString(withoutCodeSpans(line), -1) {
			ps = append(ps, Problem{i + 1, fmt.Sprintf("%s is left unfilled: write the text it stands for", m)})
		}
	}
	return ps
}

// yamlError splits yaml.v3's "yaml: line 3: msg" into the line, counted
// in the front matter (1 when it names none), and the message.
func yamlError(err error) (int, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var n int
	if _, serr := fmt.Sscanf(msg, "line %d:", &n); serr == nil && n > 0 {
		_, rest, _ := strings.Cut(msg, ": ")
		return n, rest
	}
	return 1, msg
}

// fenceOf is the fence a line opens or closes (``` or ~~~, up to three
// spaces in), or "".
func fenceOf(line string) string {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 {
		return ""
	}
	for _, c := range []string{"`", "~"} {
		n := len(t) - len(strings.TrimLeft(t, c))
		if n >= 3 {
			return t[:n]
		}
	}
	return ""
}

// withoutCodeSpans blanks the `code spans` of a line.
func withoutCodeSpans(line string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(line, '`')
		if i < 0 {
			b.WriteString(line)
			return b.String()
		}
		n := len(line[i:]) - len(strings.TrimLeft(line[i:], "`"))
		closing := strings.Index(line[i+n:], line[i:i+n])
		if closing < 0 {
			b.WriteString(line)
			return b.String()
		}
		b.WriteString(line[:i])
		line = line[i+n+closing+n:]
	}
}

// Final is the text to post: the file without its front matter and
// without the quoted statement.
func Final(content []byte) string {
	text := strings.ReplaceAll(string(content), "\r\n", "\n")
	if rest, ok := strings.CutPrefix(text, "---\n"); ok {
		if _, after, ok := strings.Cut(rest, "\n---\n"); ok {
			text = after
		}
	}
	if before, _, ok := strings.Cut(text, referenceMarker); ok {
		text = before
	}
	return strings.TrimSpace(text) + "\n"
}

// Review is one submitted review, oldest first.
type Review struct {
	User  string
	State string // APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED
	// Association is the reviewer's tie to the repository as GitHub
	// reports it (OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, NONE, ...).
	Association string
}

// counts reports whether a review by someone with this association
// counts: on a public repository anyone can approve, but only the
// repository's people agree a response.
func counts(association string) bool {
	switch association {
	case "OWNER", "MEMBER", "COLLABORATOR":
		return true
	}
	return false
}

// Verdict is what the reviews of a response add up to: each reviewer's
// latest approval or change request counts, from the repository's owners,
// members and collaborators only; comments change nothing.
type Verdict struct {
	Approvers []string
	// Blocking are reviewers whose latest review requests changes.
	Blocking []string
	// Agreed is true with enough approvals and no change still requested.
	Agreed bool
}

// Judge reads reviews against the number of approvals required.
func Judge(reviews []Review, required int) Verdict {
	latest := map[string]string{}
	var order []string
	for _, r := range reviews {
		if !counts(r.Association) {
			continue
		}
		u := strings.ToLower(r.User)
		switch r.State {
		case "APPROVED", "CHANGES_REQUESTED", "DISMISSED":
			if _, seen := latest[u]; !seen {
				order = append(order, r.User)
			}
			latest[u] = r.State
		}
	}
	var v Verdict
	for _, u := range order {
		switch latest[strings.ToLower(u)] {
		case "APPROVED":
			v.Approvers = append(v.Approvers, u)
		case "CHANGES_REQUESTED":
			v.Blocking = append(v.Blocking, u)
		}
	}
	v.Agreed = len(v.Approvers) >= max(required, 1) && len(v.Blocking) == 0
	return v
}
