package templates

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Template is one template file as read from the templates repository.
type Template struct {
	// Name is the file name, e.g. "Template-Email-IRTF.md".
	Name string
	// SHA is the file's blob SHA, so a filled text can be traced to the
	// exact wording it came from.
	SHA string
	// Text is the file's content: Markdown, first line "Subject: ...".
	Text string
	// Warning is set when Text is a cached copy that could not be
	// revalidated against the repository; it says why.
	Warning string
}

// Values are what the placeholders stand for. Values are inserted literally:
// braces or Markdown in them are neither placeholders nor escaped.
type Values struct {
	// Title is the statement's title: {Liaison Title}, {insert title}.
	Title string
	// From is the addressee, the names of the sending groups such as
	// "ITU-T SG13": {Insert From}.
	From string
	// Link is the statement's public datatracker page: {insert link}.
	Link string
	// Thanks is the repository's sign-off: {Thanks}. It may span lines.
	Thanks string
}

// Filled is a template with its placeholders replaced.
type Filled struct {
	// Template and SHA name the file and blob the text came from.
	Template string
	SHA      string
	// Subject is the subject line as plain text, on one line.
	Subject string
	// Body is everything after the subject line, Markdown as the template
	// has it (hard-break trailing spaces kept), LF line endings, ending in
	// one newline.
	Body string
	// Text is Body as plain text for mail (see PlainText); the values in
	// it are literal, never reinterpreted as Markdown.
	Text string
	// Sendable is true when the text is complete. When it is false,
	// Problem says why and Subject, Body and Text are empty, so a caller
	// that records a draft records the reason instead.
	Sendable bool
	Problem  string
}

// UnknownPlaceholderError is a placeholder Fill has no value for. It usually
// means the templates were re-worded upstream and the app needs to learn the
// new placeholder.
type UnknownPlaceholderError struct {
	Placeholder string // as written, without bold markers: "{insert group name}"
	Template    string
	SHA         string
	Line        int
}

func (e *UnknownPlaceholderError) Error() string {
	return fmt.Sprintf("template %s (blob %s) has unknown placeholder %q on line %d",
		e.Template, shortSHA(e.SHA), e.Placeholder, e.Line)
}

// MissingValueError is a placeholder whose value is empty.
type MissingValueError struct {
	Placeholder string // as written, without bold markers: "{Thanks}"
	Field       string // the Values field: "Title", "From", "Link" or "Thanks"
	Template    string
	SHA         string
}

func (e *MissingValueError) Error() string {
	why := "it is empty"
	if f, ok := fieldByName(e.Field); ok {
		why = fieldInfo[f].missing
	}
	return fmt.Sprintf("template %s (blob %s) needs a value for %q but %s",
		e.Template, shortSHA(e.SHA), e.Placeholder, why)
}

// TemplateError is a template whose structure Fill cannot use: no subject
// line, no body, a brace that is not part of a placeholder, or text that is
// not UTF-8.
type TemplateError struct {
	Template string
	SHA      string
	Line     int // 0 when the problem is not on one line
	Problem  string
}

func (e *TemplateError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("template %s (blob %s) line %d: %s", e.Template, shortSHA(e.SHA), e.Line, e.Problem)
	}
	return fmt.Sprintf("template %s (blob %s): %s", e.Template, shortSHA(e.SHA), e.Problem)
}

func shortSHA(sha string) string {
	switch {
	case sha == "":
		return "unknown"
	case len(sha) > 8:
		return sha[:8]
	}
	return sha
}

type field int

const (
	fieldTitle field = iota
	fieldFrom
	fieldLink
	fieldThanks
)

var fieldInfo = []struct {
	name      string
	missing   string
	multiline bool
}{
	fieldTitle:  {name: "Title", missing: "the statement has no title"},
	fieldFrom:   {name: "From", missing: "the statement's sender is unknown"},
	fieldLink:   {name: "Link", missing: "the statement has no datatracker link"},
	fieldThanks: {name: "Thanks", missing: "no sign-off is configured for the repository", multiline: true},
}

