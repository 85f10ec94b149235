package backup_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/IBM/sarama"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/zap"

	"github.com/navikt/kafkapg/pkg/kafka/hwm"

	"github.com/navikt/kafkapg/services/hendelselogg-backup/internal/backup"
	bt "github.com/navikt/kafkapg/services/hendelselogg-backup/internal/backuptest"
	"github.com/navikt/kafkapg/services/hendelselogg-backup/internal/config"
)

func bytesRecords(topic string, partition int32, n int) []bt.Record {
	out := make([]bt.Record, n)
	for i := range out {
		out[i] = bt.Record{Topic: topic, Partition: partition, Key: bt.Key8(int64(i)), Value: []byte{0, 0, 0, 0, 1, byte(i)}}
	}
	return out
}

func setHWM(t *testing.T, e *bt.Env, version int16, topic string, partition int32, offset int64) {
	t.Helper()
	_, err := e.DB.Exec(`INSERT INTO bekreftelse_hwm (version, kafka_partition, kafka_offset, kafka_topic) VALUES ($1, $2, $3, $4)
		ON CONFLICT (version, kafka_partition, kafka_topic) DO UPDATE SET kafka_offset = excluded.kafka_offset`,
		version, partition, offset, topic)
	require.NoError(t, err)
}

// As the original: HWM initialisation creates one row per partition of
// each topic with offset -1, and running it again changes no existing row.
func TestHWMInitialisationCreatesMissingRowsOnly(t *testing.T) {
	t.Parallel()
	e := bt.New(t, server, 3)
	ctx := context.Background()
	require.NoError(t, backup.InitHWM(ctx, e.DB, 1, map[string]int{"topic1": 6, "topic2": 2}))
	var rows []struct {
		Topic     string `db:"kafka_topic"`
		Partition int32  `db:"kafka_partition"`
		Offset    int64  `db:"kafka_offset"`
	}
	require.NoError(t, e.DB.Select(&rows, `SELECT kafka_topic, kafka_partition, kafka_offset FROM bekreftelse_hwm ORDER BY 1, 2`))
	require.Len(t, rows, 8)
	for _, r := range rows {
		require.EqualValues(t, -1, r.Offset)
	}
	setHWM(t, e, 1, "topic1", 4, 2786482)
	require.NoError(t, backup.InitHWM(ctx, e.DB, 1, map[string]int{"topic1": 7}))
	require.EqualValues(t, 2786482, e.HWM(1, "topic1", 4))
	require.EqualValues(t, -1, e.HWM(1, "topic1", 6), "a new partition gets a row")
	require.EqualValues(t, -2, e.HWM(2, "topic1", 0), "other versions see no rows")

	// At startup the partition counts come from Kafka.
	run := e.Start(e.Config(), nil)
	for _, topic := range e.Topics.All() {
		for p := range int32(3) {
			require.EqualValues(t, -1, e.HWM(1, topic, p))
		}
	}
	require.NoError(t, run.Stop())
}

// As the original: a partition starts at HWM+1, a record is
// written iff its offset is above the HWM, and a batch of offsets 100–104
// after HWM 99 leaves 5 rows and HWM 104.
func TestOnlyOffsetsAboveTheHWMAreWritten(t *testing.T) {
	t.Parallel()
	e := bt.New(t, server, 1)
	e.Produce(bytesRecords(e.Topics.Bekreftelse, 0, 105)...)
	setHWM(t, e, 1, e.Topics.Bekreftelse, 0, 99)
	e.Start(e.Config(), nil)
	e.WaitCaughtUp(1)
	var offsets []int64
	require.NoError(t, e.DB.Select(&offsets, `SELECT kafka_offset FROM bekreftelser ORDER BY 1`))
	require.Equal(t, []int64{100, 101, 102, 103, 104}, offsets)
	require.EqualValues(t, 104, e.HWM(1, e.Topics.Bekreftelse, 0))
}

