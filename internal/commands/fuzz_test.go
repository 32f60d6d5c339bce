package commands

import (
	"regexp"
	"strings"
	"testing"

	"github.com/liaisonbot/liaisonbot/internal/liaison"
)

// lineEnd is CommonMark's line ending, written independently of the parser.
var lineEnd = regexp.MustCompile(`\r\n|\r|\n`)

// FuzzParse checks invariants that hold for any comment: Parse never
// panics, every command is a line of the body that starts with its name,
// nothing inside a fenced code block is a command, and wrapping the whole
// body in a fence, a quote, an HTML comment or indented code leaves no
// command at all.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "/close", "/CLOSE\n/reopen", "   /close", "    /close", "please /close", `\/close`,
		"```\n/close\n```\n/reopen", "~~~\n/close\n~~~", "````\n```\n/close\n```\n````\n/reopen",
		"`/close`", "text `a\n/close` b", "> /close", "> quoted\n/close", "<!--\n/close\n-->",
		"<details>\n/close\n</details>", "<details>\n\n/close\n\n</details>", "- /close", "- a\n/close",
		"| a |\n| - |\n| /close |", "/close\r\n/reopen\r\n", "/close\r/reopen", "/foo\n/usr/bin\n/s",
		"/deadline 2026-13-40", "/assign @a, @org/team", "/involve @a @org/t", "/label `a/b` \"c d\"",
		"/link <https://datatracker.ietf.org/liaison/1983/>", "/sent 12", "/no-response why <!-- x\n/close\n-->",
		"/liaison help", "/route IESG 6man", "/purpose info", "/to irtf", "/ack send", "/respond crafted",
		"/close\n---", "# /close", "  ```\n```\n/close", "- ```\n/close\n```", "\t```\n/close",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		res := Parse(body)
		if res.Err != nil && len(res.Commands)+len(res.Unknown) > 0 {
			t.Errorf("Result has Err %v and commands", res.Err)
		}
		lines := lineEnd.Split(body, -1)
		checkCommands(t, lines, res)

		if fenced, ok := fencedLines(lines); ok {
			for _, c := range append(res.Commands, res.Unknown...) {
				if fenced[c.Line-1] {
					t.Errorf("line %d %q is inside a fenced code block but was parsed as %s", c.Line, c.Raw, brief(c))
				}
			}
		}

		if !strings.Contains(body, "\r") {
			crlf := Parse(strings.ReplaceAll(body, "\n", "\r\n"))
			if a, b := briefs(res.Commands), briefs(crlf.Commands); strings.Join(a, "\n") != strings.Join(b, "\n") {
				t.Errorf("CRLF line endings change the commands:\n LF   %q\n CRLF %q", a, b)
			}
		}

		for _, w := range wrappings(body, lines) {
			if r := Parse(w.body); len(r.Commands)+len(r.Unknown) > 0 {
				t.Errorf("body %s still has commands: %q %q", w.how, briefs(r.Commands), briefs(r.Unknown))
			}
		}
	})
}

// checkCommands checks what every result must satisfy whatever the body.
func checkCommands(t *testing.T, lines []string, res Result) {
	t.Helper()
	seen := map[int]bool{}
	for _, list := range [][]Command{res.Commands, res.Unknown} {
		prev := 0
		for _, c := range list {
			if c.Line < 1 || c.Line > len(lines) {
				t.Fatalf("Line %d outside the body's %d lines", c.Line, len(lines))
			}
			if c.Raw != lines[c.Line-1] {
				t.Errorf("Raw %q is not line %d %q", c.Raw, c.Line, lines[c.Line-1])
			}
			if c.Line <= prev || seen[c.Line] {
				t.Errorf("line %d returned twice or out of order", c.Line)
			}
			prev = c.Line
			seen[c.Line] = true
			if _, _, ok := splitName(strings.TrimLeft(c.Raw, " \t")); !ok {
				t.Errorf("line %d %q does not start with a command name", c.Line, c.Raw)
			}
		}
	}
	for _, c := range res.Unknown {
		if _, known := names[string(c.Name)]; known || c.Err == nil {
			t.Errorf("Unknown holds known command or has no error: %s", brief(c))
		}
	}
	for _, c := range res.Commands {
		word, _, _ := splitName(strings.TrimLeft(c.Raw, " \t"))
		if names[word] != c.Name || !c.Name.Known() {
			t.Errorf("line %q parsed as %s", c.Raw, c.Name)
		}
		if c.Err != nil {
			if !strings.HasPrefix(c.Err.Error(), "/"+string(c.Name)+": ") {
				t.Errorf("error %q does not name the command", c.Err)
			}
			continue
		}
		checkValid(t, c)
	}
}

