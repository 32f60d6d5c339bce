package commands

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/liaisonbot/liaisonbot/internal/datatracker"
	"github.com/liaisonbot/liaisonbot/internal/liaison"
)

// Limits on what one command may name, so that a single comment cannot
// make the caller send thousands of requests.
const (
	// maxArgs bounds the users, teams, groups or labels of one command.
	maxArgs = 20
	// maxLabelLen is GitHub's limit on a label name, in characters.
	maxLabelLen = 50
)

// parseArgs validates the text after a known command's name.
func parseArgs(name Name, rest string) Command {
	c := Command{Name: name, Args: strings.Fields(rest)}
	var err error
	switch name {
	case Ack:
		err = c.parseSub(rest, "", "send", "sent")
	case Respond:
		err = c.parseSub(rest, "boilerplate", "crafted")
	case LiaisonHelp:
		err = c.parseSub(rest, "help")
	case Assign, Unassign:
		err = c.parseUsers(rest, false)
	case Involve:
		err = c.parseUsers(rest, true)
	case Route:
		err = c.parseGroups(rest)
	case Purpose:
		err = c.parsePurpose(rest)
	case To:
		err = c.parseFamily(rest)
	case Deadline:
		err = c.parseDeadline(rest)
	case Link:
		err = c.parseStatement(rest, false)
	case Sent:
		err = c.parseStatement(rest, true)
	case NoResponse:
		c.Reason = strings.TrimSpace(rest)
	case Label, RemoveLabel:
		err = c.parseLabels(rest)
	case Close, Reopen, Report:
		if len(c.Args) > 0 {
			err = errors.New("takes no arguments")
		}
	}
	if err != nil {
		// Leave no half-validated values behind.
		return Command{Name: name, Args: strings.Fields(rest), Err: fmt.Errorf("%s: %w", slash(name), err)}
	}
	return c
}

// slash is how a command is written: "/close", "/liaison help".
func slash(n Name) string { return "/" + string(n) }

func unknownError(word string) error {
	return fmt.Errorf("unknown command /%s", word)
}

// parseSub accepts exactly one of subs as the only word ("" for none).
func (c *Command) parseSub(rest string, subs ...string) error {
	words := strings.Fields(rest)
	var got string
	switch len(words) {
	case 0:
	case 1:
		got = strings.ToLower(words[0])
	default:
		return fmt.Errorf("too many arguments %q: want %s", strings.Join(words, " "), syntaxOf(c.Name, subs))
	}
	for _, s := range subs {
		if got == s {
			c.Sub = got
			c.Args = nil
			if got != "" {
				c.Args = []string{got}
			}
			return nil
		}
	}
	if got == "" {
		return fmt.Errorf("missing argument: want %s", syntaxOf(c.Name, subs))
	}
	return fmt.Errorf("unknown argument %q: want %s", words[0], syntaxOf(c.Name, subs))
}

// syntaxOf lists the forms of a command with subcommands, for errors:
// "/ack, /ack send or /ack sent".
func syntaxOf(n Name, subs []string) string {
	word := slash(n)
	if n == LiaisonHelp {
		word = "/liaison"
	}
	forms := make([]string, len(subs))
	for i, s := range subs {
		forms[i] = strings.TrimSpace(word + " " + s)
	}
	if len(forms) == 1 {
		return forms[0]
	}
	return strings.Join(forms[:len(forms)-1], ", ") + " or " + forms[len(forms)-1]
}

// parseUsers reads "@user" and, when teams are allowed, "@org/team" words;
// "@" is optional. Assign and Unassign name users only, because GitHub
// assigns users, not teams.
func (c *Command) parseUsers(rest string, teams bool) error {
	words := listWords(rest)
	if len(words) > maxArgs {
		return fmt.Errorf("too many names (%d): at most %d per command", len(words), maxArgs)
	}
	if teams && len(words) == 0 {
		return errors.New("missing argument: want one or more @user or @org/team")
	}
	seen := map[string]bool{}
	for _, w := range words {
		name := strings.TrimPrefix(w, "@")
		key := strings.ToLower(name)
		if strings.Contains(name, "/") {
			if !liaison.ValidTeam(name) {
				return fmt.Errorf("invalid team %q: want @org/team", name)
			}
			if !teams {
				return fmt.Errorf("cannot assign team %q: GitHub assigns people only; name users, or use /involve for a team", name)
			}
			if !seen[key] {
				seen[key] = true
				c.Teams = append(c.Teams, name)
			}
			continue
		}
		if !liaison.ValidLogin(name) {
			return fmt.Errorf("invalid GitHub login %q: want letters, digits and dashes, at most 39", name)
		}
		if !seen[key] {
			seen[key] = true
			c.Logins = append(c.Logins, name)
		}
	}
	c.Args = append(append([]string(nil), c.Logins...), c.Teams...)
	return nil
}

