package kafkatest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/navikt/kafkapg/pkg/kafka"
)

// ConsumeTimeout bounds how long Consume waits for its records.
const ConsumeTimeout = 15 * time.Second

// Cluster is a running kfake cluster.
type Cluster struct {
	fake  *kfake.Cluster
	addrs []string

	mu             sync.Mutex
	producer       *kafka.Producer // murmur2, like production
	manualProducer *kafka.Producer // honours ProducerMessage.Partition
	closed         bool
}

// baseOpts are applied before the caller's, which can override them.
func baseOpts() []kfake.Opt {
	return []kfake.Opt{
		kfake.NumBrokers(1),
		// Lets tests use session timeouts of a second or two; Kafka's
		// default minimum is 6 s.
		kfake.GroupMinSessionTimeout(100 * time.Millisecond),
	}
}

// New starts a one-broker cluster for t and closes it when t ends. opts go to
// kfake after this package's defaults (one broker, 100 ms minimum session
// timeout), so they can override them.
func New(t testing.TB, opts ...kfake.Opt) *Cluster {
	t.Helper()
	c, err := Start(opts...)
	if err != nil {
		t.Fatalf("kafkatest: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// Start starts a cluster outside of a test, for example as the local
// development broker. The caller must Close it.
func Start(opts ...kfake.Opt) (*Cluster, error) {
	fake, err := kfake.NewCluster(append(baseOpts(), opts...)...)
	if err != nil {
		return nil, fmt.Errorf("start kfake: %w", err)
	}
	return &Cluster{fake: fake, addrs: fake.ListenAddrs()}, nil
}

// Close stops the cluster; with kfake.DataDir it first writes its state to
// disk. It is safe to call more than once.
func (c *Cluster) Close() {
	c.mu.Lock()
	producers := []*kafka.Producer{c.producer, c.manualProducer}
	c.producer, c.manualProducer = nil, nil
	already := c.closed
	c.closed = true
	c.mu.Unlock()
	if already {
		return
	}
	for _, p := range producers {
		if p != nil {
			_ = p.Close()
		}
	}
	c.fake.Close()
}

// Addrs returns the brokers' host:port addresses.
func (c *Cluster) Addrs() []string { return append([]string(nil), c.addrs...) }

// Fake returns the kfake cluster, for faults (Fault), controls (ControlKey),
// group and partition inspection, and broker kills.
func (c *Cluster) Fake() *kfake.Cluster { return c.fake }

// Config returns a plaintext kafka.Config for this cluster.
func (c *Cluster) Config() kafka.Config {
	return kafka.Config{Brokers: c.Addrs(), ClientID: "kafkatest"}
}

// Tune shortens a sarama config's timeouts for tests: 1.5 s sessions with
// 200 ms heartbeats, 500 ms metadata refresh (so new partitions are noticed
// quickly), 50-100 ms retry backoffs and 100 ms auto-commits. It does not
// touch anything else. Use it as a hook:
// kafka.WithGroupConfig(kafkatest.Tune).
func Tune(sc *sarama.Config) {
	sc.Net.DialTimeout = 5 * time.Second
	sc.Net.ReadTimeout = 10 * time.Second
	sc.Net.WriteTimeout = 10 * time.Second
	sc.Metadata.RefreshFrequency = 500 * time.Millisecond
	sc.Metadata.Retry.Max = 3
	sc.Metadata.Retry.BackoffFunc = nil
	sc.Metadata.Retry.Backoff = 50 * time.Millisecond
	sc.Producer.Retry.BackoffFunc = nil
	sc.Producer.Retry.Backoff = 50 * time.Millisecond
	sc.Consumer.Retry.Backoff = 100 * time.Millisecond
	sc.Consumer.MaxWaitTime = 250 * time.Millisecond
	sc.Consumer.Offsets.AutoCommit.Interval = 100 * time.Millisecond
	sc.Consumer.Group.Session.Timeout = 1500 * time.Millisecond
	sc.Consumer.Group.Heartbeat.Interval = 200 * time.Millisecond
	sc.Consumer.Group.Rebalance.Timeout = 3 * time.Second
	sc.Consumer.Group.Rebalance.Retry.Backoff = 100 * time.Millisecond
}

// SaramaConfig returns the production configuration (kafka.Config.Sarama)
// for this cluster with Tune applied. Each call returns a new config.
func (c *Cluster) SaramaConfig(t testing.TB) *sarama.Config {
	t.Helper()
	sc, err := c.saramaConfig()
	if err != nil {
		t.Fatalf("kafkatest: sarama config: %v", err)
	}
	return sc
}

func (c *Cluster) saramaConfig() (*sarama.Config, error) {
	sc, err := c.Config().Sarama()
	if err != nil {
		return nil, err
	}
	Tune(sc)
	return sc, sc.Validate()
}

// admin runs fn with a short-lived ClusterAdmin.
func (c *Cluster) admin(fn func(sarama.ClusterAdmin) error) error {
	sc, err := c.saramaConfig()
	if err != nil {
		return err
	}
	// sarama's ClusterAdmin finds the controller through a metadata refresh
	// that, with Metadata.Full off and no topic known yet, fails with
	// ErrNoTopicsToUpdateMetadata.
	sc.Metadata.Full = true
	a, err := sarama.NewClusterAdmin(c.addrs, sc)
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(a)
}

// CreateTopic creates topic with the given number of partitions.
func (c *Cluster) CreateTopic(t testing.TB, topic string, partitions int32) {
	t.Helper()
	err := c.admin(func(a sarama.ClusterAdmin) error {
		return a.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: partitions, ReplicationFactor: 1}, false)
	})
	if err != nil {
		t.Fatalf("kafkatest: create topic %s: %v", topic, err)
	}
}

// EnsureTopic creates topic unless it exists, whatever its partition count.
// It is for the local stack, where a DataDir may already hold the topic.
func (c *Cluster) EnsureTopic(topic string, partitions int32) error {
	err := c.fake.CreateTopic(topic, partitions, nil)
	if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
		return fmt.Errorf("ensure topic %s: %w", topic, err)
	}
	return nil
}

