package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/liaisonbot/liaisonbot/internal/version"
)

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintf(cmd.OutOrStdout(), "liaisonbot %s (%s)\n", version.String(), runtime.Version())
		},
	}
}
