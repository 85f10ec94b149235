// Package backuptest is the tests' fixture: an embedded Kafka with the three
// topics, a migrated database of the test's own, a service configuration for
// both, and helpers to produce records and read back what was stored.
//
// It is imported by tests only.
package backuptest

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/navikt/kafkapg/pkg/kafka/kafkatest"
	"github.com/navikt/kafkapg/pkg/pg"
	"github.com/navikt/kafkapg/pkg/pg/pgtest"
	"github.com/navikt/kafkapg/services/hendelselogg-backup/internal/backup"
	"github.com/navikt/kafkapg/services/hendelselogg-backup/internal/config"
	"github.com/navikt/kafkapg/services/hendelselogg-backup/internal/headers"
	"github.com/navikt/kafkapg/services/hendelselogg-backup/migrations"
)

// WaitFor bounds every wait on progress.
const WaitFor = 60 * time.Second

// Tick is how often a wait looks again.
const Tick = 10 * time.Millisecond

// Env is one test's Kafka and database.
type Env struct {
	T      testing.TB
	Kafka  *kafkatest.Cluster
	DB     *sqlx.DB
	DBURL  string
	Topics config.Topics

	mu       sync.Mutex
	produced map[TP]int64 // last produced offset per partition
}

// TP names a partition.
type TP struct {
	Topic     string
	Partition int32
}

// New creates the topics with partitions partitions each on a new embedded
// Kafka, and a migrated database on server.
func New(t testing.TB, server *pgtest.Server, partitions int32) *Env {
	t.Helper()
	url := server.NewDBURL(t, migrations.FS, migrations.Dir)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db, err := pg.Open(ctx, pg.Config{URL: url, MaxOpenConns: 20})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	e := &Env{
		T: t, Kafka: kafkatest.New(t), DB: db, DBURL: url,
		Topics: config.Topics{
			Hendelse:    config.DefaultHendelseTopic,
			Bekreftelse: config.DefaultBekreftelseTopic,
			PaaVegneAv:  config.DefaultPaaVegneAvTopic,
		},
		produced: map[TP]int64{},
	}
	for _, topic := range e.Topics.All() {
		e.Kafka.CreateTopic(t, topic, partitions)
	}
	return e
}

// Config is a service configuration for this environment with short
// timeouts and backoffs.
func (e *Env) Config() config.Config {
	return config.Config{
		Topics:           e.Topics,
		Version:          config.CurrentVersion,
		MaxBatch:         500,
		MaxWait:          5 * time.Millisecond,
		RetryBackoff:     20 * time.Millisecond,
		MaxRetryBackoff:  300 * time.Millisecond,
		SessionTimeout:   1500 * time.Millisecond,
		RebalanceTimeout: 3 * time.Second,
		FetchBytes:       config.DefaultFetchBytes,
		Port:             "0",
		AuthDisabled:     true,
		Kafka:            e.Kafka.Config(),
		DB:               pg.Config{URL: e.DBURL},
	}
}

// Env is the environment of a service process for this Kafka and database.
func (e *Env) Env(cfg config.Config) []string {
	return []string{
		"KAFKA_BROKERS=" + e.Kafka.Addrs()[0],
		"DB_URL=" + e.DBURL,
		config.EnvHendelseTopic + "=" + cfg.Topics.Hendelse,
		config.EnvBekreftelseTopic + "=" + cfg.Topics.Bekreftelse,
		config.EnvPaaVegneAvTopic + "=" + cfg.Topics.PaaVegneAv,
		fmt.Sprintf("%s=%d", config.EnvVersion, cfg.Version),
		fmt.Sprintf("%s=%t", config.EnvStrict, cfg.Strict),
		fmt.Sprintf("%s=%d", config.EnvMaxBatch, cfg.MaxBatch),
		config.EnvMaxWait + "=" + cfg.MaxWait.String(),
		config.EnvRetryBackoff + "=" + cfg.RetryBackoff.String(),
		config.EnvMaxRetryBackoff + "=" + cfg.MaxRetryBackoff.String(),
		config.EnvSessionTimeout + "=" + cfg.SessionTimeout.String(),
		config.EnvRebalanceTimeout + "=" + cfg.RebalanceTimeout.String(),
		config.EnvAuthDisabledLocal + "=true",
		"LOG_FORMAT=json",
	}
}

