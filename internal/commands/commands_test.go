package commands

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/liaisonbot/liaisonbot/internal/liaison"
)

// brief is a command in one line for comparing: "3 /close", "4 /deadline
// 2026-13-40 ! /deadline: invalid date …".
func brief(c Command) string {
	s := fmt.Sprintf("%d /%s", c.Line, c.Name)
	if len(c.Args) > 0 {
		s += " " + strings.Join(c.Args, " ")
	}
	if c.Err != nil {
		s += " ! " + c.Err.Error()
	}
	return s
}

func briefs(cs []Command) []string {
	var out []string
	for _, c := range cs {
		out = append(out, brief(c))
	}
	return out
}

// TestParseWhereCommandsAre covers which lines are commands: the Markdown
// structure decides, not the characters.
func TestParseWhereCommandsAre(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    []string
		unknown []string
	}{
		{name: "empty", body: ""},
		{name: "only whitespace", body: "  \n\t\n \r\n"},
		{name: "one command", body: "/close", want: []string{"1 /close"}},
		{name: "trailing spaces and newline", body: "/close   \n", want: []string{"1 /close"}},
		{name: "upper case", body: "/CLOSE\n/Reopen", want: []string{"1 /close", "2 /reopen"}},
		{name: "three leading spaces", body: "   /close", want: []string{"1 /close"}},
		{name: "four leading spaces are indented code", body: "    /close"},
		{name: "tab is indented code", body: "\t/close"},
		{name: "indented code after a blank line", body: "Closing now:\n\n    /close\n"},
		{name: "indented continuation line of a paragraph", body: "text\n      /close", want: []string{"2 /close"}},
		{name: "after text lines of the same paragraph", body: "Thanks, routing it.\n/route iesg\nand done.", want: []string{"2 /route iesg"}},
		{name: "text before the slash", body: "please /close"},
		{name: "escaped slash", body: `\/close`},
		{name: "backtick fence", body: "```\n/close\n```\n/reopen", want: []string{"4 /reopen"}},
		{name: "fence with info string", body: "```sh\n/close\n```", want: nil},
		{name: "tilde fence", body: "~~~\n/close\n~~~\n/reopen", want: []string{"4 /reopen"}},
		{name: "longer fence holds a shorter one", body: "````\n```\n/close\n```\n````\n/reopen", want: []string{"6 /reopen"}},
		{name: "tilde fence holds a backtick fence", body: "~~~\n```\n~~~\n/close", want: []string{"4 /close"}},
		{name: "unclosed fence runs to the end", body: "```\n/close\n\n/reopen"},
		{name: "fence right after a paragraph line", body: "see:\n```\n/close\n```", want: nil},
		{name: "inline code", body: "`/close`"},
		{name: "inline code over two lines", body: "text `a\n/close b`"},
		{name: "link text over two lines", body: "[see\n/close now](https://example.org)"},
		{name: "emphasis over two lines", body: "*a\n/close b*"},
		{name: "strikethrough over two lines", body: "~~a\n/close b~~"},
		{name: "block quote", body: "> /close"},
		{name: "nested block quote", body: "> > /close\n>> /reopen"},
		{name: "lazy continuation of a quote", body: "> you wrote\n/close"},
		{name: "after a quote and a blank line", body: "> you wrote\n\n/close", want: []string{"3 /close"}},
		{name: "HTML comment on one line", body: "<!-- /close -->"},
		{name: "HTML comment over lines", body: "<!--\n/close\n-->\n/reopen", want: []string{"4 /reopen"}},
		{name: "inline HTML comment over lines", body: "note <!--\n/close\n--> done\n/reopen", want: []string{"4 /reopen"}},
		{name: "HTML comment after a command", body: "/close <!-- a note -->", want: []string{"1 /close"}},
		{name: "HTML block", body: "<details>\n/close\n</details>"},
		{name: "Markdown inside details", body: "<details>\n<summary>cmd</summary>\n\n/close\n\n</details>", want: []string{"4 /close"}},
		{name: "list item", body: "- /close\n* /reopen\n1. /report"},
		{name: "task list item", body: "- [ ] /close"},
		{name: "lazy continuation of a list item", body: "- done\n/close"},
		{name: "after a list and a blank line", body: "- done\n\n/close", want: []string{"3 /close"}},
		{name: "table cell", body: "| cmd | x |\n| --- | --- |\n| /close | y |"},
		{name: "table header", body: "/close | x\n--- | ---\n"},
		{name: "ATX heading", body: "# /close"},
		{name: "setext heading text", body: "/close\n---", want: []string{"1 /close"}},
		{name: "link text", body: "[/close](https://example.org)"},
		{name: "emphasis", body: "*/close*"},
		{name: "several in order", body: "/label purpose/action\nSome text.\n/assign @alice\n\n/deadline 2026-03-31",
			want: []string{"1 /label purpose/action", "3 /assign alice", "5 /deadline 2026-03-31"}},
		{name: "same command twice", body: "/close\n/close", want: []string{"1 /close", "2 /close"}},
		{name: "CRLF", body: "/close\r\n\r\n```\r\n/reopen\r\n```\r\n/report\r\n", want: []string{"1 /close", "6 /report"}},
		{name: "lone CR", body: "/close\r/reopen", want: []string{"1 /close", "2 /reopen"}},
		{name: "unknown command", body: "/foo bar\n/close", want: []string{"2 /close"}, unknown: []string{"1 /foo bar ! unknown command /foo"}},
		{name: "single letter", body: "/s", unknown: []string{"1 /s ! unknown command /s"}},
		{name: "unknown command in code", body: "`/foo`\n```\n/lgtm\n```"},
		{name: "path", body: "/usr/bin"},
		{name: "path with text", body: "/tmp/foo is a path"},
		{name: "punctuation after the name", body: "/close."},
		{name: "slash alone", body: "/ close"},
		{name: "digits", body: "/123"},
		{name: "very long word", body: "/" + strings.Repeat("a", 40)},
		{name: "invalid command keeps its place", body: "/deadline 2026-13-40\n/close",
			want: []string{`1 /deadline 2026-13-40 ! /deadline: invalid date "2026-13-40": want YYYY-MM-DD`, "2 /close"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Parse(tt.body)
			if got := briefs(res.Commands); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q).Commands:\n got  %q\n want %q", tt.body, got, tt.want)
			}
			if got := briefs(res.Unknown); !reflect.DeepEqual(got, tt.unknown) {
				t.Errorf("Parse(%q).Unknown:\n got  %q\n want %q", tt.body, got, tt.unknown)
			}
		})
	}
}

