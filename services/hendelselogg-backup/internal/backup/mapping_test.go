package backup_test

import (
	"database/sql"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"

	bt "github.com/navikt/kafkapg/services/hendelselogg-backup/internal/backuptest"
	"github.com/navikt/kafkapg/services/hendelselogg-backup/internal/hendelse"
)

func tp(v string) []sarama.RecordHeader {
	return []sarama.RecordHeader{{Key: []byte("traceparent"), Value: []byte(v)}}
}

// As the original: each topic goes to its own table; keys are
// 8-byte big-endian longs in record_key; arbeidssoeker_id comes from the
// payload, not the key (ids 1–5 with keys 5000–5004); Avro values are stored
// byte-identical; traceparent is the last traceparent header, NULL without
// one, not validated; every row carries version, partition and offset.
func TestEachTopicGoesToItsTableWithKeyIdTraceparentAndBytes(t *testing.T) {
	t.Parallel()
	e := bt.New(t, server, 2)
	rnd := rand.New(rand.NewPCG(5, 5))
	var hendelser []bt.Record
	for i := int64(1); i <= 5; i++ {
		v, err := hendelse.Sample(rnd, hendelse.TypeNames()[i], i, time.Now())
		require.NoError(t, err)
		hendelser = append(hendelser, bt.Record{Topic: e.Topics.Hendelse, Partition: 1, Key: bt.Key8(4999 + i), Value: v, Headers: tp("test-traceparent")})
	}
	hOffsets := e.Produce(hendelser...)
	avro := []byte{0x00, 0x00, 0x00, 0x00, 0x2a, 0x02, 0xff, 0x00, 0x10}
	bOff := e.Produce(bt.Record{Topic: e.Topics.Bekreftelse, Partition: 0, Key: bt.Key8(-42), Value: avro,
		Headers: append(tp("first"), append([]sarama.RecordHeader{{Key: []byte("other"), Value: []byte("x")}}, tp("last")...)...)})
	pOff := e.Produce(bt.Record{Topic: e.Topics.PaaVegneAv, Partition: 1, Key: bt.Key8(1 << 62), Value: avro[:5]})

	e.Start(e.Config(), nil)
	e.WaitCaughtUp(1)

	var hs []struct {
		Version     int16          `db:"version"`
		Partition   int32          `db:"kafka_partition"`
		Offset      int64          `db:"kafka_offset"`
		Key         int64          `db:"record_key"`
		ID          int64          `db:"arbeidssoeker_id"`
		Traceparent sql.NullString `db:"traceparent"`
	}
	require.NoError(t, e.DB.Select(&hs, `SELECT version, kafka_partition, kafka_offset, record_key, arbeidssoeker_id, traceparent
		FROM bekreftelse_hendelser ORDER BY kafka_offset`))
	require.Len(t, hs, 5)
	for i, h := range hs {
		require.EqualValues(t, 1, h.Version)
		require.EqualValues(t, 1, h.Partition)
		require.Equal(t, hOffsets[i], h.Offset)
		require.EqualValues(t, 5000+i, h.Key, "record_key is the key")
		require.EqualValues(t, 1+i, h.ID, "arbeidssoeker_id is the payload's, not the key")
		require.Equal(t, "test-traceparent", h.Traceparent.String, "stored as is, not validated")
	}

	type bytesRow struct {
		Version     int16          `db:"version"`
		Partition   int32          `db:"kafka_partition"`
		Offset      int64          `db:"kafka_offset"`
		Key         int64          `db:"record_key"`
		Traceparent sql.NullString `db:"traceparent"`
		Data        []byte         `db:"data"`
	}
	var b bytesRow
	require.NoError(t, e.DB.Get(&b, `SELECT version, kafka_partition, kafka_offset, record_key, traceparent, data FROM bekreftelser`))
	require.Equal(t, bytesRow{1, 0, bOff[0], -42, sql.NullString{String: "last", Valid: true}, avro}, b,
		"negative key, the last traceparent of several, value byte for byte")
	var p bytesRow
	require.NoError(t, e.DB.Get(&p, `SELECT version, kafka_partition, kafka_offset, record_key, traceparent, data FROM bekreftelse_paa_vegne_av`))
	require.Equal(t, bytesRow{1, 1, pOff[0], 1 << 62, sql.NullString{}, avro[:5]}, p, "no traceparent header: NULL")
}

