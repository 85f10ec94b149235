package kafkatest_test

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/navikt/kafkapg/pkg/kafka/kafkatest"
)

func msg(topic, key, value string) *sarama.ProducerMessage {
	return &sarama.ProducerMessage{Topic: topic, Key: sarama.StringEncoder(key), Value: sarama.StringEncoder(value)}
}

func TestProduceConsumeOffsets(t *testing.T) {
	t.Parallel()
	c := kafkatest.New(t)
	c.CreateTopic(t, "orders", 3)

	msgs := []*sarama.ProducerMessage{msg("orders", "a", "1"), msg("orders", "a", "2"), msg("orders", "a", "3")}
	c.Produce(t, msgs...)
	p := msgs[0].Partition
	for i, m := range msgs {
		assert.Equal(t, p, m.Partition, "same key, same partition")
		assert.Equal(t, int64(i), m.Offset)
	}

	oldest, newest := c.Offsets(t, "orders", p)
	assert.Equal(t, int64(0), oldest)
	assert.Equal(t, int64(3), newest)

	got := c.Consume(t, "orders", p, sarama.OffsetOldest, 3)
	require.Len(t, got, 3)
	for i, m := range got {
		assert.Equal(t, "a", string(m.Key))
		assert.Equal(t, fmt.Sprint(i+1), string(m.Value))
	}
	got = c.Consume(t, "orders", p, 2, 1)
	assert.Equal(t, "3", string(got[0].Value))
}

func TestCreateTopicTwiceFails(t *testing.T) {
	t.Parallel()
	c := kafkatest.New(t)
	c.CreateTopic(t, "orders", 1)
	ft := &fakeTB{TB: t}
	func() {
		defer func() { _ = recover() }()
		c.CreateTopic(ft, "orders", 1)
	}()
	assert.Contains(t, ft.fatal, "Topic with this name already exists")
	require.NoError(t, c.EnsureTopic("orders", 1), "EnsureTopic tolerates an existing topic")
}

func TestAddPartitions(t *testing.T) {
	t.Parallel()
	c := kafkatest.New(t, kfake.SeedTopics(2, "orders"))
	c.AddPartitions(t, "orders", 5)
	assert.Len(t, c.Fake().PartitionInfos("orders"), 5)
	m := msg("orders", "k", "x")
	c.ProduceTo(t, 4, m)
	assert.Equal(t, int32(4), m.Partition)
	_, newest := c.Offsets(t, "orders", 4)
	assert.Equal(t, int64(1), newest)
}

func TestDeleteTopic(t *testing.T) {
	t.Parallel()
	c := kafkatest.New(t, kfake.SeedTopics(1, "orders"))
	c.Produce(t, msg("orders", "k", "v"))
	c.DeleteTopic(t, "orders")
	assert.Nil(t, c.Fake().TopicInfo("orders"))
	c.CreateTopic(t, "orders", 1)
	_, newest := c.Offsets(t, "orders", 0)
	assert.Equal(t, int64(0), newest, "a recreated topic starts empty")
}

func TestDeleteRecordsBefore(t *testing.T) {
	t.Parallel()
	c := kafkatest.New(t, kfake.SeedTopics(1, "orders"))
	for i := range 10 {
		c.Produce(t, msg("orders", "k", fmt.Sprint(i)))
	}
	c.DeleteRecordsBefore(t, "orders", 0, 4)

	oldest, newest := c.Offsets(t, "orders", 0)
	assert.Equal(t, int64(4), oldest)
	assert.Equal(t, int64(10), newest)

	got := c.Consume(t, "orders", 0, sarama.OffsetOldest, 6)
	assert.Equal(t, int64(4), got[0].Offset)
	assert.Equal(t, "4", string(got[0].Value))

	// Reading below the log start fails like it does after retention.
	consumer, err := sarama.NewConsumer(c.Addrs(), c.SaramaConfig(t))
	require.NoError(t, err)
	defer consumer.Close()
	_, err = consumer.ConsumePartition("orders", 0, 2)
	require.ErrorIs(t, err, sarama.ErrOffsetOutOfRange)
}