// Sarama is the service's client configuration for cfg, with the embedded
// Kafka's test timeouts.
func (e *Env) Sarama(cfg config.Config) *sarama.Config {
	sc := e.Kafka.SaramaConfig(e.T)
	backup.Tune(sc, cfg)
	return sc
}

// Running is a service started by Start.
type Running struct {
	Service  *backup.Service
	Registry *prometheus.Registry
	done     chan struct{} // closed when Run has returned
	err      error         // what Run returned, once done is closed
	cancel   context.CancelFunc
}

// Start runs the backup service in-process, as serve does (HWM rows first,
// then the consumer), until the test ends or Stop is called.
func (e *Env) Start(cfg config.Config, log *zap.Logger) *Running {
	e.T.Helper()
	if log == nil {
		log = zap.NewNop()
	}
	reg := prometheus.NewRegistry()
	svc, err := backup.New(cfg, e.DB, e.Sarama(cfg), log, reg)
	require.NoError(e.T, err)
	ctx, cancel := context.WithCancel(context.Background())
	require.NoError(e.T, svc.InitHWM(ctx))
	r := &Running{Service: svc, Registry: reg, done: make(chan struct{}), cancel: cancel}
	go func() {
		r.err = svc.Run(ctx)
		close(r.done)
	}()
	e.T.Cleanup(func() { _ = r.Stop() })
	return r
}

// Stop cancels the service and returns what Run returned.
func (r *Running) Stop() error {
	r.cancel()
	return r.Wait()
}

// Wait waits for Run to return (by itself, as in strict mode, or after Stop)
// and returns its error.
func (r *Running) Wait() error {
	select {
	case <-r.done:
		return r.err
	case <-time.After(WaitFor):
		return errors.New("the service did not return from Run")
	}
}

// Record is what a test produces.
type Record struct {
	Topic     string
	Partition int32
	Key       []byte // nil: null key
	Value     []byte // nil: null value
	Headers   []sarama.RecordHeader
	Timestamp time.Time
}

// Key8 is an 8-byte big-endian long key.
func Key8(n int64) []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(n))
}

// Produce sends the records to their partitions and returns their offsets.
func (e *Env) Produce(recs ...Record) []int64 {
	e.T.Helper()
	msgs := make([]*sarama.ProducerMessage, len(recs))
	for i, r := range recs {
		m := &sarama.ProducerMessage{Topic: r.Topic, Partition: r.Partition, Headers: r.Headers, Timestamp: r.Timestamp}
		if r.Key != nil {
			m.Key = sarama.ByteEncoder(r.Key)
		}
		if r.Value != nil {
			m.Value = sarama.ByteEncoder(r.Value)
		}
		msgs[i] = m
	}
	// The shared producer partitions by key; pinning needs a manual one.
	p, err := sarama.NewSyncProducer(e.Kafka.Addrs(), e.manualProducerConfig())
	require.NoError(e.T, err)
	defer p.Close()
	require.NoError(e.T, p.SendMessages(msgs))
	offsets := make([]int64, len(msgs))
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, m := range msgs {
		require.Equal(e.T, recs[i].Partition, m.Partition)
		offsets[i] = m.Offset
		tp := TP{m.Topic, m.Partition}
		if last, ok := e.produced[tp]; !ok || m.Offset > last {
			e.produced[tp] = m.Offset
		}
	}
	return offsets
}

func (e *Env) manualProducerConfig() *sarama.Config {
	sc := e.Kafka.SaramaConfig(e.T)
	sc.Producer.Partitioner = sarama.NewManualPartitioner
	sc.Producer.RequiredAcks = sarama.WaitForAll
	sc.Producer.Return.Successes = true
	sc.Producer.Idempotent = true
	sc.Net.MaxOpenRequests = 1
	return sc
}

// Produced returns the last offset produced to each partition so far.
func (e *Env) Produced() map[TP]int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[TP]int64, len(e.produced))
	for k, v := range e.produced {
		out[k] = v
	}
	return out
}

