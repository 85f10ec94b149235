package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lib/pq"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/navikt/kafkapg/pkg/kafka/kafkatest"
	"github.com/navikt/kafkapg/pkg/pg/pgtest"
)

// Stack is what the running infrastructure looks like to the services.
type Stack struct {
	Brokers string // comma list for KAFKA_BROKERS
	pg      *pgtest.Server
	// exported is the environment earlier programs of the same service
	// exported (see program.Exports).
	exported []string
}

// DatabaseURL is the URL of database name on the local Postgres.
func (s Stack) DatabaseURL(name string) string { return s.pg.DSNFor(name) }

// common is the environment every program of svc gets.
func (s Stack) common(svc service) []string {
	return append([]string{
		"KAFKA_BROKERS=" + s.Brokers,
		"DB_URL=" + s.DatabaseURL(svc.Database),
		"LOG_FORMAT=console",
	}, s.exported...)
}

// run starts Kafka and Postgres, then every service, and stops all of it when
// ctx is done. ready, when not nil, is called once everything has started.
func run(ctx context.Context, cfg config, out io.Writer, ready func(Stack)) error {
	kafka, err := kafkatest.Start(kfake.Ports(cfg.kafkaPort), kfake.AllowAutoTopicCreation(), kfake.DefaultNumPartitions(3))
	if err != nil {
		return fmt.Errorf("start kafka on port %d: %w", cfg.kafkaPort, err)
	}
	defer kafka.Close()
	pg, err := pgtest.Start(pgtest.Options{})
	if err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	defer func() {
		if err := pg.Stop(); err != nil {
			fmt.Fprintln(out, "stop postgres:", err)
		}
	}()
	stack := Stack{Brokers: strings.Join(kafka.Addrs(), ","), pg: pg}
	fmt.Fprintf(out, "kafka     %s\npostgres  %s\n", stack.Brokers, pg.DSN())

	var procs []*process
	defer func() { stopAll(procs, out) }()
	if cfg.services && len(services) > 0 {
		root, err := repoRoot(cfg.root)
		if err != nil {
			return err
		}
		bin, err := os.MkdirTemp("", "localstack-bin-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(bin)
		for _, svc := range services {
			stack.exported = nil // exports are the service's own
			if err := createDatabase(ctx, pg, svc.Database); err != nil {
				return err
			}
			for _, p := range svc.Programs {
				exe, err := build(ctx, root, bin, p.Package)
				if err != nil {
					return err
				}
				proc, err := start(p.Name, exe, p.Args, p.Env(stack, svc), p.Exports, out)
				if err != nil {
					return err
				}
				procs = append(procs, proc)
				if p.Exports {
					env, err := proc.waitExports(ctx)
					if err != nil {
						return err
					}
					stack.exported = append(stack.exported, env...)
				}
			}
		}
	}
	fmt.Fprintln(out, "local stack is up; Ctrl-C stops it")
	if ready != nil {
		ready(stack)
	}
	select {
	case <-ctx.Done():
	case p := <-exited(procs):
		return fmt.Errorf("%s exited: %v", p.name, p.err)
	}
	fmt.Fprintln(out, "stopping")
	return nil
}

func createDatabase(ctx context.Context, pg *pgtest.Server, name string) error {
	db, err := sql.Open("postgres", pg.DSN())
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(name))
	if err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

// repoRoot returns dir, or the nearest directory at or above the working
// directory that holds go.work.
func repoRoot(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.work")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("no go.work above " + wd + "; run from the repository or pass -root")
		}
	}
}

// stopGrace is how long a service gets between SIGTERM and SIGKILL.
const stopGrace = 20 * time.Second
