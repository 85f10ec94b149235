package hwm

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/zap/zaptest"

	"github.com/navikt/kafkapg/pkg/kafka"
	"github.com/navikt/kafkapg/pkg/kafka/kafkatest"
	"github.com/navikt/kafkapg/pkg/pg/pgtest"
)

var (
	//go:embed testdata/migrations/*.sql
	migrations embed.FS
	server     *pgtest.Server
)

func TestMain(m *testing.M) { pgtest.Main(m, &server) }

const (
	table   = "stream_hwm"
	version = 1
	waitFor = 30 * time.Second
	tick    = 10 * time.Millisecond
)

// env is one test's database and Kafka cluster.
type env struct {
	t     *testing.T
	db    *sqlx.DB
	kafka *kafkatest.Cluster
	topic string
	once  sync.Once
	prod  *kafka.Producer
}

func newEnv(t *testing.T, partitions int32) *env {
	t.Helper()
	e := &env{t: t, db: server.NewDB(t, migrations, "testdata/migrations"), kafka: kafkatest.New(t), topic: "events"}
	e.kafka.CreateTopic(t, e.topic, partitions)
	return e
}

func (e *env) config(group string) Config {
	sc := e.kafka.SaramaConfig(e.t)
	sc.Metadata.RefreshFrequency = 200 * time.Millisecond
	return Config{
		Brokers:      e.kafka.Addrs(),
		Sarama:       sc,
		GroupID:      group,
		Topics:       []string{e.topic},
		Version:      version,
		Table:        table,
		MaxWait:      5 * time.Millisecond,
		RetryBackoff: 20 * time.Millisecond,
		Logger:       zaptest.NewLogger(e.t),
		Registerer:   prometheus.NewRegistry(),
	}
}

// store is the plain handler: one row per record.
func store(ctx context.Context, tx *sqlx.Tx, b Batch) error {
	for _, r := range b.Records {
		if _, err := tx.ExecContext(ctx, `INSERT INTO records VALUES ($1, $2, $3, $4, $5)`,
			version, b.Topic, b.Partition, r.Offset, r.Value); err != nil {
			return err
		}
	}
	return nil
}

func (e *env) consumer(cfg Config, h Handler) *Consumer {
	c, err := New(e.db, cfg, h)
	require.NoError(e.t, err)
	return c
}

// run starts c and returns a stop function that cancels it and waits for Run to
// return nil. It is also called at the end of the test.
func (e *env) run(c *Consumer) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				require.NoError(e.t, err)
			case <-time.After(waitFor):
				e.t.Errorf("Run did not return after cancel")
			}
		})
	}
	e.t.Cleanup(stop)
	return stop
}

// producer returns the env's producer, which honours ProducerMessage.Partition.
func (e *env) producer() *kafka.Producer {
	e.once.Do(func() {
		sc := e.kafka.SaramaConfig(e.t)
		sc.Producer.Partitioner = sarama.NewManualPartitioner
		p, err := kafka.NewProducerFromSarama(e.kafka.Addrs(), sc)
		require.NoError(e.t, err)
		e.t.Cleanup(func() { _ = p.Close() })
		e.prod = p
	})
	return e.prod
}

// resetProducer drops the producer: an idempotent producer's sequence numbers
// do not survive the topic being deleted and created again.
func (e *env) resetProducer() {
	if e.prod != nil {
		require.NoError(e.t, e.prod.Close())
	}
	e.once, e.prod = sync.Once{}, nil
}

// produce writes n records to partition p and returns their offsets.
func (e *env) produce(p int32, n int) []int64 {
	msgs := make([]*sarama.ProducerMessage, n)
	for i := range msgs {
		msgs[i] = &sarama.ProducerMessage{Topic: e.topic, Partition: p, Value: sarama.StringEncoder(fmt.Sprintf("p%d-%d", p, i))}
	}
	require.NoError(e.t, e.producer().Send(context.Background(), msgs...))
	offsets := make([]int64, n)
	for i, m := range msgs {
		require.Equal(e.t, p, m.Partition, "record went to another partition")
		offsets[i] = m.Offset
	}
	return offsets
}

func (e *env) count() int {
	var n int
	require.NoError(e.t, e.db.Get(&n, `SELECT count(*) FROM records`))
	return n
}

func (e *env) waitCount(want int) {
	e.t.Helper()
	require.Eventually(e.t, func() bool { return e.count() >= want }, waitFor, tick, "want %d rows", want)
	require.Equal(e.t, want, e.count())
}

