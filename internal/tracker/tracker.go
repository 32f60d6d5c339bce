package tracker

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/liaisonbot/liaisonbot/internal/liaison"
	"github.com/liaisonbot/liaisonbot/internal/store"
	apptemplates "github.com/liaisonbot/liaisonbot/templates"
)

// Action is what a pass does for one statement in one repository.
type Action string

// The actions of a plan. Their names are part of `sync --format json`.
const (
	ActionCreate Action = "create"
	ActionUpdate Action = "update"
	ActionSkip   Action = "skip"
)

// Wanted is a statement a repository's configuration wants an issue for.
type Wanted struct {
	Statement liaison.Statement
	Target    Target
	// Hash identifies the statement's content (store.Hash).
	Hash string
}

// Plan is the decision for one statement in one repository. It is also the
// line `sync --format json` prints, so its JSON shape is kept stable.
type Plan struct {
	StatementID     int              `json:"statement_id"`
	Repo            string           `json:"repo"`
	Action          Action           `json:"action"`
	Number          int              `json:"number,omitempty"`
	Issue           IssueSpec        `json:"issue"`
	Acknowledgement *Acknowledgement `json:"acknowledgement"`

	wanted   Wanted
	resolve  bool // the store does not know whether the create happened
	rendered bool
}

// Records is the part of the store that remembers the issues made.
type Records interface {
	IssuesByRepo(ctx context.Context, repo string) ([]store.IssueRecord, error)
	BeginCreate(ctx context.Context, repo string, statementID int, now time.Time) (bool, error)
	RecordIssue(ctx context.Context, rec store.IssueRecord) error
	ForgetIssue(ctx context.Context, repo string, statementID int) error
}

// Tracker turns wanted statements into issues, never two for one statement.
type Tracker struct {
	Issues   Issues // nil for a dry run: plans are made but never applied
	Records  Records
	Renderer *Renderer
	Pacer    *Pacer
	Now      func() time.Time
	// Deadlines are the deadlines people set, by issue number (one
	// repository per Tracker).
	Deadlines map[int]store.Deadline

	assignable map[string]bool
}

// Result counts what a pass did.
type Result struct {
	Created, Updated, Skipped, Failed int
	// Errors are the failures of single statements; the pass went on.
	Errors []error
}

// Plan decides, for one repository, what each wanted statement needs: a
// new issue, an update of its issue, or nothing.
func (t *Tracker) Plan(ctx context.Context, repo string, wanted []Wanted) ([]Plan, error) {
	recs, err := t.Records.IssuesByRepo(ctx, repo)
	if err != nil {
		return nil, fmt.Errorf("failed to read the issues of %s: %w", repo, err)
	}
	byID := make(map[int]store.IssueRecord, len(recs))
	for _, r := range recs {
		byID[r.StatementID] = r
	}
	plans := make([]Plan, 0, len(wanted))
	for _, w := range wanted {
		p := Plan{StatementID: w.Statement.ID, Repo: repo, wanted: w, Issue: IssueSpec{Labels: []string{}, Assignees: []string{}}}
		rec, known := byID[w.Statement.ID]
		switch {
		case !known && w.Statement.State != liaison.StatePosted:
			// A statement withdrawn before any issue was made needs none.
			continue
		case !known:
			p.Action = ActionCreate
		case rec.Status == store.IssueCreating:
			p.Action, p.resolve = ActionCreate, true
		case rec.Hash == w.Hash:
			p.Action, p.Number = ActionSkip, rec.Number
		default:
			p.Action, p.Number = ActionUpdate, rec.Number
		}
		plans = append(plans, p)
	}
	return plans, nil
}

// Render fills in the issue text of plans that create or update, checking
// assignees with GitHub first when it can.
func (t *Tracker) Render(ctx context.Context, plans []Plan) error {
	for i := range plans {
		p := &plans[i]
		if p.Action == ActionSkip || p.rendered {
			continue
		}
		if p.Action == ActionCreate && t.Issues != nil {
			if err := t.checkAssignees(ctx, &p.wanted.Target); err != nil {
				return err
			}
		}
		if set, ok := t.Deadlines[p.Number]; ok && p.Number != 0 {
			p.wanted.Target.Deadline = &set
		}
		d := t.Renderer.Render(&p.wanted.Statement, p.wanted.Target)
		p.Issue, p.Acknowledgement, p.rendered = d.Issue, d.Ack, true
	}
	return nil
}

