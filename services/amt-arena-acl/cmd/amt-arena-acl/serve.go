package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"go.uber.org/zap"

	"github.com/navikt/kafkapg/pkg/kafka"
	"github.com/navikt/kafkapg/pkg/logging"
	"github.com/navikt/kafkapg/pkg/nais"
	"github.com/navikt/kafkapg/pkg/pg"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client/amttiltak"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client/mulighetsrommet"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client/ords"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/config"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/consumer"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/handler"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/metrics"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/publish"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/store"
	"github.com/navikt/kafkapg/services/amt-arena-acl/migrations"
)

func init() {
	register(command{name: "serve", summary: "consume, handle and publish; serve health and metrics", run: serve})
}

// serveOptions are what tests change about serve.
type serveOptions struct {
	// kafka are extra options for the consumer group (test timings).
	kafka []kafka.GroupOption
	// producer adjusts the producer's sarama config (test timings).
	producer []kafka.ProducerOption
}

// serve runs the service until ctx ends (SIGTERM), then stops consuming,
// finishes or rolls back the messages being handled, and returns nil.
func serve(ctx context.Context, _ []string, _ io.Writer) error {
	return serveWith(ctx, serveOptions{})
}

func serveWith(ctx context.Context, opts serveOptions) error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	log, err := logging.New(cfg.Log)
	if err != nil {
		return err
	}
	log.Info("Starter amt-arena-acl", zap.Object("config", cfg))
	a, err := build(ctx, cfg, log, opts)
	if err != nil {
		log.Error("Kunne ikke starte", zap.Error(err))
		return err
	}
	defer a.close()
	for _, hook := range serveHooks {
		if err := hook(a); err != nil {
			return fmt.Errorf("start: %w", err)
		}
	}
	err = a.run(ctx)
	if err != nil {
		log.Error("Stoppet med feil", zap.Error(err))
		return err
	}
	log.Info("Stoppet")
	return nil
}

// serveHooks extend serve. Each is called with the built app before it
// runs, and may add routes and checks to its server and runners beside the
// consumer. The service's other parts (the retry processor, schedules, the
// translation API) register here from files of their own.
var serveHooks []func(*app) error

// app is the running service: what serve builds, for the hooks to use.
type app struct {
	cfg     config.Config
	log     *zap.Logger
	db      *sqlx.DB
	store   *store.Store
	metrics *metrics.Metrics
	server  *nais.Server
	tokens  *nais.TokenClient

	producer  *kafka.Producer
	publisher *publish.Publisher
	processor *handler.Processor
	consumer  *consumer.Consumer

	// runners run beside the HTTP server and the consumer until ctx ends;
	// the first to fail stops the service.
	runners []runner
	closers []func()
}

// runner is a named part of the service that runs until ctx ends.
type runner struct {
	name string
	run  func(ctx context.Context) error
}

// build connects to everything and wires the live path. The database is
// migrated first.
func build(ctx context.Context, cfg config.Config, log *zap.Logger, opts serveOptions) (_ *app, err error) {
	a := &app{cfg: cfg, log: log, store: store.New(time.Now)}
	defer func() {
		if err != nil {
			a.close() // what was opened before the failure
		}
	}()

	if a.db, err = pg.Open(ctx, cfg.DB); err != nil {
		return nil, err
	}
	a.closers = append(a.closers, func() { _ = a.db.Close() })
	if err = pg.Migrate(ctx, a.db, migrations.FS, "."); err != nil {
		return nil, err
	}

	reg := nais.NewRegistry()
	a.metrics = metrics.New(reg)
	a.server = nais.NewServer(":"+cfg.Port, log.Named("http"), reg)

	a.tokens = nais.NewTokenClient(cfg.TokenEndpoint)
	peers := cfg.Clients
	for _, p := range []*client.Config{&peers.ORDS, &peers.Mulighetsrommet, &peers.AmtTiltak} {
		p.ConsumerID = cfg.AppName
	}
	ordsClient, err := ords.New(peers.ORDS, a.tokens)
	if err != nil {
		return nil, err
	}
	mrClient, err := mulighetsrommet.New(peers.Mulighetsrommet, a.tokens)
	if err != nil {
		return nil, err
	}
	amtClient, err := amttiltak.New(peers.AmtTiltak, a.tokens)
	if err != nil {
		return nil, err
	}

	if a.producer, err = kafka.NewProducer(cfg.Kafka, opts.producer...); err != nil {
		return nil, err
	}
	a.closers = append(a.closers, func() { _ = a.producer.Close() })
	a.publisher, err = publish.New(a.producer, publish.Topics{Amt: cfg.Topics.Amt, Enkeltplass: cfg.Topics.Enkeltplass}, time.Now, a.metrics)
	if err != nil {
		return nil, err
	}
	a.processor, err = handler.New(handler.Config{
		DB: a.db, Store: a.store, ORDS: ordsClient, Mulighetsrommet: mrClient, AmtTiltak: amtClient,
		Publisher: a.publisher, Now: time.Now, Spacing: cfg.Spacing, Metrics: a.metrics, Log: log.Named("handler"),
	})
	if err != nil {
		return nil, err
	}
	a.consumer, err = consumer.New(cfg.Kafka, consumer.Config{
		GroupID: cfg.ConsumerGroup, Topics: cfg.Topics.Arena(), Workers: cfg.Workers, HandleTimeout: cfg.HandleTimeout,
	}, consumer.Deps{
		DB: a.db, Store: a.store, Handler: a.processor, Metrics: a.metrics, Log: log.Named("consumer"),
	}, opts.kafka...)
	if err != nil {
		return nil, err
	}

	// Ready: the database answers and the group has, or is getting, its
	// partitions. Alive: the consume loop turns.
	a.server.AddReadiness("database", func(ctx context.Context) error { return a.db.PingContext(ctx) })
	a.server.AddReadiness("kafka", a.consumer.Ready)
	a.server.AddLiveness("consumer", a.consumer.Alive())
	a.runners = append(a.runners,
		runner{"http server", a.server.Run},
		runner{"consumer", a.consumer.Run},
	)
	return a, nil
}

// run runs every runner until ctx ends or one fails, and then stops the
// others and waits for them. It returns the first failure.
func (a *app) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for _, r := range a.runners {
		wg.Go(func() {
			err := r.run(ctx)
			if err == nil && ctx.Err() == nil {
				err = errors.New("stopped by itself")
			}
			if err != nil {
				once.Do(func() { first = fmt.Errorf("%s: %w", r.name, err) })
				cancel()
			}
		})
	}
	wg.Wait()
	return first
}

// close releases what build opened, in reverse order.
func (a *app) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
	a.closers = nil
}
