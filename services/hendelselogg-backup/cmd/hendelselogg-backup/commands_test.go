package main

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	bt "github.com/navikt/kafkapg/services/hendelselogg-backup/internal/backuptest"
)

// As the original: /internal/isAlive, /internal/isReady and
// /internal/metrics are served on PORT (8080 unless set). Deviation: the
// health routes answer JSON ({"status":"ok"}), not the text HEALTHY. The
// metrics include the HWM per topic and partition and records_written per
// topic under the original's prefix.
func TestHealthAndMetricsRoutes_DeviatesWithJSONBodyNotHEALTHY(t *testing.T) {
	t.Parallel()
	e := bt.New(t, server, 1)
	e.Produce(bt.Record{Topic: e.Topics.Bekreftelse, Key: bt.Key8(1), Value: []byte{1}},
		bt.Record{Topic: e.Topics.Bekreftelse, Key: bt.Key8(2), Value: []byte{2}})
	p := start(t, e.Env(e.Config()))
	e.WaitCaughtUp(1)
	require.Eventually(t, func() bool { return p.status("/internal/isReady") == http.StatusOK }, bt.WaitFor, bt.Tick)
	for _, path := range []string{"/internal/isAlive", "/internal/isReady"} {
		code, body := p.get(path)
		require.Equal(t, http.StatusOK, code, path)
		var b map[string]any
		require.NoError(t, json.Unmarshal([]byte(body), &b))
		require.Equal(t, "ok", b["status"], path)
	}
	var metrics string
	require.Eventually(t, func() bool {
		_, metrics = p.get("/internal/metrics")
		return strings.Contains(metrics, `paw_arbeidssoekerregisteret_bekreftelse_backup_hwm_offset{partition="0",topic="paw.arbeidssoker-bekreftelse-v1",version="1"} 1`)
	}, bt.WaitFor, bt.Tick)
	for _, want := range []string{
		`paw_arbeidssoekerregisteret_bekreftelse_backup_records_written_total{partition="0",topic="paw.arbeidssoker-bekreftelse-v1",version="1"} 2`,
		`paw_arbeidssoekerregisteret_bekreftelse_backup_hwm_offset{partition="0",topic="paw.arbeidssoker-bekreftelse-hendelseslogg-v2",version="1"} -1`,
		`paw_arbeidssoekerregisteret_bekreftelse_backup_lag_records{partition="0",topic="paw.arbeidssoker-bekreftelse-v1",version="1"} 0`,
		`paw_arbeidssoekerregisteret_bekreftelse_backup_batch_duration_seconds_bucket`,
		`paw_arbeidssoekerregisteret_bekreftelse_backup_last_batch_timestamp_seconds`,
		`paw_arbeidssoekerregisteret_bekreftelse_backup_quarantine_rows{topic="paw.arbeidssoker-bekreftelse-v1",version="1"} 0`,
		`go_goroutines`,
	} {
		require.Contains(t, metrics, want)
	}
	require.Equal(t, 0, p.term())
}

// restore and verify run as subcommands of the same binary, with the
// service's environment. restore exits 0 when every selected record was
// acknowledged and 2 on a bad command line; verify exits 0 when the backup
// is complete, 3 when it is only behind and 1 when it lacks a record Kafka
// holds below a high-water mark.
func TestRestoreAndVerifyCommands(t *testing.T) {
	t.Parallel()
	e := bt.New(t, server, 2)
	for p := range int32(2) {
		for i := range 10 {
			e.Produce(bt.Record{Topic: e.Topics.PaaVegneAv, Partition: p, Key: bt.Key8(int64(i)), Value: []byte{byte(i)},
				Timestamp: time.UnixMilli(1_700_000_000_000)})
		}
	}
	env := e.Env(e.Config())
	svc := start(t, env)
	e.WaitCaughtUp(1)
	require.Equal(t, 0, svc.term())

	verifyCmd := start(t, env, "verify", "--idle", "300ms")
	require.Equal(t, 0, verifyCmd.wait(), verifyCmd.out.String())
	require.Contains(t, verifyCmd.out.String(), "OK: the backup holds every record Kafka holds")

	e.Kafka.CreateTopic(t, "restored", 2)
	restoreCmd := start(t, env, "restore", "--topic", e.Topics.PaaVegneAv, "--target-topic", "restored", "--partition", "1")
	require.Equal(t, 0, restoreCmd.wait(), restoreCmd.errb.String())
	require.Contains(t, restoreCmd.out.String(), "restore: selected=10 read=10 sent=10 dry_run=false")
	require.Regexp(t, regexp.MustCompile(`"message":"restore done".*"sent":10`), restoreCmd.out.String(), "a progress line")
	require.Len(t, e.ConsumeAll("restored", 1), 10)

	dry := start(t, env, "restore", "--topic", e.Topics.PaaVegneAv, "--dry-run")
	require.Equal(t, 0, dry.wait())
	require.Contains(t, dry.out.String(), "restore: selected=20 read=20 sent=0 dry_run=true")

	for _, args := range [][]string{
		{"restore", "--target-topic", "x"},
		{"restore", "--topic", e.Topics.PaaVegneAv, "--target-topic", "x", "--from-offset", "-1"},
		{"restore", "--nope"},
		{"verify", "extra"},
		{"frobnicate"},
	} {
		p := start(t, env, args...)
		require.Equal(t, 2, p.wait(), "%v: %s", args, p.errb.String())
	}

	e.Produce(bt.Record{Topic: e.Topics.PaaVegneAv, Partition: 0, Key: bt.Key8(1), Value: []byte{1}})
	behind := start(t, env, "verify", "--idle", "300ms")
	require.Equal(t, 3, behind.wait(), behind.out.String())

	_, err := e.DB.Exec(`DELETE FROM bekreftelse_paa_vegne_av WHERE kafka_partition = 1 AND kafka_offset = 4`)
	require.NoError(t, err)
	lost := start(t, env, "verify", "--idle", "300ms")
	require.Equal(t, 1, lost.wait(), lost.out.String())
	require.Contains(t, lost.out.String(), "missing 4")

	migrate := start(t, []string{"DB_URL=" + e.DBURL}, "migrate")
	require.Equal(t, 0, migrate.wait(), migrate.errb.String())
}