func TestParseRaw(t *testing.T) {
	res := Parse("intro\r\n  /assign @alice  <!-- hi -->\r\n")
	if len(res.Commands) != 1 {
		t.Fatalf("got %d commands, want 1", len(res.Commands))
	}
	c := res.Commands[0]
	if c.Raw != "  /assign @alice  <!-- hi -->" || c.Line != 2 {
		t.Errorf("Raw, Line = %q, %d; want the line as written without its ending, 2", c.Raw, c.Line)
	}
	if !reflect.DeepEqual(c.Logins, []string{"alice"}) {
		t.Errorf("Logins = %q, want [alice]: the HTML comment is no argument", c.Logins)
	}
}

// TestParseArgs covers each command with valid and invalid arguments.
func TestParseArgs(t *testing.T) {
	tests := []struct {
		line string
		want Command // Raw and Line are not compared
		err  string
	}{
		{line: "/ack", want: Command{Name: Ack}},
		{line: "/ack send", want: Command{Name: Ack, Args: []string{"send"}, Sub: "send"}},
		{line: "/ack SENT", want: Command{Name: Ack, Args: []string{"sent"}, Sub: "sent"}},
		{line: "/ack later", err: `/ack: unknown argument "later": want /ack, /ack send or /ack sent`},
		{line: "/ack send now", err: `/ack: too many arguments "send now": want /ack, /ack send or /ack sent`},

		{line: "/assign", want: Command{Name: Assign}},
		{line: "/assign @alice bob", want: Command{Name: Assign, Args: []string{"alice", "bob"}, Logins: []string{"alice", "bob"}}},
		{line: "/assign @alice, @Alice,@carol", want: Command{Name: Assign, Args: []string{"alice", "carol"}, Logins: []string{"alice", "carol"}}},
		{line: "/assign @ietf/iesg", err: `/assign: cannot assign team "ietf/iesg": GitHub assigns people only; name users, or use /involve for a team`},
		{line: "/assign @al!ce", err: `/assign: invalid GitHub login "al!ce": want letters, digits and dashes, at most 39`},
		{line: "/assign @-alice", err: `/assign: invalid GitHub login "-alice": want letters, digits and dashes, at most 39`},
		{line: "/assign @", err: `/assign: invalid GitHub login "": want letters, digits and dashes, at most 39`},
		{line: "/assign " + strings.Repeat("a", 40), err: `/assign: invalid GitHub login "` + strings.Repeat("a", 40) + `": want letters, digits and dashes, at most 39`},
		{line: "/assign" + strings.Repeat(" @u", 21), err: `/assign: too many names (21): at most 20 per command`},
		{line: "/unassign", want: Command{Name: Unassign}},
		{line: "/unassign @bob", want: Command{Name: Unassign, Args: []string{"bob"}, Logins: []string{"bob"}}},
		{line: "/unassign @org/team", err: `/unassign: cannot assign team "org/team": GitHub assigns people only; name users, or use /involve for a team`},

		{line: "/involve @alice @ietf/iesg", want: Command{Name: Involve, Args: []string{"alice", "ietf/iesg"}, Logins: []string{"alice"}, Teams: []string{"ietf/iesg"}}},
		{line: "/involve", err: `/involve: missing argument: want one or more @user or @org/team`},
		{line: "/involve @ietf/", err: `/involve: invalid team "ietf/": want @org/team`},
		{line: "/involve @ietf/a/b", err: `/involve: invalid team "ietf/a/b": want @org/team`},

		{line: "/route IESG opsawg 6man iesg", want: Command{Name: Route, Args: []string{"iesg", "opsawg", "6man"}, Groups: []string{"iesg", "opsawg", "6man"}}},
		{line: "/route", err: `/route: missing argument: want one or more datatracker group acronyms, e.g. /route iesg`},
		{line: "/route ops_area", err: `/route: invalid group "ops_area": want a datatracker acronym of letters, digits and dashes`},
		{line: "/route -ops", err: `/route: invalid group "-ops": want a datatracker acronym of letters, digits and dashes`},

		{line: "/purpose action", want: Command{Name: Purpose, Args: []string{"action"}, Purpose: liaison.PurposeAction}},
		{line: "/purpose info", want: Command{Name: Purpose, Args: []string{"information"}, Purpose: liaison.PurposeInformation}},
		{line: "/purpose Response", want: Command{Name: Purpose, Args: []string{"response"}, Purpose: liaison.PurposeResponse}},
		{line: "/purpose for-action", err: `/purpose: unknown purpose "for-action": want action, comment, information or response`},
		{line: "/purpose", err: `/purpose: missing argument: want action, comment, information or response`},
		{line: "/purpose action comment", err: `/purpose: too many arguments "action comment": want action, comment, information or response`},

		{line: "/to IRTF", want: Command{Name: To, Args: []string{"irtf"}, Family: liaison.FamilyIRTF}},
		{line: "/to iab", want: Command{Name: To, Args: []string{"iab"}, Family: liaison.FamilyIAB}},
		{line: "/to iesg", err: `/to: unknown addressee "iesg": want ietf, irtf or iab`},

		{line: "/deadline 2026-03-31", want: Command{Name: Deadline, Args: []string{"2026-03-31"}, Date: liaison.Date{Year: 2026, Month: time.March, Day: 31}}},
		{line: "/deadline NONE", want: Command{Name: Deadline, Args: []string{"none"}}},
		{line: "/deadline 2026-13-40", err: `/deadline: invalid date "2026-13-40": want YYYY-MM-DD`},
		{line: "/deadline 2026-02-30", err: `/deadline: invalid date "2026-02-30": want YYYY-MM-DD`},
		{line: "/deadline 2026-3-1", err: `/deadline: invalid date "2026-3-1": want YYYY-MM-DD`},
		{line: "/deadline", err: `/deadline: missing argument: want a date as YYYY-MM-DD, or none`},
		{line: "/deadline 31 March", err: `/deadline: too many arguments "31 March": want a date as YYYY-MM-DD, or none`},

		{line: "/respond boilerplate", want: Command{Name: Respond, Args: []string{"boilerplate"}, Sub: "boilerplate"}},
		{line: "/respond Crafted", want: Command{Name: Respond, Args: []string{"crafted"}, Sub: "crafted"}},
		{line: "/respond", err: `/respond: missing argument: want /respond boilerplate or /respond crafted`},
		{line: "/respond later", err: `/respond: unknown argument "later": want /respond boilerplate or /respond crafted`},

		{line: "/link 1983", want: Command{Name: Link, Args: []string{"1983"}, StatementID: 1983}},
		{line: "/link https://datatracker.ietf.org/liaison/1983/", want: Command{Name: Link, Args: []string{"https://datatracker.ietf.org/liaison/1983/"}, StatementID: 1983, URL: "https://datatracker.ietf.org/liaison/1983/"}},
		{line: "/link <https://datatracker.ietf.org/liaison/1983>", want: Command{Name: Link, Args: []string{"https://datatracker.ietf.org/liaison/1983"}, StatementID: 1983, URL: "https://datatracker.ietf.org/liaison/1983"}},
		{line: "/link LS1983", err: `/link: invalid liaison statement id "LS1983": "LS1983" is not a number`},
		{line: "/link https://datatracker.ietf.org/doc/rfc9000/", err: `/link: invalid liaison statement URL "https://datatracker.ietf.org/doc/rfc9000/": path is not /liaison/<id>/`},
		{line: "/link", err: `/link: missing argument: want a datatracker statement id or URL`},

		{line: "/sent https://datatracker.ietf.org/liaison/2001/", want: Command{Name: Sent, Args: []string{"https://datatracker.ietf.org/liaison/2001/"}, StatementID: 2001, URL: "https://datatracker.ietf.org/liaison/2001/"}},
		{line: "/sent 2001", err: `/sent: "2001" is not a URL: want the datatracker URL of the posted reply, e.g. https://datatracker.ietf.org/liaison/2001/`},
		{line: "/sent", err: `/sent: missing argument: want the datatracker URL of the posted reply, e.g. https://datatracker.ietf.org/liaison/2001/`},
		{line: "/sent ftp://datatracker.ietf.org/liaison/2001/", err: `/sent: invalid liaison statement URL "ftp://datatracker.ietf.org/liaison/2001/": want https://<datatracker>/liaison/<id>/`},

		{line: "/no-response", want: Command{Name: NoResponse}},
		{line: "/no-response  for information only;  noted ", want: Command{Name: NoResponse, Args: []string{"for", "information", "only;", "noted"}, Reason: "for information only;  noted"}},
		{line: "/no-response noted <!-- private -->", want: Command{Name: NoResponse, Args: []string{"noted"}, Reason: "noted"}},

		{line: "/close", want: Command{Name: Close}},
		{line: "/close now", err: `/close: takes no arguments`},
		{line: "/reopen", want: Command{Name: Reopen}},
		{line: "/reopen please", err: `/reopen: takes no arguments`},
		{line: "/report", want: Command{Name: Report}},
		{line: "/report all", err: `/report: takes no arguments`},

		{line: "/label purpose/action to/ietf", want: Command{Name: Label, Args: []string{"purpose/action", "to/ietf"}, Labels: []string{"purpose/action", "to/ietf"}}},
		{line: "/label needs-routing,deadline/soon", want: Command{Name: Label, Args: []string{"needs-routing", "deadline/soon"}, Labels: []string{"needs-routing", "deadline/soon"}}},
		{line: "/label `from/itu-t` \"good first issue\" liaison LIAISON", want: Command{Name: Label, Args: []string{"from/itu-t", "good first issue", "liaison"}, Labels: []string{"from/itu-t", "good first issue", "liaison"}}},
		{line: "/label", err: `/label: missing argument: want one or more label names, e.g. purpose/action`},
		{line: "/label \"good first", err: `/label: unclosed quote in "\"good first"`},
		{line: "/label \"\"", err: `/label: empty label name`},
		{line: "/label \"` `\"", err: `/label: empty label name`},
		{line: "/label " + strings.Repeat("x", 51), err: `/label: label "` + strings.Repeat("x", 51) + `" is too long (51 characters): GitHub allows 50`},
		{line: "/label" + strings.Repeat(" a", 21), err: `/label: too many labels (21): at most 20 per command`},
		{line: "/remove-label needs-routing", want: Command{Name: RemoveLabel, Args: []string{"needs-routing"}, Labels: []string{"needs-routing"}}},
		{line: "/remove-label", err: `/remove-label: missing argument: want one or more label names, e.g. purpose/action`},

		{line: "/liaison help", want: Command{Name: LiaisonHelp, Args: []string{"help"}, Sub: "help"}},
		{line: "/Liaison HELP", want: Command{Name: LiaisonHelp, Args: []string{"help"}, Sub: "help"}},
		{line: "/liaison", err: `/liaison help: missing argument: want /liaison help`},
		{line: "/liaison config", err: `/liaison help: unknown argument "config": want /liaison help`},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			res := Parse(tt.line)
			if len(res.Commands) != 1 || len(res.Unknown) != 0 {
				t.Fatalf("Parse(%q) = %d commands, %d unknown; want 1 command", tt.line, len(res.Commands), len(res.Unknown))
			}
			got := res.Commands[0]
			if got.Raw != tt.line || got.Line != 1 {
				t.Errorf("Raw, Line = %q, %d; want %q, 1", got.Raw, got.Line, tt.line)
			}
			if tt.err != "" {
				if got.Err == nil || got.Err.Error() != tt.err {
					t.Fatalf("Err = %v, want %s", got.Err, tt.err)
				}
				if want := strings.Fields(tt.line)[1:]; !reflect.DeepEqual(got.Args, want) && len(want) > 0 {
					t.Errorf("Args of an invalid command = %q, want the words as written %q", got.Args, want)
				}
				if got.Sub != "" || got.Logins != nil || got.Labels != nil || got.StatementID != 0 || !got.Date.IsZero() || got.Purpose != "" {
					t.Errorf("invalid command has parsed values: %+v", got)
				}
				return
			}
			if got.Err != nil {
				t.Fatalf("Err = %v, want none", got.Err)
			}
			got.Raw, got.Line = "", 0
			if len(got.Args) == 0 {
				got.Args = nil
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q):\n got  %+v\n want %+v", tt.line, got, tt.want)
			}
		})
	}
}

