package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/services/hendelselogg-backup/internal/backup"
	bt "github.com/navikt/kafkapg/services/hendelselogg-backup/internal/backuptest"
	"github.com/navikt/kafkapg/services/hendelselogg-backup/internal/hendelse"
)

// Sizes of the benchmark: over half a million records on the three topics.
const (
	benchPartitions = 4
	benchHendelser  = 220_000
	benchAvro       = 150_000 // on each of the two Avro topics
)

// benchMemoryLimit is the soft memory limit the service runs with, as in
// the NAIS manifests.
const benchMemoryLimit = "40MiB"

// BenchmarkBackup backs up 520 000 records with the real binary and compares
// its rate with the physical floor measured in the same run: one plain COPY
// per table of exactly the rows the backup writes, into the same (empty)
// tables. It prints backup_records_per_s, backup_vs_copy_ratio and
// backup_peak_rss_mib (VmHWM of the service process).
func BenchmarkBackup(b *testing.B) {
	e := bt.New(b, server, benchPartitions)
	records := benchRecords(e)
	total := 0
	for _, rs := range records {
		total += len(rs)
	}
	produceAll(b, e, records)

	for i := 0; i < b.N; i++ {
		// The floor: COPY of the same rows, prepared beforehand, one
		// transaction per table; the better of two tries, so that a hiccup
		// of the machine does not flatter the ratio.
		copyRate := 0.0
		for range 2 {
			copyRate = max(copyRate, benchCopy(b, e, records, total))
			truncate(b, e)
		}

		cfg := e.Config()
		cfg.MaxBatch = 2000
		cfg.MaxWait = 20 * time.Millisecond
		env := append(e.Env(cfg), "GOMEMLIMIT="+benchMemoryLimit, "LOG_LEVEL=warn")
		start := time.Now()
		p := startBench(b, env)
		waitBackedUp(b, e, p)
		elapsed := time.Since(start)
		rss := peakRSS(b, p)
		require.Equal(b, 0, p.term())

		stored := 0
		for _, table := range []string{"bekreftelse_hendelser", "bekreftelser", "bekreftelse_paa_vegne_av", "backup_quarantine"} {
			stored += e.Count(table, 1)
		}
		require.Equal(b, total, stored)
		truncate(b, e)

		rate := float64(total) / elapsed.Seconds()
		b.ReportMetric(rate, "records/s")
		b.ReportMetric(rss, "peak_rss_MiB")
		fmt.Printf("backup_records=%d\ncopy_records_per_s=%.0f\n", total, copyRate)
		fmt.Printf("backup_records_per_s=%.0f\nbackup_vs_copy_ratio=%.2f\nbackup_peak_rss_mib=%.1f\n", rate, rate/copyRate, rss)
	}
}

// benchRecords builds the records per (topic, partition), as the consumer
// will see them (offsets from 0).
func benchRecords(e *bt.Env) map[bt.TP][]*sarama.ConsumerMessage {
	rnd := rand.New(rand.NewPCG(42, 42))
	types := hendelse.TypeNames()
	at := time.UnixMilli(1_742_810_000_000)
	out := map[bt.TP][]*sarama.ConsumerMessage{}
	add := func(topic string, n int, value func(i int) []byte) {
		for i := range n {
			tp := bt.TP{Topic: topic, Partition: int32(i % benchPartitions)}
			ts := at.Add(time.Duration(i) * time.Millisecond)
			out[tp] = append(out[tp], &sarama.ConsumerMessage{
				Topic: topic, Partition: tp.Partition, Offset: int64(len(out[tp])),
				Key: bt.Key8(int64(rnd.Uint64())), Value: value(i), Timestamp: ts,
				Headers: []*sarama.RecordHeader{{Key: []byte("traceparent"),
					Value: fmt.Appendf(nil, "00-%016x%016x-%016x-01", rnd.Uint64(), rnd.Uint64(), rnd.Uint64())}},
			})
		}
	}
	add(e.Topics.Hendelse, benchHendelser, func(i int) []byte {
		v, _ := hendelse.Sample(rnd, types[i%len(types)], int64(1+rnd.IntN(100_000)), at.Add(time.Duration(i)*time.Second))
		return v
	})
	avro := func(int) []byte {
		v := make([]byte, 120+rnd.IntN(80))
		for j := 5; j < len(v); j++ {
			v[j] = byte(rnd.Uint32())
		}
		return v
	}
	add(e.Topics.Bekreftelse, benchAvro, avro)
	add(e.Topics.PaaVegneAv, benchAvro, avro)
	return out
}