// AddPartitions grows topic to total partitions.
func (c *Cluster) AddPartitions(t testing.TB, topic string, total int32) {
	t.Helper()
	err := c.admin(func(a sarama.ClusterAdmin) error {
		return a.CreatePartitions(topic, total, nil, false)
	})
	if err != nil {
		t.Fatalf("kafkatest: add partitions to %s (total %d): %v", topic, total, err)
	}
}

// DeleteTopic deletes topic.
func (c *Cluster) DeleteTopic(t testing.TB, topic string) {
	t.Helper()
	if err := c.admin(func(a sarama.ClusterAdmin) error { return a.DeleteTopic(topic) }); err != nil {
		t.Fatalf("kafkatest: delete topic %s: %v", topic, err)
	}
}

// DeleteRecordsBefore removes the records of a partition below offset, as
// retention does: the partition's oldest offset becomes offset, and a
// consumer asking for an offset below it gets OFFSET_OUT_OF_RANGE.
func (c *Cluster) DeleteRecordsBefore(t testing.TB, topic string, partition int32, offset int64) {
	t.Helper()
	err := c.admin(func(a sarama.ClusterAdmin) error {
		return a.DeleteRecords(topic, map[int32]int64{partition: offset})
	})
	if err != nil {
		t.Fatalf("kafkatest: delete records of %s/%d before %d: %v", topic, partition, offset, err)
	}
}

// Produce sends msgs with an idempotent acks=all kafka.Producer configured
// like production, so keyed messages are partitioned by murmur2 and
// ProducerMessage.Partition is ignored (use ProduceTo to pick a partition).
// It fills in each message's Partition and Offset.
func (c *Cluster) Produce(t testing.TB, msgs ...*sarama.ProducerMessage) {
	t.Helper()
	c.produce(t, false, msgs)
}

// ProduceTo is Produce to one partition: it sets every message's Partition.
func (c *Cluster) ProduceTo(t testing.TB, partition int32, msgs ...*sarama.ProducerMessage) {
	t.Helper()
	for _, m := range msgs {
		if m != nil {
			m.Partition = partition
		}
	}
	c.produce(t, true, msgs)
}

func (c *Cluster) produce(t testing.TB, manual bool, msgs []*sarama.ProducerMessage) {
	t.Helper()
	p, err := c.sharedProducer(manual)
	if err == nil {
		err = p.Send(t.Context(), msgs...)
	}
	if err != nil {
		t.Fatalf("kafkatest: produce: %v", err)
	}
}

// sharedProducer returns the cluster's producer, hashing or manual, creating
// it on first use.
func (c *Cluster) sharedProducer(manual bool) (*kafka.Producer, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, errors.New("cluster closed")
	}
	slot := &c.producer
	if manual {
		slot = &c.manualProducer
	}
	if *slot != nil {
		return *slot, nil
	}
	sc, err := c.saramaConfig()
	if err != nil {
		return nil, err
	}
	sc.ClientID = "kafkatest-producer"
	if manual {
		sc.Producer.Partitioner = sarama.NewManualPartitioner
	}
	p, err := kafka.NewProducerFromSarama(c.addrs, sc)
	if err != nil {
		return nil, err
	}
	*slot = p
	return p, nil
}

