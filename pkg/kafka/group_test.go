package kafka_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/zap/zaptest"

	"github.com/navikt/kafkapg/pkg/kafka"
	"github.com/navikt/kafkapg/pkg/kafka/kafkatest"
)

const waitFor = 20 * time.Second // generous: rebalances take ~1 s, -race slows everything

// collector is a handler that records every message it gets and marks it.
type collector struct {
	mu   sync.Mutex
	seen map[string]int // "topic/partition@offset" -> deliveries
	got  chan struct{}  // signalled after each message
	// claiming is closed when the first ConsumeClaim starts: its partition
	// consumer has then resolved its start offset.
	claiming     chan struct{}
	claimingOnce sync.Once
}

func newCollector() *collector {
	return &collector{seen: map[string]int{}, got: make(chan struct{}, 1), claiming: make(chan struct{})}
}

func (c *collector) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (c *collector) Cleanup(sarama.ConsumerGroupSession) error { return nil }
func (c *collector) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	c.claimingOnce.Do(func() { close(c.claiming) })
	for {
		select {
		case m, ok := <-claim.Messages():
			if !ok {
				return nil
			}
			c.mu.Lock()
			c.seen[fmt.Sprintf("%s/%d@%d", m.Topic, m.Partition, m.Offset)]++
			c.mu.Unlock()
			sess.MarkMessage(m, "")
			select {
			case c.got <- struct{}{}:
			default:
			}
		case <-sess.Context().Done():
			return nil
		}
	}
}

func (c *collector) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.seen)
}

// waitCount waits until at least n distinct messages were seen.
func (c *collector) waitCount(t *testing.T, n int) {
	t.Helper()
	deadline := time.After(waitFor)
	for c.count() < n {
		select {
		case <-c.got:
		case <-deadline:
			t.Fatalf("consumed %d of %d messages within %s", c.count(), n, waitFor)
		}
	}
}

func (c *collector) redeliveries() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, d := range c.seen {
		n += d - 1
	}
	return n
}

// runGroup starts g.Run in the background and returns a stop function that
// cancels it and returns Run's result and how long it took to return.
func runGroup(t *testing.T, g *kafka.Group) (stop func() (time.Duration, error)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- g.Run(ctx) }()
	var once sync.Once
	var res error
	var took time.Duration
	stop = func() (time.Duration, error) {
		once.Do(func() {
			start := time.Now()
			cancel()
			select {
			case res = <-done:
				took = time.Since(start)
			case <-time.After(waitFor):
				t.Errorf("Run did not return within %s of cancel", waitFor)
				res = context.DeadlineExceeded
			}
		})
		return took, res
	}
	t.Cleanup(func() { _, _ = stop() })
	return stop
}

func newTestGroup(t *testing.T, c *kafkatest.Cluster, group string, topics []string, h sarama.ConsumerGroupHandler, opts ...kafka.GroupOption) *kafka.Group {
	t.Helper()
	opts = append([]kafka.GroupOption{kafka.WithLogger(zaptest.NewLogger(t))}, opts...)
	g, err := kafka.NewGroupFromSarama(c.Addrs(), c.SaramaConfig(t), group, topics, h, opts...)
	require.NoError(t, err)
	return g
}

func produceN(t *testing.T, c *kafkatest.Cluster, topic string, n int, prefix string) {
	t.Helper()
	msgs := make([]*sarama.ProducerMessage, n)
	for i := range msgs {
		msgs[i] = &sarama.ProducerMessage{Topic: topic, Key: sarama.StringEncoder(fmt.Sprintf("%s-%d", prefix, i)), Value: sarama.StringEncoder("v")}
	}
	c.Produce(t, msgs...)
}

// waitAssigned waits until cond holds for the members' assignments.
func waitAssigned(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for: %s", waitFor, what)
		}
		time.Sleep(20 * time.Millisecond) // polling a condition, not sleeping for one
	}
}

