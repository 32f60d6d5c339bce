package main

import (
	"context"
	"github.com/spf13/cobra"

	"github.com/liaisonbot/liaisonbot/internal/server"
)

func newServeCommand(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run the app: poll the datatracker and keep the issues, serve /api/health and /api/metrics",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.withServer(cmd, server.Options{}, func(ctx context.Context, srv *server.Server) error {
				return srv.Serve(ctx)
			})
		},
	}
}
