// Package publish sends the service's AMT deltaker messages to Kafka.
//
// A deltaker goes to one of two topics, keyed by its AMT UUID so that all
// of one deltaker's messages land on one partition, in order:
//
//   - the AMT topic (amt.amt-tiltak-v1) gets the envelope (amt.Message) with
//     the operation, for every deltaker that is not on an enkeltplass
//     gjennomføring, and for every hist deltaker;
//   - the enkeltplass topic (amt.arena-enkeltplass-deltaker-v1) gets the bare
//     payload (amt.Deltaker), without an operation.
//
// Invariant: Send returns nil only after Kafka acknowledged the message with
// acks=all. On an error the message may still have been written (Kafka's
// all-or-error, see kafka.Producer.Send), so a caller must treat a failed
// send as "maybe sent" and send again later; AMT's consumers are idempotent
// by key.
package publish

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/IBM/sarama"
	"github.com/google/uuid"

	"github.com/navikt/kafkapg/pkg/kafka"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/amt"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/metrics"
)

// Topics are the two output topics.
type Topics struct {
	// Amt is amt.amt-tiltak-v1: envelopes.
	Amt string
	// Enkeltplass is amt.arena-enkeltplass-deltaker-v1: bare payloads.
	Enkeltplass string
}

// Sender sends messages and returns once Kafka has acknowledged them;
// *kafka.Producer is one.
type Sender interface {
	Send(ctx context.Context, msgs ...*sarama.ProducerMessage) error
}

var _ Sender = (*kafka.Producer)(nil)

// Publisher publishes AMT deltaker messages. It is safe for concurrent use.
type Publisher struct {
	sender  Sender
	topics  Topics
	now     func() time.Time
	metrics *metrics.Metrics
}

// New returns a Publisher sending through s. now stamps the envelopes
// (time.Now when nil); m may be nil.
func New(s Sender, topics Topics, now func() time.Time, m *metrics.Metrics) (*Publisher, error) {
	switch {
	case s == nil:
		return nil, errors.New("publish: no sender")
	case topics.Amt == "" || topics.Enkeltplass == "":
		return nil, fmt.Errorf("publish: both topics must be named, got %+v", topics)
	}
	if now == nil {
		now = time.Now
	}
	return &Publisher{sender: s, topics: topics, now: now, metrics: m}, nil
}

// Sent is a message Kafka acknowledged.
type Sent struct {
	Topic     string
	Partition int32
	Offset    int64
	// Operation is the envelope's operation; "" on the enkeltplass topic.
	Operation amt.Operation
	// TransactionID is the envelope's; uuid.Nil on the enkeltplass topic.
	TransactionID uuid.UUID
}

// Deltaker publishes d keyed by d.ID: the bare payload on the enkeltplass
// topic when enkeltplass is true, else an envelope with op on the AMT
// topic. It returns once Kafka has acknowledged the message.
func (p *Publisher) Deltaker(ctx context.Context, op amt.Operation, d amt.Deltaker, enkeltplass bool) (Sent, error) {
	var (
		sent  Sent
		value []byte
		err   error
	)
	if enkeltplass {
		sent.Topic = p.topics.Enkeltplass
		value, err = d.Encode()
	} else {
		m := amt.NewMessage(op, d, p.now())
		sent.Topic, sent.Operation, sent.TransactionID = p.topics.Amt, op, m.TransactionID
		value, err = m.Encode()
	}
	if err != nil {
		return Sent{}, fmt.Errorf("publish deltaker %s: %w", d.ID, err)
	}
	msg := &sarama.ProducerMessage{
		Topic: sent.Topic,
		Key:   sarama.StringEncoder(d.ID.String()),
		Value: sarama.ByteEncoder(value),
	}
	if err := p.sender.Send(ctx, msg); err != nil {
		return Sent{}, fmt.Errorf("publish deltaker %s to %s: %w", d.ID, sent.Topic, err)
	}
	sent.Partition, sent.Offset = msg.Partition, msg.Offset
	p.metrics.Published(sent.Topic, string(sent.Operation))
	return sent, nil
}