func partitions(g *kafka.Group, topic string) []int32 {
	ps := g.Assignment()[topic]
	slices.Sort(ps)
	return ps
}

func TestGroupConsumesAllAndCommitsOnLeave(t *testing.T) {
	t.Parallel()
	c := kafkatest.New(t, kfake.SeedTopics(3, "orders"))
	leaves := c.CountRequests(kmsg.LeaveGroup)
	produceN(t, c, "orders", 30, "a")

	h := newCollector()
	g := newTestGroup(t, c, "g-all", []string{"orders"}, h)
	stop := runGroup(t, g)
	h.waitCount(t, 30)
	assert.True(t, g.HasAssignment())
	assert.Equal(t, []int32{0, 1, 2}, partitions(g, "orders"))

	took, err := stop()
	require.NoError(t, err)
	assert.Less(t, took, 5*time.Second)
	assert.Nil(t, g.Assignment(), "no assignment after Run returned")
	assert.False(t, g.HasAssignment())
	assert.Equal(t, 1, leaves(), "LeaveGroup sent")
	assert.Zero(t, h.redeliveries())

	info := c.Fake().GroupInfo("g-all")
	require.NotNil(t, info)
	assert.Empty(t, info.Members, "the member left instead of timing out")
	var committed, hwm int64
	for p := range int32(3) {
		committed += info.Commits["orders"][p].Offset
		_, newest := c.Offsets(t, "orders", p)
		hwm += newest
	}
	assert.Equal(t, int64(30), hwm)
	assert.Equal(t, hwm, committed, "every marked offset committed before leaving")
}

func TestGroupTwoMembersSplitAndHandBack(t *testing.T) {
	t.Parallel()
	c := kafkatest.New(t, kfake.SeedTopics(4, "orders"))
	ha, hb := newCollector(), newCollector()
	opts := []kafka.GroupOption{kafka.WithRebalanceStrategy(sarama.NewBalanceStrategyRoundRobin())}
	a := newTestGroup(t, c, "g-split", []string{"orders"}, ha, opts...)
	b := newTestGroup(t, c, "g-split", []string{"orders"}, hb, opts...)

	stopA := runGroup(t, a)
	waitAssigned(t, "A owns all 4", func() bool { return len(partitions(a, "orders")) == 4 })

	stopB := runGroup(t, b)
	waitAssigned(t, "A and B own 2 each", func() bool {
		pa, pb := partitions(a, "orders"), partitions(b, "orders")
		return len(pa) == 2 && len(pb) == 2 && len(slices.Compact(slices.Sorted(slices.Values(append(pa, pb...))))) == 4
	})

	produceN(t, c, "orders", 40, "split")
	waitAssigned(t, "both members consume", func() bool { return ha.count()+hb.count() == 40 })
	assert.NotZero(t, ha.count())
	assert.NotZero(t, hb.count())

	_, err := stopB()
	require.NoError(t, err)
	waitAssigned(t, "A owns all 4 again", func() bool { return len(partitions(a, "orders")) == 4 })

	before := ha.count()
	produceN(t, c, "orders", 40, "after")
	ha.waitCount(t, before+40) // A alone gets every new message
	assert.Equal(t, 80, ha.count()+hb.count())
	assert.Zero(t, ha.redeliveries()+hb.redeliveries(), "offsets committed on hand-over")

	_, err = stopA()
	require.NoError(t, err)
}

// blockingHandler holds its claim without reading until the session ends,
// like a handler in the middle of slow work.
type blockingHandler struct {
	claimed chan struct{}
	exited  chan struct{}
	once    sync.Once
}

func (b *blockingHandler) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (b *blockingHandler) Cleanup(sarama.ConsumerGroupSession) error { return nil }
func (b *blockingHandler) ConsumeClaim(sess sarama.ConsumerGroupSession, _ sarama.ConsumerGroupClaim) error {
	b.once.Do(func() { close(b.claimed) })
	<-sess.Context().Done()
	return nil
}