func TestStateChanging(t *testing.T) {
	tests := []struct {
		line string
		want bool
	}{
		{"/ack", false},
		{"/ack send", true},
		{"/ack sent", true},
		{"/liaison help", false},
		{"/report", false},
		{"/close", true},
		{"/label x", true},
		{"/assign", true},
		{"/deadline none", true},
		{"/no-response", true},
		{"/link 1", true},
	}
	for _, tt := range tests {
		c := Parse(tt.line).Commands[0]
		if got := c.StateChanging(); got != tt.want {
			t.Errorf("Parse(%q).StateChanging() = %v, want %v", tt.line, got, tt.want)
		}
	}
	if !Ack.StateChanging() {
		t.Error("Ack.StateChanging() = false, want true: /ack send changes state")
	}
	if Report.StateChanging() || LiaisonHelp.StateChanging() {
		t.Error("Report or LiaisonHelp reported as state-changing")
	}
}

var allNames = []Name{Ack, Assign, Unassign, Route, Purpose, To, Deadline, Respond, Involve,
	Link, Sent, NoResponse, Close, Reopen, Label, RemoveLabel, Report, LiaisonHelp}

func TestAllHelp(t *testing.T) {
	helps := AllHelp()
	byName := map[Name][]Help{}
	for _, h := range helps {
		byName[h.Name] = append(byName[h.Name], h)
		if !strings.HasPrefix(h.Syntax, "/"+string(h.Name)) && !(h.Name == Ack && strings.HasPrefix(h.Syntax, "/ack")) {
			t.Errorf("%s: syntax %q does not start with the command", h.Name, h.Syntax)
		}
		if h.Description == "" || len(h.Examples) == 0 {
			t.Errorf("%s: no description or examples", h.Syntax)
		}
		// Every example must parse as the command it illustrates, so
		// that the help never shows a line the parser refuses.
		for _, ex := range h.Examples {
			res := Parse(ex)
			if len(res.Commands) != 1 || res.Commands[0].Name != h.Name || res.Commands[0].Err != nil {
				t.Errorf("%s: example %q parses as %q", h.Syntax, ex, briefs(res.Commands))
				continue
			}
			if got := res.Commands[0].StateChanging(); got != h.StateChanging {
				t.Errorf("%s: example %q StateChanging() = %v, help says %v", h.Syntax, ex, got, h.StateChanging)
			}
		}
	}
	for _, n := range allNames {
		if len(byName[n]) == 0 {
			t.Errorf("no help for %s", n)
		}
		if !n.Known() {
			t.Errorf("%s.Known() = false", n)
		}
	}
	if len(byName) != len(allNames) {
		t.Errorf("help names %d commands, want %d", len(byName), len(allNames))
	}
	for _, n := range []Name{Report} {
		if n.Available() {
			t.Errorf("%s.Available() = true, want false until its issue is done", n)
		}
	}
	if !Close.Available() || Name("lgtm").Known() {
		t.Error("Close not available, or an unknown name known")
	}
	helps[0].Examples[0] = "changed"
	if AllHelp()[0].Examples[0] == "changed" {
		t.Error("AllHelp shares its examples with the caller")
	}
}

