package tracker

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/liaisonbot/liaisonbot/internal/liaison"
	"github.com/liaisonbot/liaisonbot/internal/store"
	"github.com/liaisonbot/liaisonbot/internal/templates"
)

// fakeIssues is a plain in-memory GitHub for the tracker's decisions.
type fakeIssues struct {
	issues     map[int]*Issue
	next       int
	writes     int
	comments   map[int][]string
	assignable map[string]bool
	// failCreate makes the next create fail: "lost" applies it and loses
	// the answer, "refused" refuses it.
	failCreate string
}

func newFakeIssues() *fakeIssues {
	return &fakeIssues{issues: map[int]*Issue{}, comments: map[int][]string{}, assignable: map[string]bool{"alice": true}}
}

var errLost = errors.New("connection reset by peer")

func (f *fakeIssues) Create(_ context.Context, _ string, spec IssueSpec) (int, error) {
	f.writes++
	switch f.failCreate {
	case "refused":
		f.failCreate = ""
		return 0, &github.ErrorResponse{Response: &http.Response{StatusCode: http.StatusUnprocessableEntity}, Message: "Validation Failed"}
	}
	f.next++
	f.issues[f.next] = &Issue{Number: f.next, Title: spec.Title, Body: spec.Body, Labels: spec.Labels, State: "open"}
	if f.failCreate == "lost" {
		f.failCreate = ""
		return 0, errLost
	}
	return f.next, nil
}

func (f *fakeIssues) Get(_ context.Context, _ string, n int) (Issue, error) {
	is, ok := f.issues[n]
	if !ok {
		return Issue{}, fmt.Errorf("issue %d not found", n)
	}
	return *is, nil
}

func (f *fakeIssues) Edit(_ context.Context, _ string, n int, title, body string) error {
	f.writes++
	f.issues[n].Title, f.issues[n].Body = title, body
	return nil
}

func (f *fakeIssues) AddLabels(_ context.Context, _ string, n int, labels []string) error {
	f.writes++
	f.issues[n].Labels = append(f.issues[n].Labels, labels...)
	return nil
}

func (f *fakeIssues) Comment(_ context.Context, _ string, n int, body string) error {
	f.writes++
	f.comments[n] = append(f.comments[n], body)
	return nil
}

func (f *fakeIssues) Assignable(_ context.Context, _, login string) (bool, error) {
	return f.assignable[login], nil
}

func (f *fakeIssues) OpenManual(_ context.Context, _ string) ([]ManualIssue, error) {
	var out []ManualIssue
	for n, is := range f.issues {
		if is.State == "open" && strings.Contains(is.Body, ManualMarker) {
			title, id := manualKeys(is.Body)
			out = append(out, ManualIssue{Number: n, Title: title, Identifier: id, Body: is.Body, Labels: is.Labels})
		}
	}
	return out, nil
}

func (f *fakeIssues) FindMarked(_ context.Context, _ string, ids map[int]bool) (map[int]int, error) {
	out := map[int]int{}
	for n, is := range f.issues {
		if id, ok := StatementIDOf(is.Body); ok && ids[id] {
			out[id] = n
		}
	}
	return out, nil
}

func openStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), "sqlite:"+t.TempDir()+"/lb.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newTracker(t *testing.T, gh *fakeIssues) *Tracker {
	tpl := templates.Template{Name: templates.EmailIETFAction, SHA: "abc", Text: "Subject: Receipt of {Liaison Title}\n\n{Insert From}\n\nThanks for {insert title} at {insert link}.\n"}
	return &Tracker{
		Issues:   gh,
		Records:  openStore(t),
		Renderer: &Renderer{DatatrackerURL: "https://dt", Templates: map[string]templates.Template{templates.EmailIETFAction: tpl}},
	}
}

func wanted(sts ...liaison.Statement) []Wanted {
	var out []Wanted
	for _, st := range sts {
		out = append(out, Wanted{Statement: st, Target: Target{Repo: "o/r", Assignees: []string{"alice", "mallory"}}, Hash: store.Hash(st)})
	}
	return out
}

func pass(t *testing.T, tr *Tracker, w []Wanted) (Result, error) {
	t.Helper()
	ctx := context.Background()
	plans, err := tr.Plan(ctx, "o/r", w)
	if err != nil {
		t.Fatal(err)
	}
	res, err := tr.Apply(ctx, plans)
	if err == nil {
		err = errors.Join(res.Errors...)
	}
	return res, err
}

func TestCreateOnceThenNothing(t *testing.T) {
	gh := newFakeIssues()
	tr := newTracker(t, gh)
	w := wanted(statement(1, liaison.PurposeAction), statement(2, liaison.PurposeAction))
	res, err := pass(t, tr, w)
	if err != nil || res.Created != 2 || gh.writes != 2 {
		t.Fatalf("first pass: %+v, %v, %d writes", res, err, gh.writes)
	}
	if body := gh.issues[1].Body; !strings.Contains(body, "`mallory`") {
		t.Errorf("the unassignable assignee is not noted in the body")
	}
	gh.writes = 0
	res, err = pass(t, tr, w)
	if err != nil || res.Created != 0 || res.Skipped != 2 || gh.writes != 0 {
		t.Fatalf("idle pass: %+v, %v, %d writes", res, err, gh.writes)
	}
}

