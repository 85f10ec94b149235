package hwm

import (
	"context"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"go.uber.org/zap"
)

// observeEvery is how often an idle partition refreshes its log-end and lag
// gauges.
const observeEvery = 5 * time.Second

// groupHandler is the sarama.ConsumerGroupHandler of one Consumer.Run. Per
// session it remembers the positions Setup settled.
type groupHandler struct {
	c        *Consumer
	client   sarama.Client
	restarts sarama.Consumer

	mu        sync.Mutex
	positions map[TopicPartition]position
}

func (h *groupHandler) Setup(sess sarama.ConsumerGroupSession) error {
	positions := map[TopicPartition]position{}
	var assigned []TopicPartition
	for topic, partitions := range sess.Claims() {
		for _, p := range partitions {
			tp := TopicPartition{Topic: topic, Partition: p}
			pos, err := h.c.position(sess.Context(), h.client, tp)
			if err != nil {
				return err
			}
			positions[tp] = pos
			assigned = append(assigned, tp)
			next := pos.next
			if pos.stopped {
				next = pos.logEnd // never fetched; keeps the claim's consumer quiet
			}
			// The session starts each claim at its offset manager's position.
			// ResetOffset only moves it back and MarkOffset only forward, so
			// calling both sets it to next whatever the group had committed.
			// Nothing is committed: auto-commit is off and Commit is never called.
			sess.ResetOffset(topic, p, next, "")
			sess.MarkOffset(topic, p, next, "")
		}
	}
	h.mu.Lock()
	h.positions = positions
	h.mu.Unlock()
	h.c.setAssigned(assigned)
	h.c.log.Info("partitions assigned", zap.Int("count", len(assigned)), zap.Int32("generation", sess.GenerationID()))
	if h.c.cfg.OnAssign != nil {
		h.c.cfg.OnAssign(assigned)
	}
	return nil
}

func (h *groupHandler) Cleanup(sarama.ConsumerGroupSession) error {
	h.c.setAssigned(nil)
	return nil
}

func (h *groupHandler) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	ctx := sess.Context()
	tp := TopicPartition{Topic: claim.Topic(), Partition: claim.Partition()}
	h.mu.Lock()
	pos, ok := h.positions[tp]
	h.mu.Unlock()
	if !ok || pos.stopped || h.c.isStopped(tp) {
		<-ctx.Done()
		return nil
	}
	c := h.c
	pm := c.m.partition(tp.Topic, tp.Partition)
	log := c.log.With(zap.String("topic", tp.Topic), zap.Int32("partition", tp.Partition))
	hwm := pos.hwm
	var src partitionSource = claim
	var own sarama.PartitionConsumer
	defer func() {
		if own != nil {
			own.AsyncClose()
		}
	}()
	ticker := time.NewTicker(observeEvery)
	defer ticker.Stop()
	for {
		c.beat(tp)
		batch, open := collect(ctx, src.Messages(), ticker.C, c.cfg.MaxBatch, c.cfg.MaxWait)
		c.beat(tp)
		if ctx.Err() != nil {
			return nil // not started: the next owner reads it again from the HWM
		}
		if len(batch) > 0 {
			var ok bool
			if hwm, ok = h.writeRetrying(ctx, tp, batch, pm, log); !ok {
				return nil
			}
		}
		pm.observe(hwm, src.HighWaterMarkOffset())
		if open {
			continue
		}
		// The partition consumer gave up (offset out of range while running:
		// retention overtook us, or the topic was truncated). Decide again as on
		// assignment and resume with a consumer of our own.
		if own != nil {
			own.AsyncClose()
			own = nil
		}
		pos, ok := h.positionRetrying(ctx, tp, log)
		if !ok || pos.stopped {
			<-ctx.Done()
			return nil
		}
		var err error
		if own, err = h.restarts.ConsumePartition(tp.Topic, tp.Partition, pos.next); err != nil {
			log.Error("cannot resume partition", zap.Error(err))
			<-ctx.Done()
			return nil
		}
		go logErrors(own, log)
		src = own
	}
}

// partitionSource is what a claim and a partition consumer have in common.
type partitionSource interface {
	Messages() <-chan *sarama.ConsumerMessage
	HighWaterMarkOffset() int64
}

func logErrors(pc sarama.PartitionConsumer, log *zap.Logger) {
	for err := range pc.Errors() {
		log.Warn("partition consumer error", zap.Error(err))
	}
}

// writeRetrying writes a batch, retrying with backoff until it succeeds or the
// session ends. A batch that has begun is finished even if the session ends
// meanwhile (bounded by BatchTimeout), so a rebalance or SIGTERM does not
// throw away work that is nearly done.
func (h *groupHandler) writeRetrying(ctx context.Context, tp TopicPartition, batch []*sarama.ConsumerMessage,
	pm partitionMetrics, log *zap.Logger) (int64, bool) {
	c := h.c
	backoff := c.cfg.RetryBackoff
	for attempt := 1; ; attempt++ {
		c.beat(tp)
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.BatchTimeout)
		hwm, err := c.write(bctx, tp, batch, pm)
		cancel()
		if err == nil {
			return hwm, true
		}
		pm.failures.Inc()
		if IsFatal(err) {
			log.Error("batch rolled back; stopping the consumer", zap.Error(err))
			c.stop(err)
			return 0, false
		}
		log.Error("batch rolled back; it will be retried", zap.Error(err),
			zap.Int("attempt", attempt), zap.Duration("backoff", backoff))
		if !sleep(ctx, backoff) {
			return 0, false
		}
		backoff = min(2*backoff, c.cfg.MaxRetryBackoff)
	}
}

func (h *groupHandler) positionRetrying(ctx context.Context, tp TopicPartition, log *zap.Logger) (position, bool) {
	backoff := h.c.cfg.RetryBackoff
	for {
		pos, err := h.c.position(ctx, h.client, tp)
		if err == nil {
			return pos, true
		}
		log.Warn("cannot determine where to resume; retrying", zap.Error(err))
		if !sleep(ctx, backoff) {
			return position{}, false
		}
		backoff = min(2*backoff, h.c.cfg.MaxRetryBackoff)
	}
}

// collect waits for the first record (or a tick, or the end of the session),
// then gathers more until max records or until none arrived for wait. open is
// false when the source channel was closed.
func collect(ctx context.Context, src <-chan *sarama.ConsumerMessage, tick <-chan time.Time,
	max int, wait time.Duration) (batch []*sarama.ConsumerMessage, open bool) {
	select {
	case <-ctx.Done():
		return nil, true
	case <-tick:
		return nil, true
	case m, ok := <-src:
		if !ok {
			return nil, false
		}
		batch = append(make([]*sarama.ConsumerMessage, 0, max), m)
	}
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for len(batch) < max {
		select {
		case m, ok := <-src:
			if !ok {
				return batch, false
			}
			batch = append(batch, m)
			continue
		default:
		}
		if timer == nil {
			timer = time.NewTimer(wait)
		}
		select {
		case m, ok := <-src:
			if !ok {
				return batch, false
			}
			batch = append(batch, m)
		case <-timer.C:
			return batch, true
		case <-ctx.Done():
			return batch, true
		}
	}
	return batch, true
}
