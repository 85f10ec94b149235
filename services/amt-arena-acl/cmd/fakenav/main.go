// Command fakenav runs the fake NAV services amt-arena-acl calls — the token
// sidecar Texas, amt-arena-ords-proxy, mulighetsrommet-api and amt-tiltak —
// on fixed local ports, prints the environment that points the service at
// them on stdout (one KEY=VALUE per line, then an empty line; its logs go to
// stderr), and runs until stopped (Ctrl-C, SIGTERM).
//
// With KAFKA_BROKERS set it also reads the AMT topics the service publishes
// to, as the real amt-tiltak does, so that the fake amt-tiltak knows every
// deltaker the service has published: a hist deltaker archiving one of them
// then finds it.
//
// Environment:
//
//	FAKENAV_TEXAS_ADDR            default 127.0.0.1:8091
//	FAKENAV_ORDS_ADDR             default 127.0.0.1:8092
//	FAKENAV_MULIGHETSROMMET_ADDR  default 127.0.0.1:8093
//	FAKENAV_AMTTILTAK_ADDR        default 127.0.0.1:8094
//	FAKENAV_GENERATE_FNRS         "true": ORDS answers a made-up fnr for every person (default false:
//	                              only for persons seeded, for example by cmd/simulator)
//	KAFKA_BROKERS                 optional; with it, AMT_TOPIC and AMT_ENKELTPLASS_TOPIC are followed
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/IBM/sarama"
	"go.uber.org/zap"

	"github.com/navikt/kafkapg/pkg/kafka"
	"github.com/navikt/kafkapg/pkg/logging"
	"github.com/navikt/kafkapg/pkg/nais"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/config"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/fakenav"
)

func main() {
	ctx, stop := nais.SignalContext(context.Background())
	err := run(ctx, os.Getenv, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakenav: "+err.Error())
		os.Exit(1)
	}
}

// Default addresses, fixed so that the local stack can be wired once.
const (
	DefaultTexasAddr           = "127.0.0.1:8091"
	DefaultORDSAddr            = "127.0.0.1:8092"
	DefaultMulighetsrommetAddr = "127.0.0.1:8093"
	DefaultAmtTiltakAddr       = "127.0.0.1:8094"
)

func run(ctx context.Context, getenv func(string) string, out io.Writer) error {
	str := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	generate := false
	if v := strings.TrimSpace(getenv("FAKENAV_GENERATE_FNRS")); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("FAKENAV_GENERATE_FNRS: %q is not true or false", v)
		}
		generate = b
	}
	lc, err := logging.ConfigFromEnv()
	if err != nil {
		return err
	}
	lc.Name = "fakenav"
	// Logs go to stderr, so that stdout is only the environment.
	log, err := logging.NewTo(lc, os.Stderr)
	if err != nil {
		return err
	}

	stack, err := fakenav.StartStack(fakenav.StackConfig{
		TexasAddr:           str("FAKENAV_TEXAS_ADDR", DefaultTexasAddr),
		ORDSAddr:            str("FAKENAV_ORDS_ADDR", DefaultORDSAddr),
		MulighetsrommetAddr: str("FAKENAV_MULIGHETSROMMET_ADDR", DefaultMulighetsrommetAddr),
		AmtTiltakAddr:       str("FAKENAV_AMTTILTAK_ADDR", DefaultAmtTiltakAddr),
	})
	if err != nil {
		return err
	}
	defer stack.Close()
	stack.ORDS.GenerateFnrs(generate)

	env := stack.Env()
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(out, "%s=%s\n", k, env[k])
	}
	fmt.Fprintln(out) // an empty line ends the environment

	if strings.TrimSpace(getenv(kafka.EnvBrokers)) == "" {
		log.Info("fake NAV services running; not following the AMT topics (no KAFKA_BROKERS)")
		<-ctx.Done()
		return nil
	}
	kc, err := kafka.ConfigFromEnv()
	if err != nil {
		return err
	}
	topics := config.TopicsFromEnv(getenv)
	log.Info("fake NAV services running; amt-tiltak follows the AMT topics",
		zap.Strings("topics", []string{topics.Amt, topics.Enkeltplass}))
	return kafka.RunGroup(ctx, kc, "fakenav-amt-tiltak", []string{topics.Amt, topics.Enkeltplass},
		learner{amt: stack.AmtTiltak, log: log}, kafka.WithLogger(log))
}

// learner feeds the fake amt-tiltak what the service publishes.
type learner struct {
	amt *fakenav.AmtTiltak
	log *zap.Logger
}

func (learner) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (learner) Cleanup(sarama.ConsumerGroupSession) error { return nil }

func (l learner) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for {
		select {
		case <-sess.Context().Done():
			return nil
		case m, ok := <-claim.Messages():
			if !ok {
				return nil
			}
			if err := l.amt.Learn(m.Value); err != nil && !errors.Is(err, context.Canceled) {
				l.log.Warn("could not learn a deltaker", zap.Error(err), zap.String("topic", m.Topic), zap.Int64("offset", m.Offset))
			}
			sess.MarkMessage(m, "")
		}
	}
}