// stored returns the stored offsets of partition p in order, duplicates kept.
func (e *env) stored(p int32) []int64 {
	var offsets []int64
	require.NoError(e.t, e.db.Select(&offsets,
		`SELECT kafka_offset FROM records WHERE kafka_topic = $1 AND kafka_partition = $2 ORDER BY kafka_offset`, e.topic, p))
	return offsets
}

func (e *env) hwm(p int32) int64 {
	var off int64
	require.NoError(e.t, e.db.Get(&off,
		`SELECT kafka_offset FROM stream_hwm WHERE version = $1 AND kafka_topic = $2 AND kafka_partition = $3`, version, e.topic, p))
	return off
}

func (e *env) setHWM(p int32, off int64) {
	_, err := e.db.Exec(`INSERT INTO stream_hwm VALUES ($1, $2, $3, $4)
		ON CONFLICT (version, kafka_topic, kafka_partition) DO UPDATE SET kafka_offset = excluded.kafka_offset`,
		version, e.topic, p, off)
	require.NoError(e.t, err)
}

// commitGroupOffset commits an offset for group the way another client might
// have, with a simple (generation -1) commit.
func (e *env) commitGroupOffset(group string, p int32, off int64) {
	client, err := sarama.NewClient(e.kafka.Addrs(), e.kafka.SaramaConfig(e.t))
	require.NoError(e.t, err)
	defer client.Close()
	coord, err := client.Coordinator(group)
	require.NoError(e.t, err)
	req := &sarama.OffsetCommitRequest{Version: 2, ConsumerGroup: group, ConsumerGroupGeneration: -1, RetentionTime: -1}
	req.AddBlock(e.topic, p, off, 0, "")
	resp, err := coord.CommitOffset(req)
	require.NoError(e.t, err)
	for _, byPartition := range resp.Errors {
		for _, kerr := range byPartition {
			require.Equal(e.t, sarama.ErrNoError, kerr)
		}
	}
}

func span(from, to int64) []int64 {
	var out []int64
	for o := from; o <= to; o++ {
		out = append(out, o)
	}
	return out
}

func metric(t *testing.T, c prometheus.Collector) float64 {
	t.Helper()
	return testutil.ToFloat64(c)
}

func TestDDLMatchesTestSchema(t *testing.T) {
	t.Parallel()
	b, err := migrations.ReadFile("testdata/migrations/000001_init.up.sql")
	require.NoError(t, err)
	require.Contains(t, string(b), DDL(table))
}

func TestConfigValidation(t *testing.T) {
	t.Parallel()
	valid := Config{Brokers: []string{"x:9092"}, Sarama: sarama.NewConfig(), GroupID: "g", Topics: []string{"t"}, Table: "hwm"}
	cases := map[string]struct {
		mutate func(*Config)
		want   string
	}{
		"no brokers":       {func(c *Config) { c.Brokers = nil }, "Brokers"},
		"no sarama config": {func(c *Config) { c.Sarama = nil }, "Sarama"},
		"no group":         {func(c *Config) { c.GroupID = "" }, "GroupID"},
		"no topics":        {func(c *Config) { c.Topics = nil }, "Topics"},
		"negative version": {func(c *Config) { c.Version = -1 }, "Version"},
		"table injection":  {func(c *Config) { c.Table = "hwm; DROP TABLE x" }, "table name"},
		"upper-case table": {func(c *Config) { c.Table = "Hwm" }, "table name"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := valid
			tc.mutate(&cfg)
			_, err := New(nil, cfg, store)
			require.ErrorContains(t, err, tc.want)
		})
	}
	valid.Registerer = prometheus.NewRegistry()
	valid.Table = "backup.stream_hwm"
	_, err := New(nil, valid, store)
	require.NoError(t, err)
}

// A restart resumes at HWM+1, whatever the group committed, and nothing is ever
// committed to Kafka.
func TestResumesAtHWMPlusOneAndNeverCommits(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 2)
	const group = "resume"
	e.produce(0, 20)
	e.produce(1, 20)
	e.setHWM(0, 4) // as if offsets 0..4 were stored by an earlier run
	e.commitGroupOffset(group, 0, 15)
	e.commitGroupOffset(group, 1, 15)
	commits := e.kafka.CountRequests(kmsg.OffsetCommit)

	stop := e.run(e.consumer(e.config(group), store))
	e.waitCount(15 + 20)
	stop()
	require.Equal(t, span(5, 19), e.stored(0))
	require.Equal(t, span(0, 19), e.stored(1))
	require.EqualValues(t, 19, e.hwm(0))
	require.EqualValues(t, 19, e.hwm(1))

	e.produce(0, 10)
	e.produce(1, 5)
	stop = e.run(e.consumer(e.config(group), store))
	e.waitCount(35 + 15)
	stop()
	require.Equal(t, span(5, 29), e.stored(0))
	require.Equal(t, span(0, 24), e.stored(1))
	require.Zero(t, commits(), "OffsetCommit requests sent to Kafka")
}

