// Package consumer is the live path: it reads the three Arena topics as one
// consumer group, stores every record in arena_data, and hands each stored
// message to the message handler.
//
// # Flow
//
// Each assigned partition is read by sarama's goroutine for it. Records that
// are waiting are taken in batches; a batch is parsed and stored in one
// transaction (store.ReceiveArenaData: a new message gets a RETRY row, one
// delivered before keeps the row it has). A record that cannot be read is
// stored INVALID with its raw text and a note, logged at ERROR, and done
// with: it never blocks its partition. Every stored message then goes to one
// of a fixed number of workers, chosen by its table and Arena id, and the
// worker calls Handle(row, ingest.Live).
//
// # Invariants
//
//   - An offset is marked for commit only when its record and every record
//     before it in the partition are stored and handled. Offsets are
//     therefore committed only after the message's row is durably stored,
//     and a crash or rebalance makes Kafka deliver again from the first
//     record not yet done.
//   - Re-delivery is idempotent: the row is found by (table, operation,
//     position) and not inserted again, and Handle does nothing with a row
//     that is no longer RETRY, FAILED or WAITING, so a handled message is not
//     published again.
//   - One deltaker's messages are handled in partition order: they always
//     go to the same worker, which handles its queue in order. Across
//     partitions, consumers and the retry processor, Handle's per-Arena-id
//     lock and its ordering rule keep them in Arena's order.
//   - Concurrency is bounded by the number of workers, whatever the number
//     of partitions; keep it below the database pool size (Handle may use a
//     second connection for a moment).
//   - On shutdown or rebalance a partition stops taking records at once;
//     its messages already being handled are finished (Handle runs under a
//     context of its own, bounded by HandleTimeout), and those queued but
//     not started are left, unmarked, to be delivered again.
//   - A database outage does not skip anything: storing a batch and handling
//     a message are retried with backoff until they succeed or the partition
//     is given up.
package consumer

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"
	"github.com/jmoiron/sqlx"
	"go.uber.org/zap"

	"github.com/navikt/kafkapg/pkg/kafka"
	"github.com/navikt/kafkapg/pkg/nais"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/metrics"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/store"
)

// Handler handles one stored message; *handler.Processor is one.
type Handler interface {
	Handle(ctx context.Context, row store.ArenaData, path ingest.Path) (ingest.Decision, error)
}

// Defaults of Config.
const (
	DefaultWorkers       = 4
	DefaultMaxBatch      = 100
	DefaultHandleTimeout = 2 * time.Minute
	// DefaultJoinGrace is how long the group may be without a session
	// (joining, rebalancing) before Ready fails.
	DefaultJoinGrace = time.Minute
)

// Backoff between failed attempts to store a batch or handle a message.
const (
	retryMin = 500 * time.Millisecond
	retryMax = 30 * time.Second
)

// Config is how the consumer consumes.
type Config struct {
	// GroupID is the consumer group.
	GroupID string
	// Topics are the Arena topics; any table may come on any of them.
	Topics []string
	// Workers is how many messages are handled at once (DefaultWorkers when
	// zero).
	Workers int
	// MaxBatch is the most records stored in one transaction
	// (DefaultMaxBatch when zero).
	MaxBatch int
	// HandleTimeout bounds the handling of one message
	// (DefaultHandleTimeout when zero).
	HandleTimeout time.Duration
	// JoinGrace is how long Ready tolerates the group being without a
	// session (DefaultJoinGrace when zero).
	JoinGrace time.Duration
}

func (c Config) withDefaults() Config {
	if c.Workers == 0 {
		c.Workers = DefaultWorkers
	}
	if c.MaxBatch == 0 {
		c.MaxBatch = DefaultMaxBatch
	}
	if c.HandleTimeout == 0 {
		c.HandleTimeout = DefaultHandleTimeout
	}
	if c.JoinGrace == 0 {
		c.JoinGrace = DefaultJoinGrace
	}
	return c
}

// Deps are what the consumer works with. Metrics and Log may be nil; Now
// defaults to time.Now.
type Deps struct {
	DB      *sqlx.DB
	Store   *store.Store
	Handler Handler
	Metrics *metrics.Metrics
	Log     *zap.Logger
	Now     func() time.Time
}

