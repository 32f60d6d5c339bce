package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/liaisonbot/liaisonbot/internal/datatracker"
	"github.com/liaisonbot/liaisonbot/internal/server"
	"github.com/liaisonbot/liaisonbot/internal/tracker"
)

func newRenderCommand(g *globalFlags) *cobra.Command {
	var repoConfig, format string
	cmd := &cobra.Command{
		Use:   "render <datatracker id or URL>",
		Short: "Print the issue liaisonbot would write for a statement (no credentials, no writes)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := datatracker.ParseID(args[0])
			if err != nil {
				return err
			}
			if format != "markdown" && format != "json" {
				return fmt.Errorf("--format %q: want markdown or json", format)
			}
			rc, err := dryRunRepoConfig(repoConfig)
			if err != nil {
				return err
			}
			opts := server.Options{DryRun: true, RepoConfig: rc, DatatrackerRetries: 2}
			return g.withServer(cmd, opts, func(ctx context.Context, srv *server.Server) error {
				d, err := srv.Render(ctx, id)
				if err != nil {
					return err
				}
				out := cmd.OutOrStdout()
				if format == "json" {
					enc := json.NewEncoder(out)
					enc.SetEscapeHTML(false)
					enc.SetIndent("", "  ")
					return enc.Encode(struct {
						Issue           tracker.IssueSpec        `json:"issue"`
						Acknowledgement *tracker.Acknowledgement `json:"acknowledgement"`
					}{d.Issue, d.Ack})
				}
				fmt.Fprintf(out, "# %s\n\nlabels: %v\nassignees: %v\n\n%s", d.Issue.Title, d.Issue.Labels, d.Issue.Assignees, d.Issue.Body)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&repoConfig, "repo-config", "", "a liaison.yml to render for (default: every incoming statement)")
	cmd.Flags().StringVar(&format, "format", "markdown", "output: markdown or json")
	return cmd
}
