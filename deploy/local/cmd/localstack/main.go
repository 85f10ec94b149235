// Command localstack runs kafkapg on one machine: an embedded Kafka on a fixed
// port, a throwaway Postgres, and every service with its traffic simulator,
// wired together. Ctrl-C stops all of it. `make run` starts it.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		os.Exit(2)
	}
	if err := run(ctx, cfg, os.Stdout, nil); err != nil {
		fmt.Fprintln(os.Stderr, "localstack:", err)
		os.Exit(1)
	}
}

type config struct {
	kafkaPort int
	root      string // the repository root, where go.work is
	services  bool   // start the services and simulators
}

func parseFlags(args []string, errOut io.Writer) (config, error) {
	fs := flag.NewFlagSet("localstack", flag.ContinueOnError)
	fs.SetOutput(errOut)
	var c config
	fs.IntVar(&c.kafkaPort, "kafka-port", 9092, "port of the embedded Kafka broker")
	fs.StringVar(&c.root, "root", "", "repository root (default: the nearest directory above the working directory with a go.work)")
	fs.BoolVar(&c.services, "services", true, "start the services and their simulators, not just Kafka and Postgres")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	return c, nil
}
