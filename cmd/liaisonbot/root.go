package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/liaisonbot/liaisonbot/internal/config"
	"github.com/liaisonbot/liaisonbot/internal/server"
)

type globalFlags struct {
	configPath string
}

func newRootCommand() *cobra.Command {
	g := &globalFlags{}
	root := &cobra.Command{
		Use:           "liaisonbot",
		Short:         "Track IETF liaison statements as GitHub issues",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVarP(&g.configPath, "config", "c", os.Getenv("LIAISONBOT_CONFIG"),
		"server config file (YAML); default: $LIAISONBOT_CONFIG, else built-in defaults and the environment")
	root.AddCommand(
		newServeCommand(g),
		newSyncCommand(g),
		newImportCommand(g),
		newRenderCommand(g),
		newLabelsCommand(g),
		newCheckConfigCommand(),
		newVersionCommand(),
	)
	return root
}

func (g *globalFlags) load() (*config.Config, error) {
	return config.Load(g.configPath)
}

// withServer loads the config, builds the server and runs fn with it until
// fn returns or a signal ends the context; the store is closed after.
func (g *globalFlags) withServer(cmd *cobra.Command, opts server.Options, fn func(context.Context, *server.Server) error) error {
	cfg, err := g.load()
	if err != nil {
		return err
	}
	ctx, stop := signalContext(cmd.Context())
	defer stop()
	srv, err := server.New(ctx, cfg, logger(cfg), opts)
	if err != nil {
		return err
	}
	defer srv.Close()
	return fn(ctx, srv)
}

// logger writes JSON to stderr, or readable lines when the config asks.
func logger(cfg *config.Config) zerolog.Logger {
	lvl, err := zerolog.ParseLevel(cfg.Logging.Level)
	if err != nil || cfg.Logging.Level == "" {
		lvl = zerolog.InfoLevel
	}
	var l zerolog.Logger
	if cfg.Logging.Text {
		l = zerolog.New(zerolog.ConsoleWriter{Out: os.Stderr})
	} else {
		l = zerolog.New(os.Stderr)
	}
	return l.Level(lvl).With().Timestamp().Logger()
}

// signalContext ends on SIGINT or SIGTERM, so a pass stops cleanly and
// records what it did.
func signalContext(parent context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
}
