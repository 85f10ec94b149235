// Command simulator produces realistic Arena traffic to the three Arena
// topics until it is stopped (Ctrl-C, SIGTERM), for a local amt-arena-acl:
// gjennomføringer of every kind, deltakere in every status, deltakere before
// their gjennomføring, updates, deletes, historised deltakere both never
// seen and archiving one that was, and now and then an unreadable message.
// It seeds the fake NAV services (cmd/fakenav) over HTTP first, so that the
// service's lookups succeed.
//
// Environment:
//
//	KAFKA_BROKERS                      the brokers (and the KAFKA_* TLS paths, as for the service)
//	ARENA_TILTAKGJENNOMFORING_TOPIC,
//	ARENA_TILTAK_DELTAKER_TOPIC,
//	ARENA_HIST_TILTAK_DELTAKER_TOPIC   the topics to produce to, as the service reads them
//	AMT_ARENA_ORDS_PROXY_URL,
//	MULIGHETSROMMET_API_URL            the fakes to seed (the URLs the service calls)
//	SIM_RATE                           records per second (default 5)
//	SIM_GJENNOMFORINGER                gjennomføringer to start with (default 12)
//	SIM_MALFORMED_EVERY                one unreadable record per this many (default 150; -1: none)
//	SIM_PARTITIONS                     partitions of the topics it creates when missing (default 4)
//	SIM_SEED                           seed of the made-up data (default: the clock)
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/IBM/sarama"
	"go.uber.org/zap"

	"github.com/navikt/kafkapg/pkg/kafka"
	"github.com/navikt/kafkapg/pkg/logging"
	"github.com/navikt/kafkapg/pkg/nais"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/config"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/fakenav"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/simulation"
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

type settings struct {
	kafka      kafka.Config
	topics     config.Topics
	seeder     fakenav.Seeder
	rate       int
	gjs        int
	malformed  int
	partitions int32
	seed       uint64
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
	s := settings{
		topics:     config.TopicsFromEnv(os.Getenv),
		rate:       num("SIM_RATE", 5, 1, 10_000),
		gjs:        num("SIM_GJENNOMFORINGER", 12, 8, 10_000),
		malformed:  num("SIM_MALFORMED_EVERY", 150, -1, 1_000_000),
		partitions: int32(num("SIM_PARTITIONS", 4, 1, 1000)),
		seed:       uint64(num("SIM_SEED", int(time.Now().UnixNano()%1_000_000_000), 0, 1<<62)),
		seeder: fakenav.Seeder{
			ORDSURL:            os.Getenv(client.EnvORDSURL),
			MulighetsrommetURL: os.Getenv(client.EnvMulighetsrommetURL),
		},
	}
	if s.seeder.ORDSURL == "" {
		problems = append(problems, client.EnvORDSURL+": required (the fake ORDS to seed)")
	}
	if s.seeder.MulighetsrommetURL == "" {
		problems = append(problems, client.EnvMulighetsrommetURL+": required (the fake Mulighetsrommet to seed)")
	}
	if s.malformed == 0 {
		s.malformed = -1
	}
	kc, err := kafka.ConfigFromEnv()
	if err != nil {
		problems = append(problems, err.Error())
	}
	s.kafka = kc
	if len(problems) > 0 {
		return settings{}, errors.New(strings.Join(problems, "; "))
	}
	return s, nil
}

func run(ctx context.Context) error {
	s, err := load()
	if err != nil {
		return err
	}
	lc, err := logging.ConfigFromEnv()
	if err != nil {
		return err
	}
	lc.Name = "simulator"
	log, err := logging.New(lc)
	if err != nil {
		return err
	}
	if err := ensureTopics(s); err != nil {
		return err
	}
	p, err := kafka.NewProducer(s.kafka)
	if err != nil {
		return err
	}
	defer p.Close()

	sim := simulation.New(simulation.Config{
		Topics: s.topics, Gjennomforinger: s.gjs, MalformedEvery: s.malformed, Seed: s.seed,
	}, s.seeder)
	recs, err := sim.Start(ctx)
	if err != nil {
		return err
	}
	log.Info("simulating Arena traffic", zap.Int("rate", s.rate), zap.Uint64("seed", s.seed),
		zap.Strings("topics", s.topics.Arena()))
	tick := time.NewTicker(time.Second / time.Duration(s.rate))
	defer tick.Stop()
	counts := map[simulation.Kind]int{}
	report := time.NewTicker(30 * time.Second)
	defer report.Stop()
	for {
		for _, r := range recs {
			msg := &sarama.ProducerMessage{Topic: r.Topic, Value: sarama.ByteEncoder(r.Value)}
			if r.Key != "" {
				msg.Key = sarama.StringEncoder(r.Key)
			}
			if err := p.Send(ctx, msg); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return fmt.Errorf("produce %s: %w", r.Kind, err)
			}
			counts[r.Kind]++
			log.Debug("produced", zap.String("kind", string(r.Kind)), zap.String("topic", r.Topic), zap.String("key", r.Key))
		}
		select {
		case <-ctx.Done():
			log.Info("stopped", zap.Any("produced", counts))
			return nil
		case <-report.C:
			log.Info("produced so far", zap.Any("produced", counts))
		case <-tick.C:
		}
		if recs, err = sim.Next(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
}

// ensureTopics creates the Arena topics that do not exist yet.
func ensureTopics(s settings) error {
	sc, err := s.kafka.Sarama()
	if err != nil {
		return err
	}
	sc.Metadata.Full = true // the admin client needs it to find the controller
	admin, err := sarama.NewClusterAdmin(s.kafka.Brokers, sc)
	if err != nil {
		return fmt.Errorf("connect to Kafka: %w", err)
	}
	defer admin.Close()
	existing, err := admin.ListTopics()
	if err != nil {
		return fmt.Errorf("list topics: %w", err)
	}
	for _, t := range s.topics.Arena() {
		if _, ok := existing[t]; ok {
			continue
		}
		err := admin.CreateTopic(t, &sarama.TopicDetail{NumPartitions: s.partitions, ReplicationFactor: 1}, false)
		if err != nil && !errors.Is(err, sarama.ErrTopicAlreadyExists) {
			return fmt.Errorf("create topic %s: %w", t, err)
		}
	}
	return nil
}