func TestCountRequests(t *testing.T) {
	t.Parallel()
	c := kafkatest.New(t, kfake.SeedTopics(1, "orders"))
	produces := c.CountRequests(kmsg.Produce)
	commits := c.CountRequests(kmsg.OffsetCommit)

	for i := range 3 {
		c.Produce(t, msg("orders", "k", fmt.Sprint(i)))
	}
	assert.Equal(t, 3, produces(), "one Produce request per synchronous send")
	assert.Zero(t, commits())
	_, newest := c.Offsets(t, "orders", 0)
	assert.Equal(t, int64(3), newest, "counting does not stop requests from being handled")

	c.SeedGroup(t, "g", "orders", 1) // commits once
	assert.Equal(t, 1, commits())
}

// SeedGroup works around kfake answering OffsetFetch for an unknown group
// with GROUP_ID_NOT_FOUND. If this test starts failing at the first
// assertion, kfake behaves like Kafka now and SeedGroup can go.
func TestSeedGroup(t *testing.T) {
	t.Parallel()
	c := kafkatest.New(t, kfake.SeedTopics(2, "orders"))
	admin, err := sarama.NewClusterAdmin(c.Addrs(), fullMetadata(c.SaramaConfig(t)))
	require.NoError(t, err)
	defer admin.Close()

	_, err = admin.ListConsumerGroupOffsets("fresh", map[string][]int32{"orders": {0, 1}})
	require.ErrorIs(t, err, sarama.ErrGroupIDNotFound, "kfake quirk")

	c.SeedGroup(t, "fresh", "orders", 2)
	resp, err := admin.ListConsumerGroupOffsets("fresh", map[string][]int32{"orders": {0, 1}})
	require.NoError(t, err)
	for p := range int32(2) {
		assert.Equal(t, int64(-1), resp.GetBlock("orders", p).Offset, "no committed offset, as with Kafka")
	}

	// A standalone offset manager, as used by consumers that assign
	// partitions themselves, now starts from Offsets.Initial.
	client, err := sarama.NewClient(c.Addrs(), c.SaramaConfig(t))
	require.NoError(t, err)
	defer client.Close()
	om, err := sarama.NewOffsetManagerFromClient("fresh", client)
	require.NoError(t, err)
	defer om.Close()
	pom, err := om.ManagePartition("orders", 0)
	require.NoError(t, err)
	defer pom.AsyncClose()
	next, _ := pom.NextOffset()
	assert.Equal(t, sarama.OffsetOldest, next)
}

func fullMetadata(sc *sarama.Config) *sarama.Config {
	sc.Metadata.Full = true
	return sc
}

func TestSaramaConfigIsTunedForTests(t *testing.T) {
	t.Parallel()
	c := kafkatest.New(t)
	sc := c.SaramaConfig(t)
	assert.LessOrEqual(t, sc.Consumer.Group.Session.Timeout, 2*time.Second)
	assert.LessOrEqual(t, sc.Consumer.Group.Heartbeat.Interval, 250*time.Millisecond)
	assert.LessOrEqual(t, sc.Metadata.RefreshFrequency, time.Second)
	assert.False(t, sc.Net.TLS.Enable)
	assert.Equal(t, c.Addrs(), c.Config().Brokers)
	assert.NotSame(t, sc, c.SaramaConfig(t), "a new config per call")
}

// The local stack: a fixed port and a data dir that survives a restart.
func TestStartWithPortAndDataDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	port := freePort(t)
	opts := []kfake.Opt{kfake.Ports(port), kfake.DataDir(dir)}

	c, err := kafkatest.Start(opts...)
	require.NoError(t, err)
	assert.Equal(t, []string{fmt.Sprintf("127.0.0.1:%d", port)}, c.Addrs())
	require.NoError(t, c.EnsureTopic("orders", 2))
	c.Produce(t, msg("orders", "k", "kept"))
	c.Close()
	c.Close() // idempotent

	c, err = kafkatest.Start(opts...)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.EnsureTopic("orders", 2), "already there after the restart")
	require.NoError(t, c.EnsureTopic("audit", 1))
	assert.Len(t, c.Fake().PartitionInfos("orders"), 2)

	var found bool
	for p := range int32(2) {
		if _, newest := c.Offsets(t, "orders", p); newest == 1 {
			got := c.Consume(t, "orders", p, sarama.OffsetOldest, 1)
			assert.Equal(t, "kept", string(got[0].Value))
			found = true
		}
	}
	assert.True(t, found, "the record survived the restart")
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// fakeTB records a Fatalf instead of failing the real test.
type fakeTB struct {
	testing.TB
	fatal string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.fatal = fmt.Sprintf(format, args...)
	panic("fatal")
}
