package main

import (
	"github.com/spf13/cobra"

	"github.com/liaisonbot/liaisonbot/internal/server"
)

func newServeCommand(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run the app: poll the datatracker and keep the issues, serve /api/health and /api/metrics",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.load()
			if err != nil {
				return err
			}
			ctx, stop := signalContext(cmd.Context())
			defer stop()
			srv, err := server.New(ctx, cfg, logger(cfg), server.Options{})
			if err != nil {
				return err
			}
			defer srv.Close()
			return srv.Serve(ctx)
		},
	}
}
