package ops

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/IBM/sarama"
	"github.com/jmoiron/sqlx"

	"github.com/navikt/kafkapg/pkg/kafka"
	"github.com/navikt/kafkapg/pkg/pg"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/config"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/store"
)

// Commands are the subcommands this package runs, with a line about each.
var Commands = []Command{
	{"replay", "set deltakere's newest handled message back to RETRY, to re-publish them (--check: find overtaken ones)"},
	{"relast", "replay the enkeltplass deltakere of one programme type"},
	{"tombstone", "send tombstones for deltakere to the enkeltplass topic"},
	{"status", "rows per table and status, and the oldest RETRY and FAILED rows"},
}

// Command names and sums up a subcommand.
type Command struct {
	Name, Summary string
}

// IsCommand reports whether name is one of Commands.
func IsCommand(name string) bool {
	return slices.ContainsFunc(Commands, func(c Command) bool { return c.Name == name })
}

// Errors Run returns besides failures.
var (
	// ErrUsage: the command line is wrong; nothing was done.
	ErrUsage = errors.New("usage")
	// ErrNotConfirmed: the command printed what it would write and wrote
	// nothing, for want of --yes.
	ErrNotConfirmed = errors.New("nothing written: run again with --yes to do it")
)

// Sender sends messages and returns once Kafka has acknowledged them;
// *kafka.Producer is one.
type Sender interface {
	Send(ctx context.Context, msgs ...*sarama.ProducerMessage) error
}

// Deps is what the commands work with. The database and the producer are
// made on first use, so a command line that is wrong connects to nothing,
// and only tombstone connects to Kafka.
type Deps struct {
	DB       func(context.Context) (*sqlx.DB, error)
	Producer func(context.Context) (Sender, error)
	// EnkeltplassTopic is where tombstones go.
	EnkeltplassTopic string
	Store            *store.Store
	Stdout, Stderr   io.Writer
}

// EnvDeps connects as the service does: the database from DB_URL or
// DB_HOST…, Kafka from KAFKA_BROKERS…, the enkeltplass topic from
// AMT_ENKELTPLASS_TOPIC. Call close when done.
func EnvDeps(stdout, stderr io.Writer) (d Deps, close func()) {
	var closers []func() error
	d = Deps{
		DB: func(ctx context.Context) (*sqlx.DB, error) {
			cfg, err := pg.ConfigFromEnv()
			if err != nil {
				return nil, err
			}
			db, err := pg.Open(ctx, cfg)
			if err != nil {
				return nil, err
			}
			closers = append(closers, db.Close)
			return db, nil
		},
		Producer: func(context.Context) (Sender, error) {
			cfg, err := kafka.ConfigFromEnv()
			if err != nil {
				return nil, err
			}
			p, err := kafka.NewProducer(cfg)
			if err != nil {
				return nil, err
			}
			closers = append(closers, p.Close)
			return p, nil
		},
		EnkeltplassTopic: config.TopicsFromEnv(os.Getenv).Enkeltplass,
		Store:            store.New(nil),
		Stdout:           stdout,
		Stderr:           stderr,
	}
	return d, func() {
		for _, c := range slices.Backward(closers) {
			_ = c()
		}
	}
}

// Run runs the subcommand args[0] with the rest of args as its flags. It
// returns nil when done (a dry run and -h included), an error wrapping
// ErrUsage for a wrong command line, ErrNotConfirmed when --yes was
// missing, or what failed.
func Run(ctx context.Context, d Deps, args []string) error {
	if len(args) == 0 || !IsCommand(args[0]) {
		var names []string
		for _, c := range Commands {
			names = append(names, c.Name)
		}
		return fmt.Errorf("%w: amt-arena-acl %s [flags]; -h after a command lists its flags", ErrUsage, strings.Join(names, "|"))
	}
	c := &cmd{deps: d, out: d.Stdout}
	var err error
	switch args[0] {
	case "replay":
		err = c.replay(ctx, args[1:])
	case "relast":
		err = c.relast(ctx, args[1:])
	case "tombstone":
		err = c.tombstone(ctx, args[1:])
	case "status":
		err = c.status(ctx, args[1:])
	}
	switch {
	case errors.Is(err, flag.ErrHelp), errors.Is(err, errDryRun):
		return nil
	case err == nil, errors.Is(err, ErrUsage), errors.Is(err, ErrNotConfirmed):
		return err
	}
	return fmt.Errorf("%s: %w", args[0], err)
}

// cmd is one command's run.
type cmd struct {
	deps Deps
	out  io.Writer
	db   *sqlx.DB
}

func (c *cmd) printf(format string, args ...any) { fmt.Fprintf(c.out, format, args...) }

func (c *cmd) database(ctx context.Context) (*sqlx.DB, error) {
	if c.db == nil {
		db, err := c.deps.DB(ctx)
		if err != nil {
			return nil, fmt.Errorf("connect to the database: %w", err)
		}
		c.db = db
	}
	return c.db, nil
}

func usagef(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUsage, fmt.Sprintf(format, args...))
}

// flags is a command's flag set with the flags every writing command has.
type flags struct {
	*flag.FlagSet
	dryRun, yes bool
}

func newFlags(name string, d Deps, writes bool) *flags {
	f := &flags{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError)}
	f.SetOutput(d.Stderr)
	if writes {
		f.BoolVar(&f.dryRun, "dry-run", false, "print what would be done and write nothing")
		f.BoolVar(&f.yes, "yes", false, "do it (without, the command only prints what it would do)")
	}
	return f
}

// parse parses args. Arguments after the flags are more values of rest
// (so "--deltaker a b c" works), or a usage error when rest is nil.
func (f *flags) parse(args []string, rest *list) error {
	if err := f.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	for _, a := range f.Args() {
		if rest == nil {
			return usagef("unexpected argument %q", a)
		}
		if err := rest.Set(a); err != nil {
			return fmt.Errorf("%w: %w", ErrUsage, err)
		}
	}
	return nil
}

// confirm returns nil when the command may write: --yes without --dry-run.
func (c *cmd) confirm(f *flags) error {
	switch {
	case f.dryRun:
		c.printf("Dry run: nothing written.\n")
		return errDryRun
	case !f.yes:
		return ErrNotConfirmed
	}
	return nil
}

// errDryRun ends a command successfully before it writes.
var errDryRun = errors.New("dry run")

// list is a repeatable flag whose values may also be comma-separated.
type list []string

func (l *list) String() string { return strings.Join(*l, ",") }

func (l *list) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}
