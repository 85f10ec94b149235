package consumer_test

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/google/uuid"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/acltest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena/arenatest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/consumer"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/fakenav"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/store"
)

// The load of BenchmarkEndToEnd.
const (
	benchDeltakere       = 2000
	benchMessagesEach    = 25 // 50 000 messages
	benchGjennomforinger = 40
	benchPartitions      = 4
	benchLatencyRounds   = 2 // messages per deltaker in the latency phase
	benchDeadline        = 15 * time.Minute
)

// BenchmarkEndToEnd runs the live path on its real infrastructure (Kafka
// in, arena_data, the fake NAV services answering at once, AMT messages out
// with acks=all) over 50 000 deltaker messages of 2 000 deltakere, 25 each:
// an insert and 24 updates moving each deltaker through the statuses,
// interleaved as Arena's changes to many deltakere are.
//
// Throughput: the messages are all in the topic (4 partitions, keyed by
// deltaker) before the consumer starts, and acl_messages_per_s is how fast
// it handles them all, every one HANDLED and published. Its physical floor,
// measured in the same run, is raw_fetch_messages_per_s: a plain read of
// the same topic.
//
// Latency: then two more messages per deltaker are produced one by one at
// half the measured throughput, and acl_p99_ms is the 99th percentile of the
// time from producing a message to its row being HANDLED (which is after
// Kafka acknowledged the AMT message). Its floor, raw_roundtrip_p99_ms, is
// the same for a plain produce and read at the same pace.
func BenchmarkEndToEnd(b *testing.B) {
	for range b.N {
		benchEndToEnd(b)
	}
}

