package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/liaisonbot/liaisonbot/internal/config"
	"github.com/liaisonbot/liaisonbot/internal/liaison"
	"github.com/liaisonbot/liaisonbot/internal/schedule"
	"github.com/liaisonbot/liaisonbot/internal/server"
	"github.com/liaisonbot/liaisonbot/internal/tracker"
)

// dryRunWindow is how far back a dry run looks when neither --since nor the
// repository config says: enough to show real plans, polite to the
// datatracker.
const dryRunWindow = 30 * 24 * time.Hour

type syncFlags struct {
	since      string
	dryRun     bool
	format     string
	repoConfig string
	repo       string
}

func newSyncCommand(g *globalFlags) *cobra.Command {
	f := &syncFlags{}
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Run one sync pass: datatracker → store → issues",
		Long: `Run one pass: read new and changed statements from the datatracker and
create or update one issue per wanted statement in every tracking repository.

With --dry-run it needs no GitHub credentials, writes nothing to GitHub and
keeps nothing: it prints the plan for one imaginary repository configured by
--repo-config (default: every incoming statement) over the statements since
--since (default: the config's since, else the last 30 days).

--format json prints one JSON object per line per planned issue:
  {"statement_id": 1983, "repo": "owner/name", "action": "create"|"update"|"skip",
   "number": 12 (when the issue exists),
   "issue": {"title", "body", "labels", "assignees"},
   "acknowledgement": {"template", "template_sha", "subject", "to", "cc", "body",
                       "invalid_recipients", "sendable", "problem"} or null}`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSync(cmd, g, f)
		},
	}
	cmd.Flags().StringVar(&f.since, "since", "", "also sync statements posted since this date (YYYY-MM-DD); older than a repository's own since they get labels but no assignees")
	cmd.Flags().BoolVar(&f.dryRun, "dry-run", false, "plan only: no GitHub credentials, no writes")
	cmd.Flags().StringVar(&f.format, "format", "text", "output: text or json")
	cmd.Flags().StringVar(&f.repoConfig, "repo-config", "", "with --dry-run: a liaison.yml to plan for")
	cmd.Flags().StringVar(&f.repo, "repo", "", "with --dry-run: the repository name to show in plans")
	return cmd
}

func runSync(cmd *cobra.Command, g *globalFlags, f *syncFlags) error {
	if f.format != "text" && f.format != "json" {
		return fmt.Errorf("--format %q: want text or json", f.format)
	}
	var since liaison.Date
	if f.since != "" {
		d, err := liaison.ParseDate(f.since)
		if err != nil {
			return fmt.Errorf("--since: %w", err)
		}
		since = d
	}
	if !f.dryRun && (f.repoConfig != "" || f.repo != "") {
		return fmt.Errorf("--repo-config and --repo only apply with --dry-run; a real pass reads each repository's .github/liaison.yml")
	}
	opts := server.Options{DryRun: f.dryRun, DryRunRepo: f.repo, DatatrackerRetries: 2}
	if f.dryRun {
		rc, err := dryRunRepoConfig(f.repoConfig)
		if err != nil {
			return err
		}
		// The imaginary repository's since: its config's, else --since
		// (standing in for the day a real repository is first seen), else
		// the last 30 days. --since earlier than the config's is a backfill,
		// as in a real pass.
		repoSince := rc.Since.Date
		if repoSince.IsZero() {
			repoSince = since
		}
		if repoSince.IsZero() {
			repoSince = liaison.DateOf(time.Now().UTC().Add(-dryRunWindow))
		}
		opts.RepoConfig, opts.DryRunSince = rc, repoSince
	}
	return g.withServer(cmd, opts, func(ctx context.Context, srv *server.Server) error {
		out := cmd.OutOrStdout()
		rep, err := srv.Pass(ctx, schedule.Options{Backfill: since, DryRun: f.dryRun, Emit: planPrinter(out, f.format)})
		if err == nil {
			err = errors.Join(rep.ItemErrors...)
		}
		if f.format == "text" && (err == nil || rep.Plans > 0) {
			fmt.Fprintf(out, "%d repositories, %d statements fetched (%d new or changed); %d planned: %d created, %d updated, %d unchanged, %d failed\n",
				rep.Repos, rep.Pull.Fetched, rep.Pull.Changed, rep.Plans, rep.Result.Created, rep.Result.Updated, rep.Result.Skipped, rep.Result.Failed)
		}
		return err
	})
}

func dryRunRepoConfig(path string) (*config.RepoConfig, error) {
	if path == "" {
		return config.DefaultRepoConfig(), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("failed to read --repo-config: %w", err)
	}
	return config.ParseRepo(path, data)
}

// planPrinter prints each plan as text or as one JSON object per line.
func planPrinter(w io.Writer, format string) func(tracker.Plan) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return func(p tracker.Plan) error { return enc.Encode(p) }
	}
	return func(p tracker.Plan) error {
		line := fmt.Sprintf("%-6s %s LS %d", p.Action, p.Repo, p.StatementID)
		if p.Number != 0 {
			line += fmt.Sprintf(" #%d", p.Number)
		}
		if p.Issue.Title != "" {
			line += fmt.Sprintf(": %q [%s]", p.Issue.Title, strings.Join(p.Issue.Labels, ", "))
		}
		if a := p.Acknowledgement; a != nil {
			if a.Sendable {
				line += fmt.Sprintf("\n       acknowledgement %s to %s", a.Template, strings.Join(a.To, ", "))
			} else {
				line += fmt.Sprintf("\n       acknowledgement %s NOT SENDABLE: %s", a.Template, a.Problem)
			}
		}
		_, err := fmt.Fprintln(w, line)
		return err
	}
}
