// Command hendelselogg-backup backs up the three bekreftelse topics into
// Postgres, and restores and verifies that backup.
//
//	hendelselogg-backup [serve]   consume and store, serve health, metrics and the support API
//	hendelselogg-backup restore   produce stored records back to a topic
//	hendelselogg-backup verify    compare the backup with what Kafka holds
//	hendelselogg-backup migrate   apply the database migrations and exit
//
// Configuration comes from the environment (see the README). A bad value
// stops the program at once with one line naming the variable.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/navikt/kafkapg/pkg/nais"
)

func main() {
	ctx, stop := nais.SignalContext(context.Background())
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "hendelselogg-backup: "+oneLine(err.Error()))
	}
	os.Exit(exitCode(err))
}

// exitError carries a specific exit code.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // a failure, including a configuration error and verify finding loss
	exitUsage   = 2 // bad command line
	exitBehind  = 3 // verify: nothing lost, but records are not backed up yet
)

func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var e exitError
	if errors.As(err, &e) {
		return e.code
	}
	return exitFailure
}
