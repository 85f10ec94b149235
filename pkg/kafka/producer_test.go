package kafka_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"

	"github.com/navikt/kafkapg/pkg/kafka"
	"github.com/navikt/kafkapg/pkg/kafka/kafkatest"
)

func newTestProducer(t *testing.T, c *kafkatest.Cluster, opts ...kafka.ProducerOption) *kafka.Producer {
	t.Helper()
	p, err := kafka.NewProducerFromSarama(c.Addrs(), c.SaramaConfig(t), opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// produceWire records what the producer put on the wire.
type produceWire struct {
	mu          sync.Mutex
	acks        []int16
	producerIDs []int64
}

func watchProduce(c *kafkatest.Cluster) *produceWire {
	w := &produceWire{}
	c.Fake().ControlKey(int16(kmsg.Produce), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.Fake().KeepControl()
		pr := req.(*kmsg.ProduceRequest)
		w.mu.Lock()
		defer w.mu.Unlock()
		w.acks = append(w.acks, pr.Acks)
		for _, tp := range pr.Topics {
			for _, pp := range tp.Partitions {
				var b kmsg.RecordBatch
				if err := b.ReadFrom(pp.Records); err == nil {
					w.producerIDs = append(w.producerIDs, b.ProducerID)
				}
			}
		}
		return nil, nil, false
	})
	return w
}

func TestProducerSendsAcksAllIdempotentWithKeysAndHeaders(t *testing.T) {
	t.Parallel()
	c := kafkatest.New(t, kfake.SeedTopics(3, "orders"))
	wire := watchProduce(c)
	p, err := kafka.NewProducer(c.Config()) // the production configuration
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Close() })

	var msgs []*sarama.ProducerMessage
	for i := range 6 {
		msgs = append(msgs, &sarama.ProducerMessage{
			Topic: "orders",
			Key:   sarama.StringEncoder(fmt.Sprintf("key-%d", i)),
			Value: sarama.StringEncoder(fmt.Sprintf(`{"n":%d}`, i)),
			Headers: []sarama.RecordHeader{
				{Key: []byte("traceparent"), Value: []byte("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")},
				{Key: []byte("content-type"), Value: []byte("application/json")},
			},
		})
	}
	require.NoError(t, p.Send(t.Context(), msgs...))

	for i, m := range msgs {
		got := c.Consume(t, "orders", m.Partition, m.Offset, 1)[0]
		assert.Equal(t, fmt.Sprintf("key-%d", i), string(got.Key))
		assert.Equal(t, fmt.Sprintf(`{"n":%d}`, i), string(got.Value))
		require.Len(t, got.Headers, 2)
		assert.Equal(t, "traceparent", string(got.Headers[0].Key))
		assert.Equal(t, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", string(got.Headers[0].Value))
		assert.Equal(t, "application/json", string(got.Headers[1].Value))
	}

	wire.mu.Lock()
	defer wire.mu.Unlock()
	require.NotEmpty(t, wire.acks)
	for _, a := range wire.acks {
		assert.Equal(t, int16(-1), a, "acks=all")
	}
	require.NotEmpty(t, wire.producerIDs)
	for _, id := range wire.producerIDs {
		assert.GreaterOrEqual(t, id, int64(0), "idempotent batches carry a producer id")
	}
}

// Keys land where the Java client (murmur2) puts them.
func TestProducerPartitionsLikeTheJavaClient(t *testing.T) {
	t.Parallel()
	c := kafkatest.New(t, kfake.SeedTopics(6, "orders"))
	p := newTestProducer(t, c)
	// murmur2 values from Kafka's Utils.murmur2, as uint32.
	for key, hash := range map[string]uint32{"foo": 597841616, "kafka": 3496464228, "sarama": 770765511} {
		m := &sarama.ProducerMessage{Topic: "orders", Key: sarama.StringEncoder(key), Value: sarama.StringEncoder("v")}
		require.NoError(t, p.Send(t.Context(), m))
		assert.Equal(t, int32((hash&0x7fffffff)%6), m.Partition, "key %q", key)
	}
}

func TestProducerRetriesTransientFault(t *testing.T) {
	t.Parallel()
	c := kafkatest.New(t, kfake.SeedTopics(1, "orders"))
	p := newTestProducer(t, c)
	h := c.Fake().Fault(kfake.Fault{
		Keys:  []kmsg.Key{kmsg.Produce},
		Topic: "orders",
		Err:   kerr.NotLeaderForPartition,
		Count: 3,
	})

	m := &sarama.ProducerMessage{Topic: "orders", Value: sarama.StringEncoder("survives")}
	require.NoError(t, p.Send(t.Context(), m))
	assert.Equal(t, 3, h.Hits())
	assert.Equal(t, int64(0), m.Offset)
	_, newest := c.Offsets(t, "orders", 0)
	assert.Equal(t, int64(1), newest, "written exactly once")
}

