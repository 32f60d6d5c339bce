package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/liaisonbot/liaisonbot/internal/server"
)

func newLabelsCommand(g *globalFlags) *cobra.Command {
	labels := &cobra.Command{
		Use:   "labels",
		Short: "Manage the app's labels in the tracking repositories",
	}
	labels.AddCommand(&cobra.Command{
		Use:   "sync",
		Short: "Create the app's labels, with their colours and descriptions, in every tracking repository",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.withServer(cmd, server.Options{DatatrackerRetries: 2}, func(ctx context.Context, srv *server.Server) error {
				results, err := srv.SyncLabels(ctx)
				for _, r := range results {
					fmt.Fprintf(cmd.OutOrStdout(), "%s: %d created, %d updated, %d unchanged\n", r.Repo, r.Created, r.Updated, r.Unchanged)
				}
				return err
			})
		},
	})
	return labels
}
