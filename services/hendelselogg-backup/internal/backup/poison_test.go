package backup_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/navikt/kafkapg/pkg/kafka/hwm"
	bt "github.com/navikt/kafkapg/services/hendelselogg-backup/internal/backuptest"
)

const secret = "12345678901" // looks like a fødselsnummer; must never reach a log line

type poisonCase struct {
	topic  func(e *bt.Env) string
	key    []byte
	value  []byte
	reason string // part of the quarantine error
}

func poisonCases() map[string]poisonCase {
	hendelse := func(e *bt.Env) string { return e.Topics.Hendelse }
	bekreftelse := func(e *bt.Env) string { return e.Topics.Bekreftelse }
	paaVegneAv := func(e *bt.Env) string { return e.Topics.PaaVegneAv }
	return map[string]poisonCase{
		"null key":                 {topic: bekreftelse, key: nil, value: []byte(secret), reason: "key is null"},
		"4-byte key":               {topic: paaVegneAv, key: []byte{0, 0, 0, 1}, value: []byte(secret), reason: "key is 4 bytes"},
		"empty key":                {topic: hendelse, key: []byte{}, value: []byte(`{"arbeidssoekerId":1}`), reason: "key is 0 bytes"},
		"tombstone":                {topic: bekreftelse, key: bt.Key8(1), value: nil, reason: "value is null"},
		"hendelse tombstone":       {topic: hendelse, key: bt.Key8(1), value: nil, reason: "value is null"},
		"invalid JSON":             {topic: hendelse, key: bt.Key8(1), value: []byte(`{"fnr":"` + secret + `"`), reason: "not valid JSON"},
		"invalid UTF-8":            {topic: hendelse, key: bt.Key8(1), value: []byte("{\"a\":\"\xff" + secret + "\"}"), reason: "not valid JSON"},
		"no arbeidssoekerId":       {topic: hendelse, key: bt.Key8(1), value: []byte(`{"fnr":"` + secret + `"}`), reason: "no numeric arbeidssoekerId"},
		"arbeidssoekerId a string": {topic: hendelse, key: bt.Key8(1), value: []byte(`{"arbeidssoekerId":"` + secret + `"}`), reason: "no numeric arbeidssoekerId"},
		"refused by jsonb":         {topic: hendelse, key: bt.Key8(1), value: []byte(`{"arbeidssoekerId":1,"x":"\u0000` + secret + `"}`), reason: "SQLSTATE 22P05"},
	}
}

// Fixed: the original crash-looped on every one of these and stopped all
// three topics. Each goes whole into backup_quarantine with the reason, the
// HWM moves past it, the records around it are stored, a counter and one
// ERROR line (topic, partition, offset, reason; never the payload) fire.
func TestPoisonGoesToQuarantine_FixesCrashLoop(t *testing.T) {
	t.Parallel()
	for name, c := range poisonCases() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := bt.New(t, server, 1)
			topic := c.topic(e)
			good := func(n int64) bt.Record {
				v := []byte{0, 0, 0, 0, 9, byte(n)}
				if topic == e.Topics.Hendelse {
					v = []byte(fmt.Sprintf(`{"arbeidssoekerId":%d}`, n))
				}
				return bt.Record{Topic: topic, Key: bt.Key8(n), Value: v}
			}
			hs := []sarama.RecordHeader{{Key: []byte("traceparent"), Value: []byte("tp")}, {Key: []byte("n"), Value: nil}}
			offsets := e.Produce(good(1), bt.Record{Topic: topic, Key: c.key, Value: c.value, Headers: hs}, good(2))

			core, logs := observer.New(zapcore.InfoLevel)
			run := e.Start(e.Config(), zap.New(core))
			e.WaitCaughtUp(1)

			stored := e.RequireStoredExactly(1, 1)
			q := stored[bt.Offset{Topic: topic, Partition: 0, Offset: offsets[1]}]
			require.Equal(t, "backup_quarantine", q.Table)
			require.Contains(t, q.Error, c.reason)
			require.Equal(t, offsets[2], e.HWM(1, topic, 0))
			require.Equal(t, 1.0, counter(t, run.Registry, "paw_arbeidssoekerregisteret_bekreftelse_backup_records_quarantined_total",
				map[string]string{"topic": topic}))

			errs := logs.FilterLevelExact(zapcore.ErrorLevel).All()
			require.Len(t, errs, 1, "one ERROR line per quarantined record")
			fields := errs[0].ContextMap()
			require.Equal(t, topic, fields["topic"])
			require.EqualValues(t, offsets[1], fields["offset"])
			for _, entry := range logs.All() {
				line := entry.Message + fmt.Sprint(entry.ContextMap())
				require.NotContains(t, line, secret, "no payload in logs")
				require.NotContains(t, line, `\u0000`)
			}
		})
	}
}

