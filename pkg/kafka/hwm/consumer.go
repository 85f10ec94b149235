package hwm

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

// Batch is a run of records from one partition, in offset order, all above the
// partition's high-water mark.
type Batch struct {
	Topic     string
	Partition int32
	Records   []*sarama.ConsumerMessage
}

// Handler stores a batch inside tx. It must not commit or roll back tx. A
// returned error rolls back everything the handler wrote together with the HWM
// move, and the batch is offered again after a backoff.
type Handler func(ctx context.Context, tx *sqlx.Tx, b Batch) error

// Gap is a range of offsets that retention removed before they were read.
type Gap struct {
	Topic     string
	Partition int32
	From, To  int64 // inclusive
}

// TopicPartition names one partition.
type TopicPartition struct {
	Topic     string
	Partition int32
}

// Config configures a Consumer. Brokers, Sarama, GroupID, Topics and Table are
// required; the rest have defaults.
type Config struct {
	Brokers []string
	// Sarama is the base client configuration (TLS, version, client id). It is
	// copied; the consumer settings this package depends on are overridden.
	Sarama  *sarama.Config
	GroupID string
	Topics  []string
	// Version is the first column of the HWM key: a new version starts every
	// partition from scratch without touching the rows of other versions.
	Version int16
	// Table is the HWM table, created by the caller from DDL.
	Table string

	// MaxBatch caps the records in one transaction (default 2000).
	MaxBatch int
	// MaxWait is how long a partial batch waits for more records (default 50ms).
	MaxWait time.Duration
	// BatchTimeout bounds one batch transaction, handler included (default 2m).
	// A batch that has started is finished (or rolled back by this timeout) even
	// when the consumer is asked to stop.
	BatchTimeout time.Duration
	// RetryBackoff and MaxRetryBackoff bound the wait before a failed batch or
	// a failed group session is tried again (defaults 200ms and 30s).
	RetryBackoff, MaxRetryBackoff time.Duration

	Logger     *zap.Logger           // default: no logging
	Registerer prometheus.Registerer // default: prometheus.DefaultRegisterer
	Namespace  string                // metric name prefix (default "hwm")

	// OnGap is called, in addition to the ERROR log line and the metric, when
	// a partition has to start above HWM+1 because retention removed records.
	OnGap func(Gap)
	// OnAssign is called after every assignment with the partitions this member
	// now owns, once their start offsets are settled.
	OnAssign func(assigned []TopicPartition)
}

func (c *Config) setDefaults() {
	if c.MaxBatch <= 0 {
		c.MaxBatch = 2000
	}
	if c.MaxWait <= 0 {
		c.MaxWait = 50 * time.Millisecond
	}
	if c.BatchTimeout <= 0 {
		c.BatchTimeout = 2 * time.Minute
	}
	if c.RetryBackoff <= 0 {
		c.RetryBackoff = 200 * time.Millisecond
	}
	if c.MaxRetryBackoff < c.RetryBackoff {
		c.MaxRetryBackoff = max(30*time.Second, c.RetryBackoff)
	}
	if c.Logger == nil {
		c.Logger = zap.NewNop()
	}
	if c.Registerer == nil {
		c.Registerer = prometheus.DefaultRegisterer
	}
	if c.Namespace == "" {
		c.Namespace = "hwm"
	}
}

func (c *Config) validate() error {
	switch {
	case len(c.Brokers) == 0:
		return errors.New("hwm: Brokers is empty")
	case c.Sarama == nil:
		return errors.New("hwm: Sarama config is nil")
	case c.GroupID == "":
		return errors.New("hwm: GroupID is empty")
	case len(c.Topics) == 0:
		return errors.New("hwm: Topics is empty")
	case c.Version < 0:
		return fmt.Errorf("hwm: Version %d is negative", c.Version)
	}
	return validTable(c.Table)
}