// As the original: data is the canonical re-encoding (all fields, nulls for
// absent nullable ones, instants with nine fraction digits) as jsonb.
// Beyond the original, value keeps the bytes as they were on the topic.
func TestHendelseDataIsCanonicalAndValueKeepsTheBytes(t *testing.T) {
	t.Parallel()
	e := bt.New(t, server, 1)
	in := `{"hendelseType":"bekreftelse.register_grace_periode_utloept",  "hendelseId":"6F1C2A3B-0D4E-4F5A-8B6C-7D8E9F0A1B2C",` +
		`"periodeId":"0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d","arbeidssoekerId":1234,"hendelseTidspunkt":1742810000.5,` +
		`"bekreftelseId":"1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"}`
	e.Produce(bt.Record{Topic: e.Topics.Hendelse, Key: bt.Key8(5678), Value: []byte(in)})
	e.Start(e.Config(), nil)
	e.WaitCaughtUp(1)

	var row struct {
		Data        string         `db:"data"`
		Value       []byte         `db:"value"`
		DecodeError sql.NullString `db:"decode_error"`
		ID          int64          `db:"arbeidssoeker_id"`
	}
	require.NoError(t, e.DB.Get(&row, `SELECT data::text AS data, value, decode_error, arbeidssoeker_id FROM bekreftelse_hendelser`))
	require.Equal(t, in, string(row.Value))
	require.False(t, row.DecodeError.Valid)
	require.EqualValues(t, 1234, row.ID)
	require.JSONEq(t, `{"hendelseId":"6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c","periodeId":"0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d",`+
		`"arbeidssoekerId":1234,"hendelseTidspunkt":1742810000.500000000,"bekreftelseId":"1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",`+
		`"kilde":null,"hendelseType":"bekreftelse.register_grace_periode_utloept"}`, row.Data)
	require.Contains(t, row.Data, "1742810000.500000000", "jsonb keeps the nine digits")
	var found int
	require.NoError(t, e.DB.Get(&found, `SELECT count(*) FROM bekreftelse_hendelser WHERE data @> '{"arbeidssoekerId":1234}'`))
	require.Equal(t, 1, found, "the GIN jsonb_path_ops index serves containment queries")
}

// The original failed on an unknown property or hendelseType. Fixed
// here (outside strict mode): a hendelse with a numeric arbeidssoekerId that
// does not decode strictly is stored as received, with decode_error saying
// why, instead of stopping the backup.
func TestUnknownHendelseIsStoredAsReceived_FixesFatalStrictDecoding(t *testing.T) {
	t.Parallel()
	e := bt.New(t, server, 1)
	values := []string{
		`{"hendelseType":"bekreftelse.ny_type","arbeidssoekerId":77}`,
		`{"hendelseType":"bekreftelse.periode_avsluttet","arbeidssoekerId":78,"nyttFelt":true}`,
	}
	for i, v := range values {
		e.Produce(bt.Record{Topic: e.Topics.Hendelse, Key: bt.Key8(int64(i)), Value: []byte(v)})
	}
	run := e.Start(e.Config(), nil)
	e.WaitCaughtUp(1)
	var rows []struct {
		ID          int64  `db:"arbeidssoeker_id"`
		Data        string `db:"data"`
		Value       []byte `db:"value"`
		DecodeError string `db:"decode_error"`
	}
	require.NoError(t, e.DB.Select(&rows, `SELECT arbeidssoeker_id, data::text AS data, value, decode_error FROM bekreftelse_hendelser ORDER BY kafka_offset`))
	require.Len(t, rows, 2)
	require.EqualValues(t, 77, rows[0].ID)
	require.JSONEq(t, values[0], rows[0].Data)
	require.Equal(t, values[0], string(rows[0].Value))
	require.Contains(t, rows[0].DecodeError, "unknown hendelseType")
	require.Contains(t, rows[1].DecodeError, `unknown property "nyttFelt"`)
	require.Equal(t, 2.0, counter(t, run.Registry, "paw_arbeidssoekerregisteret_bekreftelse_backup_hendelser_not_canonical_total", nil))
	require.Equal(t, 0, e.Count("backup_quarantine", 1))
}

