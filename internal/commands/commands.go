// Package commands reads the slash-commands in an issue comment: which lines
// are commands, which command each names, and whether its arguments are
// valid. It executes nothing; the caller authorises and runs the commands in
// the order they are returned.
//
// # What counts as a command
//
// A command is a line of the comment that reads "/name args": the slash
// starts the line (leading spaces are allowed), the name follows it at once,
// and everything after the name on that line is the command's arguments.
// Names are matched without regard to case, as in Prow ("/CLOSE" is
// "/close").
//
// Which lines those are is decided on the Markdown structure, the way GitHub
// shows the comment, not by matching patterns on the raw text: the comment is
// parsed with goldmark and GitHub Flavored Markdown, and only lines of
// paragraph text of the comment itself are considered (setext heading text,
// "/close" followed by a line of "---", counts as paragraph text too). So the
// following are never commands:
//   - lines in fenced or indented code, and text in an inline code span;
//   - lines in a block quote, at any depth, including a line that GitHub
//     shows inside the quote because it directly follows a quoted line
//     without a blank line between them (a "lazy continuation");
//   - lines in a list item or a task-list item, for the same reason: they are
//     part of the item's text, not instructions to the app;
//   - table cells;
//   - HTML comments, inline or over several lines, and HTML blocks: in
//     "<details>\n/close\n</details>" the line is raw HTML content and not a
//     command. GitHub renders Markdown inside <details> when it is separated
//     from the tags by blank lines; such a line is ordinary paragraph text
//     and is a command, as it would be outside the tags;
//   - an escaped slash ("\/close"), a link's text, and a slash that is not
//     the first thing on its line ("please /close").
//
// A line whose first word is a known command name is a command, even when its
// arguments are invalid: it is returned with Err set, so that a mistake such
// as "/deadline 2026-13-40" gets a clear answer rather than silence. A line
// "/word" whose word is not a known name (such as "/s" or "/lgtm") is not a
// command and is returned in Result.Unknown, so that the caller may answer
// "unknown command" or ignore it as Prow does. A slash followed by anything
// but a name and then a space or the end of the line ("/usr/bin",
// "/tmp/foo is a path", "/close.") is ordinary text and is not returned at
// all.
//
// Arguments are the rest of the line as written, split on white space (and
// on commas for logins, teams, groups and labels; a label with spaces is
// written in double quotes), without HTML comments. Markdown in an argument
// is not interpreted: "/label `purpose/action`" names the label
// purpose/action only because surrounding backticks are removed from labels.
// A line break inside a command's line in the source ends its arguments,
// even where GitHub would join the lines into one paragraph.
//
// goldmark takes time quadratic in the length of some hostile lines, so a
// comment with a line over 8 KiB, or over 256 KiB in all, is not read for
// commands; Result.Err says so. GitHub's own limit of 65,536 characters
// per comment leaves room for everything else.
package commands

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/liaisonbot/liaisonbot/internal/liaison"
)

// Name is a command's canonical name, without the slash.
type Name string

// The commands of DESIGN.md §2.
const (
	Ack         Name = "ack"
	Assign      Name = "assign"
	Unassign    Name = "unassign"
	Route       Name = "route"
	Purpose     Name = "purpose"
	To          Name = "to"
	Deadline    Name = "deadline"
	Respond     Name = "respond"
	Involve     Name = "involve"
	Link        Name = "link"
	Sent        Name = "sent"
	NoResponse  Name = "no-response"
	Close       Name = "close"
	Reopen      Name = "reopen"
	Label       Name = "label"
	RemoveLabel Name = "remove-label"
	Report      Name = "report"
	// LiaisonHelp is "/liaison help": the word "liaison" followed by
	// "help", so that it does not clash with Prow's "/help".
	LiaisonHelp Name = "liaison help"
)

