package main

import (
	"fmt"
	"testing"

	"github.com/liaisonbot/liaisonbot/internal/datatrackertest"
	"github.com/liaisonbot/liaisonbot/internal/githubtest"
)

// BenchmarkSync1000 times a first sync of 1,000 new statements into one
// repository against the loopback fakes, GitHub's OpenAPI validation off
// (it measures the fake, not the app). The pacing of content creation is
// lifted: at GitHub's 500 creates an hour a real backfill of 1,000 takes
// two hours by design. Run with -benchtime=1x; bench/RESULTS.md has the
// figures.
func BenchmarkSync1000(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		h := newHarness(b, withGitHub(githubtest.WithoutValidation()),
			withConfig("github_limits:\n  content_per_minute: 100000\n  content_per_hour: 1000000\n"))
		for _, g := range corpusGroups {
			h.dt.AddGroup(g)
		}
		for n := 0; n < 1000; n++ {
			p := []string{"action", "comment", "info", "response"}[n%4]
			deadline := ""
			if p == "action" || p == "comment" {
				deadline = "2027-03-01"
			}
			h.dt.AddStatement(datatrackertest.Statement{
				Title: fmt.Sprintf("Statement %d on network slicing", n), Purpose: p, Deadline: deadline,
				FromGroups: []int{1 + n%4}, ToGroups: []int{10}, FromContact: "Sender <s@example.org>",
				Body: "Dear colleagues,\n\nPlease consider the attached liaison statement.\n",
			})
		}
		b.StartTimer()
		h.mustRun("sync")
		b.StopTimer()
		if got := len(h.gh.Issues(trackingRepo)); got != 1000 {
			b.Fatalf("%d issues, want 1000", got)
		}
		c := h.gh.Counts()
		b.ReportMetric(float64(c.ContentCreating), "content-creating-requests")
		b.ReportMetric(float64(c.Requests), "github-requests")
		b.ReportMetric(float64(h.dt.Requests()), "datatracker-requests")
	}
}
