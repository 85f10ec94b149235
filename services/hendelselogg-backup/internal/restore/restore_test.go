package restore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/navikt/kafkapg/pkg/kafka"
	"github.com/navikt/kafkapg/pkg/pg/pgtest"
	bt "github.com/navikt/kafkapg/services/hendelselogg-backup/internal/backuptest"
	"github.com/navikt/kafkapg/services/hendelselogg-backup/internal/restore"
)

var server *pgtest.Server

func TestMain(m *testing.M) { pgtest.Main(m, &server) }

// records is a mix of everything a topic can hold: keys, null and odd keys,
// tombstones and empty values, headers with duplicates, nulls and empties,
// and timestamps. The ones the backup cannot store in its tables go to
// quarantine and must come back all the same.
func records(e *bt.Env, partitions int32) []bt.Record {
	var out []bt.Record
	at := time.UnixMilli(1_742_810_000_000)
	for _, topic := range e.Topics.All() {
		for p := range partitions {
			for i := range 12 {
				r := bt.Record{Topic: topic, Partition: p, Key: bt.Key8(int64(i*100) + int64(p)),
					Timestamp: at.Add(time.Duration(i) * time.Minute),
					Headers: []sarama.RecordHeader{
						{Key: []byte("traceparent"), Value: []byte(fmt.Sprintf("00-%032d-%016d-01", i, p))},
						{Key: []byte("dup"), Value: []byte("1")}, {Key: []byte("dup"), Value: []byte("2")},
						{Key: []byte("null"), Value: nil}, {Key: []byte("empty"), Value: []byte{}},
					}}
				if topic == e.Topics.Hendelse {
					r.Value = []byte(fmt.Sprintf(`{"hendelseType":"bekreftelse.periode_avsluttet", "arbeidssoekerId": %d }`, i))
				} else {
					r.Value = []byte{0, 0, 0, 0, 7, byte(i), byte(p), 0xff}
				}
				switch i {
				case 3:
					r.Key = nil
				case 4:
					r.Value = nil
				case 5:
					r.Key = []byte{}
				case 6:
					r.Value = []byte{}
				case 7:
					r.Headers = nil
				}
				out = append(out, r)
			}
		}
	}
	return out
}

func producer(t *testing.T, e *bt.Env) *kafka.Producer {
	p, err := kafka.NewProducerFromSarama(e.Kafka.Addrs(), e.Kafka.SaramaConfig(t),
		kafka.WithProducerConfig(func(sc *sarama.Config) { sc.Producer.Partitioner = sarama.NewManualPartitioner }))
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Close() })
	return p
}

type target struct{ e *bt.Env }

func (tg target) Partitions(topic string) (int, error) {
	sc := tg.e.Kafka.SaramaConfig(tg.e.T)
	c, err := sarama.NewClient(tg.e.Kafka.Addrs(), sc)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	ps, err := c.Partitions(topic)
	return len(ps), err
}