func TestLostAnswerIsResolvedByMarker(t *testing.T) {
	gh := newFakeIssues()
	tr := newTracker(t, gh)
	w := wanted(statement(1, liaison.PurposeAction))
	gh.failCreate = "lost"
	if _, err := pass(t, tr, w); err == nil {
		t.Fatal("a lost answer must be reported")
	}
	if len(gh.issues) != 1 {
		t.Fatalf("%d issues after the lost answer", len(gh.issues))
	}
	res, err := pass(t, tr, w)
	if err != nil {
		t.Fatal(err)
	}
	if len(gh.issues) != 1 || res.Created != 0 {
		t.Fatalf("rerun made a second issue: %d issues, %+v", len(gh.issues), res)
	}
	rec, ok, _ := tr.Records.(*store.Store).Issue(context.Background(), "o/r", 1)
	if !ok || rec.Status != store.IssueCreated || rec.Number != 1 {
		t.Errorf("record after resolution = %+v", rec)
	}
}

func TestUnknownCreateWithoutIssueIsCreatedOnce(t *testing.T) {
	gh := newFakeIssues()
	tr := newTracker(t, gh)
	st := tr.Records.(*store.Store)
	if _, err := st.BeginCreate(context.Background(), "o/r", 1, time.Now()); err != nil {
		t.Fatal(err)
	}
	res, err := pass(t, tr, wanted(statement(1, liaison.PurposeAction)))
	if err != nil || res.Created != 1 || len(gh.issues) != 1 {
		t.Fatalf("%+v, %v, %d issues", res, err, len(gh.issues))
	}
}

func TestUpdateRewritesSectionsAndComments(t *testing.T) {
	gh := newFakeIssues()
	tr := newTracker(t, gh)
	s1 := statement(1, liaison.PurposeAction)
	if _, err := pass(t, tr, wanted(s1)); err != nil {
		t.Fatal(err)
	}
	gh.issues[1].Body += "\nA note from the manager.\n"
	s1.Body = "Revised text."
	d := liaison.Date{Year: 2027, Month: 1, Day: 15}
	s1.Deadline = &d
	s1.State = liaison.StateDead
	gh.writes = 0
	res, err := pass(t, tr, wanted(s1))
	if err != nil || res.Updated != 1 || res.Created != 0 {
		t.Fatalf("%+v, %v", res, err)
	}
	body := gh.issues[1].Body
	if !strings.Contains(body, "Revised text") || !strings.Contains(body, "A note from the manager") || !strings.Contains(body, "2027-01-15") {
		t.Errorf("update body:\n%s", body)
	}
	c := gh.comments[1]
	if len(c) != 1 || !strings.Contains(c[0], "deadline") || !strings.Contains(c[0], "statement text") || !strings.Contains(c[0], "dead") {
		t.Errorf("update comment = %q", c)
	}
	if gh.writes != 3 { // edit, dead label, comment
		t.Errorf("update made %d writes, want 3", gh.writes)
	}
	gh.writes = 0
	if res, err := pass(t, tr, wanted(s1)); err != nil || res.Updated != 0 || gh.writes != 0 {
		t.Errorf("second pass after the update: %+v, %v, %d writes", res, err, gh.writes)
	}
}

func TestTemplateChangeDoesNotRewrite(t *testing.T) {
	gh := newFakeIssues()
	tr := newTracker(t, gh)
	s1 := statement(1, liaison.PurposeAction)
	if _, err := pass(t, tr, wanted(s1)); err != nil {
		t.Fatal(err)
	}
	before := gh.issues[1].Body
	tpl := tr.Renderer.Templates[templates.EmailIETFAction]
	tpl.SHA, tpl.Text = "def", strings.Replace(tpl.Text, "Thanks for", "We thank you for", 1)
	tr.Renderer.Templates[templates.EmailIETFAction] = tpl
	gh.writes = 0
	if _, err := pass(t, tr, wanted(s1)); err != nil || gh.writes != 0 || gh.issues[1].Body != before {
		t.Fatalf("a template change rewrote the issue (%d writes, %v)", gh.writes, err)
	}
	// A statement change rewrites its sections but keeps the old draft.
	s1.Title = "Renamed"
	if _, err := pass(t, tr, wanted(s1)); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(gh.issues[1].Body, "We thank you") || !strings.Contains(gh.comments[1][0], "kept as written") {
		t.Errorf("the acknowledgement was rewritten from a changed template")
	}
}

func TestDeadStatementWithoutIssueIsNotCreated(t *testing.T) {
	gh := newFakeIssues()
	tr := newTracker(t, gh)
	st := statement(3, liaison.PurposeAction)
	st.State = liaison.StateDead
	res, err := pass(t, tr, wanted(st))
	if err != nil || res.Created != 0 || len(gh.issues) != 0 {
		t.Fatalf("%+v, %v", res, err)
	}
}

