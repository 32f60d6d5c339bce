package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"

	"github.com/liaisonbot/liaisonbot/internal/datatrackertest"
	"github.com/liaisonbot/liaisonbot/internal/githubtest"
	"github.com/liaisonbot/liaisonbot/internal/tracker"
)

// issuesByStatement maps statement ids to the issues carrying their
// marker, failing on a statement with two issues.
func issuesByStatement(t *testing.T, gh *githubtest.Server) map[int]githubtest.Issue {
	t.Helper()
	out := map[int]githubtest.Issue{}
	for _, is := range gh.Issues(trackingRepo) {
		id, ok := tracker.StatementIDOf(is.Body)
		if !ok {
			t.Errorf("issue #%d has no statement marker", is.Number)
			continue
		}
		if prev, dup := out[id]; dup {
			t.Errorf("LS %d has two issues: #%d and #%d", id, prev.Number, is.Number)
		}
		out[id] = is
	}
	return out
}

func TestSyncEndToEnd(t *testing.T) {
	h := newHarness(t)
	cs := corpus()
	if len(cs) < 30 {
		t.Fatalf("the corpus has %d statements; it must have at least 30", len(cs))
	}
	ids := h.seed(cs)
	pending := h.dt.AddStatement(cs[0].st) // a copy that waits in pending
	h.dt.Update(pending, func(s *datatrackertestStatement) { s.State = "pending"; s.Title = "Pending at first" })

	out := h.mustRun("sync", "--format", "json")
	plans := decodePlans(t, out)

	got := issuesByStatement(t, h.gh)
	wantCount := 0
	for i, c := range cs {
		is, ok := got[ids[i]]
		if !c.wanted {
			if ok {
				t.Errorf("LS %d (%s) is not wanted but got issue #%d", ids[i], c.st.Title, is.Number)
			}
			continue
		}
		wantCount++
		if !ok {
			t.Errorf("LS %d (%s) has no issue", ids[i], c.st.Title)
			continue
		}
		checkIssue(t, ids[i], c, is, plans[ids[i]])
	}
	if _, ok := got[pending]; ok {
		t.Errorf("the pending statement got an issue")
	}
	if len(got) != wantCount {
		t.Errorf("%d issues, want %d", len(got), wantCount)
	}

	// Run twice: nothing new, nothing written.
	h.gh.ResetCounts()
	h.mustRun("sync")
	c := h.gh.Counts()
	if n := len(h.gh.Issues(trackingRepo)); n != wantCount || c.RepoWrites() != 0 || c.ContentCreating != 0 || c.RateLimited != 0 {
		t.Errorf("idle pass: %d issues, %d writes, %d content-creating, %d rate-limited (want %d, 0, 0, 0); routes %v",
			n, c.RepoWrites(), c.ContentCreating, c.RateLimited, wantCount, c.ByRoute)
	}

	// Edit one statement: one update, no create.
	edited := ids[1]
	h.dt.Update(edited, func(s *datatrackertestStatement) { s.Body = "Comments welcome, now with a revised annex." })
	h.gh.ResetCounts()
	h.mustRun("sync")
	c = h.gh.Counts()
	if c.ByRoute["POST /repos/{owner}/{repo}/issues"] != 0 || c.ByRoute["PATCH /repos/{owner}/{repo}/issues/{issue_number}"] != 1 || c.ContentCreating != 1 {
		t.Errorf("edit pass: routes %v; want one PATCH, one comment, no create", c.ByRoute)
	}
	is := issuesByStatement(t, h.gh)[edited]
	if !strings.Contains(is.Body, "revised annex") {
		t.Errorf("the edited statement's issue was not rewritten")
	}
	if cm := h.gh.Comments(trackingRepo, is.Number); len(cm) != 1 || !strings.Contains(cm[0].Body, "statement text") {
		t.Errorf("the update comment is missing or does not say what changed: %+v", cm)
	}

	// The pending statement is posted; another is killed.
	h.dt.Post(pending)
	killed := ids[2]
	h.dt.Kill(killed)
	h.mustRun("sync")
	got = issuesByStatement(t, h.gh)
	if _, ok := got[pending]; !ok {
		t.Errorf("the statement posted after pending got no issue")
	}
	if len(got) != wantCount+1 {
		t.Errorf("%d issues after posting one, want %d", len(got), wantCount+1)
	}
	dead := got[killed]
	if !slices.Contains(dead.Labels, "datatracker/dead") || dead.State != "open" {
		t.Errorf("the killed statement's issue: labels %v, state %s; want datatracker/dead, still open", dead.Labels, dead.State)
	}
}