func fieldByName(name string) (field, bool) {
	for i, fi := range fieldInfo {
		if fi.name == name {
			return field(i), true
		}
	}
	return 0, false
}

func (v Values) get(f field) string {
	switch f {
	case fieldTitle:
		return v.Title
	case fieldFrom:
		return v.From
	case fieldLink:
		return v.Link
	case fieldThanks:
		return v.Thanks
	}
	return ""
}

// placeholderFields maps normalised placeholder names (lower case, single
// spaces) to values. Only these are known; anything else is an error.
var placeholderFields = map[string]field{
	"liaison title": fieldTitle,
	"insert title":  fieldTitle,
	"insert from":   fieldFrom,
	"insert link":   fieldLink,
	"thanks":        fieldThanks,
}

// placeholderPattern matches a placeholder with its bold markers, if any, so
// the bold span is replaced whole.
var placeholderPattern = regexp.MustCompile(`\*\*\{([^{}\n]*)\}\*\*|__\{([^{}\n]*)\}__|\{([^{}\n]*)\}`)

// Sentinels stand for values while the template's own Markdown is turned into
// plain text. They are Unicode noncharacters, reserved for internal use, and a
// template containing them is refused.
const (
	sentinelOpen  = '\uFDD0'
	sentinelClose = '\uFDD1'
)

func sentinel(f field) string {
	return string(sentinelOpen) + strconv.Itoa(int(f)) + string(sentinelClose)
}

// Check reports whether t can be filled, without values: it has a subject
// line and a body, and every placeholder in it is known.
func Check(t Template) error {
	_, err := parse(t)
	return err
}

// Fill replaces t's placeholders with v. Placeholder names match whatever
// their case and spacing; a bold span around a placeholder is replaced whole.
//
// The error is an *UnknownPlaceholderError, a *MissingValueError (a value the
// template uses is empty) or a *TemplateError (no "Subject:" first line, no
// body, a stray brace). On error the Filled still names the template and
// carries the problem, with Sendable false and no text.
func Fill(t Template, v Values) (Filled, error) {
	f, err := fill(t, v)
	if err != nil {
		return Filled{Template: t.Name, SHA: t.SHA, Problem: err.Error()}, err
	}
	return f, nil
}

func fill(t Template, v Values) (Filled, error) {
	p, err := parse(t)
	if err != nil {
		return Filled{}, err
	}

	var subjectPairs, markdownPairs, plainPairs []string
	for _, u := range p.used {
		value := v.get(u.field)
		line := singleLine(value)
		if line == "" {
			return Filled{}, &MissingValueError{Placeholder: u.written, Field: fieldInfo[u.field].name, Template: t.Name, SHA: t.SHA}
		}
		s := sentinel(u.field)
		subjectPairs = append(subjectPairs, s, line)
		if fieldInfo[u.field].multiline {
			lines := multiLine(value)
			markdownPairs = append(markdownPairs, s, strings.Join(lines, "  \n"))
			plainPairs = append(plainPairs, s, strings.Join(lines, "\n"))
		} else {
			markdownPairs = append(markdownPairs, s, line)
			plainPairs = append(plainPairs, s, line)
		}
	}

	// A Replacer makes one pass and never rescans what it inserted, so a
	// value containing "{insert link}" or a sentinel stays as it is.
	subject := strings.NewReplacer(subjectPairs...).Replace(PlainText(p.subject))
	subject = strings.Join(strings.Fields(subject), " ")
	return Filled{
		Template: t.Name,
		SHA:      t.SHA,
		Subject:  subject,
		Body:     strings.NewReplacer(markdownPairs...).Replace(p.body),
		Text:     strings.NewReplacer(plainPairs...).Replace(PlainText(p.body)),
		Sendable: true,
	}, nil
}

type usedPlaceholder struct {
	field   field
	written string
}