func (t *Tracker) checkAssignees(ctx context.Context, tg *Target) error {
	if t.assignable == nil {
		t.assignable = map[string]bool{}
	}
	var keep []string
	for _, login := range tg.Assignees {
		key := tg.Repo + "\x00" + strings.ToLower(login)
		ok, seen := t.assignable[key]
		if !seen {
			var err error
			if ok, err = t.Issues.Assignable(ctx, tg.Repo, login); err != nil {
				return err
			}
			t.assignable[key] = ok
		}
		if ok {
			keep = append(keep, login)
		} else if !slices.Contains(tg.Dropped, login) {
			tg.Dropped = append(tg.Dropped, login)
		}
	}
	tg.Assignees = keep
	return nil
}

// Apply carries the plans out. Each create is recorded as under way before
// the request and as done after it, so a crash in between is resolved by
// looking for the issue's marker instead of creating a second issue. The
// error is a failure of the whole repository (cancelled, the issue list
// unreadable); single statements' failures are in Result.Errors.
func (t *Tracker) Apply(ctx context.Context, plans []Plan) (Result, error) {
	var res Result
	if t.Issues == nil {
		return res, errors.New("no GitHub client: a dry run cannot apply plans")
	}
	if err := t.resolveUnknown(ctx, plans); err != nil {
		return res, err
	}
	if err := t.Render(ctx, plans); err != nil {
		return res, err
	}
	manual, err := t.manualIssues(ctx, plans)
	if err != nil {
		return res, err
	}
	taken := map[int]bool{}
	for i := range plans {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		p := &plans[i]
		var err error
		switch p.Action {
		case ActionSkip:
			res.Skipped++
			continue
		case ActionCreate:
			// A statement that was entered by hand before it was posted
			// takes over that issue rather than getting a second one.
			if m, ok := matchManual(&p.wanted.Statement, manual[p.Repo], taken); ok && !p.resolve {
				taken[m.Number] = true
				p.Action = ActionUpdate
				if err = t.link(ctx, p, m); err == nil {
					res.Updated++
				}
				break
			}
			err = t.create(ctx, p)
			if err == nil {
				res.Created++
			}
		case ActionUpdate:
			err = t.update(ctx, p)
			if err == nil {
				res.Updated++
			}
		}
		if err != nil {
			res.Failed++
			res.Errors = append(res.Errors, err)
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
		}
	}
	return res, nil
}

// manualIssues lists, per repository with statements to create, the open
// issues entered by hand that one of them may be.
func (t *Tracker) manualIssues(ctx context.Context, plans []Plan) (map[string][]ManualIssue, error) {
	out := map[string][]ManualIssue{}
	for _, p := range plans {
		if p.Action != ActionCreate {
			continue
		}
		if _, done := out[p.Repo]; done {
			continue
		}
		m, err := t.Issues.OpenManual(ctx, p.Repo)
		if err != nil {
			return nil, err
		}
		out[p.Repo] = m
	}
	return out, nil
}

// resolveUnknown finds the issues of creates whose outcome the store does
// not know, by their markers among the app's own issues.
func (t *Tracker) resolveUnknown(ctx context.Context, plans []Plan) error {
	byRepo := map[string]map[int]bool{}
	for _, p := range plans {
		if p.resolve {
			if byRepo[p.Repo] == nil {
				byRepo[p.Repo] = map[int]bool{}
			}
			byRepo[p.Repo][p.StatementID] = true
		}
	}
	for repo, ids := range byRepo {
		found, err := t.Issues.FindMarked(ctx, repo, ids)
		if err != nil {
			return err
		}
		for i := range plans {
			p := &plans[i]
			n, ok := found[p.StatementID]
			if !p.resolve || p.Repo != repo || !ok {
				continue
			}
			// The issue exists: record it, then treat it as possibly stale.
			if err := t.Records.RecordIssue(ctx, store.IssueRecord{Repo: repo, StatementID: p.StatementID, Number: n, Status: store.IssueCreated}); err != nil {
				return err
			}
			p.Action, p.Number, p.resolve = ActionUpdate, n, false
		}
	}
	return nil
}

func (t *Tracker) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