// As the original: two writers on the same partitions (here two
// consumer groups of the same version, so both read every record) never
// write a row twice and never hit a primary key violation: the second waits
// on the HWM row lock and skips what the first committed. records_written
// counts inserted rows only; the skipped ones are counted as duplicates.
func TestTwoWritersOnTheSamePartitionsNeverDuplicate(t *testing.T) {
	t.Parallel()
	const parts = 2
	e := bt.New(t, server, parts)
	for p := range int32(parts) {
		for _, topic := range e.Topics.All() {
			e.Produce(bytesRecords(topic, p, 400)...)
		}
	}
	cfg := e.Config()
	cfg.Topics.Hendelse = "unused-a" // keep the hendelse topic out: its values here are not JSON
	e.Kafka.CreateTopic(t, "unused-a", 1)
	a := e.Start(cfg, nil)
	other := cfg
	other.MaxBatch = 37
	// A second group, same version and table: it ignores the first one's
	// progress in Kafka (there is none) and races it in Postgres.
	b := startInGroup(t, e, other, "another-group")
	for p := range int32(parts) {
		for _, topic := range []string{e.Topics.Bekreftelse, e.Topics.PaaVegneAv} {
			require.Eventually(t, func() bool { return e.HWM(1, topic, p) == 399 }, bt.WaitFor, bt.Tick)
		}
	}
	require.NoError(t, a.Stop())
	require.NoError(t, b.Stop())
	require.Equal(t, 2*parts*400, e.Count("bekreftelser", 1)+e.Count("bekreftelse_paa_vegne_av", 1))
	written := counter(t, a.Registry, "paw_arbeidssoekerregisteret_bekreftelse_backup_records_written_total", nil) +
		counter(t, b.Registry, "paw_arbeidssoekerregisteret_bekreftelse_backup_records_written_total", nil)
	dups := counter(t, a.Registry, "paw_arbeidssoekerregisteret_bekreftelse_backup_duplicates_skipped_total", nil) +
		counter(t, b.Registry, "paw_arbeidssoekerregisteret_bekreftelse_backup_duplicates_skipped_total", nil)
	require.EqualValues(t, 2*parts*400, written, "written counts inserted rows once")
	require.Positive(t, dups, "the writers did race")
	// A restart re-reads nothing: everything is at or below the HWMs.
	again := e.Start(cfg, nil)
	require.Eventually(t, func() bool { return len(again.Service.Consumer().Assigned()) > 0 }, bt.WaitFor, bt.Tick)
	require.NoError(t, again.Stop())
	require.Zero(t, counter(t, again.Registry, "paw_arbeidssoekerregisteret_bekreftelse_backup_records_written_total", nil))
}

// groupRun is a second writer: the service's Writer behind a consumer in a
// group of its own, for the same version and HWM table.
type groupRun struct {
	Registry *prometheus.Registry
	cancel   context.CancelFunc
	done     chan error
}

func (g *groupRun) Stop() error {
	g.cancel()
	return <-g.done
}

func startInGroup(t *testing.T, e *bt.Env, cfg config.Config, group string) *groupRun {
	t.Helper()
	reg := prometheus.NewRegistry()
	w, err := backup.NewWriter(cfg.Topics, cfg.Version, false, zap.NewNop(), reg)
	require.NoError(t, err)
	c, err := hwm.New(e.DB, hwm.Config{
		Brokers: e.Kafka.Addrs(), Sarama: e.Sarama(cfg), GroupID: group, Topics: cfg.Topics.All(),
		Version: cfg.Version, Table: backup.TableHWM, MaxBatch: cfg.MaxBatch, MaxWait: cfg.MaxWait,
		RetryBackoff: cfg.RetryBackoff, MaxRetryBackoff: cfg.MaxRetryBackoff,
		Registerer: reg, Namespace: backup.Namespace,
	}, w.Handle)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	g := &groupRun{Registry: reg, cancel: cancel, done: make(chan error, 1)}
	go func() { g.done <- c.Run(ctx) }()
	return g
}

