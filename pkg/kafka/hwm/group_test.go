package hwm

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// requireExactlyOnce checks that every produced offset is stored once.
func (e *env) requireExactlyOnce(produced map[int32][]int64) {
	e.t.Helper()
	for p, offsets := range produced {
		require.Equal(e.t, offsets, e.stored(p), "partition %d", p)
		require.Equal(e.t, offsets[len(offsets)-1], e.hwm(p), "hwm of partition %d", p)
	}
}

// Two members of one group share the partitions while records stream in; a
// member joins and members leave mid-stream, forcing rebalances. Every record is
// stored exactly once.
func TestTwoMembersWithRebalancesMidStream(t *testing.T) {
	t.Parallel()
	const parts = 4
	e := newEnv(t, parts)
	produced := map[int32][]int64{}
	produce := func(n int) {
		for p := int32(0); p < parts; p++ {
			produced[p] = append(produced[p], e.produce(p, n)...)
		}
	}
	total := func() int {
		n := 0
		for _, o := range produced {
			n += len(o)
		}
		return n
	}
	assignedTo := func(c *Consumer, n int) {
		require.Eventually(t, func() bool { return len(c.Assigned()) == n }, waitFor, tick)
	}

	produce(50)
	a := e.consumer(e.config("pair"), store)
	stopA := e.run(a)
	assignedTo(a, parts)
	produce(50)

	b := e.consumer(e.config("pair"), store)
	stopB := e.run(b)
	assignedTo(b, parts/2)
	assignedTo(a, parts/2)
	// Only the owner reports a partition's position: A dropped the lag series
	// of the partitions it gave to B.
	require.Equal(t, parts/2, testutil.CollectAndCount(a.m.lag))
	produce(50)
	e.waitCount(total())

	stopA() // B takes everything over from the database's HWMs
	assignedTo(b, parts)
	produce(50)
	e.waitCount(total())

	a = e.consumer(e.config("pair"), store)
	stopA = e.run(a)
	assignedTo(a, parts/2)
	produce(50)
	stopB()
	produce(50)
	e.waitCount(total())
	stopA()
	e.requireExactlyOnce(produced)
}

// A member that is evicted while its batch transaction is open, and whose
// partition is meanwhile given to another member, neither loses nor duplicates
// records: the second member waits on the HWM row lock and skips what the
// first one committed.
func TestRebalanceInTheMiddleOfABatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	first := e.produce(0, 100)

	inBatch := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	slow := func(ctx context.Context, tx *sqlx.Tx, b Batch) error {
		if err := store(ctx, tx, b); err != nil {
			return err
		}
		once.Do(func() {
			close(inBatch)
			<-release // hold the transaction (and the HWM row lock) open
		})
		return nil
	}
	cfgA := e.config("midbatch")
	cfgA.Sarama.Consumer.Group.Rebalance.Timeout = time.Second // evicted soon after B asks to join
	a := e.consumer(cfgA, slow)
	e.run(a)
	<-inBatch

	bAssigned := make(chan struct{})
	var bOnce sync.Once
	cfgB := e.config("midbatch")
	cfgB.OnAssign = func(tps []TopicPartition) {
		if len(tps) == 1 {
			bOnce.Do(func() { close(bAssigned) })
		}
	}
	b := e.consumer(cfgB, store)
	e.run(b)
	select {
	case <-bAssigned:
	case <-time.After(waitFor):
		t.Fatal("B was never assigned the partition A is stuck on")
	}
	close(release) // A commits its batch; B's batch was waiting for the row lock

	second := e.produce(0, 50)
	e.waitCount(150)
	e.requireExactlyOnce(map[int32][]int64{0: append(first, second...)})
	pmB := b.m.partition(e.topic, 0)
	require.Positive(t, metric(t, pmB.duplicates), "B should have skipped what A committed")
}