// parsed is a template with each placeholder replaced by its field's
// sentinel.
type parsed struct {
	subject string
	body    string
	used    []usedPlaceholder // each field once, in order of first use
}

func parse(t Template) (parsed, error) {
	fail := func(line int, format string, args ...any) (parsed, error) {
		return parsed{}, &TemplateError{Template: t.Name, SHA: t.SHA, Line: line, Problem: fmt.Sprintf(format, args...)}
	}
	text := t.Text
	if !utf8.ValidString(text) {
		return fail(0, "text is not valid UTF-8")
	}
	if strings.ContainsRune(text, sentinelOpen) || strings.ContainsRune(text, sentinelClose) {
		return fail(0, "text contains the Unicode noncharacters U+FDD0 or U+FDD1")
	}
	text = strings.TrimPrefix(text, "\uFEFF")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")

	var (
		used     []usedPlaceholder
		seen     = map[field]bool{}
		unknown  error
		skeleton strings.Builder
		last     int
	)
	for _, m := range placeholderPattern.FindAllStringSubmatchIndex(text, -1) {
		var name string
		for g := 1; g <= 3; g++ {
			if m[2*g] >= 0 {
				name = text[m[2*g]:m[2*g+1]]
			}
		}
		written := "{" + name + "}"
		f, ok := placeholderFields[strings.ToLower(strings.Join(strings.Fields(name), " "))]
		if !ok {
			unknown = &UnknownPlaceholderError{Placeholder: written, Template: t.Name, SHA: t.SHA, Line: lineAt(text, m[0])}
			break
		}
		if !seen[f] {
			seen[f] = true
			used = append(used, usedPlaceholder{field: f, written: written})
		}
		skeleton.WriteString(text[last:m[0]])
		skeleton.WriteString(sentinel(f))
		last = m[1]
	}
	skeleton.WriteString(text[last:])

	first, rest, _ := strings.Cut(text, "\n")
	if !hasSubjectPrefix(first) {
		return fail(1, "first line is not a \"Subject:\" line")
	}
	if unknown != nil {
		return parsed{}, unknown
	}
	s := skeleton.String()
	if i := strings.IndexAny(s, "{}"); i >= 0 {
		// The skeleton's lines are the text's lines: sentinels hold no newline.
		return fail(lineAt(s, i), "%q is not part of a placeholder", s[i:i+1])
	}

	first, rest, _ = strings.Cut(s, "\n")
	subject := strings.TrimSpace(first[len("subject:"):])
	if subject == "" {
		return fail(1, "subject is empty")
	}
	// Drop blank lines before the body and blank space after it.
	for rest != "" {
		line, after, _ := strings.Cut(rest, "\n")
		if strings.TrimSpace(line) != "" {
			break
		}
		rest = after
	}
	body := strings.TrimRightFunc(rest, unicode.IsSpace)
	if body == "" {
		return fail(0, "no body after the subject line")
	}
	return parsed{subject: subject, body: body + "\n", used: used}, nil
}

func hasSubjectPrefix(line string) bool {
	return len(line) >= len("subject:") && strings.EqualFold(line[:len("subject:")], "subject:")
}

func lineAt(text string, offset int) int {
	return strings.Count(text[:offset], "\n") + 1
}

// singleLine is v with control characters dropped and white space collapsed,
// so a value cannot break a subject line or a sentence.
func singleLine(v string) string {
	return strings.Join(strings.Fields(dropControls(v)), " ")
}

// multiLine is v's non-empty lines, each with its white space collapsed.
func multiLine(v string) []string {
	v = strings.ReplaceAll(strings.ReplaceAll(v, "\r\n", "\n"), "\r", "\n")
	var lines []string
	for _, l := range strings.Split(v, "\n") {
		if l = singleLine(l); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

func dropControls(v string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case unicode.IsControl(r), r == sentinelOpen, r == sentinelClose:
			return -1
		}
		return r
	}, v)
}