// parseGroups reads one or more datatracker group acronyms, in any case.
func (c *Command) parseGroups(rest string) error {
	words := listWords(rest)
	if len(words) == 0 {
		return errors.New("missing argument: want one or more datatracker group acronyms, e.g. /route iesg")
	}
	if len(words) > maxArgs {
		return fmt.Errorf("too many groups (%d): at most %d per command", len(words), maxArgs)
	}
	seen := map[string]bool{}
	for _, w := range words {
		g := strings.ToLower(w)
		if !liaison.ValidAcronym(g) {
			return fmt.Errorf("invalid group %q: want a datatracker acronym of letters, digits and dashes", w)
		}
		if !seen[g] {
			seen[g] = true
			c.Groups = append(c.Groups, g)
		}
	}
	c.Args = c.Groups
	return nil
}

// one returns the only word of rest, or an error naming what is wanted.
func one(rest, want string) (string, error) {
	words := strings.Fields(rest)
	switch len(words) {
	case 0:
		return "", fmt.Errorf("missing argument: want %s", want)
	case 1:
		return words[0], nil
	}
	return "", fmt.Errorf("too many arguments %q: want %s", strings.Join(words, " "), want)
}

func (c *Command) parsePurpose(rest string) error {
	const want = "action, comment, information or response"
	w, err := one(rest, want)
	if err != nil {
		return err
	}
	p := liaison.PurposeFromSlug(w)
	if !p.Known() {
		return fmt.Errorf("unknown purpose %q: want %s", w, want)
	}
	c.Purpose = p
	c.Args = []string{string(p)}
	return nil
}

func (c *Command) parseFamily(rest string) error {
	const want = "ietf, irtf or iab"
	w, err := one(rest, want)
	if err != nil {
		return err
	}
	f, ok := liaison.ParseFamily(w)
	if !ok {
		return fmt.Errorf("unknown addressee %q: want %s", w, want)
	}
	c.Family = f
	c.Args = []string{string(f)}
	return nil
}

func (c *Command) parseDeadline(rest string) error {
	w, err := one(rest, "a date as YYYY-MM-DD, or none")
	if err != nil {
		return err
	}
	if strings.EqualFold(w, "none") {
		c.Args = []string{"none"}
		return nil
	}
	d, err := liaison.ParseDate(w)
	if err != nil {
		return err
	}
	c.Date = d
	c.Args = []string{w}
	return nil
}

// parseStatement reads a datatracker statement id or page URL; Sent wants
// the URL of the posted reply, which the issue will link to.
func (c *Command) parseStatement(rest string, urlOnly bool) error {
	want := "a datatracker statement id or URL"
	if urlOnly {
		want = "the datatracker URL of the posted reply, e.g. https://datatracker.ietf.org/liaison/2001/"
	}
	w, err := one(rest, want)
	if err != nil {
		return err
	}
	// "<https://…>" is how Markdown writes a bare link.
	if strings.HasPrefix(w, "<") && strings.HasSuffix(w, ">") && len(w) > 2 {
		w = w[1 : len(w)-1]
	}
	isURL := strings.Contains(w, "/")
	if urlOnly && !isURL {
		return fmt.Errorf("%q is not a URL: want %s", w, want)
	}
	id, err := datatracker.ParseID(w)
	if err != nil {
		return err
	}
	c.StatementID = id
	if isURL {
		c.URL = w
	}
	c.Args = []string{w}
	return nil
}

// parseLabels reads one or more label names. A name with spaces is written
// in double quotes ("/label \"good first issue\""); backticks around a name
// are dropped.
func (c *Command) parseLabels(rest string) error {
	words, err := labelWords(rest)
	if err != nil {
		return err
	}
	if len(words) == 0 {
		return errors.New("missing argument: want one or more label names, e.g. purpose/action")
	}
	if len(words) > maxArgs {
		return fmt.Errorf("too many labels (%d): at most %d per command", len(words), maxArgs)
	}
	seen := map[string]bool{}
	for _, w := range words {
		if len(w) > 2 && strings.HasPrefix(w, "`") && strings.HasSuffix(w, "`") {
			w = strings.TrimSpace(w[1 : len(w)-1])
		}
		if w == "" {
			return errors.New("empty label name")
		}
		if n := utf8.RuneCountInString(w); n > maxLabelLen {
			return fmt.Errorf("label %q is too long (%d characters): GitHub allows %d", w, n, maxLabelLen)
		}
		key := strings.ToLower(w)
		if !seen[key] {
			seen[key] = true
			c.Labels = append(c.Labels, w)
		}
	}
	c.Args = c.Labels
	return nil
}

// listWords splits on white space and commas: "@a, @b" is two logins.
func listWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || isSpace(r) })
}

// labelWords is listWords that keeps a double-quoted part as one word.
func labelWords(s string) ([]string, error) {
	var words []string
	for {
		s = strings.TrimLeftFunc(s, func(r rune) bool { return r == ',' || isSpace(r) })
		if s == "" {
			return words, nil
		}
		if s[0] == '"' {
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				return nil, fmt.Errorf("unclosed quote in %q", s)
			}
			words = append(words, strings.TrimSpace(s[1:1+end]))
			s = s[end+2:]
			continue
		}
		end := strings.IndexFunc(s, func(r rune) bool { return r == ',' || r == '"' || isSpace(r) })
		if end < 0 {
			end = len(s)
		}
		words = append(words, s[:end])
		s = s[end:]
	}
}

func isSpace(r rune) bool { return unicode.IsSpace(r) }
