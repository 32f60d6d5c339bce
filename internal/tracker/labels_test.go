package tracker

import (
	"context"
	"slices"
	"testing"

	"github.com/liaisonbot/liaisonbot/internal/githubtest"
	"github.com/liaisonbot/liaisonbot/internal/liaison"
)

// TestMoveStateKeepsOtherLabels: the state moves label by label, so a
// label someone else set stays, and nothing is asked of GitHub for a
// state already there.
func TestMoveStateKeepsOtherLabels(t *testing.T) {
	gh := githubtest.New(t)
	const repo = "ietf-liaisons/itu-t"
	gh.AddRepo(repo)
	gh.AddInstallation(7, "ietf-liaisons", repo)
	n := gh.AddIssue(repo, githubtest.Issue{Title: "LS 1", Labels: []string{"liaison", "state/new", "purpose/action"}})
	c := gh.InstallationClient(7)
	ctx := context.Background()
	// A label added since the caller read the issue is not undone.
	gh.LabelAs(repo, n, gh.BotLogin(), "deadline/soon")
	if err := MoveState(ctx, c, repo, n, []string{"liaison", "state/new", "purpose/action"}, liaison.StateAcknowledged); err != nil {
		t.Fatal(err)
	}
	is, _ := gh.Issue(repo, n)
	want := []string{"deadline/soon", "liaison", "purpose/action", "state/acknowledged"}
	got := slices.Sorted(slices.Values(is.Labels))
	if !slices.Equal(got, want) {
		t.Errorf("labels = %v, want %v", got, want)
	}
	gh.ResetCounts()
	if err := MoveState(ctx, c, repo, n, got, liaison.StateAcknowledged); err != nil {
		t.Fatal(err)
	}
	if w := gh.Counts().RepoWrites(); w != 0 {
		t.Errorf("moving to the state it has made %d writes", w)
	}
}