// The round trip: back up, delete the topics, restore each into a new topic.
// Partitions, keys, value bytes (null and empty kept apart), headers (order,
// duplicates, nulls) and timestamps equal the originals, quarantined records
// included.
func TestRestoreRoundTrip(t *testing.T) {
	t.Parallel()
	const partitions = 3
	e := bt.New(t, server, partitions)
	e.Produce(records(e, partitions)...)
	run := e.Start(e.Config(), nil)
	e.WaitCaughtUp(1)
	require.NoError(t, run.Stop())
	require.Positive(t, e.Count("backup_quarantine", 1))

	originals := map[bt.TP][]*sarama.ConsumerMessage{}
	for _, topic := range e.Topics.All() {
		for p := range int32(partitions) {
			originals[bt.TP{Topic: topic, Partition: p}] = e.ConsumeAll(topic, p)
		}
		e.Kafka.DeleteTopic(t, topic)
	}

	p := producer(t, e)
	for _, topic := range e.Topics.All() {
		restored := "restored." + topic
		e.Kafka.CreateTopic(t, restored, partitions)
		res, err := restore.Run(context.Background(), e.DB, e.Topics, p, target{e}, restore.DefaultOptions(topic, restored, 1), zap.NewNop())
		require.NoError(t, err)
		require.EqualValues(t, 12*partitions, res.Selected)
		require.Equal(t, res.Selected, res.Sent)
		for part := range int32(partitions) {
			want := originals[bt.TP{Topic: topic, Partition: part}]
			got := e.ConsumeAll(restored, part)
			require.Len(t, got, len(want), "%s/%d", topic, part)
			for i := range want {
				where := fmt.Sprintf("%s/%d record %d", topic, part, i)
				require.Equal(t, want[i].Key == nil, got[i].Key == nil, where)
				require.Equal(t, want[i].Key, got[i].Key, where)
				require.Equal(t, want[i].Value == nil, got[i].Value == nil, where)
				require.Equal(t, want[i].Value, got[i].Value, where)
				require.Equal(t, bt.Headers(want[i].Headers), bt.Headers(got[i].Headers), where)
				require.Equal(t, want[i].Timestamp.UnixMilli(), got[i].Timestamp.UnixMilli(), where)
				require.Equal(t, want[i].Offset, got[i].Offset, where)
			}
		}
	}
}

// A restore can be narrowed to a partition and an offset range; a dry run
// counts and produces nothing; a target with too few partitions is refused
// before anything is sent.
func TestRestoreSelectionDryRunAndTargetCheck(t *testing.T) {
	t.Parallel()
	e := bt.New(t, server, 2)
	e.Produce(records(e, 2)...)
	run := e.Start(e.Config(), nil)
	e.WaitCaughtUp(1)
	require.NoError(t, run.Stop())
	ctx := context.Background()
	p := producer(t, e)

	o := restore.DefaultOptions(e.Topics.Bekreftelse, "narrow", 1)
	o.Partition, o.FromOffset, o.ToOffset, o.PageSize = 1, 2, 8, 2
	e.Kafka.CreateTopic(t, "narrow", 2)
	res, err := restore.Run(ctx, e.DB, e.Topics, p, target{e}, o, zap.NewNop())
	require.NoError(t, err)
	require.EqualValues(t, 7, res.Sent)
	got := e.ConsumeAll("narrow", 1)
	require.Len(t, got, 7)
	oldest, newest := e.Kafka.Offsets(t, "narrow", 0)
	require.Equal(t, oldest, newest, "nothing went to partition 0")

	dry := restore.DefaultOptions(e.Topics.Hendelse, "", 1)
	dry.DryRun = true
	res, err = restore.Run(ctx, e.DB, e.Topics, nil, nil, dry, zap.NewNop())
	require.NoError(t, err)
	require.EqualValues(t, 24, res.Selected)
	require.EqualValues(t, 24, res.Read)
	require.Zero(t, res.Sent)

	e.Kafka.CreateTopic(t, "small", 1)
	_, err = restore.Run(ctx, e.DB, e.Topics, p, target{e}, restore.DefaultOptions(e.Topics.PaaVegneAv, "small", 1), zap.NewNop())
	require.ErrorContains(t, err, "has 1 partitions")
	oldest, newest = e.Kafka.Offsets(t, "small", 0)
	require.Equal(t, oldest, newest, "nothing was sent")

	_, err = restore.Run(ctx, e.DB, e.Topics, p, target{e}, restore.DefaultOptions("unknown", "x", 1), zap.NewNop())
	require.ErrorContains(t, err, "not one of the backed-up topics")
	bad := restore.DefaultOptions(e.Topics.Bekreftelse, "x", 1)
	bad.FromOffset, bad.ToOffset = 5, 4
	require.ErrorContains(t, bad.Validate(), "--to-offset")
}