// As the original: offsets need not be dense. Transaction markers take
// offsets no consumer sees; after them the next record is written.
func TestOffsetGapsAreAccepted(t *testing.T) {
	t.Parallel()
	e := bt.New(t, server, 1)
	sc := e.Kafka.SaramaConfig(t)
	sc.Producer.Idempotent = true
	sc.Producer.RequiredAcks = sarama.WaitForAll
	sc.Producer.Return.Successes = true
	sc.Producer.Transaction.ID = "gap-maker"
	sc.Producer.Partitioner = sarama.NewManualPartitioner
	sc.Net.MaxOpenRequests = 1
	p, err := sarama.NewSyncProducer(e.Kafka.Addrs(), sc)
	require.NoError(t, err)
	var offsets []int64
	for i := range 3 {
		require.NoError(t, p.BeginTxn())
		_, off, err := p.SendMessage(&sarama.ProducerMessage{Topic: e.Topics.Bekreftelse, Key: sarama.ByteEncoder(bt.Key8(int64(i))), Value: sarama.ByteEncoder([]byte{byte(i)})})
		require.NoError(t, err)
		require.NoError(t, p.CommitTxn())
		offsets = append(offsets, off)
	}
	require.NoError(t, p.Close())
	require.Greater(t, offsets[1], offsets[0]+1, "a commit marker sits between the records")
	e.NoteProduced(bt.TP{Topic: e.Topics.Bekreftelse}, offsets[2])
	e.Start(e.Config(), nil)
	e.WaitCaughtUp(1)
	var stored []int64
	require.NoError(t, e.DB.Select(&stored, `SELECT kafka_offset FROM bekreftelser ORDER BY 1`))
	require.Equal(t, offsets, stored)
	require.Equal(t, offsets[2], e.HWM(1, e.Topics.Bekreftelse, 0), "the HWM is the last record, not the marker after it")
}

// As the original: when HWM+1 is below the log start (retention removed
// records before they were read), consumption restarts at the earliest
// offset. Fixed: the original did this silently; now the gap is logged,
// counted and recorded in backup_gap.
func TestRetentionGapResumesAtLogStartAndIsRecorded_FixesSilentSkip(t *testing.T) {
	t.Parallel()
	e := bt.New(t, server, 1)
	e.Produce(bytesRecords(e.Topics.Bekreftelse, 0, 10)...)
	e.Kafka.DeleteRecordsBefore(t, e.Topics.Bekreftelse, 0, 6)
	run := e.Start(e.Config(), nil)
	e.WaitCaughtUp(1)
	var stored []int64
	require.NoError(t, e.DB.Select(&stored, `SELECT kafka_offset FROM bekreftelser ORDER BY 1`))
	require.Equal(t, []int64{6, 7, 8, 9}, stored)
	var gap struct {
		From int64 `db:"from_offset"`
		To   int64 `db:"to_offset"`
	}
	require.NoError(t, e.DB.Get(&gap, `SELECT from_offset, to_offset FROM backup_gap WHERE kafka_topic = $1`, e.Topics.Bekreftelse))
	require.Equal(t, int64(0), gap.From)
	require.Equal(t, int64(5), gap.To)
	require.Equal(t, 6.0, counter(t, run.Registry, "paw_arbeidssoekerregisteret_bekreftelse_backup_gap_records_total",
		map[string]string{"topic": e.Topics.Bekreftelse}))
}

// Fixed: when the HWM is above the log end (the topic was recreated or
// truncated), the original jumped to the earliest offset and silently
// skipped everything up to the old HWM. That partition now stops, with a
// metric, and the others go on.
func TestHWMAboveLogEndStopsThatPartition_FixesSilentSkip(t *testing.T) {
	t.Parallel()
	e := bt.New(t, server, 2)
	e.Produce(bytesRecords(e.Topics.Bekreftelse, 0, 3)...)
	e.Produce(bytesRecords(e.Topics.Bekreftelse, 1, 3)...)
	setHWM(t, e, 1, e.Topics.Bekreftelse, 0, 100)
	run := e.Start(e.Config(), nil)
	require.Eventually(t, func() bool { return e.HWM(1, e.Topics.Bekreftelse, 1) == 2 }, bt.WaitFor, bt.Tick)
	require.Eventually(t, func() bool {
		return counter(t, run.Registry, "paw_arbeidssoekerregisteret_bekreftelse_backup_partition_stopped",
			map[string]string{"topic": e.Topics.Bekreftelse, "partition": "0"}) == 1
	}, bt.WaitFor, bt.Tick)
	require.EqualValues(t, 100, e.HWM(1, e.Topics.Bekreftelse, 0))
	var n int
	require.NoError(t, e.DB.Get(&n, `SELECT count(*) FROM bekreftelser WHERE kafka_partition = 0`))
	require.Zero(t, n)
}

