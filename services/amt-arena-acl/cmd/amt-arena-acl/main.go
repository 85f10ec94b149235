// Command amt-arena-acl reads Arena's change messages about tiltak
// deltakere and gjennomføringer and publishes the deltakere in AMT's model.
//
//	amt-arena-acl [serve]   consume, handle and publish; serve health and metrics (the default)
//	amt-arena-acl migrate   apply the database migrations and exit
//
// Configuration comes from the environment (see the README). A bad value
// stops the program at once with one line naming the variable.
//
// main only wires: each command lives in a file of its own and registers
// itself (see register), so a new command is a new file.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/navikt/kafkapg/pkg/nais"
)

func main() {
	ctx, stop := nais.SignalContext(context.Background())
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "amt-arena-acl: "+strings.ReplaceAll(err.Error(), "\n", " "))
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// command is a subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, out io.Writer) error
}

// commands are the subcommands, registered by their files' init.
var commands []command

// register adds a subcommand. It panics on a duplicate name, which is a
// programming error.
func register(c command) {
	if slices.ContainsFunc(commands, func(o command) bool { return o.name == c.name }) {
		panic("amt-arena-acl: command " + c.name + " registered twice")
	}
	commands = append(commands, c)
}

// defaultCommand runs when no command is named.
const defaultCommand = "serve"

var errUsage = errors.New("usage")

// run runs the command args name (serve when none) with the rest of args.
func run(ctx context.Context, args []string, out io.Writer) error {
	name := defaultCommand
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	for _, c := range commands {
		if c.name == name {
			return c.run(ctx, args, out)
		}
	}
	var names []string
	for _, c := range commands {
		names = append(names, c.name+" ("+c.summary+")")
	}
	slices.Sort(names)
	return fmt.Errorf("%w: unknown command %q; commands: %s", errUsage, name, strings.Join(names, ", "))
}