// Beyond the original: the record timestamp and every header (in order,
// duplicates kept, null distinct from empty) are kept with each row.
func TestTimestampAndAllHeadersAreKept(t *testing.T) {
	t.Parallel()
	e := bt.New(t, server, 1)
	at := time.UnixMilli(1_742_810_000_123)
	hs := []sarama.RecordHeader{
		{Key: []byte("a"), Value: []byte("1")},
		{Key: []byte("null"), Value: nil},
		{Key: []byte("empty"), Value: []byte{}},
		{Key: []byte("a"), Value: []byte("2")},
		{Key: []byte("bin"), Value: []byte{0, 0xff}},
	}
	e.Produce(
		bt.Record{Topic: e.Topics.Bekreftelse, Key: bt.Key8(1), Value: []byte{}, Headers: hs, Timestamp: at},
		bt.Record{Topic: e.Topics.Bekreftelse, Key: bt.Key8(2), Value: []byte{1}, Timestamp: at},
	)
	e.Start(e.Config(), nil)
	e.WaitCaughtUp(1)
	stored := e.RequireStoredExactly(1, 1)
	first := stored[bt.Offset{Topic: e.Topics.Bekreftelse, Partition: 0, Offset: 0}]
	require.Equal(t, "bekreftelser", first.Table, "an empty value is a value, not a tombstone")
	require.Equal(t, hs, first.Headers)
	require.Nil(t, first.Headers[1].Value)
	require.NotNil(t, first.Headers[2].Value)
	require.Equal(t, at.UnixMilli(), first.Timestamp.Int64)
	require.Equal(t, []sarama.RecordHeader{}, stored[bt.Offset{Topic: e.Topics.Bekreftelse, Partition: 0, Offset: 1}].Headers)
}

// The traceparent column is varchar(58). Fixed: a longer or null-valued
// traceparent no longer stops the backup (the original crashed): the column
// gets NULL, the header is kept whole, and a counter says so.
func TestTraceparentThatDoesNotFitIsKeptInHeaders_FixesCrash(t *testing.T) {
	t.Parallel()
	e := bt.New(t, server, 1)
	long := strings.Repeat("t", 59)
	fits := strings.Repeat("æ", 58) // 58 characters, 116 bytes
	e.Produce(
		bt.Record{Topic: e.Topics.Bekreftelse, Key: bt.Key8(1), Value: []byte{1}, Headers: tp(long)},
		bt.Record{Topic: e.Topics.Bekreftelse, Key: bt.Key8(2), Value: []byte{2}, Headers: []sarama.RecordHeader{{Key: []byte("traceparent")}}},
		bt.Record{Topic: e.Topics.Bekreftelse, Key: bt.Key8(3), Value: []byte{3}, Headers: tp(fits)},
		bt.Record{Topic: e.Topics.Bekreftelse, Key: bt.Key8(4), Value: []byte{4}, Headers: tp("a\x00b")},
	)
	run := e.Start(e.Config(), nil)
	e.WaitCaughtUp(1)
	var got []sql.NullString
	require.NoError(t, e.DB.Select(&got, `SELECT traceparent FROM bekreftelser ORDER BY kafka_offset`))
	require.Equal(t, []sql.NullString{{}, {}, {String: fits, Valid: true}, {}}, got)
	stored := e.RequireStoredExactly(1, 1)
	require.Equal(t, long, string(stored[bt.Offset{Topic: e.Topics.Bekreftelse, Offset: 0}].Headers[0].Value))
	metric := "paw_arbeidssoekerregisteret_bekreftelse_backup_traceparent_not_stored_total"
	require.Equal(t, 1.0, counter(t, run.Registry, metric, map[string]string{"reason": "too_long"}))
	require.Equal(t, 1.0, counter(t, run.Registry, metric, map[string]string{"reason": "null"}))
	require.Equal(t, 1.0, counter(t, run.Registry, metric, map[string]string{"reason": "nul"}))
}