// The original made a partition without an HWM row fatal (crash, restart,
// then init). Fixed: a partition added to a live topic gets its row when it
// is assigned and is read from its first offset, without a restart.
func TestPartitionAddedWhileRunningIsReadWithoutRestart_FixesFatalMissingHWM(t *testing.T) {
	t.Parallel()
	e := bt.New(t, server, 1)
	run := e.Start(e.Config(), nil)
	e.Produce(bytesRecords(e.Topics.PaaVegneAv, 0, 2)...)
	e.WaitCaughtUp(1)
	e.Kafka.AddPartitions(t, e.Topics.PaaVegneAv, 2)
	e.Produce(bytesRecords(e.Topics.PaaVegneAv, 1, 3)...)
	e.WaitCaughtUp(1)
	require.EqualValues(t, 2, e.HWM(1, e.Topics.PaaVegneAv, 1))
	require.NoError(t, run.Stop(), "the consumer never stopped")
}

// As the original: nothing is ever committed to Kafka, and the group id is
// arbeidssoekerregisteret-bekreftelse-backup-<version>.
func TestNothingIsCommittedToKafkaAndTheGroupIsPerVersion(t *testing.T) {
	t.Parallel()
	e := bt.New(t, server, 2)
	commits := e.Kafka.CountRequests(kmsg.OffsetCommit)
	e.Produce(bytesRecords(e.Topics.Bekreftelse, 1, 50)...)
	run := e.Start(e.Config(), nil)
	e.WaitCaughtUp(1)
	require.NoError(t, run.Stop())
	require.Zero(t, commits(), "no OffsetCommit request was sent")
	require.Contains(t, e.ConsumerGroups(), "arbeidssoekerregisteret-bekreftelse-backup-1")
	require.Equal(t, "arbeidssoekerregisteret-bekreftelse-backup-7", config.GroupID(7))
}

// As the original, and the version bump: a new version reads every
// topic again from the start into new rows (the primary keys include the
// version), in a group of its own, and leaves the rows and HWMs of the old
// version exactly as they were.
func TestVersionBumpRereadsEverythingAndLeavesTheOldVersionAlone(t *testing.T) {
	t.Parallel()
	const parts = 2
	e := bt.New(t, server, parts)
	traffic := func(n int) {
		for p := range int32(parts) {
			e.Produce(bytesRecords(e.Topics.Bekreftelse, p, n)...)
			e.Produce(bytesRecords(e.Topics.PaaVegneAv, p, n)...)
			var hs []bt.Record
			for i := range n {
				hs = append(hs, bt.Record{Topic: e.Topics.Hendelse, Partition: p, Key: bt.Key8(int64(i)),
					Value: []byte(fmt.Sprintf(`{"arbeidssoekerId":%d}`, i))})
			}
			e.Produce(hs...)
		}
	}
	traffic(20)
	v1 := e.Start(e.Config(), nil)
	e.WaitCaughtUp(1)
	require.NoError(t, v1.Stop())
	oldRows := e.StoredRows(1)
	oldHWMs := hwms(t, e, 1)

	traffic(5) // records v1 never saw
	cfg := e.Config()
	cfg.Version = 2
	v2 := e.Start(cfg, nil)
	e.WaitCaughtUp(2)
	require.NoError(t, v2.Stop())

	e.RequireStoredExactly(2, parts)
	require.Equal(t, oldRows, e.StoredRows(1), "version 1 rows untouched")
	require.Equal(t, oldHWMs, hwms(t, e, 1), "version 1 HWMs untouched")
	require.Contains(t, e.ConsumerGroups(), "arbeidssoekerregisteret-bekreftelse-backup-2")
}

func hwms(t *testing.T, e *bt.Env, version int16) map[string]int64 {
	var rows []struct {
		Topic     string `db:"kafka_topic"`
		Partition int32  `db:"kafka_partition"`
		Offset    int64  `db:"kafka_offset"`
	}
	require.NoError(t, e.DB.Select(&rows, `SELECT kafka_topic, kafka_partition, kafka_offset FROM bekreftelse_hwm WHERE version = $1`, version))
	out := map[string]int64{}
	for _, r := range rows {
		out[fmt.Sprintf("%s/%d", r.Topic, r.Partition)] = r.Offset
	}
	return out
}