// Re-delivered records (at or below the HWM) reach the handler never again.
func TestRedeliveredRecordsWriteNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	c := e.consumer(e.config("redeliver"), store)
	tp := TopicPartition{Topic: e.topic, Partition: 0}
	_, err := e.db.Exec(c.sql.ensure, version, e.topic, 0)
	require.NoError(t, err)
	pm := c.m.partition(tp.Topic, tp.Partition)
	records := func(from, to int64) []*sarama.ConsumerMessage {
		var out []*sarama.ConsumerMessage
		for o := from; o <= to; o++ {
			out = append(out, &sarama.ConsumerMessage{Topic: e.topic, Offset: o, Value: []byte("v")})
		}
		return out
	}
	ctx := context.Background()

	hwm, err := c.write(ctx, tp, records(0, 9), pm)
	require.NoError(t, err)
	require.EqualValues(t, 9, hwm)

	hwm, err = c.write(ctx, tp, records(5, 14), pm) // overlaps
	require.NoError(t, err)
	require.EqualValues(t, 14, hwm)

	hwm, err = c.write(ctx, tp, records(0, 14), pm) // all old
	require.NoError(t, err)
	require.EqualValues(t, 14, hwm)

	require.Equal(t, span(0, 14), e.stored(0))
	require.EqualValues(t, 14, e.hwm(0))
	require.EqualValues(t, 15, metric(t, pm.written))
	require.EqualValues(t, 5+15, metric(t, pm.duplicates))
}

// A handler error rolls back the rows and the HWM together; the batch is then
// retried and lands exactly once.
func TestHandlerErrorRollsBackRowsAndHWM(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	e.produce(0, 10)

	calls := 0
	retrying := make(chan struct{})
	proceed := make(chan struct{})
	h := func(ctx context.Context, tx *sqlx.Tx, b Batch) error {
		calls++ // one partition: calls are sequential
		switch calls {
		case 1:
			if err := store(ctx, tx, b); err != nil {
				return err
			}
			return fmt.Errorf("injected failure after writing %d rows", len(b.Records))
		case 2:
			close(retrying)
			<-proceed
		}
		return store(ctx, tx, b)
	}
	c := e.consumer(e.config("rollback"), h)
	e.run(c)

	<-retrying // the failed attempt has been rolled back; the retry waits
	require.Zero(t, e.count(), "rows of the failed batch are visible")
	require.EqualValues(t, -1, e.hwm(0), "hwm moved although the batch failed")
	require.EqualValues(t, 1, metric(t, c.m.partition(e.topic, 0).failures))
	close(proceed)

	e.waitCount(10)
	require.Equal(t, span(0, 9), e.stored(0))
	require.EqualValues(t, 9, e.hwm(0))
}

// A handler error wrapped with Fatal is not retried: the batch is rolled back
// and Run returns the error.
func TestFatalHandlerErrorStopsRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	e.produce(0, 3)
	poison := errors.New("record can never be stored")
	calls := 0
	c := e.consumer(e.config("fatal"), func(ctx context.Context, tx *sqlx.Tx, b Batch) error {
		calls++
		if err := store(ctx, tx, b); err != nil {
			return err
		}
		return Fatal(poison)
	})
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	err := c.Run(ctx)
	require.ErrorIs(t, err, poison)
	require.True(t, IsFatal(err))
	require.Equal(t, 1, calls, "a fatal batch must not be retried")
	require.Zero(t, e.count())
	require.EqualValues(t, -1, e.hwm(0))
}

// A partition loop stuck inside a batch is reported by Stalled, naming the
// partition; once it moves again, Stalled is quiet.
func TestStalledNamesAPartitionWhoseLoopDoesNotMove(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	e.produce(0, 3)
	stuck := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	c := e.consumer(e.config("stall"), func(ctx context.Context, tx *sqlx.Tx, b Batch) error {
		once.Do(func() {
			close(stuck)
			<-release
		})
		return store(ctx, tx, b)
	})
	e.run(c)
	<-stuck
	require.Eventually(t, func() bool {
		err := c.Stalled(50 * time.Millisecond)
		return err != nil && strings.Contains(err.Error(), e.topic+"/0")
	}, waitFor, tick)
	close(release)
	e.waitCount(3)
	require.Eventually(t, func() bool { return c.Stalled(time.Second) == nil }, waitFor, tick)
}