func TestProducerFatalFaultNamesTopic(t *testing.T) {
	t.Parallel()
	c := kafkatest.New(t, kfake.SeedTopics(1, "orders", "secret"))
	p := newTestProducer(t, c)
	h := c.Fake().Fault(kfake.Fault{
		Keys:  []kmsg.Key{kmsg.Produce},
		Topic: "secret",
		Err:   kerr.TopicAuthorizationFailed,
		Count: -1,
	})

	ok := &sarama.ProducerMessage{Topic: "orders", Value: sarama.StringEncoder("fine")}
	denied := &sarama.ProducerMessage{Topic: "secret", Value: sarama.StringEncoder("denied")}
	err := p.Send(t.Context(), ok, denied)
	require.Error(t, err)
	assert.ErrorIs(t, err, sarama.ErrTopicAuthorizationFailed)
	assert.Contains(t, err.Error(), "1 of 2 messages not sent: message 1 (topic secret, partition 0)")

	var se *kafka.SendError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 2, se.Total)
	require.Len(t, se.Failed, 1)
	assert.Equal(t, 1, se.Failed[0].Index)
	assert.Equal(t, "secret", se.Failed[0].Topic)

	// All-or-error: the other message was written.
	_, newest := c.Offsets(t, "orders", 0)
	assert.Equal(t, int64(1), newest)

	h.Remove()
	require.NoError(t, p.Send(t.Context(), &sarama.ProducerMessage{Topic: "secret", Value: sarama.StringEncoder("now allowed")}))
}

func TestProducerSendValidationAndClose(t *testing.T) {
	t.Parallel()
	c := kafkatest.New(t, kfake.SeedTopics(1, "orders"))
	p := newTestProducer(t, c)

	require.NoError(t, p.Send(t.Context()))
	require.EqualError(t, p.Send(t.Context(), nil), "kafka: send: message 0 is nil")
	require.EqualError(t, p.Send(t.Context(), &sarama.ProducerMessage{}), "kafka: send: message 0 has no topic")

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := p.Send(ctx, &sarama.ProducerMessage{Topic: "orders", Value: sarama.StringEncoder("late")})
	require.ErrorIs(t, err, context.Canceled)
	_, newest := c.Offsets(t, "orders", 0)
	assert.Equal(t, int64(0), newest, "a cancelled Send sends nothing")

	require.NoError(t, p.Close())
	require.NoError(t, p.Close())
	err = p.Send(t.Context(), &sarama.ProducerMessage{Topic: "orders", Value: sarama.StringEncoder("closed")})
	require.ErrorIs(t, err, kafka.ErrProducerClosed)
}

func TestProducerInvariantsSurviveHooks(t *testing.T) {
	t.Parallel()
	c := kafkatest.New(t, kfake.SeedTopics(1, "orders"))
	wire := watchProduce(c)
	sc := c.SaramaConfig(t)
	p, err := kafka.NewProducerFromSarama(c.Addrs(), sc, kafka.WithProducerConfig(func(sc *sarama.Config) {
		sc.Producer.RequiredAcks = sarama.WaitForLocal
		sc.Producer.Idempotent = false
		sc.Producer.Retry.Max = 0
		sc.Net.MaxOpenRequests = 5
	}))
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Close() })
	require.NoError(t, p.Send(t.Context(), &sarama.ProducerMessage{Topic: "orders", Value: sarama.StringEncoder("v")}))

	wire.mu.Lock()
	defer wire.mu.Unlock()
	assert.Equal(t, []int16{-1}, wire.acks, "acks=all despite the hook")
	require.Len(t, wire.producerIDs, 1)
	assert.GreaterOrEqual(t, wire.producerIDs[0], int64(0), "idempotent despite the hook")

	// The caller's config was copied, not modified.
	assert.False(t, sc.Producer.Idempotent)
	assert.False(t, sc.Producer.Return.Successes)
	assert.Equal(t, 5, sc.Net.MaxOpenRequests)
}

// The pinned protocol version is a ceiling: against a broker that only
// speaks 2.8, sarama negotiates every request down.
func TestOlderBrokerVersionNegotiated(t *testing.T) {
	t.Parallel()
	c := kafkatest.New(t, kfake.MaxVersions(kversion.V2_8_0()), kfake.SeedTopics(2, "orders"))
	p, err := kafka.NewProducer(c.Config())
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Close() })

	m := &sarama.ProducerMessage{Topic: "orders", Key: sarama.StringEncoder("k"), Value: sarama.StringEncoder("v"),
		Headers: []sarama.RecordHeader{{Key: []byte("h"), Value: []byte("1")}}}
	require.NoError(t, p.Send(t.Context(), m))
	got := c.Consume(t, "orders", m.Partition, sarama.OffsetOldest, 1)[0]
	assert.Equal(t, "v", string(got.Value))
	assert.Equal(t, "1", string(got.Headers[0].Value))
}