// TestParseLargeBody parses a comment at GitHub's size limit with commands
// before, inside and after code.
// largeBody is a comment of GitHub's maximum size with commands before,
// inside and after code, and the commands it holds.
func largeBody() (string, []string) {
	var b strings.Builder
	var want []string
	line := 1
	write := func(s string) {
		b.WriteString(s + "\n")
		line++
	}
	for b.Len() < 64<<10-100 {
		want = append(want, fmt.Sprintf("%d /label x%d", line, line))
		write(fmt.Sprintf("/label x%d", line))
		write("Some text with `code` and *emphasis* and a /path/to/file.")
		write("```")
		write("/close")
		write("```")
		write("> /reopen")
		write("")
	}
	return b.String(), want
}

func TestParseLargeBody(t *testing.T) {
	body, want := largeBody()
	res := Parse(body)
	if got := briefs(res.Commands); !reflect.DeepEqual(got, want) {
		t.Fatalf("Parse of %d bytes found %d commands, want %d", len(body), len(got), len(want))
	}
	if len(res.Unknown) != 0 || res.Err != nil {
		t.Errorf("Unknown = %q, Err = %v; want none", briefs(res.Unknown), res.Err)
	}
}

func BenchmarkParse(b *testing.B) {
	body := strings.Repeat("Thanks for the statement.\n\n> quoted /close\n\n```\n/reopen\n```\n", 20) + "/label purpose/action\n/assign @alice\n"
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		Parse(body)
	}
}

