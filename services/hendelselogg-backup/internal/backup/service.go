package backup

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"
	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/navikt/kafkapg/pkg/kafka/hwm"
	"github.com/navikt/kafkapg/pkg/pg"
	"github.com/navikt/kafkapg/services/hendelselogg-backup/internal/config"
)

// Service is the running backup: one consumer for the three topics, in the
// group of the configured version, writing through a Writer.
type Service struct {
	cfg      config.Config
	db       *sqlx.DB
	log      *zap.Logger
	writer   *Writer
	consumer *hwm.Consumer
	sarama   *sarama.Config
	stopped  atomic.Bool // Run has returned
}

// SaramaConfig returns the client configuration the service uses: the base
// from pkg/kafka with the consumer tuning of cfg.
func SaramaConfig(cfg config.Config) (*sarama.Config, error) {
	sc, err := cfg.Kafka.Sarama()
	if err != nil {
		return nil, err
	}
	Tune(sc, cfg)
	return sc, nil
}

// Tune applies cfg's consumer settings to sc.
func Tune(sc *sarama.Config, cfg config.Config) {
	sc.Consumer.Fetch.Default = cfg.FetchBytes
	// A record larger than Fetch.Default is still fetched: sarama grows the
	// request up to Fetch.Max, and 0 means no limit.
	sc.Consumer.Fetch.Max = 0
	// The consumer keeps at most one batch per partition waiting in sarama.
	sc.ChannelBufferSize = cfg.MaxBatch
	sc.Consumer.Group.Session.Timeout = cfg.SessionTimeout
	sc.Consumer.Group.Heartbeat.Interval = cfg.SessionTimeout / 3
	sc.Consumer.Group.Rebalance.Timeout = cfg.RebalanceTimeout
	// read_uncommitted, as the original (the producers are not transactional).
	sc.Consumer.IsolationLevel = sarama.ReadUncommitted
}

// New prepares the service; nothing connects until InitHWM and Run. Metrics
// go to reg.
func New(cfg config.Config, db *sqlx.DB, sc *sarama.Config, log *zap.Logger, reg prometheus.Registerer) (*Service, error) {
	w, err := NewWriter(cfg.Topics, cfg.Version, cfg.Strict, log, reg)
	if err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, db: db, log: log, writer: w, sarama: sc}
	c, err := hwm.New(db, hwm.Config{
		Brokers:         cfg.Kafka.Brokers,
		Sarama:          sc,
		GroupID:         cfg.GroupID(),
		Topics:          cfg.Topics.All(),
		Version:         cfg.Version,
		Table:           TableHWM,
		MaxBatch:        cfg.MaxBatch,
		MaxWait:         cfg.MaxWait,
		RetryBackoff:    cfg.RetryBackoff,
		MaxRetryBackoff: cfg.MaxRetryBackoff,
		Logger:          log,
		Registerer:      reg,
		Namespace:       Namespace,
		OnGap:           s.recordGap,
	}, w.Handle)
	if err != nil {
		return nil, fmt.Errorf("create consumer: %w", err)
	}
	s.consumer = c
	return s, nil
}

// Writer returns the service's writer.
func (s *Service) Writer() *Writer { return s.writer }

// Consumer returns the underlying consumer, for its partition state.
func (s *Service) Consumer() *hwm.Consumer { return s.consumer }

// InitHWM reads the partition count of each topic from Kafka and makes sure
// every partition has an HWM row for this version (offset -1 for a new one).
// Existing rows are never changed. The consumer would create missing rows on
// assignment anyway; doing it at startup keeps the original's order (metadata,
// then HWM rows, then HTTP, then polling) and fails fast when a topic is
// missing.
func (s *Service) InitHWM(ctx context.Context) error {
	client, err := sarama.NewClient(s.cfg.Kafka.Brokers, s.sarama)
	if err != nil {
		return fmt.Errorf("connect to kafka for topic metadata: %w", err)
	}
	defer client.Close()
	counts := map[string]int{}
	for _, topic := range s.cfg.Topics.All() {
		ps, err := client.Partitions(topic)
		if err != nil {
			return fmt.Errorf("read partitions of topic %s: %w", topic, err)
		}
		counts[topic] = len(ps)
	}
	return InitHWM(ctx, s.db, s.cfg.Version, counts)
}