// Consumer copies records from Kafka into Postgres through a Handler, keeping
// its position in an HWM table. It is safe to run one Consumer per replica in
// the same group: partitions are shared, records are written once.
type Consumer struct {
	cfg     Config
	db      *sqlx.DB
	handler Handler
	sql     statements
	m       *metrics
	log     *zap.Logger
	sarama  *sarama.Config

	mu       sync.Mutex
	assigned []TopicPartition
	owned    map[TopicPartition]bool      // partitions whose gauges this member reports
	beats    map[TopicPartition]time.Time // when each owned partition's loop last moved
	stopped  map[TopicPartition]bool
	fatal    error              // the first Fatal handler error
	halt     context.CancelFunc // ends Run after a Fatal error
}

// New checks the configuration and registers the metrics. Nothing connects
// until Run.
func New(db *sqlx.DB, cfg Config, h Handler) (*Consumer, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if h == nil {
		return nil, errors.New("hwm: handler is nil")
	}
	m, err := newMetrics(cfg.Registerer, cfg.Namespace, cfg.Version)
	if err != nil {
		return nil, fmt.Errorf("hwm: register metrics: %w", err)
	}
	sc := *cfg.Sarama
	// Offsets live in Postgres: never commit, and start where Setup says.
	sc.Consumer.Offsets.AutoCommit.Enable = false
	sc.Consumer.Offsets.Initial = sarama.OffsetOldest
	sc.Consumer.Group.ResetInvalidOffsets = true
	sc.Consumer.Return.Errors = true
	// Eager, so that every assignment passes through Setup.
	sc.Consumer.Group.Rebalance.GroupStrategies = []sarama.BalanceStrategy{sarama.NewBalanceStrategySticky()}
	if sc.ChannelBufferSize < cfg.MaxBatch {
		sc.ChannelBufferSize = cfg.MaxBatch
	}
	return &Consumer{
		cfg:     cfg,
		db:      db,
		handler: h,
		sql:     newStatements(cfg.Table),
		m:       m,
		log:     cfg.Logger.With(zap.String("group", cfg.GroupID), zap.Int16("version", cfg.Version)),
		sarama:  &sc,
		stopped: map[TopicPartition]bool{},
	}, nil
}

// Assigned returns the partitions this member owns right now.
func (c *Consumer) Assigned() []TopicPartition {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.assigned)
}

// Stopped returns the partitions that were stopped because their HWM is above
// the log end. They stay stopped until an operator has looked at them and the
// consumer is restarted.
func (c *Consumer) Stopped() []TopicPartition {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []TopicPartition
	for tp := range c.stopped {
		out = append(out, tp)
	}
	slices.SortFunc(out, compareTP)
	return out
}

func compareTP(a, b TopicPartition) int {
	if a.Topic != b.Topic {
		if a.Topic < b.Topic {
			return -1
		}
		return 1
	}
	return int(a.Partition - b.Partition)
}

// Run consumes until ctx is cancelled, then finishes or rolls back the batches
// in flight, leaves the group and returns nil. Broker and database outages are
// retried with backoff; only a cancelled ctx or a handler error wrapped with
// Fatal ends Run, the latter with that error.
func (c *Consumer) Run(ctx context.Context) error {
	ctx, halt := context.WithCancel(ctx)
	defer halt()
	c.mu.Lock()
	c.fatal, c.halt = nil, halt
	c.mu.Unlock()
	client, err := c.connect(ctx)
	if err != nil {
		return err
	}
	defer client.Close()
	group, err := sarama.NewConsumerGroupFromClient(c.cfg.GroupID, client)
	if err != nil {
		return fmt.Errorf("hwm: create consumer group %s: %w", c.cfg.GroupID, err)
	}
	// restarts is used when a claim's own partition consumer gives up (offset
	// out of range while running); the group's consumer cannot be re-seeked.
	restarts, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		_ = group.Close()
		return fmt.Errorf("hwm: create consumer: %w", err)
	}
	errsDone := make(chan struct{})
	go func() {
		defer close(errsDone)
		for err := range group.Errors() {
			c.log.Warn("kafka consumer error", zap.Error(err))
		}
	}()

	h := &groupHandler{c: c, client: client, restarts: restarts}
	backoff := c.cfg.RetryBackoff
	for ctx.Err() == nil {
		err := group.Consume(ctx, c.cfg.Topics, h)
		if err == nil || ctx.Err() != nil {
			backoff = c.cfg.RetryBackoff
			continue
		}
		c.log.Warn("consumer group session failed; retrying", zap.Error(err), zap.Duration("backoff", backoff))
		if !sleep(ctx, backoff) {
			break
		}
		backoff = min(2*backoff, c.cfg.MaxRetryBackoff)
	}
	err = errors.Join(restarts.Close(), group.Close())
	<-errsDone
	c.setAssigned(nil)
	if err != nil {
		c.log.Warn("closing consumer", zap.Error(err))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fatal
}