func benchEndToEnd(b *testing.B) {
	var (
		handled   atomic.Int64
		failed    atomic.Int64
		doneMu    sync.Mutex
		handledAt = map[string]time.Time{}
		allDone   = make(chan struct{}, 1)
		target    atomic.Int64
	)
	e := acltest.New(b, server, acltest.Options{
		Partitions: benchPartitions, NoConsumer: true, Quiet: true, NoOutput: true, Workers: benchWorkers(),
		OnDecision: func(row store.ArenaData, _ ingest.Path, d ingest.Decision) {
			if d.Skipped {
				return
			}
			if d.Status != ingest.Handled {
				failed.Add(1)
				return
			}
			doneMu.Lock()
			handledAt[row.Pos] = time.Now()
			doneMu.Unlock()
			if handled.Add(1) == target.Load() {
				select {
				case allDone <- struct{}{}:
				default:
				}
			}
		},
	})
	e.NAV.ORDS.GenerateFnrs(true)
	var gjs []int64
	for range benchGjennomforinger {
		g := e.ID()
		mr := e.NAV.Mulighetsrommet.AddGjennomforing(fakenav.Gjennomforing{ArenaID: g})
		id := uuid.MustParse(mr.ID)
		e.StoreGjennomforing(g, arena.TiltakIndoppfag, true, &id)
		gjs = append(gjs, g)
	}
	now := time.Now()
	deltakere := make([]*arena.Deltaker, benchDeltakere)
	for i := range deltakere {
		deltakere[i] = arenatest.Deltaker(now, e.ID(), e.ID(), gjs[i%len(gjs)])
	}
	// message is deltaker i's n-th message: an insert, then updates that
	// walk through the statuses and move the dates.
	codes := []arena.DeltakerStatus{arena.StatusAktuell, arena.StatusInfomoete, arena.StatusVenteliste, arena.StatusTilbud,
		arena.StatusJatakk, arena.StatusGjenn, arena.StatusFullf}
	message := func(i, n int) *sarama.ProducerMessage {
		d := *deltakere[i]
		d.Deltakerstatuskode = string(codes[n%len(codes)])
		d.DatoFra = arenatest.Ptr(arenatest.ArenaDate(arenatest.Today(now, n-10)))
		d.DatoTil = arenatest.Ptr(arenatest.ArenaDate(arenatest.Today(now, n+30)))
		op := arena.Modified
		if n == 0 {
			op = arena.Created
		}
		return &sarama.ProducerMessage{
			Topic: acltest.TopicDeltaker, Key: sarama.StringEncoder(d.ArenaID()),
			Value: sarama.ByteEncoder(arenatest.Message(op, e.NextPos(), &d, now)),
		}
	}

	// Load the topic: round n of every deltaker, then round n+1.
	total := benchDeltakere * benchMessagesEach
	batch := make([]*sarama.ProducerMessage, 0, 1000)
	for n := range benchMessagesEach {
		for i := range deltakere {
			batch = append(batch, message(i, n))
			if len(batch) == cap(batch) {
				e.Kafka.Produce(b, batch...)
				batch = batch[:0]
			}
		}
	}
	if len(batch) > 0 {
		e.Kafka.Produce(b, batch...)
	}

	rawRate := rawFetch(b, e, total)

	target.Store(int64(total))
	b.ResetTimer()
	start := time.Now()
	c := e.StartConsumer(acltest.Group)
	waitAll(b, allDone, &handled, &failed, total)
	elapsed := time.Since(start)
	b.StopTimer()
	rate := float64(total) / elapsed.Seconds()
	if _, n := e.Kafka.Offsets(b, acltest.TopicAmt, 0); n != int64(total) {
		b.Fatalf("%d AMT messages for %d handled", n, total)
	}

	// Latency at half the throughput.
	lat := benchDeltakere * benchLatencyRounds
	target.Store(int64(total + lat))
	interval := time.Duration(float64(time.Second) / (rate / 2))
	producedAt := make(map[string]time.Time, lat)
	tick := time.NewTicker(interval)
	for n := benchMessagesEach; n < benchMessagesEach+benchLatencyRounds; n++ {
		for i := range deltakere {
			<-tick.C
			m := message(i, n)
			doneMu.Lock()
			producedAt[posOf(b, m)] = time.Now()
			doneMu.Unlock()
			e.Kafka.Produce(b, m)
		}
	}
	tick.Stop()
	waitAll(b, allDone, &handled, &failed, total+lat)
	_ = c

	doneMu.Lock()
	var latencies []time.Duration
	for pos, at := range producedAt {
		latencies = append(latencies, handledAt[pos].Sub(at))
	}
	doneMu.Unlock()
	slices.Sort(latencies)
	p := func(q float64) time.Duration { return latencies[int(q*float64(len(latencies)-1))] }

	b.ReportMetric(rate, "msgs/s")
	fmt.Printf("acl_messages=%d acl_deltakere=%d acl_partitions=%d acl_workers=%d\n",
		total, benchDeltakere, benchPartitions, benchWorkers())
	fmt.Printf("raw_fetch_messages_per_s=%.0f\n", rawRate)
	fmt.Printf("acl_vs_raw_fetch_ratio=%.4f\n", rate/rawRate)
	fmt.Printf("acl_latency_rate_per_s=%.0f\n", float64(time.Second)/float64(interval))
	fmt.Printf("acl_p50_ms=%.1f\n", ms(p(0.50)))
	fmt.Printf("acl_p90_ms=%.1f\n", ms(p(0.90)))
	fmt.Printf("acl_max_ms=%.1f\n", ms(p(1)))
	fmt.Printf("raw_roundtrip_p99_ms=%.1f\n", ms(rawRoundTrip(b, e, interval, 2000)))
	fmt.Printf("acl_messages_per_s=%.0f\n", rate)
	fmt.Printf("acl_p99_ms=%.1f\n", ms(p(0.99)))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// waitAll waits until want messages are HANDLED.
func waitAll(b *testing.B, done <-chan struct{}, handled, failed *atomic.Int64, want int) {
	b.Helper()
	deadline := time.NewTimer(benchDeadline)
	defer deadline.Stop()
	progress := time.NewTicker(time.Second)
	defer progress.Stop()
	for handled.Load() < int64(want) {
		select {
		case <-done:
		case <-progress.C:
		case <-deadline.C:
			b.Fatalf("%d of %d handled (%d not HANDLED) within %s", handled.Load(), want, failed.Load(), benchDeadline)
		}
		if f := failed.Load(); f > 0 {
			b.Fatalf("%d messages were not HANDLED", f)
		}
	}
}

func posOf(b *testing.B, m *sarama.ProducerMessage) string {
	b.Helper()
	v, err := m.Value.Encode()
	if err != nil {
		b.Fatal(err)
	}
	msg, err := arena.Parse(v, arena.Source{})
	if err != nil {
		b.Fatal(err)
	}
	return msg.Pos
}

// rawFetch reads the deltaker topic's n records with plain partition
// consumers, all partitions at once, and returns records per second: the
// floor under what the consumer can do.
func rawFetch(b *testing.B, e *acltest.Env, n int) float64 {
	b.Helper()
	c, err := sarama.NewConsumer(e.Kafka.Addrs(), e.Kafka.SaramaConfig(b))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	var got atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for p := range int32(benchPartitions) {
		_, newest := e.Kafka.Offsets(b, acltest.TopicDeltaker, p)
		if newest == 0 {
			continue
		}
		pc, err := c.ConsumePartition(acltest.TopicDeltaker, p, sarama.OffsetOldest)
		if err != nil {
			b.Fatal(err)
		}
		wg.Go(func() {
			defer pc.AsyncClose()
			for m := range pc.Messages() {
				got.Add(1)
				if m.Offset == newest-1 {
					return
				}
			}
		})
	}
	wg.Wait()
	if got.Load() != int64(n) {
		b.Fatalf("raw fetch read %d of %d", got.Load(), n)
	}
	return float64(n) / time.Since(start).Seconds()
}

func benchWorkers() int {
	if n, err := strconv.Atoi(os.Getenv("BENCH_WORKERS")); err == nil {
		return n
	}
	return consumer.DefaultWorkers
}

// rawRoundTrip produces n records one at a time, interval apart, to a topic
// of their own and reads them with a plain partition consumer, and returns
// the 99th percentile of the time from the produce's ack to the record being
// read: the floor under acl_p99_ms.
func rawRoundTrip(b *testing.B, e *acltest.Env, interval time.Duration, n int) time.Duration {
	b.Helper()
	const topic = "latency-floor"
	e.Kafka.CreateTopic(b, topic, 1)
	c, err := sarama.NewConsumer(e.Kafka.Addrs(), e.Kafka.SaramaConfig(b))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	pc, err := c.ConsumePartition(topic, 0, sarama.OffsetOldest)
	if err != nil {
		b.Fatal(err)
	}
	defer pc.AsyncClose()
	acked := make([]time.Time, n)
	var mu sync.Mutex
	latencies := make([]time.Duration, 0, n)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m := range pc.Messages() {
			at := time.Now()
			mu.Lock()
			// The ack may be recorded just after the record is read.
			latencies = append(latencies, max(at.Sub(acked[m.Offset]), 0))
			mu.Unlock()
			if int(m.Offset) == n-1 {
				return
			}
		}
	}()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for i := range n {
		<-tick.C
		m := &sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder("x")}
		mu.Lock()
		acked[i] = time.Now()
		mu.Unlock()
		e.Kafka.Produce(b, m)
	}
	<-done
	slices.Sort(latencies)
	return latencies[int(0.99*float64(len(latencies)-1))]
}
