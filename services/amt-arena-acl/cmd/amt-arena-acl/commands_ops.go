package main

// The operators' commands (replay, relast, tombstone, status) of package
// ops, as subcommands of the binary: run inside a pod with kubectl exec.

import (
	"context"
	"errors"
	"io"
	"os"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ops"
)

func init() {
	for _, c := range ops.Commands {
		register(command{name: c.Name, summary: c.Summary, run: func(ctx context.Context, args []string, out io.Writer) error {
			deps, closeDeps := ops.EnvDeps(out, os.Stderr)
			defer closeDeps()
			err := ops.Run(ctx, deps, append([]string{c.Name}, args...))
			if errors.Is(err, ops.ErrUsage) {
				return opsUsage{err}
			}
			return err
		}})
	}
}

// opsUsage is a usage error of an operator's command, which main exits 2
// for.
type opsUsage struct{ err error }

func (u opsUsage) Error() string        { return u.err.Error() }
func (u opsUsage) Is(target error) bool { return target == errUsage }
func (u opsUsage) Unwrap() error        { return u.err }
