package kafka

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/IBM/sarama"
)

// ErrProducerClosed is returned by Send after Close.
var ErrProducerClosed = errors.New("kafka: producer closed")

// Producer sends messages synchronously: Send returns once the broker has
// acknowledged the messages with acks=all, or failed. It is safe for
// concurrent use; concurrent Sends are batched together by sarama.
type Producer struct {
	mu     sync.RWMutex // write-held by Close, so Send never races it
	sp     sarama.SyncProducer
	closed bool
}

// ProducerOption customises a Producer.
type ProducerOption func(*producerOptions)

type producerOptions struct {
	hooks []func(*sarama.Config)
}

// WithProducerConfig runs fn on the producer's sarama config before the
// producer is built, for settings this package has no option for
// (compression, flush sizes, timeouts). The idempotence invariants (acks=all,
// Idempotent, MaxOpenRequests=1, Retry.Max >= 1, Return.Successes) are
// enforced after fn runs.
func WithProducerConfig(fn func(*sarama.Config)) ProducerOption {
	return func(o *producerOptions) { o.hooks = append(o.hooks, fn) }
}

// NewProducer connects an acks=all idempotent producer to the brokers in c.
func NewProducer(c Config, opts ...ProducerOption) (*Producer, error) {
	sc, err := c.Sarama()
	if err != nil {
		return nil, err
	}
	return newProducer(c.Brokers, sc, opts)
}

// NewProducerFromSarama builds a Producer from a sarama config of the
// caller's, typically one from Config.Sarama that was adjusted, or a test
// config. sc is copied, not modified; the idempotence invariants are applied
// to the copy.
func NewProducerFromSarama(brokers []string, sc *sarama.Config, opts ...ProducerOption) (*Producer, error) {
	if sc == nil {
		return nil, errors.New("kafka: NewProducerFromSarama: nil sarama config")
	}
	cp := *sc
	return newProducer(brokers, &cp, opts)
}

func newProducer(brokers []string, sc *sarama.Config, opts []ProducerOption) (*Producer, error) {
	if len(brokers) == 0 {
		return nil, errors.New("kafka: new producer: no brokers")
	}
	var o producerOptions
	for _, opt := range opts {
		opt(&o)
	}
	for _, fn := range o.hooks {
		fn(sc)
	}
	enforceIdempotence(sc)
	sp, err := sarama.NewSyncProducer(brokers, sc)
	if err != nil {
		return nil, fmt.Errorf("kafka: new producer: %w", err)
	}
	return &Producer{sp: sp}, nil
}

// enforceIdempotence sets what an idempotent, ordered, acks=all producer
// needs; sarama's Config.Validate insists on each of these.
func enforceIdempotence(sc *sarama.Config) {
	sc.Producer.RequiredAcks = sarama.WaitForAll
	sc.Producer.Idempotent = true
	sc.Net.MaxOpenRequests = 1
	if sc.Producer.Retry.Max < 1 {
		sc.Producer.Retry.Max = 1
	}
	sc.Producer.Return.Successes = true
	sc.Producer.Return.Errors = true
}

// Send sends msgs and waits until every one of them is acknowledged by all
// in-sync replicas. On success each message's Partition and Offset are set.
//
// Send is all-or-error, not all-or-nothing: it returns nil only if every
// message was written, but when it returns an error some of the messages may
// have been written anyway (Kafka has no atomicity across partitions without
// transactions). The error is a *SendError saying which messages failed and
// why; errors.Is sees through it to the sarama errors. Sending the whole batch
// again after an error may therefore duplicate messages; idempotence only
// removes the duplicates of sarama's own retries.
//
// ctx is checked before sending: a sarama sync send cannot be abandoned half
// way without leaving its outcome unknown, so once started a Send runs to
// completion, bounded by the producer's retry budget and timeouts.
func (p *Producer) Send(ctx context.Context, msgs ...*sarama.ProducerMessage) error {
	if len(msgs) == 0 {
		return nil
	}
	for i, m := range msgs {
		if m == nil {
			return fmt.Errorf("kafka: send: message %d is nil", i)
		}
		if m.Topic == "" {
			return fmt.Errorf("kafka: send: message %d has no topic", i)
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("kafka: send not started: %w", err)
	}

	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return ErrProducerClosed
	}
	err := p.sp.SendMessages(msgs)
	if err == nil {
		return nil
	}
	return newSendError(msgs, err)
}

// Close flushes and closes the producer. It is safe to call more than once;
// Sends after Close return ErrProducerClosed.
func (p *Producer) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	if err := p.sp.Close(); err != nil {
		return fmt.Errorf("kafka: close producer: %w", err)
	}
	return nil
}

// SendError is the error of a Send in which some messages were not
// acknowledged.
type SendError struct {
	Total  int            // messages in the Send call
	Failed []MessageError // the messages that failed, in Send order
}

// MessageError is the failure of one message of a Send.
type MessageError struct {
	Index     int    // position of the message in the Send call
	Topic     string // the message's topic
	Partition int32  // the partition it was sent to (as set on the message)
	Err       error  // the cause, usually a sarama.KError
}

func (e MessageError) Error() string {
	return fmt.Sprintf("message %d (topic %s, partition %d): %v", e.Index, e.Topic, e.Partition, e.Err)
}

func (e *SendError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "kafka: %d of %d messages not sent", len(e.Failed), e.Total)
	if len(e.Failed) == 0 {
		return b.String()
	}
	fmt.Fprintf(&b, ": %s", e.Failed[0].Error())
	if rest := len(e.Failed) - 1; rest > 0 {
		topics := map[string]bool{}
		for _, f := range e.Failed {
			topics[f.Topic] = true
		}
		fmt.Fprintf(&b, " (and %d more, %d topic(s) affected)", rest, len(topics))
	}
	return b.String()
}

// Unwrap returns the causes, so errors.Is(err,
// sarama.ErrTopicAuthorizationFailed) works on a SendError.
func (e *SendError) Unwrap() []error {
	out := make([]error, 0, len(e.Failed))
	for _, f := range e.Failed {
		out = append(out, f.Err)
	}
	return out
}

func newSendError(msgs []*sarama.ProducerMessage, err error) error {
	var pes sarama.ProducerErrors
	if !errors.As(err, &pes) {
		return fmt.Errorf("kafka: send: %w", err)
	}
	index := make(map[*sarama.ProducerMessage]int, len(msgs))
	for i, m := range msgs {
		index[m] = i
	}
	se := &SendError{Total: len(msgs)}
	for _, pe := range pes {
		me := MessageError{Index: -1, Err: pe.Err}
		if pe.Msg != nil {
			me.Topic, me.Partition = pe.Msg.Topic, pe.Msg.Partition
			if i, ok := index[pe.Msg]; ok {
				me.Index = i
			}
		}
		se.Failed = append(se.Failed, me)
	}
	slices.SortStableFunc(se.Failed, func(a, b MessageError) int { return cmp.Compare(a.Index, b.Index) })
	return se
}