// Consume reads n records of one partition starting at offset from (an
// offset, sarama.OffsetOldest or sarama.OffsetNewest) and fails the test if
// they do not all arrive within ConsumeTimeout.
func (c *Cluster) Consume(t testing.TB, topic string, partition int32, from int64, n int) []*sarama.ConsumerMessage {
	t.Helper()
	sc := c.SaramaConfig(t)
	consumer, err := sarama.NewConsumer(c.addrs, sc)
	if err != nil {
		t.Fatalf("kafkatest: consume %s/%d: %v", topic, partition, err)
	}
	defer consumer.Close()
	pc, err := consumer.ConsumePartition(topic, partition, from)
	if err != nil {
		t.Fatalf("kafkatest: consume %s/%d from %d: %v", topic, partition, from, err)
	}
	defer pc.AsyncClose()

	out := make([]*sarama.ConsumerMessage, 0, n)
	timeout := time.NewTimer(ConsumeTimeout)
	defer timeout.Stop()
	for len(out) < n {
		select {
		case m := <-pc.Messages():
			out = append(out, m)
		case err := <-pc.Errors():
			t.Fatalf("kafkatest: consume %s/%d: got %d of %d records, then: %v", topic, partition, len(out), n, err)
		case <-timeout.C:
			t.Fatalf("kafkatest: consume %s/%d from %d: got %d of %d records within %s", topic, partition, from, len(out), n, ConsumeTimeout)
		}
	}
	return out
}

// Offsets returns the oldest offset still stored in a partition and the
// newest, which is the offset the next record will get (the high watermark).
func (c *Cluster) Offsets(t testing.TB, topic string, partition int32) (oldest, newest int64) {
	t.Helper()
	sc := c.SaramaConfig(t)
	cl, err := sarama.NewClient(c.addrs, sc)
	if err != nil {
		t.Fatalf("kafkatest: offsets of %s/%d: %v", topic, partition, err)
	}
	defer cl.Close()
	if oldest, err = cl.GetOffset(topic, partition, sarama.OffsetOldest); err == nil {
		newest, err = cl.GetOffset(topic, partition, sarama.OffsetNewest)
	}
	if err != nil {
		t.Fatalf("kafkatest: offsets of %s/%d: %v", topic, partition, err)
	}
	return oldest, newest
}

// CountRequests starts counting the requests of one kind the cluster
// receives (for example kmsg.OffsetCommit) and returns the running count. It
// installs a kept control that never answers, so requests are handled
// normally. It counts only requests that an earlier control did not answer.
//
// A test can thus prove that something did not happen ("nothing was
// committed"), after first making sure the traffic it waits for did happen.
func (c *Cluster) CountRequests(key kmsg.Key) func() int {
	var n atomic.Int64
	c.fake.ControlKey(int16(key), func(kmsg.Request) (kmsg.Response, error, bool) {
		c.fake.KeepControl()
		n.Add(1)
		return nil, nil, false
	})
	return func() int { return int(n.Load()) }
}

// SeedGroup makes consumer group group exist with no committed offset for
// the given partitions of topic, as a group Kafka has never seen behaves.
// kfake needs this before a standalone sarama.OffsetManager or
// ClusterAdmin.ListConsumerGroupOffsets is used on a fresh group (see the
// package documentation). It commits offset -1 outside of any generation;
// OffsetFetch then reports -1, "no offset", as Kafka does.
func (c *Cluster) SeedGroup(t testing.TB, group, topic string, partitions int32) {
	t.Helper()
	if err := c.seedGroup(group, topic, partitions); err != nil {
		t.Fatalf("kafkatest: seed group %s: %v", group, err)
	}
}

func (c *Cluster) seedGroup(group, topic string, partitions int32) error {
	sc, err := c.saramaConfig()
	if err != nil {
		return err
	}
	cl, err := sarama.NewClient(c.addrs, sc)
	if err != nil {
		return err
	}
	defer cl.Close()
	coord, err := cl.Coordinator(group)
	if err != nil {
		return err
	}
	req := &sarama.OffsetCommitRequest{Version: 2, ConsumerGroup: group, ConsumerGroupGeneration: -1, RetentionTime: -1}
	for p := range partitions {
		req.AddBlock(topic, p, -1, 0, "")
	}
	resp, err := coord.CommitOffset(req)
	if err != nil {
		return err
	}
	var errs []string
	for tp, ps := range resp.Errors {
		for p, ke := range ps {
			if ke != sarama.ErrNoError {
				errs = append(errs, fmt.Sprintf("%s/%d: %v", tp, p, ke))
			}
		}
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}
