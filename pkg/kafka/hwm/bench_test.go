package hwm

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/navikt/kafkapg/pkg/kafka/kafkatest"
)

const copyBench = `COPY bench_records (version, kafka_partition, kafka_offset, record_key, data) FROM STDIN`

// copyRows is the bulk insert both sides of the benchmark use.
func copyRows(ctx context.Context, tx *sqlx.Tx, partition int32, records []*sarama.ConsumerMessage) error {
	stmt, err := tx.PrepareContext(ctx, copyBench)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, r := range records {
		if _, err := stmt.ExecContext(ctx, version, partition, r.Offset, r.Key, r.Value); err != nil {
			return err
		}
	}
	_, err = stmt.ExecContext(ctx)
	return err
}

// BenchmarkConsumerVersusCopy moves 1M records of ~300 bytes from Kafka into a
// table through the Consumer, and compares that with the physical floor: one
// plain COPY of the same rows into the same table, in the same run.
func BenchmarkConsumerVersusCopy(b *testing.B) {
	const (
		partitions = 4
		perPart    = 250_000
		total      = partitions * perPart
	)
	ctx := context.Background()
	db := server.NewDB(b, migrations, "testdata/migrations")
	k := newBenchKafka(b, partitions)

	// The rows as the consumer will see them.
	value := []byte(strings.Repeat("x", 280))
	records := make([][]*sarama.ConsumerMessage, partitions)
	for p := range records {
		records[p] = make([]*sarama.ConsumerMessage, perPart)
		for i := range records[p] {
			records[p][i] = &sarama.ConsumerMessage{Offset: int64(i), Key: []byte(fmt.Sprintf("%08d", i)), Value: value}
		}
	}
	k.produceAll(b, records, value)

	for i := 0; i < b.N; i++ {
		// Floor: one COPY of every row.
		start := time.Now()
		tx := db.MustBeginTx(ctx, nil)
		for p := range records {
			require.NoError(b, copyRows(ctx, tx, int32(p), records[p]))
		}
		require.NoError(b, tx.Commit())
		copyRate := float64(total) / time.Since(start).Seconds()
		db.MustExec(`TRUNCATE bench_records`)

		// The consumer, from an empty HWM table to the last record committed.
		db.MustExec(`TRUNCATE stream_hwm`)
		reg := prometheus.NewRegistry()
		c, err := New(db, Config{
			Brokers: k.addrs, Sarama: k.config(), GroupID: fmt.Sprintf("bench-%d", i), Topics: []string{"bench"},
			Version: version, Table: table, MaxBatch: 5000, Registerer: reg, Logger: zap.NewNop(),
		}, func(ctx context.Context, tx *sqlx.Tx, b Batch) error {
			return copyRows(ctx, tx, b.Partition, b.Records)
		})
		require.NoError(b, err)
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		start = time.Now()
		go func() { done <- c.Run(runCtx) }()
		for sum(c.m.written) < total {
			time.Sleep(5 * time.Millisecond) // polling a counter; the wait is what is measured
		}
		hwmRate := float64(total) / time.Since(start).Seconds()
		cancel()
		require.NoError(b, <-done)
		var n int
		require.NoError(b, db.Get(&n, `SELECT count(*) FROM bench_records`))
		require.Equal(b, total, n)
		db.MustExec(`TRUNCATE bench_records`)

		b.ReportMetric(hwmRate, "hwm_records/s")
		b.ReportMetric(copyRate, "copy_records/s")
		fmt.Printf("hwm_records_per_s=%.0f\ncopy_records_per_s=%.0f\nhwm_vs_copy_ratio=%.2f\n", hwmRate, copyRate, hwmRate/copyRate)
	}
}

// sum adds up every series of a counter vector.
func sum(c prometheus.Collector) float64 {
	ch := make(chan prometheus.Metric, 64)
	go func() { c.Collect(ch); close(ch) }()
	var total float64
	for m := range ch {
		var d dto.Metric
		if err := m.Write(&d); err == nil && d.Counter != nil {
			total += d.Counter.GetValue()
		}
	}
	return total
}

type benchKafka struct {
	cluster *kafkatest.Cluster
	addrs   []string
	tb      testing.TB
}

func newBenchKafka(tb testing.TB, partitions int32) *benchKafka {
	k := kafkatest.New(tb)
	k.CreateTopic(tb, "bench", partitions)
	return &benchKafka{cluster: k, addrs: k.Addrs(), tb: tb}
}

func (k *benchKafka) config() *sarama.Config {
	cfg := k.cluster.SaramaConfig(k.tb)
	cfg.Consumer.Fetch.Default = 4 << 20
	return cfg
}

// produceAll writes the records with an async producer, the fastest way in.
func (k *benchKafka) produceAll(tb testing.TB, records [][]*sarama.ConsumerMessage, value []byte) {
	cfg := k.cluster.SaramaConfig(tb)
	cfg.Producer.Return.Successes = false
	cfg.Producer.Partitioner = sarama.NewManualPartitioner
	p, err := sarama.NewAsyncProducer(k.addrs, cfg)
	require.NoError(tb, err)
	for part, rs := range records {
		for _, r := range rs {
			p.Input() <- &sarama.ProducerMessage{Topic: "bench", Partition: int32(part), Key: sarama.ByteEncoder(r.Key), Value: sarama.ByteEncoder(value)}
		}
	}
	require.NoError(tb, p.Close())
	for part, rs := range records {
		_, newest := k.cluster.Offsets(tb, "bench", int32(part))
		require.EqualValues(tb, len(rs), newest, "partition %d", part)
	}
}