// stop records a Fatal handler error and ends Run.
func (c *Consumer) stop(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fatal == nil {
		c.fatal = err
	}
	c.halt()
}

// connect retries until Kafka answers, so the service can start before Kafka.
func (c *Consumer) connect(ctx context.Context) (sarama.Client, error) {
	backoff := c.cfg.RetryBackoff
	for {
		client, err := sarama.NewClient(c.cfg.Brokers, c.sarama)
		if err == nil {
			return client, nil
		}
		c.log.Warn("kafka not reachable; retrying", zap.Error(err), zap.Duration("backoff", backoff))
		if !sleep(ctx, backoff) {
			return nil, fmt.Errorf("hwm: connect to kafka: %w", errors.Join(err, ctx.Err()))
		}
		backoff = min(2*backoff, c.cfg.MaxRetryBackoff)
	}
}

// setAssigned records the partitions this member owns now and drops the
// gauges of those it gave away.
func (c *Consumer) setAssigned(tps []TopicPartition) {
	c.mu.Lock()
	gone := c.owned
	c.owned = map[TopicPartition]bool{}
	c.beats = map[TopicPartition]time.Time{}
	now := time.Now()
	for _, tp := range tps {
		c.owned[tp] = true
		c.beats[tp] = now
		delete(gone, tp)
	}
	c.assigned = tps
	c.mu.Unlock()
	for tp := range gone {
		c.m.forget(tp)
	}
	c.m.assigned.Set(float64(len(tps)))
}

func (c *Consumer) setStopped(tp TopicPartition) {
	c.mu.Lock()
	c.stopped[tp] = true
	c.mu.Unlock()
}

func (c *Consumer) isStopped(tp TopicPartition) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stopped[tp]
}

// beat records that the loop of tp moved: it waited for records, wrote a
// batch or tried to.
func (c *Consumer) beat(tp TopicPartition) {
	c.mu.Lock()
	if _, ok := c.beats[tp]; ok {
		c.beats[tp] = time.Now()
	}
	c.mu.Unlock()
}

// Stalled returns an error naming a partition this member owns whose loop has
// not moved for longer than maxAge, and nil otherwise. An idle loop still
// moves (it wakes every few seconds); a loop that retries a failing batch
// moves on every attempt, so an outage is not a stall. A single batch may
// take up to BatchTimeout, so maxAge must be longer than that. Stopped
// partitions and members that own nothing are never stalled. It is meant for
// a liveness probe: a stalled loop needs a restart.
func (c *Consumer) Stalled(maxAge time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	for tp, last := range c.beats {
		if c.stopped[tp] {
			continue
		}
		if age := now.Sub(last); age > maxAge {
			return fmt.Errorf("hwm: the loop of %s/%d has not moved for %s", tp.Topic, tp.Partition, age.Round(time.Millisecond))
		}
	}
	return nil
}

// sleep waits d or until ctx is done; it reports whether the full wait passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
