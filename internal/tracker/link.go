package tracker

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/liaisonbot/liaisonbot/internal/liaison"
	"github.com/liaisonbot/liaisonbot/internal/markdown"
	"github.com/liaisonbot/liaisonbot/internal/store"
)

// WithPeoplesText is an issue body of the app's sections (draft) followed,
// under a heading, by what people wrote in current; people's text is cut
// if the two would pass GitHub's limit, never the app's sections.
func WithPeoplesText(draft, heading, current string) string {
	divider := "\n\n---\n\n_" + heading + ":_\n\n"
	room := MaxBody - 64 - len([]rune(draft)) - len([]rune(divider))
	return draft + divider + markdown.Truncate(PeoplesText(current), max(room, 0))
}

// Tie makes an issue entered by hand the statement's issue: recorded
// first, so the poller never opens a second one even if the rewrite fails
// and is retried; then its body becomes the statement's (people's text
// kept below) and it gets the labels the statement implies that it lacks.
// A deadline someone set on the issue with /deadline (set, nil if none)
// stays in its metadata.
func Tie(ctx context.Context, issues Issues, records Records, repo string, number int, st *liaison.Statement, set *store.Deadline, hash string, draft IssueSpec, body string, labels []string) error {
	if err := records.RecordIssue(ctx, store.IssueRecord{Repo: repo, StatementID: st.ID, Number: number, Status: store.IssueCreated, Hash: hash}); err != nil {
		return err
	}
	if set != nil {
		draft.Body = SetDeadlineRow(draft.Body, DeadlineCell(st, set))
	}
	if err := issues.Edit(ctx, repo, number, draft.Title, WithPeoplesText(draft.Body, "Entered by hand before the statement was linked", body)); err != nil {
		return err
	}
	if add := LinkedLabels(draft.Labels, labels); len(add) > 0 {
		return issues.AddLabels(ctx, repo, number, add)
	}
	return nil
}

// LabelNames are the names of GitHub labels.
func LabelNames(ls []*github.Label) []string {
	out := make([]string, 0, len(ls))
	for _, l := range ls {
		out = append(out, l.GetName())
	}
	return out
}

// LinkedLabels are the labels a statement implies that an issue entered
// by hand lacks; the triage labels people chose (state, purpose,
// addressee) stay as they are.
func LinkedLabels(draft, have []string) []string {
	var add []string
	for _, l := range draft {
		if slices.Contains(have, l) {
			continue
		}
		if ns, _, ok := strings.Cut(l, "/"); ok && exclusive(ns+"/") && slices.ContainsFunc(have, func(h string) bool { return strings.HasPrefix(h, ns+"/") }) {
			continue
		}
		add = append(add, l)
	}
	return add
}

func exclusive(ns string) bool {
	return ns == liaison.PrefixState || ns == liaison.PrefixPurpose || ns == liaison.PrefixTo
}

// ManualIssue is an open issue entered by hand from the intake form,
// waiting for its statement.
type ManualIssue struct {
	Number     int
	Title      string // the statement's title as entered
	Identifier string // the sender's identifier as entered
	Body       string
	Labels     []string
}

var cellRE = regexp.MustCompile(`(?m)^\| \*\*(Title|Sender's identifier)\*\* \| (.*) \|$`)

// manualKeys reads the title and identifier rows of an intake issue's
// metadata table, undoing the Markdown escapes.
func manualKeys(body string) (title, identifier string) {
	for _, m := range cellRE.FindAllStringSubmatch(Sections(body)["metadata"].Content, -1) {
		v := unescape(m[2])
		if v == "—" {
			v = ""
		}
		if m[1] == "Title" {
			title = v
		} else {
			identifier = v
		}
	}
	return title, identifier
}

func unescape(s string) string {
	s = strings.ReplaceAll(s, "&#8203;", "")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// normalKey compares titles and identifiers: case, spacing and
// punctuation other than letters and digits do not count.
func normalKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// matchManual finds the issue entered by hand that a statement is: the
// same sender's identifier, else the same title.
func matchManual(st *liaison.Statement, manual []ManualIssue, taken map[int]bool) (ManualIssue, bool) {
	id, title := normalKey(st.OtherIdentifiers), normalKey(st.Title)
	for _, pass := range []func(ManualIssue) bool{
		func(m ManualIssue) bool { return id != "" && normalKey(m.Identifier) == id },
		func(m ManualIssue) bool { return title != "" && normalKey(m.Title) == title },
	} {
		for _, m := range manual {
			if !taken[m.Number] && pass(m) {
				return m, true
			}
		}
	}
	return ManualIssue{}, false
}

// link ties an issue entered by hand to its statement instead of
// creating a second issue, and says so on it.
func (t *Tracker) link(ctx context.Context, p *Plan, m ManualIssue) error {
	p.Number = m.Number
	var set *store.Deadline
	if d, ok := t.Deadlines[m.Number]; ok {
		set = &d
	}
	if err := Tie(ctx, t.Issues, t.Records, p.Repo, m.Number, &p.wanted.Statement, set, p.wanted.Hash, p.Issue, m.Body, m.Labels); err != nil {
		return err
	}
	note := fmt.Sprintf("LS %d was posted on the datatracker; this issue now follows its record, and the text entered by hand is kept below it.", p.StatementID)
	return t.Pacer.Do(ctx, func() error { return t.Issues.Comment(ctx, p.Repo, m.Number, note) })
}