// Consumer is the live consumer. Build it with New and call Run once.
type Consumer struct {
	cfg     Config
	db      *sqlx.DB
	store   *store.Store
	h       Handler
	metrics *metrics.Metrics
	log     *zap.Logger
	now     func() time.Time

	group     *kafka.Group
	heartbeat *nais.Heartbeat
	workers   []*worker

	running   atomic.Bool
	stopping  atomic.Bool
	inSession atomic.Bool
	// outSince is when the last session ended, or Run started (unix ns).
	outSince atomic.Int64
}

type worker struct {
	jobs chan job
	// busySince is when the message being handled was started (unix ns),
	// 0 when idle.
	busySince atomic.Int64
}

// job is a stored message for a worker to handle.
type job struct {
	row    store.ArenaData
	offset int64
	part   *partition
}

// New prepares a consumer of kc's brokers. opts go to the consumer group
// (kafka.NewGroup) after the consumer's own logger.
func New(kc kafka.Config, cfg Config, deps Deps, opts ...kafka.GroupOption) (*Consumer, error) {
	cfg = cfg.withDefaults()
	switch {
	case deps.DB == nil || deps.Store == nil || deps.Handler == nil:
		return nil, errors.New("consumer: DB, Store and Handler are required")
	case cfg.Workers < 1 || cfg.MaxBatch < 1 || cfg.HandleTimeout < 0 || cfg.JoinGrace < 0:
		return nil, fmt.Errorf("consumer: invalid config %+v", cfg)
	}
	if deps.Log == nil {
		deps.Log = zap.NewNop()
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	c := &Consumer{
		cfg: cfg, db: deps.DB, store: deps.Store, h: deps.Handler,
		metrics: deps.Metrics, log: deps.Log, now: deps.Now,
		heartbeat: nais.NewHeartbeat(deps.Now),
	}
	for range cfg.Workers {
		// A short queue per worker: enough to keep it busy, small enough
		// that a partition being revoked leaves little to be delivered
		// again.
		c.workers = append(c.workers, &worker{jobs: make(chan job, 16)})
	}
	g, err := kafka.NewGroup(kc, cfg.GroupID, cfg.Topics, groupHandler{c},
		append([]kafka.GroupOption{kafka.WithLogger(deps.Log)}, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("consumer: %w", err)
	}
	c.group = g
	return c, nil
}

// Run consumes until ctx is cancelled, then finishes the messages being
// handled, commits, leaves the group and returns nil. It returns an error
// only when the group cannot go on (see kafka.Group.Run).
func (c *Consumer) Run(ctx context.Context) error {
	if !c.running.CompareAndSwap(false, true) {
		return errors.New("consumer: Run called more than once")
	}
	defer c.running.Store(false)
	c.outSince.Store(c.now().UnixNano())
	c.stopping.Store(false)
	stopCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	go func() {
		<-stopCtx.Done()
		if ctx.Err() != nil {
			c.stopping.Store(true)
		}
	}()

	// The workers outlive the group's sessions; they stop only after the
	// group has returned, by when every partition has waited for its jobs.
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	for _, w := range c.workers {
		wg.Go(func() { c.work(workCtx, w) })
	}
	wg.Go(func() { c.beat(workCtx) })

	err := c.group.Run(ctx)
	stopWork()
	wg.Wait()
	if err != nil {
		return fmt.Errorf("consumer: %w", err)
	}
	return nil
}

// Ready is the readiness check: the consumer runs, is not stopping, and
// its group has a session (with partitions or, when there are more members
// than partitions, without), or has been joining for less than JoinGrace.
func (c *Consumer) Ready(context.Context) error {
	switch {
	case !c.running.Load():
		return errors.New("consumer is not running")
	case c.stopping.Load():
		return errors.New("consumer is stopping")
	}
	if c.inSession.Load() {
		return nil
	}
	if d := c.now().Sub(time.Unix(0, c.outSince.Load())); d > c.cfg.JoinGrace {
		return fmt.Errorf("consumer group has had no session for %s", d.Round(time.Second))
	}
	return nil
}

// Alive is the liveness check: it fails when the consume loop has stopped,
// or a message has been handled for longer than HandleTimeout allows.
func (c *Consumer) Alive() nais.Check { return c.heartbeat.Check(c.stuckAfter() + time.Minute) }

// Assignment is the partitions the consumer holds, by topic (see
// kafka.Group.Assignment).
func (c *Consumer) Assignment() map[string][]int32 { return c.group.Assignment() }

func (c *Consumer) stuckAfter() time.Duration { return c.cfg.HandleTimeout + 30*time.Second }

// beat keeps the heartbeat going while no worker is stuck on one message.
func (c *Consumer) beat(ctx context.Context) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		stuck := false
		now := c.now()
		for _, w := range c.workers {
			if s := w.busySince.Load(); s != 0 && now.Sub(time.Unix(0, s)) > c.stuckAfter() {
				stuck = true
			}
		}
		if !stuck {
			c.heartbeat.Beat()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// groupHandler is the sarama side of the consumer.
type groupHandler struct{ c *Consumer }

func (h groupHandler) Setup(sarama.ConsumerGroupSession) error {
	h.c.inSession.Store(true)
	return nil
}

func (h groupHandler) Cleanup(sarama.ConsumerGroupSession) error {
	h.c.outSince.Store(h.c.now().UnixNano())
	h.c.inSession.Store(false)
	return nil
}

func (h groupHandler) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	return h.c.consume(sess, claim)
}

// consume reads one claimed partition until its session ends.
func (c *Consumer) consume(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	p := newPartition(sess, claim, c.metrics)
	// Stop first, then wait for what the workers have of this partition.
	defer p.wait()
	defer p.stop()
	ctx := sess.Context()
	for {
		select {
		case <-ctx.Done():
			return nil
		case m, ok := <-claim.Messages():
			if !ok {
				return nil
			}
			batch := []*sarama.ConsumerMessage{m}
		more:
			for len(batch) < c.cfg.MaxBatch {
				select {
				case m, ok := <-claim.Messages():
					if !ok {
						break more
					}
					batch = append(batch, m)
				default:
					break more
				}
			}
			if !c.receive(ctx, p, batch) {
				return nil
			}
		}
	}
}

// received is one record of a batch, parsed and stored.
type received struct {
	msg      *sarama.ConsumerMessage
	parsed   arena.Message
	parseErr *arena.ParseError
	data     store.NewArenaData
	row      store.ArenaData
	inserted bool
}

// pendingNote is the note of a row stored but not yet handled. The row is
// RETRY, so that the retry processor picks it up should this process die
// before handling it, and so that a newer message of the same deltaker
// handled meanwhile (from another partition) waits for it.
const pendingNote = "Mottatt, ikke håndtert enda"

// receive stores a batch of one partition and hands its messages to the
// workers. It returns false when the partition's session ended first.
func (c *Consumer) receive(ctx context.Context, p *partition, batch []*sarama.ConsumerMessage) bool {
	items := make([]received, len(batch))
	for i, m := range batch {
		c.metrics.Received(m.Topic)
		items[i] = c.parse(m)
	}
	start := c.now()
	if !c.retry(ctx, "store received messages", func() error { return c.storeBatch(ctx, items) }) {
		return false
	}
	stored := c.now().Sub(start)

	for i := range items {
		it := &items[i]
		p.add(it.msg.Offset)
		if it.parseErr != nil {
			c.unreadable(it, stored/time.Duration(len(items)))
			p.finish(it.msg.Offset)
			continue
		}
		w := c.workers[workerIndex(it.row.Table, it.row.ArenaID, len(c.workers))]
		select {
		case w.jobs <- job{row: it.row, offset: it.msg.Offset, part: p}:
		case <-ctx.Done():
			p.skip(it.msg.Offset)
			return false
		}
	}
	return true
}

// parse reads a record into the row to store: a parsed message as RETRY,
// to be handled; an unreadable one as INVALID, with its raw text.
func (c *Consumer) parse(m *sarama.ConsumerMessage) received {
	it := received{msg: m}
	src := arena.Source{Topic: m.Topic, Partition: m.Partition, Offset: m.Offset}
	msg, err := arena.Parse(m.Value, src)
	if err == nil {
		it.parsed = msg
		it.data, err = store.FromMessage(msg, ingest.Retry, pendingNote)
		if err == nil {
			return it
		}
		// Encode failed on what Parse read: not expected, but the record
		// is stored rather than lost.
		err = &arena.ParseError{Pos: arena.SyntheticPos(src), Synthetic: true, Raw: arena.StripNUL(string(m.Value)),
			Err: fmt.Errorf("%w: %v", arena.ErrBadImage, err)}
	}
	pe, ok := errors.AsType[*arena.ParseError](err)
	if !ok {
		pe = &arena.ParseError{Pos: arena.SyntheticPos(src), Synthetic: true, Err: err}
	}
	received := m.Timestamp
	if received.IsZero() {
		received = c.now()
	}
	it.parseErr = pe
	it.data = store.FromParseError(pe, civil.FromTime(received))
	return it
}

// storeBatch stores the batch in one transaction, filling in each item's
// row; a parsed message travels with its row, so the handler does not parse
// it again.
func (c *Consumer) storeBatch(ctx context.Context, items []received) error {
	data := make([]store.NewArenaData, len(items))
	msgs := make([]*arena.Message, len(items))
	for i := range items {
		data[i] = items[i].data
		if items[i].parseErr == nil {
			msgs[i] = &items[i].parsed
		}
	}
	rs, err := c.store.ReceiveArenaDataBatch(ctx, c.db, data, msgs)
	if err != nil {
		return err
	}
	for i := range items {
		items[i].row, items[i].inserted = rs[i].Row, rs[i].Inserted
	}
	return nil
}

// unreadable reports a record stored INVALID because it could not be read.
// It is logged at ERROR the first time only: a re-delivery finds the row.
func (c *Consumer) unreadable(it *received, took time.Duration) {
	d := ingest.StatusFor(it.parseErr, ingest.Live)
	processor := metrics.Processor(it.parseErr.Table)
	c.metrics.Ingested(processor, took)
	log := c.log.With(
		zap.String("topic", it.msg.Topic), zap.Int32("partition", it.msg.Partition), zap.Int64("offset", it.msg.Offset),
		zap.String("table", string(it.row.Table)), zap.String("operation", string(it.row.Operation)),
		zap.String("pos", it.row.Pos), zap.Int64("arena_data_id", it.row.ID))
	if !it.inserted {
		log.Info("Uleselig melding er allerede lagret", zap.String("status", string(it.row.Status)))
		return
	}
	c.metrics.Outcome(processor, string(d.Status), ingest.Live.String())
	if ce := log.Check(d.Level, "Kunne ikke lese melding fra Arena; lagret som "+string(d.Status)); ce != nil {
		ce.Write(zap.String("note", d.Note))
	}
}

// work handles the jobs of one worker, in order, until ctx ends.
func (c *Consumer) work(ctx context.Context, w *worker) {
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-w.jobs:
			if j.part.stopped() {
				j.part.skip(j.offset)
				continue
			}
			w.busySince.Store(c.now().UnixNano())
			ok := c.handle(j)
			w.busySince.Store(0)
			if ok {
				j.part.finish(j.offset)
			} else {
				j.part.skip(j.offset)
			}
		}
	}
}