// produceAll writes the records in large synchronous batches.
func produceAll(b *testing.B, e *bt.Env, records map[bt.TP][]*sarama.ConsumerMessage) {
	sc := e.Kafka.SaramaConfig(b)
	sc.Producer.Return.Successes = true
	sc.Producer.Partitioner = sarama.NewManualPartitioner
	p, err := sarama.NewSyncProducer(e.Kafka.Addrs(), sc)
	require.NoError(b, err)
	defer p.Close()
	var batch []*sarama.ProducerMessage
	flush := func() {
		if err := p.SendMessages(batch); err != nil {
			var pe sarama.ProducerErrors
			if errors.As(err, &pe) && len(pe) > 0 {
				err = fmt.Errorf("%w: first: %w", err, pe[0].Err)
			}
			require.NoError(b, err)
		}
		batch = batch[:0]
	}
	for tp, rs := range records {
		for _, r := range rs {
			hs := make([]sarama.RecordHeader, len(r.Headers))
			for i, h := range r.Headers {
				hs[i] = *h
			}
			batch = append(batch, &sarama.ProducerMessage{Topic: tp.Topic, Partition: tp.Partition, Key: sarama.ByteEncoder(r.Key),
				Value: sarama.ByteEncoder(r.Value), Headers: hs, Timestamp: r.Timestamp})
			if len(batch) == 10_000 {
				flush()
			}
		}
	}
	flush()
	for tp, rs := range records {
		_, newest := e.Kafka.Offsets(b, tp.Topic, tp.Partition)
		require.EqualValues(b, len(rs), newest, "%v", tp)
		e.NoteProduced(tp, newest-1)
	}
}

func benchCopy(b *testing.B, e *bt.Env, records map[bt.TP][]*sarama.ConsumerMessage, total int) float64 {
	ctx := context.Background()
	type prepared struct {
		sql  string
		rows [][]any
	}
	var work []prepared
	for _, tb := range backup.Tables(e.Topics) {
		var rows [][]any
		for p := range int32(benchPartitions) {
			rows = append(rows, backup.Rows(1, tb, records[bt.TP{Topic: tb.Topic, Partition: p}])...)
		}
		work = append(work, prepared{tb.CopySQL(), rows})
	}
	start := time.Now()
	for _, w := range work {
		tx, err := e.DB.BeginTxx(ctx, nil)
		require.NoError(b, err)
		stmt, err := tx.PrepareContext(ctx, w.sql)
		require.NoError(b, err)
		for _, r := range w.rows {
			_, err := stmt.ExecContext(ctx, r...)
			require.NoError(b, err)
		}
		_, err = stmt.ExecContext(ctx)
		require.NoError(b, err)
		require.NoError(b, stmt.Close())
		require.NoError(b, tx.Commit())
	}
	return float64(total) / time.Since(start).Seconds()
}

func truncate(b *testing.B, e *bt.Env) {
	_, err := e.DB.Exec(`TRUNCATE bekreftelse_hendelser, bekreftelser, bekreftelse_paa_vegne_av, backup_quarantine, bekreftelse_hwm`)
	require.NoError(b, err)
	_, err = e.DB.Exec(`VACUUM ANALYZE`)
	require.NoError(b, err)
}

func startBench(b *testing.B, env []string) *proc { return start(b, env) }

// waitBackedUp polls the HWMs until every partition is at its last offset.
func waitBackedUp(b *testing.B, e *bt.Env, p *proc) {
	want := e.Produced()
	deadline := time.Now().Add(5 * time.Minute)
	for {
		done := true
		for tp, last := range want {
			if e.HWM(1, tp.Topic, tp.Partition) < last {
				done = false
				break
			}
		}
		if done {
			return
		}
		require.False(b, p.exited(), "the service exited: %s", tail(p.errb.String()))
		require.True(b, time.Now().Before(deadline), "the backup did not finish")
		time.Sleep(20 * time.Millisecond) // polling; the wait is what is measured
	}
}

// peakRSS reads VmHWM, the peak resident set size, of the process in MiB.
func peakRSS(b *testing.B, p *proc) float64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	require.NoError(b, err)
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			require.NoError(b, err)
			return kb / 1024
		}
	}
	b.Fatal("no VmHWM in /proc status")
	return 0
}
