package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/liaisonbot/liaisonbot/internal/config"
)

func newCheckConfigCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "check-config FILE",
		Short: "Validate a server config or a repository's liaison.yml",
		Long: `Validate a config file and print every problem with its line.

A file named liaison.yml (or liaison.example.yml), or one without server
sections, is checked as a repository config; any other as a server config.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, err := config.CheckFile(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: valid %s config\n", args[0], kind)
			return nil
		},
	}
}