// checkValid checks that a command without Err carries values its executor
// can use as they are.
func checkValid(t *testing.T, c Command) {
	t.Helper()
	bad := func(what string) { t.Errorf("valid %s has %s", brief(c), what) }
	for _, a := range c.Args {
		if a == "" {
			bad("an empty argument")
		}
	}
	switch c.Name {
	case Assign, Unassign, Involve:
		for _, l := range c.Logins {
			if !liaison.ValidLogin(l) {
				bad("an invalid login " + l)
			}
		}
		for _, tm := range c.Teams {
			if !liaison.ValidTeam(tm) {
				bad("an invalid team " + tm)
			}
		}
		if c.Name == Involve && len(c.Logins)+len(c.Teams) == 0 {
			bad("nobody to involve")
		}
		if len(c.Logins)+len(c.Teams) > maxArgs {
			bad("too many names")
		}
	case Route:
		if len(c.Groups) == 0 {
			bad("no group")
		}
		for _, g := range c.Groups {
			if !liaison.ValidAcronym(g) {
				bad("an invalid group " + g)
			}
		}
	case Purpose:
		if !c.Purpose.Known() {
			bad("an unknown purpose")
		}
	case To:
		if c.Family == "" {
			bad("no family")
		}
	case Deadline:
		if len(c.Args) != 1 || (c.Args[0] == "none") != c.Date.IsZero() {
			bad("a deadline that is neither a date nor none")
		}
		if !c.Date.IsZero() && c.Date.String() != c.Args[0] {
			bad("a date that differs from what was written")
		}
	case Link, Sent:
		if c.StatementID <= 0 || (c.Name == Sent && c.URL == "") {
			bad("no statement")
		}
	case Label, RemoveLabel:
		if len(c.Labels) == 0 || len(c.Labels) > maxArgs {
			bad("no labels or too many")
		}
		for _, l := range c.Labels {
			if strings.TrimSpace(l) == "" {
				bad("an empty label")
			}
		}
	case Close, Reopen, Report:
		if len(c.Args) != 0 {
			bad("arguments")
		}
	}
}

// fencedLines marks the lines inside top-level fenced code blocks, by a
// line scan that knows nothing of the parser. It reports false for bodies
// where such a scan could be wrong: HTML blocks (which can hold a fence
// line) and fences indented by one to three spaces (which may belong to a
// list item). A fence at the start of a line is then always a top-level
// fence: it can neither continue a paragraph nor stay in a container.
func fencedLines(lines []string) ([]bool, bool) {
	for _, l := range lines {
		if strings.Contains(l, "<") {
			return nil, false
		}
		if t := strings.TrimLeft(l, " "); t != l && len(l)-len(t) <= 3 && (strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~")) {
			return nil, false
		}
	}
	in := make([]bool, len(lines))
	var fence string // the opening run while inside a fence
	for i, l := range lines {
		if fence != "" {
			in[i] = true
			run := fenceRun(l)
			if run != "" && run[0] == fence[0] && len(run) >= len(fence) && strings.Trim(l[len(run):], " \t") == "" {
				fence = ""
			}
			continue
		}
		if run := fenceRun(l); run != "" && !(run[0] == '`' && strings.Contains(l[len(run):], "`")) {
			fence = run
			in[i] = true
		}
	}
	return in, true
}

// fenceRun is the run of three or more backticks or tildes that starts l.
func fenceRun(l string) string {
	if len(l) < 3 || (l[0] != '`' && l[0] != '~') {
		return ""
	}
	n := 0
	for n < len(l) && l[n] == l[0] {
		n++
	}
	if n < 3 {
		return ""
	}
	return l[:n]
}

type wrapped struct{ how, body string }

// wrappings are bodies made by putting body where nothing is a command.
func wrappings(body string, lines []string) []wrapped {
	var out []wrapped
	fence := strings.Repeat("`", max(3, longestRun(body, '`')+1))
	out = append(out, wrapped{"in a fence", fence + "\n" + body + "\n" + fence})
	quoted := make([]string, len(lines))
	indented := make([]string, len(lines))
	for i, l := range lines {
		quoted[i] = "> " + l
		indented[i] = "    " + l
	}
	out = append(out, wrapped{"quoted", strings.Join(quoted, "\n")})
	out = append(out, wrapped{"indented", strings.Join(indented, "\n")})
	if !strings.Contains(body, "-->") {
		out = append(out, wrapped{"in an HTML comment", "<!--\n" + body + "\n-->"})
	}
	return out
}

func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}