func TestGroupCancelReturnsPromptlyAndLeaves(t *testing.T) {
	t.Parallel()
	c := kafkatest.New(t, kfake.SeedTopics(1, "orders"))
	leaves := c.CountRequests(kmsg.LeaveGroup)
	h := &blockingHandler{claimed: make(chan struct{}), exited: make(chan struct{})}
	// A long session timeout: if the member did not send LeaveGroup, the
	// coordinator would keep it for 20 s.
	g := newTestGroup(t, c, "g-cancel", []string{"orders"}, h, kafka.WithSessionTimeout(20*time.Second))
	stop := runGroup(t, g)

	select {
	case <-h.claimed:
	case <-time.After(waitFor):
		t.Fatal("no claim")
	}
	took, err := stop()
	require.NoError(t, err)
	assert.Less(t, took, 3*time.Second)
	assert.Equal(t, 1, leaves())
	info := c.Fake().GroupInfo("g-cancel")
	require.NotNil(t, info)
	assert.Empty(t, info.Members)
}

func TestGroupAutoCommitOffCommitsNothing(t *testing.T) {
	t.Parallel()
	c := kafkatest.New(t, kfake.SeedTopics(2, "orders"))
	commits := c.CountRequests(kmsg.OffsetCommit)
	heartbeats := c.CountRequests(kmsg.Heartbeat)
	produceN(t, c, "orders", 20, "k")

	h := newCollector()
	g := newTestGroup(t, c, "g-nocommit", []string{"orders"}, h, kafka.WithAutoCommit(false))
	stop := runGroup(t, g)
	h.waitCount(t, 20)
	// Let several auto-commit intervals (100 ms) pass, measured in
	// heartbeats (200 ms apart), so a commit would have happened by now.
	waitAssigned(t, "3 heartbeats", func() bool { return heartbeats() >= 3 })
	_, err := stop()
	require.NoError(t, err)

	assert.Zero(t, commits(), "nothing was committed")
	info := c.Fake().GroupInfo("g-nocommit")
	require.NotNil(t, info)
	assert.Empty(t, info.Commits)
}

func TestGroupInitialOffsetNewest(t *testing.T) {
	t.Parallel()
	c := kafkatest.New(t, kfake.SeedTopics(1, "orders"))
	produceN(t, c, "orders", 5, "old")

	h := newCollector()
	g := newTestGroup(t, c, "g-newest", []string{"orders"}, h, kafka.WithInitialOffset(sarama.OffsetNewest))
	runGroup(t, g)
	// Newest is resolved when the claim starts, not at assignment: produce
	// only after that, or the first new messages count as old.
	select {
	case <-h.claiming:
	case <-time.After(waitFor):
		t.Fatal("no claim started")
	}
	produceN(t, c, "orders", 3, "new")
	h.waitCount(t, 3)
	h.mu.Lock()
	defer h.mu.Unlock()
	assert.Equal(t, []string{"orders/0@5", "orders/0@6", "orders/0@7"}, slices.Sorted(maps.Keys(h.seen)))
}

func TestGroupPicksUpAddedPartitions(t *testing.T) {
	t.Parallel()
	c := kafkatest.New(t, kfake.SeedTopics(2, "orders"))
	h := newCollector()
	g := newTestGroup(t, c, "g-grow", []string{"orders"}, h)
	runGroup(t, g)
	waitAssigned(t, "2 partitions", func() bool { return len(partitions(g, "orders")) == 2 })

	c.AddPartitions(t, "orders", 5)
	waitAssigned(t, "5 partitions after AddPartitions", func() bool { return len(partitions(g, "orders")) == 5 })
	c.ProduceTo(t, 4, &sarama.ProducerMessage{Topic: "orders", Value: sarama.StringEncoder("new partition")})
	h.waitCount(t, 1)
	h.mu.Lock()
	defer h.mu.Unlock()
	assert.Equal(t, map[string]int{"orders/4@0": 1}, h.seen)
}

