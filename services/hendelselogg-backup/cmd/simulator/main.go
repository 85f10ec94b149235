// Command simulator produces realistic traffic on the three bekreftelse
// topics until it is stopped (Ctrl-C), so that a local hendelselogg-backup
// has something to back up: JSON hendelser of the ten known types, Confluent-
// framed Avro-looking values on the two other topics, 8-byte keys, traceparent
// headers, and now and then a record the backup has to quarantine.
//
// Environment: KAFKA_BROKERS (and the KAFKA_* TLS paths, as for the service),
// the three topic variables of the service, and
//
//	SIM_RATE          records per second over all topics (default 20)
//	SIM_POISON_EVERY  one odd record per this many (default 100, 0: none)
//	SIM_PARTITIONS    partitions of topics the simulator creates (default 3)
//	SIM_PERSONS       distinct arbeidssoekerIds (default 500)
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/navikt/kafkapg/pkg/kafka"
	"github.com/navikt/kafkapg/pkg/logging"
	"github.com/navikt/kafkapg/pkg/nais"
	"github.com/navikt/kafkapg/services/hendelselogg-backup/internal/config"
)

func main() {
	ctx, stop := nais.SignalContext(context.Background())
	err := run(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "simulator: "+err.Error())
		os.Exit(1)
	}
}

// settings is the simulator's configuration.
type settings struct {
	topics      config.Topics
	rate        int
	poisonEvery int
	partitions  int32
	persons     int
	kafka       kafka.Config
}

func load() (settings, error) {
	var problems []string
	num := func(name string, def, lo, hi int) int {
		v := strings.TrimSpace(os.Getenv(name))
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			problems = append(problems, fmt.Sprintf("%s: %q is not an integer from %d to %d", name, v, lo, hi))
			return def
		}
		return n
	}
	topic := func(name, def string) string {
		if v := strings.TrimSpace(os.Getenv(name)); v != "" {
			return v
		}
		return def
	}
	s := settings{
		topics: config.Topics{
			Hendelse:    topic(config.EnvHendelseTopic, config.DefaultHendelseTopic),
			Bekreftelse: topic(config.EnvBekreftelseTopic, config.DefaultBekreftelseTopic),
			PaaVegneAv:  topic(config.EnvPaaVegneAvTopic, config.DefaultPaaVegneAvTopic),
		},
		rate:        num("SIM_RATE", 20, 1, 100_000),
		poisonEvery: num("SIM_POISON_EVERY", 100, 0, 1<<30),
		partitions:  int32(num("SIM_PARTITIONS", 3, 1, 1000)),
		persons:     num("SIM_PERSONS", 500, 1, 1<<30),
	}
	kc, err := kafka.ConfigFromEnv()
	if err != nil {
		problems = append(problems, err.Error())
	}
	s.kafka = kc
	if len(problems) > 0 {
		return s, errors.New(strings.Join(problems, "; "))
	}
	return s, nil
}

func run(ctx context.Context) error {
	s, err := load()
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	lc, err := logging.ConfigFromEnv()
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	if lc.Name == "" {
		lc.Name = "simulator"
	}
	log, err := logging.New(lc)
	if err != nil {
		return err
	}
	return simulate(ctx, s, log)
}
