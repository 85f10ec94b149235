package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"go.uber.org/zap"

	"github.com/navikt/kafkapg/pkg/logging"
	"github.com/navikt/kafkapg/services/hendelselogg-backup/internal/config"
)

const usage = `usage: hendelselogg-backup [serve | restore | verify | migrate] [flags]

  serve     consume the three topics into Postgres; serve /internal/* and the support API (default)
  restore   --topic T --target-topic T2 [--version N] [--partition P] [--from-offset A] [--to-offset B] [--dry-run]
  verify    [--version N] [--idle D]
  migrate   apply the database migrations and exit

Configuration is read from the environment; see the README.`

// run dispatches to a command. Everything it needs comes from args and the
// environment, so tests run it as the real binary does.
func run(ctx context.Context, args []string) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	log, err := newLogger()
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	switch cmd {
	case "serve":
		if err := noFlags("serve", args); err != nil {
			return err
		}
		return serve(ctx, log)
	case "restore":
		return restoreCmd(ctx, log, args, os.Stdout)
	case "verify":
		return verifyCmd(ctx, log, args, os.Stdout)
	case "migrate":
		if err := noFlags("migrate", args); err != nil {
			return err
		}
		return migrateCmd(ctx, log)
	case "help", "-h", "--help":
		fmt.Println(usage)
		return nil
	}
	return exitError{exitUsage, fmt.Errorf("unknown command %q\n%s", cmd, usage)}
}

func newLogger() (*zap.Logger, error) {
	lc, err := logging.ConfigFromEnv()
	if err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	if lc.Name == "" {
		lc.Name = "hendelselogg-backup"
	}
	log, err := logging.New(lc)
	if err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	return log, nil
}

// loadConfig reads the environment; the error is the one line to print.
func loadConfig(withKafka bool) (config.Config, error) {
	var (
		cfg config.Config
		err error
	)
	if withKafka {
		cfg, err = config.FromEnv()
	} else {
		cfg, err = config.FromEnvWithoutKafka()
	}
	if err != nil {
		return cfg, fmt.Errorf("configuration: %w", err)
	}
	return cfg, nil
}

func noFlags(cmd string, args []string) error {
	if len(args) > 0 {
		return exitError{exitUsage, fmt.Errorf("%s takes no arguments, got %q", cmd, args)}
	}
	return nil
}

// parseFlags parses a command's flags; a usage error gets exit code 2.
func parseFlags(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Println(usage)
			return exitError{exitOK, err}
		}
		return exitError{exitUsage, fmt.Errorf("%s: %w", fs.Name(), err)}
	}
	if fs.NArg() > 0 {
		return exitError{exitUsage, fmt.Errorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	return nil
}

// oneLine keeps the exit message to one line for log collectors; the usage
// text is the exception, meant for a person at a terminal.
func oneLine(s string) string {
	if strings.Contains(s, "usage:") {
		return s
	}
	return strings.ReplaceAll(s, "\n", " ")
}