// NoteProduced records offsets produced by other means (an async producer).
func (e *Env) NoteProduced(tp TP, last int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if cur, ok := e.produced[tp]; !ok || last > cur {
		e.produced[tp] = last
	}
}

// HWM returns the stored high-water mark, or -2 when there is no row.
func (e *Env) HWM(version int16, topic string, partition int32) int64 {
	var off int64
	err := e.DB.Get(&off, `SELECT kafka_offset FROM `+backup.TableHWM+
		` WHERE version = $1 AND kafka_topic = $2 AND kafka_partition = $3`, version, topic, partition)
	if errors.Is(err, sql.ErrNoRows) {
		return -2
	}
	require.NoError(e.T, err)
	return off
}

// WaitCaughtUp waits until every partition produced to has its HWM at the
// last produced offset (for version).
func (e *Env) WaitCaughtUp(version int16) {
	e.T.Helper()
	want := e.Produced()
	require.Eventually(e.T, func() bool {
		for tp, last := range want {
			if e.HWM(version, tp.Topic, tp.Partition) < last {
				return false
			}
		}
		return true
	}, WaitFor, Tick, "the backup did not catch up with %v", want)
}

// Stored is one stored record, from a data table or from quarantine.
type Stored struct {
	Table     string
	Key       []byte
	Value     []byte
	Headers   []sarama.RecordHeader
	Timestamp sql.NullInt64
	Error     string // quarantine only
}

// Offset names one record.
type Offset struct {
	Topic     string
	Partition int32
	Offset    int64
}

// StoredRows reads every record stored for version, keyed by its offset. A
// record stored twice fails the test.
func (e *Env) StoredRows(version int16) map[Offset]Stored {
	e.T.Helper()
	out := map[Offset]Stored{}
	add := func(o Offset, s Stored) {
		prev, dup := out[o]
		require.False(e.T, dup, "offset %v is stored twice: in %s and %s", o, prev.Table, s.Table)
		out[o] = s
	}
	type row struct {
		Partition int32          `db:"kafka_partition"`
		Offset    int64          `db:"kafka_offset"`
		Topic     sql.NullString `db:"kafka_topic"`
		Key       []byte         `db:"key"`
		Value     []byte         `db:"value"`
		Headers   []byte         `db:"headers"`
		Timestamp sql.NullInt64  `db:"timestamp"`
		Error     sql.NullString `db:"error"`
	}
	queries := []struct{ table, topic, q string }{
		{backup.TableHendelser, e.Topics.Hendelse, `SELECT kafka_partition, kafka_offset, int8send(record_key) AS key, value, headers, timestamp FROM bekreftelse_hendelser WHERE version = $1`},
		{backup.TableBekreftelser, e.Topics.Bekreftelse, `SELECT kafka_partition, kafka_offset, int8send(record_key) AS key, data AS value, headers, timestamp FROM bekreftelser WHERE version = $1`},
		{backup.TablePaaVegneAv, e.Topics.PaaVegneAv, `SELECT kafka_partition, kafka_offset, int8send(record_key) AS key, data AS value, headers, timestamp FROM bekreftelse_paa_vegne_av WHERE version = $1`},
		{backup.TableQuarantine, "", `SELECT kafka_topic, kafka_partition, kafka_offset, key, value, headers, timestamp, error FROM backup_quarantine WHERE version = $1`},
	}
	for _, q := range queries {
		var rows []row
		require.NoError(e.T, e.DB.Select(&rows, q.q, version))
		for _, r := range rows {
			topic := q.topic
			if r.Topic.Valid {
				topic = r.Topic.String
			}
			hs, err := headers.Decode(r.Headers)
			require.NoError(e.T, err)
			add(Offset{topic, r.Partition, r.Offset}, Stored{Table: q.table, Key: r.Key, Value: r.Value, Headers: hs, Timestamp: r.Timestamp, Error: r.Error.String})
		}
	}
	return out
}

// Count returns the rows of a table for version.
func (e *Env) Count(table string, version int16) int {
	var n int
	require.NoError(e.T, e.DB.Get(&n, `SELECT count(*) FROM `+table+` WHERE version = $1`, version))
	return n
}