// InitHWM inserts an HWM row at -1 for partitions 0..n-1 of each topic that
// has none for version, in one transaction, and leaves existing rows alone.
// Rows are inserted in a fixed order, so replicas starting together wait for
// each other instead of deadlocking; a deadlock or serialization failure is
// retried all the same.
func InitHWM(ctx context.Context, db *sqlx.DB, version int16, partitions map[string]int) error {
	topics := make([]string, 0, len(partitions))
	for t := range partitions {
		topics = append(topics, t)
	}
	sort.Strings(topics)
	err := pg.InTx(ctx, db, nil, func(tx *sqlx.Tx) error {
		for _, topic := range topics {
			if _, err := tx.ExecContext(ctx, `INSERT INTO `+TableHWM+` (version, kafka_partition, kafka_offset, kafka_topic)
				SELECT $1, p, -1, $2 FROM generate_series(0, $3 - 1) AS p ORDER BY p
				ON CONFLICT DO NOTHING`, version, topic, partitions[topic]); err != nil {
				return fmt.Errorf("of %s: %w", topic, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("initialise hwm rows %w", err)
	}
	return nil
}

// Run consumes until ctx is done (nil) or a strict-mode record stops it (the
// error). While it runs the quarantine gauge is refreshed now and then.
func (s *Service) Run(ctx context.Context) error {
	defer s.stopped.Store(true)
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go s.refreshGauges(rctx)
	return s.consumer.Run(ctx)
}

const gaugeRefresh = 30 * time.Second

func (s *Service) refreshGauges(ctx context.Context) {
	t := time.NewTicker(gaugeRefresh)
	defer t.Stop()
	for {
		qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		if err := s.writer.RefreshQuarantineGauge(qctx, s.db); err != nil && ctx.Err() == nil {
			s.log.Warn("cannot refresh the quarantine gauge", zap.Error(err))
		}
		cancel()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// recordGap keeps a retention gap in backup_gap, for verify and for people.
// It is best effort: the consumer has already logged and counted the gap.
func (s *Service) recordGap(g hwm.Gap) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.db.ExecContext(ctx, `INSERT INTO `+TableGap+` (version, kafka_topic, kafka_partition, from_offset, to_offset)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, s.cfg.Version, g.Topic, g.Partition, g.From, g.To); err != nil {
		s.log.Warn("cannot record a retention gap in "+TableGap, zap.Error(err),
			zap.String("topic", g.Topic), zap.Int32("partition", g.Partition), zap.Int64("gap_from", g.From), zap.Int64("gap_to", g.To))
	}
}

// ErrNoPartitions is the readiness failure of a member without partitions.
var ErrNoPartitions = errors.New("no partitions assigned")

// Ready is the readiness check: the database answers and this member owns
// partitions. A database outage makes the pod unready; the consumer keeps
// retrying and resumes on its own.
func (s *Service) Ready(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `SELECT 1`); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	if len(s.consumer.Assigned()) == 0 {
		return ErrNoPartitions
	}
	return nil
}

// ErrNotRunning is the liveness failure after the consumer has stopped.
var ErrNotRunning = errors.New("consumer is not running")

// stallAfter is how long a partition's loop may go without moving before the
// pod counts as stuck: longer than one batch may take (hwm's BatchTimeout,
// two minutes by default).
const stallAfter = 3 * time.Minute

// Alive is the liveness check: the consumer has not ended, and no partition's
// poll loop has stalled. Database and Kafka outages do not fail it; the loops
// retry them and keep moving.
func (s *Service) Alive(context.Context) error {
	if s.stopped.Load() {
		return ErrNotRunning
	}
	return s.consumer.Stalled(stallAfter)
}