func TestGroupFatalErrorIsReturned(t *testing.T) {
	t.Parallel()
	c := kafkatest.New(t, kfake.SeedTopics(1, "orders"))
	c.Fake().Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.JoinGroup}, Group: "g-denied", Err: kerr.GroupAuthorizationFailed, Count: -1})
	g := newTestGroup(t, c, "g-denied", []string{"orders"}, newCollector())

	ctx, cancel := context.WithTimeout(t.Context(), waitFor)
	defer cancel()
	err := g.Run(ctx)
	require.Error(t, err)
	assert.ErrorIs(t, err, sarama.ErrGroupAuthorizationFailed)
	assert.Contains(t, err.Error(), "g-denied")
	assert.NoError(t, ctx.Err(), "returned on its own, not by the deadline")
}

func TestGroupRetriesTransientJoinErrors(t *testing.T) {
	t.Parallel()
	c := kafkatest.New(t, kfake.SeedTopics(1, "orders"))
	// More failures than sarama's own join retries (Rebalance.Retry.Max, 4),
	// so Consume fails and the runner has to retry.
	fault := c.Fake().Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.JoinGroup}, Group: "g-flaky", Err: kerr.CoordinatorNotAvailable, Count: 8})
	h := newCollector()
	g := newTestGroup(t, c, "g-flaky", []string{"orders"}, h)
	runGroup(t, g)
	produceN(t, c, "orders", 3, "k")
	h.waitCount(t, 3)
	assert.Equal(t, 8, fault.Hits())
}

// A topic that does not exist yet is waited for, not fatal.
func TestGroupWaitsForMissingTopic(t *testing.T) {
	t.Parallel()
	c := kafkatest.New(t)
	h := newCollector()
	g := newTestGroup(t, c, "g-later", []string{"later"}, h)
	runGroup(t, g)
	c.CreateTopic(t, "later", 1)
	produceN(t, c, "later", 2, "k")
	h.waitCount(t, 2)
}

func TestGroupRunOnceAndValidation(t *testing.T) {
	t.Parallel()
	c := kafkatest.New(t, kfake.SeedTopics(1, "orders"))
	sc := c.SaramaConfig(t)
	h := newCollector()

	_, err := kafka.NewGroupFromSarama(c.Addrs(), sc, "", []string{"orders"}, h)
	require.EqualError(t, err, "kafka: new group: empty group id")
	_, err = kafka.NewGroupFromSarama(c.Addrs(), sc, "g", nil, h)
	require.Error(t, err)
	_, err = kafka.NewGroupFromSarama(c.Addrs(), sc, "g", []string{"orders"}, nil)
	require.Error(t, err)
	_, err = kafka.NewGroupFromSarama(c.Addrs(), sc, "g", []string{"orders"}, h, kafka.WithInitialOffset(42))
	require.ErrorContains(t, err, "Offsets.Initial")
	_, err = kafka.NewGroup(kafka.Config{}, "g", []string{"orders"}, h)
	require.ErrorContains(t, err, "KAFKA_BROKERS")

	g := newTestGroup(t, c, "g-once", []string{"orders"}, h)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.NoError(t, g.Run(ctx), "a cancelled context returns nil at once")
	require.ErrorContains(t, g.Run(t.Context()), "Run called more than once")
}

func TestRunGroupWithProductionConfig(t *testing.T) {
	t.Parallel()
	c := kafkatest.New(t, kfake.SeedTopics(1, "orders"))
	produceN(t, c, "orders", 3, "k")
	h := newCollector()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- kafka.RunGroup(ctx, c.Config(), "g-prod", []string{"orders"}, h,
			kafka.WithLogger(zaptest.NewLogger(t)), kafka.WithSessionTimeout(6*time.Second))
	}()
	h.waitCount(t, 3)
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(waitFor):
		t.Fatal("RunGroup did not return")
	}
}
