package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/pg/pgtest"
	bt "github.com/navikt/kafkapg/services/hendelselogg-backup/internal/backuptest"
)

// Two replicas share one database and one consumer group; one is killed
// mid-stream and the other takes its partitions over from the HWMs. Nothing
// is lost and nothing is written twice.
func TestTwoReplicasOneKilledMidStream(t *testing.T) {
	t.Parallel()
	const partitions = 4
	e := bt.New(t, server, partitions)
	cfg := e.Config()
	cfg.MaxBatch = 100
	cfg.SessionTimeout = time.Second
	cfg.RebalanceTimeout = 2 * time.Second
	env := e.Env(cfg)
	tr := startTraffic(t, e, partitions, 50, 10*time.Millisecond)

	a, b := start(t, env), start(t, env)
	// Both ready means both hold partitions (readiness needs an assignment).
	require.Eventually(t, func() bool {
		return a.status("/internal/isReady") == http.StatusOK && b.status("/internal/isReady") == http.StatusOK
	}, bt.WaitFor, bt.Tick, "both replicas get partitions")
	before := progress(t, e)
	require.Eventually(t, func() bool { return progress(t, e) > before+500 }, bt.WaitFor, bt.Tick)

	a.kill()
	before = progress(t, e)
	require.Eventually(t, func() bool { return progress(t, e) > before+500 }, bt.WaitFor, bt.Tick, "b goes on alone")
	sent := tr.stop(t)

	e.WaitCaughtUp(1)
	require.Equal(t, 0, b.term())
	stored := e.RequireStoredExactly(1, partitions)
	require.EqualValues(t, sent, len(stored))
}

// Postgres is stopped and started again while records keep coming: the
// service stays up (alive), is unready while the database is away, becomes
// ready again by itself and stores everything exactly once.
func TestPostgresOutageMakesUnreadyNotDeadAndLosesNothing(t *testing.T) {
	t.Parallel()
	// Halt stops every database of a server, so this test has its own.
	own, err := pgtest.Start(pgtest.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = own.Stop() })
	const partitions = 2
	e := bt.New(t, own, partitions)
	cfg := e.Config()
	cfg.MaxRetryBackoff = 200 * time.Millisecond
	p := start(t, e.Env(cfg))

	tr := startTraffic(t, e, partitions, 0, 10*time.Millisecond)
	require.Eventually(t, func() bool { return p.status("/internal/isReady") == http.StatusOK }, bt.WaitFor, bt.Tick)
	before := progress(t, e)
	require.Eventually(t, func() bool { return progress(t, e) > before+100 }, bt.WaitFor, bt.Tick)

	require.NoError(t, own.Halt())
	require.Eventually(t, func() bool { return p.status("/internal/isReady") == http.StatusServiceUnavailable },
		bt.WaitFor, bt.Tick, "unready while the database is down")
	require.Equal(t, http.StatusOK, p.status("/internal/isAlive"), "alive while the database is down")
	// Records keep arriving during the outage.
	sentDuring := tr.sent.Load()
	require.Eventually(t, func() bool { return tr.sent.Load() > sentDuring+300 }, bt.WaitFor, bt.Tick)
	require.False(t, p.exited(), "the service must not exit on a database outage")

	require.NoError(t, own.Resume())
	require.Eventually(t, func() bool { return p.status("/internal/isReady") == http.StatusOK },
		bt.WaitFor, bt.Tick, "ready again by itself")
	sent := tr.stop(t)
	e.WaitCaughtUp(1)
	require.Equal(t, 0, p.term())
	stored := e.RequireStoredExactly(1, partitions)
	require.EqualValues(t, sent, len(stored))
	require.Contains(t, p.out.String(), "batch rolled back; it will be retried")
}

// Strict mode (BACKUP_STRICT=true) is the original's fail-fast: the first
// record that cannot be stored stops the process with a non-zero exit, and
// nothing from that record's batch is stored.
func TestStrictModeExitsNonZeroOnPoison(t *testing.T) {
	t.Parallel()
	e := bt.New(t, server, 1)
	cfg := e.Config()
	cfg.Strict = true
	good := func(n int64) bt.Record {
		return bt.Record{Topic: e.Topics.Bekreftelse, Key: bt.Key8(n), Value: []byte{0, 0, 0, 0, 1, byte(n)}}
	}
	offsets := e.Produce(good(1), good(2), good(3))
	p := start(t, e.Env(cfg))
	e.WaitCaughtUp(1)
	e.Produce(bt.Record{Topic: e.Topics.Bekreftelse, Key: nil, Value: []byte{0}}, good(4))

	code := p.wait()
	require.NotEqual(t, 0, code)
	require.Contains(t, p.errb.String(), "strict mode")
	require.Equal(t, offsets[2], e.HWM(1, e.Topics.Bekreftelse, 0), "the HWM stays before the poison record")
	require.Equal(t, 3, e.Count("bekreftelser", 1))
	require.Equal(t, 0, e.Count("backup_quarantine", 1))
}