// datatrackertestStatement shortens the fake's statement type in edits.
type datatrackertestStatement = datatrackertest.Statement

func decodePlans(t *testing.T, out string) map[int]tracker.Plan {
	t.Helper()
	plans := map[int]tracker.Plan{}
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var p tracker.Plan
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("sync --format json printed something that is not a plan: %v\n%s", err, out)
		}
		plans[p.StatementID] = p
	}
	return plans
}

var (
	gfm        = goldmark.New(goldmark.WithExtensions(extension.GFM))
	mentionRE  = regexp.MustCompile(`(^|[^\w&;])@[A-Za-z0-9]`)
	ourComment = regexp.MustCompile(`^<!-- liaisonbot:(statement \d+|begin \w+( sha=[0-9a-f]*)?|end \w+) -->\n?$`)
)

func checkIssue(t *testing.T, id int, c corpusCase, is githubtest.Issue, p tracker.Plan) {
	t.Helper()
	for _, l := range []string{"liaison", "incoming", "state/new", c.purpose, c.family} {
		if !slices.Contains(is.Labels, l) {
			t.Errorf("LS %d: labels %v lack %s", id, is.Labels, l)
		}
	}
	if !strings.HasPrefix(is.Title, fmt.Sprintf("LS %d: ", id)) || len([]rune(is.Title)) > 256 {
		t.Errorf("LS %d: title %q", id, is.Title)
	}
	if !strings.Contains(is.Body, "`"+c.template+"`") {
		t.Errorf("LS %d: the issue does not draft from %s", id, c.template)
	}
	if p.Acknowledgement == nil || p.Acknowledgement.Template != c.template {
		t.Errorf("LS %d: plan acknowledgement %+v, want %s", id, p.Acknowledgement, c.template)
	} else {
		// Nothing left unfilled: braces in the draft come only from the title.
		a := p.Acknowledgement
		rest := strings.ReplaceAll(a.Subject+"\n"+a.Body, c.st.Title, "")
		if strings.ContainsAny(rest, "{}") {
			t.Errorf("LS %d: a placeholder is left in the acknowledgement:\n%s", id, rest)
		}
		if !slices.Equal(a.Cc, []string{"liaison-coordination@iab.org"}) {
			t.Errorf("LS %d: Cc %v", id, a.Cc)
		}
	}
	checkInert(t, id, is.Body)
}

// checkInert parses an issue body as GitHub would and fails on anything
// that pings, references, runs or injects: a mention or issue reference
// outside code, HTML other than the app's own markers and <br> in cells,
// and a line outside code and quotes that reads as a slash-command.
func checkInert(t *testing.T, id int, body string) {
	t.Helper()
	src := []byte(body)
	doc := gfm.Parser().Parse(text.NewReader(src))
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.Kind() {
		case ast.KindFencedCodeBlock, ast.KindCodeSpan, ast.KindCodeBlock:
			return ast.WalkSkipChildren, nil
		case ast.KindHTMLBlock:
			var b bytes.Buffer
			lines := n.Lines()
			for i := 0; i < lines.Len(); i++ {
				seg := lines.At(i)
				b.Write(seg.Value(src))
			}
			for _, line := range strings.SplitAfter(b.String(), "\n") {
				if line != "" && !ourComment.MatchString(line) {
					t.Errorf("LS %d: HTML block %q in the issue body", id, line)
				}
			}
		case ast.KindRawHTML:
			raw := n.(*ast.RawHTML)
			var b bytes.Buffer
			for i := 0; i < raw.Segments.Len(); i++ {
				seg := raw.Segments.At(i)
				b.Write(seg.Value(src))
			}
			if b.String() != "<br>" {
				t.Errorf("LS %d: raw HTML %q in the issue body", id, b.String())
			}
		case ast.KindText:
			s := string(n.(*ast.Text).Segment.Value(src))
			if mentionRE.MatchString(s) {
				t.Errorf("LS %d: text %q would mention someone", id, s)
			}
			if regexp.MustCompile(`(^|\s|/)#\d`).MatchString(s) {
				t.Errorf("LS %d: text %q would reference an issue", id, s)
			}
		case ast.KindParagraph:
			if n.Parent() == doc {
				line := n.Lines().At(0)
				if strings.HasPrefix(string(line.Value(src)), "/") {
					t.Errorf("LS %d: paragraph %q reads as a command", id, line.Value(src))
				}
			}
		}
		return ast.WalkContinue, nil
	})
}

