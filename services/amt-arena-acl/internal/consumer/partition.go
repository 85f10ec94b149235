package consumer

import (
	"context"
	"sync"

	"github.com/IBM/sarama"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/metrics"
)

// partition tracks the records of one claimed partition from the moment
// they are stored until they are handled, and marks offsets for commit.
//
// Records are handled out of order (by different workers), but an offset is
// marked only when every record up to it is done: the committed offset never
// passes a record that is not. Offsets need not be consecutive (compaction
// and transaction markers leave gaps), so the tracker keeps the offsets it
// was given, in order, rather than counting.
type partition struct {
	sess    sarama.ConsumerGroupSession
	claim   sarama.ConsumerGroupClaim
	metrics *metrics.Metrics

	// ctx ends when the partition stops: its session ended or the
	// consumer is shutting down.
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	pending []int64        // offsets added and not yet marked, in order
	done    map[int64]bool // offsets finished, not yet marked
	wg      sync.WaitGroup // one per offset added and not yet finished or skipped
}

func newPartition(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim, m *metrics.Metrics) *partition {
	ctx, cancel := context.WithCancel(sess.Context())
	return &partition{sess: sess, claim: claim, metrics: m, ctx: ctx, cancel: cancel, done: map[int64]bool{}}
}

// add registers a stored record; finish or skip must follow.
func (p *partition) add(offset int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pending = append(p.pending, offset)
	p.wg.Add(1)
}

// finish records that a record is handled, and marks the offset after the
// last record of the done prefix.
func (p *partition) finish(offset int64) {
	defer p.wg.Done()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done[offset] = true
	last, advanced := int64(0), false
	for len(p.pending) > 0 && p.done[p.pending[0]] {
		last, advanced = p.pending[0], true
		delete(p.done, last)
		p.pending = p.pending[1:]
	}
	if advanced {
		p.sess.MarkOffset(p.claim.Topic(), p.claim.Partition(), last+1, "")
		p.metrics.Progress(p.claim.Topic(), p.claim.Partition(), last, p.claim.HighWaterMarkOffset())
	}
}

// skip gives a record up: it is not done, so neither it nor anything after
// it is marked, and Kafka delivers it again.
func (p *partition) skip(int64) { p.wg.Done() }

// stop ends the partition: queued records are skipped, and records being
// handled stop retrying.
func (p *partition) stop() { p.cancel() }

func (p *partition) stopped() bool { return p.ctx.Err() != nil }

// wait blocks until every record added is finished or skipped.
func (p *partition) wait() { p.wg.Wait() }