// SIGTERM stops consuming, finishes or rolls back the batch in flight, leaves
// the group and exits 0; a restart goes on from the HWMs.
func TestSigtermExitsCleanlyAndRestartResumes(t *testing.T) {
	t.Parallel()
	e := bt.New(t, server, 2)
	env := e.Env(e.Config())
	tr := startTraffic(t, e, 2, 0, 10*time.Millisecond)
	p := start(t, env)
	before := progress(t, e)
	require.Eventually(t, func() bool { return progress(t, e) > before+200 }, bt.WaitFor, bt.Tick)
	require.Equal(t, 0, p.term())
	require.Contains(t, p.out.String(), "hendelselogg-backup stopped")

	p = start(t, env)
	sent := tr.stop(t)
	e.WaitCaughtUp(1)
	require.Equal(t, 0, p.term())
	require.Len(t, e.RequireStoredExactly(1, 2), int(sent))
}

// A bad configuration stops the process at once with one line that names the
// variable.
func TestBadConfigurationNamesTheVariable(t *testing.T) {
	t.Parallel()
	e := bt.New(t, server, 1)
	base := e.Env(e.Config())
	cases := map[string]struct {
		env  []string
		want string
	}{
		"no brokers":           {env: without(base, "KAFKA_BROKERS"), want: "KAFKA_BROKERS"},
		"version not a number": {env: append(base, "BACKUP_VERSION=abc"), want: "BACKUP_VERSION"},
		"strict not a bool":    {env: append(base, "BACKUP_STRICT=ja"), want: "BACKUP_STRICT"},
		"no token validation":  {env: append(without(base, "AUTH_DISABLED_LOCAL_ONLY"), "AUTH_DISABLED_LOCAL_ONLY=false"), want: "NAIS_TOKEN_INTROSPECTION_ENDPOINT"},
		"auth off on NAIS":     {env: append(base, "NAIS_CLUSTER_NAME=prod-gcp"), want: "AUTH_DISABLED_LOCAL_ONLY"},
		"no database":          {env: without(base, "DB_URL"), want: "DB_HOST"},
		"batch size zero":      {env: append(base, "BACKUP_MAX_BATCH=0"), want: "BACKUP_MAX_BATCH"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := start(t, c.env)
			require.Equal(t, 1, p.wait())
			lines := strings.Split(strings.TrimSpace(p.errb.String()), "\n")
			require.Len(t, lines, 1, "one line: %q", p.errb.String())
			require.Contains(t, lines[0], c.want)
		})
	}
}

func without(env []string, name string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}

// As the original: the service starts in order — migrate, read the topics'
// metadata, initialise the HWM rows, start HTTP, consume — and a failure in
// any step ends the process with a non-zero exit before HTTP answers.
func TestStartupOrderAndFailureBeforeServing(t *testing.T) {
	t.Parallel()
	e := bt.New(t, server, 2)
	empty := server.NewDBURL(t, nil, "")
	env := append(without(e.Env(e.Config()), "DB_URL"), "DB_URL="+empty)

	// A topic that does not exist fails step 2: the schema is there (step 1
	// ran), no HWM row is (step 3 did not), and HTTP never answered.
	missing := start(t, append(env, "KAFKA_PAW_ARBEIDSSOKER_BEKREFTELSE_TOPIC=no-such-topic"))
	require.Equal(t, 1, missing.wait())
	require.Contains(t, missing.errb.String(), "no-such-topic")
	db := openURL(t, empty)
	var tables int
	require.NoError(t, db.Get(&tables, `SELECT count(*) FROM information_schema.tables WHERE table_name IN ('bekreftelse_hwm', 'backup_quarantine')`))
	require.Equal(t, 2, tables)
	var rows int
	require.NoError(t, db.Get(&rows, `SELECT count(*) FROM bekreftelse_hwm`))
	require.Zero(t, rows)
	require.NotContains(t, missing.out.String(), "http server listening")

	// A database that does not answer fails step 1.
	down := start(t, append(without(env, "DB_URL"), "DB_URL=postgres://postgres@127.0.0.1:1/x?sslmode=disable"))
	require.Equal(t, 1, down.wait())
	require.Contains(t, down.errb.String(), "open database")

	// All well: HWM rows for every partition exist by the time HTTP answers.
	ok := start(t, env)
	require.Eventually(t, func() bool { return ok.status("/internal/isAlive") == http.StatusOK }, bt.WaitFor, bt.Tick)
	require.NoError(t, db.Get(&rows, `SELECT count(*) FROM bekreftelse_hwm WHERE version = 1 AND kafka_offset = -1`))
	require.Equal(t, 6, rows)
	require.Equal(t, 0, ok.term())
}