func (t *Tracker) create(ctx context.Context, p *Plan) error {
	// An unresolved create whose issue the marker search did not find never
	// reached GitHub: its intent is already recorded, so go ahead.
	begun := p.resolve
	var err error
	if !begun {
		if begun, err = t.Records.BeginCreate(ctx, p.Repo, p.StatementID, t.now()); err != nil {
			return err
		}
	}
	if !begun {
		return fmt.Errorf("the issue of LS %d in %s is being created by another pass: left to it", p.StatementID, p.Repo)
	}
	var n int
	err = t.Pacer.Do(ctx, func() error {
		var err error
		n, err = t.Issues.Create(ctx, p.Repo, p.Issue)
		return err
	})
	if err != nil {
		if !outcomeUnknown(err) {
			// GitHub refused it: nothing was created, so the next pass may try again.
			if ferr := t.Records.ForgetIssue(context.WithoutCancel(ctx), p.Repo, p.StatementID); ferr != nil {
				return errors.Join(err, ferr)
			}
		}
		return fmt.Errorf("failed to create the issue of LS %d in %s: %w", p.StatementID, p.Repo, err)
	}
	p.Number = n
	// The issue exists now; record it even if the pass is being cancelled.
	return t.Records.RecordIssue(context.WithoutCancel(ctx), t.record(p))
}

func (t *Tracker) record(p *Plan) store.IssueRecord {
	rec := store.IssueRecord{Repo: p.Repo, StatementID: p.StatementID, Number: p.Number, Status: store.IssueCreated, Hash: p.wanted.Hash}
	if p.Acknowledgement != nil {
		rec.TemplateSHA = p.Acknowledgement.SHA
	}
	return rec
}

// update rewrites the app's sections of the issue from the changed
// statement and says what changed. The acknowledgement draft is rewritten
// only while its template is unchanged upstream (or when no template could
// be read before): a template change never rewrites existing issues. The
// issue title is rewritten only when the statement's title changed, so a
// person's edit of it stays.
func (t *Tracker) update(ctx context.Context, p *Plan) error {
	cur, err := t.Issues.Get(ctx, p.Repo, p.Number)
	if err != nil {
		return err
	}
	names := []string{"metadata", "statement"}
	oldSecs, newSecs := Sections(cur.Body), Sections(p.Issue.Body)
	ackKept := false
	if old, ok := oldSecs["acknowledgement"]; ok {
		if old.Attrs == newSecs["acknowledgement"].Attrs || !strings.Contains(old.Attrs, "sha=") {
			names = append(names, "acknowledgement")
		} else {
			ackKept = old.Content != newSecs["acknowledgement"].Content
		}
	}
	body := ReplaceSections(cur.Body, p.Issue.Body, names...)
	oldRows, newRows := rows(oldSecs["metadata"].Content), rows(newSecs["metadata"].Content)
	title := cur.Title
	if oldRows["Title"] != newRows["Title"] {
		title = p.Issue.Title
	}
	changes := changedRows(oldRows, newRows)
	if oldSecs["statement"].Content != newSecs["statement"].Content {
		changes = append(changes, "statement text")
	}
	dead := p.wanted.Statement.State == liaison.StateDead && !slices.Contains(cur.Labels, liaison.LabelDead)

	// The comment goes first: the changes are read from the issue as it is,
	// and once the body is rewritten they could not be told again.
	if len(changes) > 0 || dead {
		comment := apptemplates.UpdateComment(apptemplates.Update{Changes: changes, Dead: dead, AckKept: ackKept})
		if err := t.Pacer.Do(ctx, func() error { return t.Issues.Comment(ctx, p.Repo, p.Number, comment) }); err != nil {
			return err
		}
	}
	if body != cur.Body || title != cur.Title {
		if err := t.Issues.Edit(ctx, p.Repo, p.Number, title, body); err != nil {
			return err
		}
	}
	if dead {
		if err := t.Issues.AddLabels(ctx, p.Repo, p.Number, []string{liaison.LabelDead}); err != nil {
			return err
		}
	}
	return t.Records.RecordIssue(context.WithoutCancel(ctx), t.record(p))
}

var rowRE = regexp.MustCompile(`(?m)^\| \*\*([^*]+)\*\* \| (.*) \|$`)

// rows reads a metadata table: row name → cell.
func rows(table string) map[string]string {
	m := map[string]string{}
	for _, r := range rowRE.FindAllStringSubmatch(table, -1) {
		m[r[1]] = r[2]
	}
	return m
}

// changedRows names the metadata rows whose values differ.
func changedRows(o, f map[string]string) []string {
	var out []string
	for k, v := range f {
		if o[k] != v {
			out = append(out, strings.ToLower(k))
		}
	}
	for k := range o {
		if _, ok := f[k]; !ok {
			out = append(out, strings.ToLower(k))
		}
	}
	sort.Strings(out)
	return out
}