func TestParseTooLarge(t *testing.T) {
	long := strings.Repeat("x", maxLineBytes+1)
	tests := []struct {
		name string
		body string
		err  string
	}{
		{"long line without a command", "text\n" + long, ""},
		{"long line with a command", "/close\n```\n" + long + "\n```", "comment not read for commands: line 3 is longer than 8192 bytes"},
		{"line at the limit", "/close\n" + long[1:], ""},
		{"long body", "/close\n" + strings.Repeat("text\n", maxBodyBytes/5+1), "comment not read for commands: it is longer than 262144 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Parse(tt.body)
			if tt.err == "" {
				if res.Err != nil {
					t.Fatalf("Err = %v, want none", res.Err)
				}
				return
			}
			if res.Err == nil || res.Err.Error() != tt.err {
				t.Fatalf("Err = %v, want %s", res.Err, tt.err)
			}
			if len(res.Commands)+len(res.Unknown) != 0 {
				t.Errorf("a body not read has commands: %q", briefs(res.Commands))
			}
		})
	}
}

// pathological are comments of GitHub's maximum size on which goldmark
// spends time quadratic in the length of a line; the line limit keeps each
// to milliseconds.
func pathological() map[string]string {
	lines := func(unit string) string {
		var b strings.Builder
		b.WriteString("/close\n")
		line := strings.Repeat(unit, min(maxLineBytes, 64<<10-16)/len(unit))
		for b.Len()+len(line) <= 64<<10 {
			b.WriteString(line + "\n")
		}
		return b.String()
	}
	return map[string]string{
		"nested quotes":     lines(">"),
		"nested quotes sp":  lines("> "),
		"nested lists":      lines("1. "),
		"link openers":      lines("[]("),
		"link destinations": lines("[a]("),
		"brackets":          lines("["),
		"emphasis":          lines("*_"),
		"code spans":        lines("`a``"),
	}
}

func TestParsePathological(t *testing.T) {
	// Compare with an ordinary comment of the same size, parsed on the
	// same machine, so that the bound holds under load: the worst hostile
	// body costs about 60 times as much, and without the line limit
	// nested quotes cost about 500 times as much.
	best := func(body string) time.Duration {
		d := time.Duration(1<<63 - 1)
		for range 3 {
			start := time.Now()
			Parse(body)
			d = min(d, time.Since(start))
		}
		return d
	}
	ordinary, _ := largeBody()
	base := best(ordinary)
	if raceEnabled {
		t.Log("not timing under the race detector")
	}
	for name, body := range pathological() {
		res := Parse(body)
		if res.Err != nil || len(res.Commands) != 1 {
			t.Errorf("%s: Err %v, %d commands; want the /close", name, res.Err, len(res.Commands))
		}
		if raceEnabled {
			continue
		}
		if d := best(body); d > 200*base {
			t.Errorf("%s: Parse of %d bytes took %v, over 200 times the %v of an ordinary comment", name, len(body), d, base)
		}
	}
}

func BenchmarkParsePathological(b *testing.B) {
	for name, body := range pathological() {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				Parse(body)
			}
		})
	}
}