// ConsumeAll reads every record Kafka holds in a partition.
func (e *Env) ConsumeAll(topic string, partition int32) []*sarama.ConsumerMessage {
	e.T.Helper()
	oldest, newest := e.Kafka.Offsets(e.T, topic, partition)
	if newest <= oldest {
		return nil
	}
	var out []*sarama.ConsumerMessage
	// With offset gaps the number of records is not newest-oldest; read until
	// the last offset shows up.
	sc := e.Kafka.SaramaConfig(e.T)
	c, err := sarama.NewConsumer(e.Kafka.Addrs(), sc)
	require.NoError(e.T, err)
	defer c.Close()
	pc, err := c.ConsumePartition(topic, partition, oldest)
	require.NoError(e.T, err)
	defer pc.AsyncClose()
	deadline := time.After(WaitFor)
	for {
		select {
		case m := <-pc.Messages():
			out = append(out, m)
			if m.Offset >= newest-1 {
				return out
			}
		case err := <-pc.Errors():
			require.NoError(e.T, err)
		case <-time.After(2 * time.Second):
			// The remaining offsets are control records, which consumers never see.
			return out
		case <-deadline:
			require.FailNow(e.T, "consume timed out", "%s/%d", topic, partition)
		}
	}
}

// RequireStoredExactly checks that every record Kafka holds in the topics is
// stored once for version with its key, value, headers and timestamp, and
// nothing else is stored.
func (e *Env) RequireStoredExactly(version int16, partitions int32) map[Offset]Stored {
	e.T.Helper()
	stored := e.StoredRows(version)
	seen := 0
	for _, topic := range e.Topics.All() {
		for p := range partitions {
			for _, m := range e.ConsumeAll(topic, p) {
				o := Offset{topic, p, m.Offset}
				s, ok := stored[o]
				require.True(e.T, ok, "offset %v is not stored", o)
				seen++
				RequireSameRecord(e.T, m, s, o)
			}
		}
	}
	require.Len(e.T, stored, seen, "rows that Kafka does not hold")
	return stored
}

// RequireSameRecord compares a record with its stored form.
func RequireSameRecord(t testing.TB, m *sarama.ConsumerMessage, s Stored, o Offset) {
	t.Helper()
	require.Equal(t, m.Key == nil, s.Key == nil, "key null-ness of %v", o)
	require.Equal(t, m.Key, s.Key, "key of %v", o)
	require.Equal(t, m.Value == nil, s.Value == nil, "value null-ness of %v", o)
	require.Equal(t, m.Value, s.Value, "value of %v", o)
	require.Equal(t, Headers(m.Headers), s.Headers, "headers of %v", o)
	require.True(t, s.Timestamp.Valid, "timestamp of %v", o)
	require.Equal(t, m.Timestamp.UnixMilli(), s.Timestamp.Int64, "timestamp of %v", o)
}

// Headers copies sarama's header pointers into values, for comparisons.
func Headers(hs []*sarama.RecordHeader) []sarama.RecordHeader {
	out := make([]sarama.RecordHeader, 0, len(hs))
	for _, h := range hs {
		out = append(out, *h)
	}
	if len(out) == 0 {
		return []sarama.RecordHeader{}
	}
	return out
}

// SortedOffsets lists the stored offsets of a partition in order.
func SortedOffsets(stored map[Offset]Stored, topic string, partition int32) []int64 {
	var out []int64
	for o := range stored {
		if o.Topic == topic && o.Partition == partition {
			out = append(out, o.Offset)
		}
	}
	slices.Sort(out)
	return out
}

// ConsumerGroups lists the consumer groups Kafka knows.
func (e *Env) ConsumerGroups() map[string]string {
	e.T.Helper()
	sc := e.Kafka.SaramaConfig(e.T)
	sc.Metadata.Full = true // a ClusterAdmin needs some metadata to start
	admin, err := sarama.NewClusterAdmin(e.Kafka.Addrs(), sc)
	require.NoError(e.T, err)
	defer admin.Close()
	groups, err := admin.ListConsumerGroups()
	require.NoError(e.T, err)
	return groups
}
