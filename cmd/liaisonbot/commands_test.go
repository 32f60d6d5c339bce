package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/liaisonbot/liaisonbot/internal/datatrackertest"
	"github.com/liaisonbot/liaisonbot/internal/githubtest"
	"github.com/liaisonbot/liaisonbot/internal/liaison"
)

// writeDryRunConfig is a server config with no GitHub App at all: what a
// newcomer has before installing anything.
func (h *harness) writeDryRunConfig() string {
	h.t.Helper()
	p := filepath.Join(h.dir, "dry.yml")
	cfg := fmt.Sprintf("github:\n  v3_api_url: %s\ndatatracker:\n  url: %s\n", h.gh.URL(), h.dt.URL())
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		h.t.Fatal(err)
	}
	return p
}

func TestDryRunNeedsNoCredentialsAndWritesNothing(t *testing.T) {
	h := newHarness(t)
	cs := corpus()
	ids := h.seed(cs)
	cfg := h.writeDryRunConfig()
	h.gh.ResetCounts()

	cmd := newRootCommand()
	var out strings.Builder
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"--config", cfg, "sync", "--dry-run", "--since", "2025-01-01", "--format", "json"})
	if err := cmd.Execute(); err != nil {
		t.Fatalf("dry run: %v\n%s", err, out.String())
	}
	c := h.gh.Counts()
	if c.Writes != 0 || len(h.gh.Issues(trackingRepo)) != 0 {
		t.Errorf("the dry run wrote to GitHub: %v", c.ByRoute)
	}
	if c.ByRoute["GET /repos/{owner}/{repo}/contents/{path}"] != 5 || c.Requests != 5 {
		t.Errorf("the dry run should read exactly the five templates, anonymously: %v", c.ByRoute)
	}

	// The JSON lines keep their documented shape.
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	wanted := wantedCount(cs)
	if len(lines) != wanted {
		t.Fatalf("%d plan lines, want %d:\n%s", len(lines), wanted, out.String())
	}
	var first map[string]json.RawMessage
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"statement_id", "repo", "action", "issue", "acknowledgement"} {
		if _, ok := first[k]; !ok {
			t.Errorf("plan line lacks %q: %s", k, lines[0])
		}
	}
	var p struct {
		StatementID int    `json:"statement_id"`
		Repo        string `json:"repo"`
		Action      string `json:"action"`
		Issue       struct {
			Title     string   `json:"title"`
			Body      string   `json:"body"`
			Labels    []string `json:"labels"`
			Assignees []string `json:"assignees"`
		} `json:"issue"`
		Acknowledgement struct {
			Template string   `json:"template"`
			Subject  string   `json:"subject"`
			To       []string `json:"to"`
			Cc       []string `json:"cc"`
			Body     string   `json:"body"`
		} `json:"acknowledgement"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &p); err != nil {
		t.Fatal(err)
	}
	if p.StatementID != ids[0] || p.Action != "create" || p.Repo != "(dry-run)" || !strings.HasPrefix(p.Issue.Title, "LS ") ||
		p.Acknowledgement.Template == "" || p.Acknowledgement.Subject == "" || len(p.Acknowledgement.To) == 0 || len(p.Acknowledgement.Cc) != 1 {
		t.Errorf("plan line = %+v", p)
	}
}

func TestDryRunOfflineIsOneLine(t *testing.T) {
	h := newHarness(t)
	// A datatracker that is not there: a closed loopback port.
	p := filepath.Join(h.dir, "offline.yml")
	if err := os.WriteFile(p, []byte("datatracker:\n  url: http://127.0.0.1:9\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := newRootCommand()
	var out strings.Builder
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs([]string{"--config", p, "sync", "--dry-run"})
	err := cmd.Execute()
	if err == nil {
		t.Fatal("a dry run without a datatracker succeeded")
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || !strings.Contains(msg, "127.0.0.1:9") || strings.Contains(msg, "goroutine") {
		t.Errorf("offline error is not one line naming the host: %q", msg)
	}
}

func TestFixedRepositoryConfigIsPickedUp(t *testing.T) {
	h := newHarness(t, withRepoConfig("since: 2025-01-01\nfrom: ['itu-t*'\n")) // broken YAML
	h.seed(corpus())
	out, err := h.run(context.Background(), "sync")
	if err != nil {
		t.Fatalf("a broken repository config must not fail the pass: %v\n%s", err, out)
	}
	if n := len(h.gh.Issues(trackingRepo)); n != 0 {
		t.Fatalf("a repository with an invalid config got %d issues", n)
	}
	h.gh.PutFile(trackingRepo, "", ".github/liaison.yml", []byte("since: 2025-01-01\nfrom: ['itu-t*']\n"))
	h.mustRun("sync")
	got := issuesByStatement(t, h.gh)
	if len(got) == 0 {
		t.Fatal("the fixed config brought no issues")
	}
	for id, is := range got {
		if !containsLabel(is.Labels, "from/itu-t") {
			t.Errorf("LS %d from another body was synced: %v", id, is.Labels)
		}
	}
}

func containsLabel(labels []string, l string) bool {
	for _, x := range labels {
		if x == l {
			return true
		}
	}
	return false
}

func TestSinceMovedEarlierBackfills(t *testing.T) {
	h := newHarness(t, withRepoConfig("since: 2025-03-08\n"))
	for _, g := range corpusGroups {
		h.dt.AddGroup(g)
	}
	ids := map[int]liaison.Date{}
	for day := 1; day <= 10; day++ {
		h.dt.SetTime(time.Date(2025, 3, day, 12, 0, 0, 0, time.UTC))
		id := h.dt.AddStatement(datatrackertest.Statement{Title: fmt.Sprintf("March %d", day), Purpose: "info", FromGroups: []int{1}, ToGroups: []int{10}, FromContact: "a@itu.int", Body: "x"})
		ids[id] = liaison.Date{Year: 2025, Month: 3, Day: day}
	}
	h.mustRun("sync")
	if n := len(issuesByStatement(t, h.gh)); n != 3 {
		t.Fatalf("since 2025-03-08: %d issues, want 3", n)
	}
	h.gh.PutFile(trackingRepo, "", ".github/liaison.yml", []byte("since: 2025-03-03\n"))
	h.mustRun("sync")
	got := issuesByStatement(t, h.gh)
	if len(got) != 8 {
		t.Fatalf("since moved to 2025-03-03: %d issues, want 8", len(got))
	}
	for id := range got {
		if ids[id].Before(liaison.Date{Year: 2025, Month: 3, Day: 3}) {
			t.Errorf("LS %d from %s is before since", id, ids[id])
		}
	}
}

func TestBackfillGetsLabelsButNoAssignees(t *testing.T) {
	h := newHarness(t, withRepoConfig("since: 2025-03-08\nassignees:\n  default: [alice]\n"))
	for _, g := range corpusGroups {
		h.dt.AddGroup(g)
	}
	for day := 5; day <= 9; day++ {
		h.dt.SetTime(time.Date(2025, 3, day, 12, 0, 0, 0, time.UTC))
		h.dt.AddStatement(datatrackertest.Statement{Title: fmt.Sprintf("March %d", day), Purpose: "action", Deadline: "2025-06-01", FromGroups: []int{1}, ToGroups: []int{10}, FromContact: "a@itu.int", Body: "x"})
	}
	h.mustRun("sync", "--since", "2025-03-01")
	issues := h.gh.Issues(trackingRepo)
	if len(issues) != 5 {
		t.Fatalf("%d issues, want 5", len(issues))
	}
	for _, is := range issues {
		old := strings.Contains(is.Title, "March 5") || strings.Contains(is.Title, "March 6") || strings.Contains(is.Title, "March 7")
		if old && len(is.Assignees) != 0 {
			t.Errorf("backfilled %q was assigned %v", is.Title, is.Assignees)
		}
		if !old && (len(is.Assignees) != 1 || is.Assignees[0] != "alice") {
			t.Errorf("%q has assignees %v, want [alice]", is.Title, is.Assignees)
		}
		if !containsLabel(is.Labels, "purpose/action") {
			t.Errorf("%q lacks its labels: %v", is.Title, is.Labels)
		}
	}
}

func TestImportOneStatement(t *testing.T) {
	h := newHarness(t, withRepoConfig("since: 2030-01-01\n"))
	ids := h.seed(corpus())
	out := h.mustRun("import", fmt.Sprintf("%s/liaison/%d/", h.dt.URL(), ids[0]))
	issues := h.gh.Issues(trackingRepo)
	if len(issues) != 1 || !strings.HasPrefix(issues[0].Title, fmt.Sprintf("LS %d:", ids[0])) {
		t.Fatalf("import made %d issues: %+v\n%s", len(issues), issues, out)
	}
	h.mustRun("import", fmt.Sprint(ids[0]))
	if n := len(h.gh.Issues(trackingRepo)); n != 1 {
		t.Errorf("a second import made %d issues", n)
	}
	if _, err := h.run(context.Background(), "import", "not-an-id"); err == nil || !strings.Contains(err.Error(), "not-an-id") {
		t.Errorf("a bad id: %v", err)
	}
}

func TestRenderPrintsTheIssue(t *testing.T) {
	h := newHarness(t)
	ids := h.seed(corpus())
	cfg := h.writeDryRunConfig()
	cmd := newRootCommand()
	var out strings.Builder
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"--config", cfg, "render", fmt.Sprint(ids[9])})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if !strings.Contains(s, fmt.Sprintf("# LS %d: Hostile body", ids[9])) || !strings.Contains(s, "Template-Email-IETF-Action.md") || strings.Contains(s, "@someone") {
		t.Errorf("render output:\n%s", s)
	}
	if h.gh.Counts().Writes != 0 {
		t.Errorf("render wrote to GitHub")
	}
}

func TestCheckConfigAndVersion(t *testing.T) {
	root := filepath.Join("..", "..")
	for _, f := range []string{"config/liaisonbot.example.yml", ".github/liaison.example.yml"} {
		cmd := newRootCommand()
		var out strings.Builder
		cmd.SetOut(&out)
		cmd.SetArgs([]string{"check-config", filepath.Join(root, f)})
		if err := cmd.Execute(); err != nil || !strings.Contains(out.String(), "valid") {
			t.Errorf("check-config %s: %v %s", f, err, out.String())
		}
	}
	bad := filepath.Join(t.TempDir(), "liaison.yml")
	os.WriteFile(bad, []byte("since: 2026-13-40\nassigness: [x]\n"), 0o600)
	cmd := newRootCommand()
	cmd.SetArgs([]string{"check-config", bad})
	err := cmd.Execute()
	if err == nil || !strings.Contains(err.Error(), "assigness") || !strings.Contains(err.Error(), "2026-13-40") {
		t.Errorf("check-config of a bad file: %v", err)
	}
	cmd = newRootCommand()
	var out strings.Builder
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"version"})
	if err := cmd.Execute(); err != nil || !strings.HasPrefix(out.String(), "liaisonbot ") {
		t.Errorf("version: %v %q", err, out.String())
	}
}

func TestOrgDefaultsApplyButDoNotTrack(t *testing.T) {
	h := newHarness(t, withRepoConfig("since: 2025-01-01\n"))
	org := "ietf-liaisons/.github"
	h.gh.AddRepo(org)
	h.gh.AddInstallation(installationID, "ietf-liaisons", trackingRepo, org)
	h.gh.PutFile(org, "", "liaison.yml", []byte("from: ['3gpp*']\nassignees:\n  default: [alice]\n"))
	// The org's .github repository itself has no .github/liaison.yml: it
	// supplies defaults only and is not tracked.
	ids := h.seed(corpus())
	h.mustRun("sync")
	got := issuesByStatement(t, h.gh)
	if len(got) == 0 {
		t.Fatal("no issues: the org defaults were not merged")
	}
	for id, is := range got {
		if !containsLabel(is.Labels, "from/3gpp") || len(is.Assignees) != 1 || is.Assignees[0] != "alice" {
			t.Errorf("LS %d: labels %v, assignees %v; want only 3GPP statements, assigned to alice", id, is.Labels, is.Assignees)
		}
	}
	if n := len(h.gh.Issues(org)); n != 0 {
		t.Errorf("the org's .github repository got %d issues", n)
	}
	_ = ids
}

func TestLabelsSync(t *testing.T) {
	h := newHarness(t)
	// A label someone made by hand, in the wrong colour: it is edited, by a
	// name that holds a "/" and must be escaped in the path.
	h.gh.AddLabel(trackingRepo, githubtest.Label{Name: "purpose/action", Color: "000000"})
	out := h.mustRun("labels", "sync")
	if !strings.Contains(out, trackingRepo+": 20 created, 1 updated, 0 unchanged") {
		t.Fatalf("labels sync printed %q", out)
	}
	found := false
	for _, l := range h.gh.Labels(trackingRepo) {
		if l.Name == "purpose/action" && l.Color == "d93f0b" && l.Description != "" {
			found = true
		}
	}
	if !found {
		t.Errorf("purpose/action was not created with its colour: %+v", h.gh.Labels(trackingRepo))
	}
	h.gh.ResetCounts()
	out = h.mustRun("labels", "sync")
	if !strings.Contains(out, "0 created, 0 updated, 21 unchanged") || h.gh.Counts().RepoWrites() != 0 {
		t.Errorf("second labels sync: %q, %d writes", out, h.gh.Counts().RepoWrites())
	}
}