// Command is one command line of a comment.
//
// When Err is nil, Args and the typed fields that belong to Name hold the
// validated values; the other typed fields are empty. When Err is not nil the
// command must not be run: Args then holds the words as written and Err says
// what is wrong.
type Command struct {
	Name Name
	// Args are the arguments in normal form: logins without "@", teams as
	// "org/team", groups in lower case, the purpose as its label value
	// ("information" for "info"), subcommands in lower case, dates and
	// identifiers as given.
	Args []string
	// Raw is the line as written, without its line ending.
	Raw string
	// Line is the 1-based number of the line in the comment; "\n", "\r\n"
	// and a lone "\r" each end a line.
	Line int
	// Err is a sentence naming the problem with the arguments, for example
	// `/deadline: invalid date "2026-13-40": want YYYY-MM-DD`. It quotes
	// what the commenter wrote: render it with markdown.Inline before
	// posting it.
	Err error

	// Sub is the subcommand: "", "send" or "sent" for Ack; "boilerplate"
	// or "crafted" for Respond; "help" for LiaisonHelp.
	Sub string
	// Logins are the users for Assign, Unassign and Involve, without "@",
	// in the order given and without duplicates. Empty for Assign and
	// Unassign means the commenter.
	Logins []string
	// Teams are the teams for Involve, as "org/team" without "@".
	Teams []string
	// Groups are the datatracker group acronyms for Route, in lower case.
	Groups []string
	// Labels are the label names for Label and RemoveLabel.
	Labels []string
	// Purpose is the new purpose for Purpose; always one of
	// liaison.Purposes.
	Purpose liaison.Purpose
	// Family is the new addressee family for To.
	Family liaison.Family
	// Date is the new deadline for Deadline; the zero Date means
	// "/deadline none", no deadline.
	Date liaison.Date
	// StatementID is the datatracker statement for Link and Sent.
	StatementID int
	// URL is the datatracker page for Sent, and for Link when it was given
	// as a URL.
	URL string
	// Reason is the free text after "/no-response", trimmed; it may be
	// empty.
	Reason string
}

// Result is what Parse found in a comment.
type Result struct {
	// Commands are the command lines in the order they appear, with Err
	// set on those whose arguments are invalid.
	Commands []Command
	// Unknown are lines that read like a command but name none this
	// package knows ("/lgtm"), in order. Their Name is the word as
	// written, in lower case, and Err says "unknown command".
	Unknown []Command
	// Err is set, and nothing else, when the comment was not read for
	// commands at all because it is too large to parse safely; the caller
	// should say so rather than stay silent.
	Err error
}

// maxNameLen bounds the word of an unknown command: a longer word is text,
// not a mistyped command, and is not worth an answer.
const maxNameLen = 32

// names maps the first word of a line to the command it starts.
var names = map[string]Name{
	"ack": Ack, "assign": Assign, "unassign": Unassign, "route": Route,
	"purpose": Purpose, "to": To, "deadline": Deadline, "respond": Respond,
	"involve": Involve, "link": Link, "sent": Sent, "no-response": NoResponse,
	"close": Close, "reopen": Reopen, "label": Label,
	"remove-label": RemoveLabel, "report": Report, "liaison": LiaisonHelp,
}

// Parse returns the commands in a comment body. A body without commands
// gives an empty Result, and a command with bad arguments comes back with
// its Err set. A body too large to parse safely (a line over 8 KiB, or more
// than 256 KiB in all) gives Result.Err if it has a line that could be a
// command.
func Parse(body string) Result {
	// CommonMark ends a line at "\n", "\r\n" or "\r". Normalising first
	// keeps line numbers and offsets the same for goldmark and for us.
	src := normalizeNewlines(body)
	starts := lineStarts(src)
	var res Result
	candidate, err := checkLines(src, starts)
	if err != nil {
		res.Err = err
		return res
	}
	if !candidate {
		return res
	}
	for _, cl := range commandLines(src, starts) {
		// The name is read from the line as written: "/close<!-- -->"
		// shows as "/close" but is not written as a command.
		word, _, ok := splitName(cl.text)
		if !ok {
			continue
		}
		rest := cl.visible[1+len(word):]
		name, known := names[word]
		if !known {
			if len(word) <= maxNameLen {
				res.Unknown = append(res.Unknown, Command{
					Name: Name(word),
					Args: strings.Fields(rest),
					Raw:  cl.raw,
					Line: cl.line,
					Err:  unknownError(word),
				})
			}
			continue
		}
		c := parseArgs(name, rest)
		c.Raw = cl.raw
		c.Line = cl.line
		res.Commands = append(res.Commands, c)
	}
	return res
}

// splitName splits "/name rest" into the lower-cased name and the rest. It
// reports false when the text after the slash is not a name (letters and
// dashes, starting with a letter) ended by white space or the end of the
// line: "/usr/bin" and "/close." are text.
func splitName(s string) (name, rest string, ok bool) {
	if !strings.HasPrefix(s, "/") {
		return "", "", false
	}
	s = s[1:]
	i := 0
	for i < len(s) && (isASCIILetter(s[i]) || (i > 0 && s[i] == '-')) {
		i++
	}
	if i == 0 {
		return "", "", false
	}
	if i < len(s) {
		r, _ := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsSpace(r) {
			return "", "", false
		}
	}
	return strings.ToLower(s[:i]), s[i:], true
}

func isASCIILetter(b byte) bool {
	return ('a' <= b && b <= 'z') || ('A' <= b && b <= 'Z')
}
