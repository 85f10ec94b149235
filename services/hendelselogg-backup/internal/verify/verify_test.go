package verify_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/pg/pgtest"
	bt "github.com/navikt/kafkapg/services/hendelselogg-backup/internal/backuptest"
	"github.com/navikt/kafkapg/services/hendelselogg-backup/internal/verify"
)

var server *pgtest.Server

func TestMain(m *testing.M) { pgtest.Main(m, &server) }

func produce(e *bt.Env, topic string, partition int32, n int) {
	recs := make([]bt.Record, n)
	for i := range recs {
		recs[i] = bt.Record{Topic: topic, Partition: partition, Key: bt.Key8(int64(i)), Value: []byte{0, 0, 0, 0, 1, byte(i)}}
	}
	e.Produce(recs...)
}

func check(t *testing.T, e *bt.Env) verify.Report {
	t.Helper()
	c, err := sarama.NewClient(e.Kafka.Addrs(), e.Kafka.SaramaConfig(t))
	require.NoError(t, err)
	defer c.Close()
	rep, err := verify.Run(context.Background(), e.DB, c, e.Topics, verify.Options{Version: 1, Idle: 300 * time.Millisecond, PageSize: 7})
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, rep.Write(&out))
	t.Log("\n" + out.String())
	return rep
}

func part(rep verify.Report, topic string, p int32) verify.Partition {
	for _, pr := range rep.Partitions {
		if pr.Topic == topic && pr.Partition == p {
			return pr
		}
	}
	return verify.Partition{}
}

// verify walks Kafka and the backup side by side: a caught-up backup is OK;
// a record deleted from the backup below the HWM is missing (loss); records
// above the HWM are not yet read (lag); records retention removed after the
// backup read them are only in the backup.
func TestVerifyFindsMissingUnreadAndBackupOnlyRecords(t *testing.T) {
	t.Parallel()
	e := bt.New(t, server, 2)
	produce(e, e.Topics.Bekreftelse, 0, 30)
	produce(e, e.Topics.PaaVegneAv, 1, 10)
	run := e.Start(e.Config(), nil)
	e.WaitCaughtUp(1)
	require.NoError(t, run.Stop())

	rep := check(t, e)
	require.Zero(t, rep.Missing())
	require.Zero(t, rep.NotYetRead())
	b0 := part(rep, e.Topics.Bekreftelse, 0)
	require.Equal(t, verify.Partition{Topic: e.Topics.Bekreftelse, Partition: 0, KafkaStart: 0, KafkaEnd: 30, KafkaRecords: 30,
		HWM: 29, BackupRows: 30, BackupFirst: 0, BackupLast: 29}, b0)
	require.Len(t, rep.Partitions, 6)

	_, err := e.DB.Exec(`DELETE FROM bekreftelser WHERE kafka_offset IN (4, 5, 17)`)
	require.NoError(t, err)
	produce(e, e.Topics.Bekreftelse, 0, 3) // offsets 30..32, above the HWM
	e.Kafka.DeleteRecordsBefore(t, e.Topics.PaaVegneAv, 1, 4)

	rep = check(t, e)
	b0 = part(rep, e.Topics.Bekreftelse, 0)
	require.EqualValues(t, 3, b0.Missing)
	require.Equal(t, []verify.Range{{From: 4, To: 5}, {From: 17, To: 17}}, b0.MissingRanges)
	require.EqualValues(t, 3, b0.NotYetRead)
	require.EqualValues(t, 3, rep.Missing())
	p1 := part(rep, e.Topics.PaaVegneAv, 1)
	require.EqualValues(t, 4, p1.OnlyInBackup)
	require.Zero(t, p1.Missing)
	require.Zero(t, p1.Gaps)
}

// Gaps are offsets at or below the HWM that neither Kafka nor the backup
// holds: retention that removed records before the backup read them
// (recorded by the consumer in backup_gap), and offsets Kafka never hands
// out, such as transaction markers. Neither is loss.
func TestVerifyReportsGapsWithoutCallingThemMissing(t *testing.T) {
	t.Parallel()
	e := bt.New(t, server, 1)
	produce(e, e.Topics.Bekreftelse, 0, 10)
	e.Kafka.DeleteRecordsBefore(t, e.Topics.Bekreftelse, 0, 4)

	sc := e.Kafka.SaramaConfig(t)
	sc.Producer.Idempotent, sc.Producer.RequiredAcks, sc.Producer.Return.Successes = true, sarama.WaitForAll, true
	sc.Producer.Transaction.ID, sc.Net.MaxOpenRequests = "verify-gaps", 1
	p, err := sarama.NewSyncProducer(e.Kafka.Addrs(), sc)
	require.NoError(t, err)
	var last int64
	for range 2 {
		require.NoError(t, p.BeginTxn())
		_, last, err = p.SendMessage(&sarama.ProducerMessage{Topic: e.Topics.PaaVegneAv, Key: sarama.ByteEncoder(bt.Key8(1)), Value: sarama.ByteEncoder([]byte{1})})
		require.NoError(t, err)
		require.NoError(t, p.CommitTxn())
	}
	require.NoError(t, p.Close())
	e.NoteProduced(bt.TP{Topic: e.Topics.PaaVegneAv}, last)

	run := e.Start(e.Config(), nil)
	e.WaitCaughtUp(1)
	require.NoError(t, run.Stop())

	rep := check(t, e)
	require.Zero(t, rep.Missing())
	require.Zero(t, rep.NotYetRead())
	b := part(rep, e.Topics.Bekreftelse, 0)
	require.EqualValues(t, 4, b.Gaps)
	require.Equal(t, []verify.Range{{From: 0, To: 3}}, b.GapRanges)
	require.Equal(t, []verify.Range{{From: 0, To: 3}}, b.RetentionGaps)
	pv := part(rep, e.Topics.PaaVegneAv, 0)
	require.EqualValues(t, 1, pv.Gaps, "the commit marker between the two records")
	require.EqualValues(t, 2, pv.BackupRows)
}