func TestRefusedCreateIsRetriedNextPass(t *testing.T) {
	gh := newFakeIssues()
	tr := newTracker(t, gh)
	w := wanted(statement(1, liaison.PurposeAction))
	gh.failCreate = "refused"
	if _, err := pass(t, tr, w); err == nil || !strings.Contains(err.Error(), "LS 1") {
		t.Fatalf("refused create: err = %v", err)
	}
	if _, ok, _ := tr.Records.(*store.Store).Issue(context.Background(), "o/r", 1); ok {
		t.Fatal("a refused create must leave no record, or it would be looked for forever")
	}
	if res, err := pass(t, tr, w); err != nil || res.Created != 1 || len(gh.issues) != 1 {
		t.Fatalf("retry: %+v, %v, %d issues", res, err, len(gh.issues))
	}
}

func TestUpdateKeepsPeoplesTitleAndAssignmentNote(t *testing.T) {
	gh := newFakeIssues()
	tr := newTracker(t, gh)
	s1 := statement(1, liaison.PurposeAction)
	if _, err := pass(t, tr, wanted(s1)); err != nil {
		t.Fatal(err)
	}
	gh.issues[1].Title = "LS 1: slicing (SG13) — ask 6man"
	s1.Body = "Revised."
	if _, err := pass(t, tr, wanted(s1)); err != nil {
		t.Fatal(err)
	}
	is := gh.issues[1]
	if is.Title != "LS 1: slicing (SG13) — ask 6man" {
		t.Errorf("a body change reverted the person's title to %q", is.Title)
	}
	if !strings.Contains(is.Body, "Not assigned: `mallory`") {
		t.Errorf("the update dropped the note on unassignable assignees:\n%s", is.Body)
	}
	if strings.Contains(gh.comments[1][0], "title") || strings.Contains(gh.comments[1][0], "not assigned") {
		t.Errorf("the update comment names changes that did not happen: %q", gh.comments[1][0])
	}
	s1.Title = "Renamed upstream"
	if _, err := pass(t, tr, wanted(s1)); err != nil {
		t.Fatal(err)
	}
	if is := gh.issues[1]; is.Title != "LS 1: Renamed upstream" || !strings.Contains(gh.comments[1][1], "title") {
		t.Errorf("a title change upstream: title %q, comment %q", is.Title, gh.comments[1][1])
	}
}

func TestTitleCannotForgeSectionMarkers(t *testing.T) {
	gh := newFakeIssues()
	tr := newTracker(t, gh)
	s1 := statement(1, liaison.PurposeAction)
	s1.Title = "x\n<!-- liaisonbot:end acknowledgement -->\n<!-- liaisonbot:statement 99 -->"
	if _, err := pass(t, tr, wanted(s1)); err != nil {
		t.Fatal(err)
	}
	body := gh.issues[1].Body
	if id, _ := StatementIDOf(body); id != 1 {
		t.Errorf("marker read as LS %d", id)
	}
	secs := Sections(body)
	if a := secs["acknowledgement"]; !strings.Contains(a.Content, "Thanks for") {
		t.Errorf("the acknowledgement section was cut short by the title:\n%s", a.Content)
	}
}

func TestPostedStatementTakesOverItsManualIssue(t *testing.T) {
	gh := newFakeIssues()
	tr := newTracker(t, gh)
	// Entered by hand from the form: no id yet, the sender's identifier.
	manual := statement(0, liaison.PurposeAction)
	manual.OtherIdentifiers = "SG13-LS42"
	manual.Title = "Different wording by mail"
	d := tr.Renderer.Render(&manual, Target{Repo: "o/r", Page: "https://github.com/o/r/issues/1"})
	gh.next = 1
	gh.issues[1] = &Issue{Number: 1, Title: "LS (by mail): slicing", Body: d.Issue.Body + "\n\nnotes by alice", Labels: []string{"liaison", "incoming", "state/acknowledged"}, State: "open"}

	posted := statement(77, liaison.PurposeAction)
	posted.OtherIdentifiers = "sg13 ls42"
	other := statement(78, liaison.PurposeInformation)
	res, err := pass(t, tr, wanted(posted, other))
	if err != nil || res.Created != 1 || res.Updated != 1 {
		t.Fatalf("%+v, %v", res, err)
	}
	is := gh.issues[1]
	if id, ok := StatementIDOf(is.Body); !ok || id != 77 || !strings.Contains(is.Body, "notes by alice") {
		t.Errorf("the manual issue was not taken over:\n%s", is.Body)
	}
	if !slices.Contains(is.Labels, "state/acknowledged") || slices.Contains(is.Labels, "state/new") {
		t.Errorf("people's state was not kept: %v", is.Labels)
	}
	if len(gh.issues) != 2 {
		t.Errorf("%d issues, want 2: the matched statement got its own issue too", len(gh.issues))
	}
	if res, err := pass(t, tr, wanted(posted, other)); err != nil || res.Created+res.Updated != 0 {
		t.Errorf("a second pass changed things: %+v, %v", res, err)
	}
}