// Retention removed records below HWM+1 while the consumer was away: it starts
// at the log start and reports the gap.
func TestRetentionGapIsReported(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	e.produce(0, 10)
	stop := e.run(e.consumer(e.config("gap"), store))
	e.waitCount(10)
	stop()

	e.produce(0, 20) // offsets 10..29
	e.kafka.DeleteRecordsBefore(t, e.topic, 0, 20)

	var gaps []Gap
	var mu sync.Mutex
	cfg := e.config("gap")
	cfg.OnGap = func(g Gap) { mu.Lock(); gaps = append(gaps, g); mu.Unlock() }
	c := e.consumer(cfg, store)
	e.run(c)
	e.waitCount(20)
	require.Equal(t, append(span(0, 9), span(20, 29)...), e.stored(0))
	mu.Lock()
	require.Equal(t, []Gap{{Topic: e.topic, Partition: 0, From: 10, To: 19}}, gaps)
	mu.Unlock()
	require.EqualValues(t, 10, metric(t, c.m.partition(e.topic, 0).gapRecords))
}

// Retention overtaking a running consumer: its fetch position falls below the
// log start, the partition consumer gives up with offset-out-of-range, and the
// consumer resumes at the log start and reports the gap.
func TestRetentionGapWhileRunningIsReported(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	e.produce(0, 10)
	gaps := make(chan Gap, 1)
	cfg := e.config("livegap")
	cfg.OnGap = func(g Gap) { gaps <- g }
	c := e.consumer(cfg, store)
	e.run(c)
	e.waitCount(10)

	// Hold the consumer's fetches while retention deletes what it has not read.
	fake := e.kafka.Fake()
	var held atomic.Bool
	held.Store(true)
	unblock := make(chan struct{})
	fake.ControlKey(int16(kmsg.Fetch), func(kmsg.Request) (kmsg.Response, error, bool) {
		fake.KeepControl()
		if held.Load() {
			fake.SleepControl(func() { <-unblock })
		}
		return nil, nil, false
	})
	e.produce(0, 20) // offsets 10..29
	e.kafka.DeleteRecordsBefore(t, e.topic, 0, 20)
	held.Store(false)
	close(unblock)

	select {
	case g := <-gaps:
		require.Equal(t, Gap{Topic: e.topic, Partition: 0, From: 10, To: 19}, g)
	case <-time.After(waitFor):
		t.Fatal("no gap reported")
	}
	e.waitCount(20)
	require.Equal(t, append(span(0, 9), span(20, 29)...), e.stored(0))
}

// A partition added to a live topic is picked up without a restart.
func TestPartitionAddedToLiveTopic(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	e.produce(0, 5)
	c := e.consumer(e.config("grow"), store)
	e.run(c)
	e.waitCount(5)

	e.kafka.AddPartitions(t, e.topic, 3)
	require.Eventually(t, func() bool { return len(c.Assigned()) == 3 }, waitFor, tick)
	e.produce(2, 7)
	e.produce(1, 3)
	e.waitCount(15)
	require.Equal(t, span(0, 6), e.stored(2))
	require.EqualValues(t, 6, e.hwm(2))
}

// An HWM above the log end (topic deleted and recreated) stops that partition
// with an error; it is never skipped ahead, and the other partitions go on.
func TestTruncatedTopicStopsThePartition(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 2)
	e.produce(0, 10)
	e.produce(1, 10)
	stop := e.run(e.consumer(e.config("trunc"), store))
	e.waitCount(20)
	stop()

	e.kafka.DeleteTopic(t, e.topic)
	e.kafka.CreateTopic(t, e.topic, 2)
	e.resetProducer()
	e.produce(0, 3)  // log end 3 < HWM+1 = 10
	e.produce(1, 12) // log end 12: offsets 10 and 11 are new to us

	c := e.consumer(e.config("trunc"), store)
	e.run(c)
	e.waitCount(22)
	require.Equal(t, []TopicPartition{{Topic: e.topic, Partition: 0}}, c.Stopped())
	require.EqualValues(t, 1, metric(t, c.m.partition(e.topic, 0).stopped))
	require.EqualValues(t, 9, e.hwm(0), "a stopped partition's hwm must not move")
	require.Equal(t, span(0, 9), e.stored(0))
	require.Equal(t, span(0, 11), e.stored(1))
}