// handle hands a stored message to the handler, trying again while the
// database fails, until it succeeds or the partition is given up. Each
// attempt runs under a context of its own, so that a message being handled
// when the consumer stops is finished rather than cut off.
func (c *Consumer) handle(j job) bool {
	return c.retry(j.part.ctx, "handle message", func() error {
		ctx, cancel := context.WithTimeout(context.Background(), c.cfg.HandleTimeout)
		defer cancel()
		start := c.now()
		if _, err := c.h.Handle(ctx, j.row, ingest.Live); err != nil {
			return err
		}
		c.metrics.Ingested(metrics.Processor(string(j.row.Table)), c.now().Sub(start))
		return nil
	})
}

// retry runs fn until it succeeds, with backoff, and reports true; or
// reports false when ctx ends first. Each failure is logged at ERROR: it is
// the database failing, which someone must see.
func (c *Consumer) retry(ctx context.Context, what string, fn func() error) bool {
	backoff := retryMin
	for {
		err := fn()
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			c.log.Warn("Gir opp: "+what, zap.Error(err))
			return false
		}
		c.log.Error("Feil i konsumenten, prøver igjen: "+what, zap.Error(err), zap.Duration("backoff", backoff))
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-t.C:
		}
		backoff = min(2*backoff, retryMax)
	}
}

// workerIndex spreads Arena rows over the workers; one row always goes to
// the same worker.
func workerIndex(table arena.Table, arenaID string, n int) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(table))
	_, _ = h.Write([]byte{0})
	_, _ = h.Write([]byte(arenaID))
	return int(h.Sum32() % uint32(n))
}
