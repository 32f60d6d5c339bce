package responses

import (
	"context"
	"testing"

	"github.com/liaisonbot/liaisonbot/internal/githubtest"
)

// TestOpenTwiceMakesOnePullRequest: a delivery retried after Open made
// everything (its answer lost) finds the branch (422 on the ref), the file
// (422 without a sha, then the same content) and the pull request (422,
// then the open one by head) instead of making them twice.
func TestOpenTwiceMakesOnePullRequest(t *testing.T) {
	gh := githubtest.New(t)
	const full = "ietf-liaisons/itu-t"
	gh.AddRepo(full)
	gh.AddInstallation(7, "ietf-liaisons", full)
	gh.PutFile(full, "", "README.md", []byte("liaisons\n"))
	c := gh.InstallationClient(7)
	r := Repo{Owner: "ietf-liaisons", Name: "itu-t", DefaultBranch: "main"}
	m := Meta{Statement: 12, Issue: 3, Title: "LS", To: "ITU-T SG13", From: "IETF", Kind: Boilerplate}
	d := Draft{Branch: Branch(12, 3, 1), Path: Path(12, 3, "LS"), Content: File(m, "Subject: S\n\nText.\n"),
		Title: Title(m), Body: "Response to #3.", Message: "Response to LS 12"}
	ctx := context.Background()
	first, err := Open(ctx, c, r, d)
	if err != nil {
		t.Fatal(err)
	}
	second, err := Open(ctx, c, r, d)
	if err != nil {
		t.Fatalf("second Open: %v", err)
	}
	if first.GetNumber() != second.GetNumber() || len(gh.PullRequests(full)) != 1 {
		t.Errorf("pull requests %d and %d, %d in all; want one", first.GetNumber(), second.GetNumber(), len(gh.PullRequests(full)))
	}
	// A draft changed between the runs updates the file on the branch.
	d.Content = File(m, "Subject: S\n\nBetter text.\n")
	if _, err := Open(ctx, c, r, d); err != nil {
		t.Fatal(err)
	}
	if got, _ := gh.File(full, d.Branch, d.Path); string(got) != string(d.Content) {
		t.Errorf("file after the third run:\n%s", got)
	}

	// Reviewers: one GitHub refuses does not keep the other from being asked.
	gh.AddCollaborator(full, "carol", githubtest.RoleWrite)
	refused, err := RequestReviewers(ctx, c, r, first.GetNumber(), []string{"carol", "stranger"})
	if err != nil || len(refused) != 1 || refused[0] != "stranger" {
		t.Fatalf("RequestReviewers = %v, %v", refused, err)
	}
	if pr, _ := gh.PullRequest(full, first.GetNumber()); len(pr.RequestedReviewers) != 1 || pr.RequestedReviewers[0] != "carol" {
		t.Errorf("requested reviewers = %v", pr.RequestedReviewers)
	}
}