// PostgreSQL refuses a few rows in a large batch: the batch is split under
// savepoints until they are found; they go to quarantine, the rest of the
// batch is stored, in the same transaction as the HWM.
func TestRowsPostgresRefusesAreIsolatedInALargeBatch(t *testing.T) {
	t.Parallel()
	e := bt.New(t, server, 1)
	var recs []bt.Record
	bad := map[int]bool{3: true, 150: true, 151: true, 298: true}
	for i := range 300 {
		v := fmt.Sprintf(`{"arbeidssoekerId":%d}`, i)
		if bad[i] {
			v = `{"arbeidssoekerId":1,"x":"\u0000"}`
		}
		recs = append(recs, bt.Record{Topic: e.Topics.Hendelse, Key: bt.Key8(int64(i)), Value: []byte(v)})
	}
	e.Produce(recs...)
	cfg := e.Config()
	cfg.MaxBatch = 1000
	e.Start(cfg, nil)
	e.WaitCaughtUp(1)
	stored := e.RequireStoredExactly(1, 1)
	for i := range 300 {
		table := stored[bt.Offset{Topic: e.Topics.Hendelse, Offset: int64(i)}].Table
		if bad[i] {
			require.Equal(t, "backup_quarantine", table, "offset %d", i)
		} else {
			require.Equal(t, "bekreftelse_hendelser", table, "offset %d", i)
		}
	}
}

// In strict mode (BACKUP_STRICT=true) everything the
// original refused is fatal again. The batch is rolled back, the HWM stays,
// nothing goes to quarantine, and Run returns the error (the process exits
// non-zero; see the command's tests).
func TestStrictModeStopsAtTheFirstRecordThatDoesNotFit(t *testing.T) {
	t.Parallel()
	cases := poisonCases()
	extra := map[string]poisonCase{
		"unknown property":     {topic: func(e *bt.Env) string { return e.Topics.Hendelse }, key: bt.Key8(1), value: []byte(`{"hendelseType":"bekreftelse.periode_avsluttet","arbeidssoekerId":1,"x":1}`)},
		"unknown hendelseType": {topic: func(e *bt.Env) string { return e.Topics.Hendelse }, key: bt.Key8(1), value: []byte(`{"hendelseType":"bekreftelse.x","arbeidssoekerId":1}`)},
		"traceparent too long": {topic: func(e *bt.Env) string { return e.Topics.Bekreftelse }, key: bt.Key8(1), value: []byte{1}},
		"traceparent null":     {topic: func(e *bt.Env) string { return e.Topics.Bekreftelse }, key: bt.Key8(1), value: []byte{1}},
	}
	for k, v := range extra {
		cases[k] = v
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := bt.New(t, server, 1)
			topic := c.topic(e)
			var hs []sarama.RecordHeader
			switch name {
			case "traceparent too long":
				hs = tp(strings.Repeat("x", 59))
			case "traceparent null":
				hs = []sarama.RecordHeader{{Key: []byte("traceparent")}}
			}
			e.Produce(bt.Record{Topic: topic, Key: c.key, Value: c.value, Headers: hs})
			cfg := e.Config()
			cfg.Strict = true
			err := e.Start(cfg, nil).Wait()
			require.Error(t, err)
			require.True(t, hwm.IsFatal(err))
			require.Contains(t, err.Error(), "strict mode")
			require.NotContains(t, err.Error(), secret)
			require.EqualValues(t, -1, e.HWM(1, topic, 0))
			require.Empty(t, e.StoredRows(1))
		})
	}
}