// TestSyncSurvivesCancelAndLostAnswers cancels a sync midway, then makes
// GitHub drop the connection after a create it applied: later passes must
// still end with exactly one issue per statement.
func TestSyncSurvivesCancelAndLostAnswers(t *testing.T) {
	h := newHarness(t)
	cs := corpus()
	h.seed(cs)
	wanted := wantedCount(cs)

	// Cancel once a few issues exist.
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			if h.gh.Counts().ContentCreating >= 5 {
				cancel()
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	_, err := h.run(ctx, "sync")
	cancel()
	wg.Wait()
	if err == nil {
		t.Fatal("the cancelled sync reported success")
	}
	first := len(h.gh.Issues(trackingRepo))
	if first == 0 || first >= wanted {
		t.Fatalf("the cancelled sync made %d of %d issues; the test needs a partial pass", first, wanted)
	}

	// The next create is applied but its answer is lost.
	h.gh.DropAfterCreate(1)
	if out, err := h.run(context.Background(), "sync"); err == nil {
		t.Errorf("a sync with a lost answer reported success:\n%s", out)
	}
	if h.gh.Counts().Dropped != 1 {
		t.Fatalf("the fake dropped %d connections, want 1", h.gh.Counts().Dropped)
	}

	h.mustRun("sync")
	got := issuesByStatement(t, h.gh)
	if len(got) != wanted || len(h.gh.Issues(trackingRepo)) != wanted {
		t.Errorf("%d statements with issues, %d issues; want %d each", len(got), len(h.gh.Issues(trackingRepo)), wanted)
	}
	h.gh.ResetCounts()
	h.mustRun("sync")
	if c := h.gh.Counts(); c.RepoWrites() != 0 {
		t.Errorf("a pass after recovery still writes: %v", c.ByRoute)
	}
}

// TestRequestBudget measures GitHub requests per operation from the fake's
// counters: one content-creating request per new statement, and an idle
// pass that writes nothing and is never rate-limited. bench/RESULTS.md
// records the figures it logs.
func TestRequestBudget(t *testing.T) {
	h := newHarness(t)
	cs := corpus()
	h.seed(cs)
	wanted := wantedCount(cs)
	h.mustRun("sync")
	c := h.gh.Counts()
	creates := c.ByRoute["POST /repos/{owner}/{repo}/issues"]
	if creates != wanted || c.ContentCreating != wanted || c.RepoWrites() != wanted {
		t.Errorf("first pass: %d creates, %d content-creating, %d writes; want %d each (one per new statement)", creates, c.ContentCreating, c.RepoWrites(), wanted)
	}
	t.Logf("first pass, %d new statements: %d requests (%d reads, %d writes of which %d content-creating, %d token mints)",
		wanted, c.Requests, c.Reads, c.Writes, c.ContentCreating, c.Writes-c.RepoWrites())

	h.gh.ResetCounts()
	h.mustRun("sync")
	c = h.gh.Counts()
	if c.RepoWrites() != 0 || c.ContentCreating != 0 || c.RateLimited != 0 {
		t.Errorf("idle pass: %d writes, %d content-creating, %d rate-limited; want none: %v", c.RepoWrites(), c.ContentCreating, c.RateLimited, c.ByRoute)
	}
	t.Logf("idle pass: %d requests (%d reads, %d not modified, %d writes: token mints only), routes %v",
		c.Requests, c.Reads, c.NotModified, c.Writes, c.ByRoute)
}
