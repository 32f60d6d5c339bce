package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/liaisonbot/liaisonbot/internal/datatracker"
	"github.com/liaisonbot/liaisonbot/internal/schedule"
	"github.com/liaisonbot/liaisonbot/internal/server"
)

func newImportCommand(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "import <datatracker id or URL>",
		Short: "Track one statement now, whatever the repositories' since dates",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := datatracker.ParseID(args[0])
			if err != nil {
				return err
			}
			return g.withServer(cmd, server.Options{DatatrackerRetries: 2}, func(ctx context.Context, srv *server.Server) error {
				out := cmd.OutOrStdout()
				rep, err := srv.Syncer().Import(ctx, id, schedule.Options{Emit: planPrinter(out, "text")})
				if err == nil {
					err = errors.Join(rep.ItemErrors...)
				}
				if err != nil {
					return err
				}
				if rep.Plans == 0 {
					fmt.Fprintf(out, "LS %d is not wanted by any tracking repository (%d checked)\n", id, rep.Repos)
				}
				return nil
			})
		},
	}
}
