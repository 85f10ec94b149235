package backup_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	bt "github.com/navikt/kafkapg/services/hendelselogg-backup/internal/backuptest"
)

// failInserts makes every insert into table fail (when the condition holds),
// as a broken table or a full disk would; it returns a function that heals it.
func failInserts(t *testing.T, e *bt.Env, table, when string) (heal func()) {
	t.Helper()
	if when == "" {
		when = "true"
	}
	_, err := e.DB.Exec(`CREATE FUNCTION fail_insert() RETURNS trigger LANGUAGE plpgsql AS
		$$ BEGIN RAISE EXCEPTION 'injected failure'; END $$`)
	require.NoError(t, err)
	_, err = e.DB.Exec(`CREATE TRIGGER fail_insert AFTER INSERT ON ` + table + ` FOR EACH ROW WHEN (` + when + `) EXECUTE FUNCTION fail_insert()`)
	require.NoError(t, err)
	return func() {
		_, err := e.DB.Exec(`DROP TRIGGER fail_insert ON ` + table)
		require.NoError(t, err)
	}
}

// The original had one consumer per topic, and any failure in any
// of them stopped all three and the process. Deviation: one consumer serves
// the three topics and every partition is written on its own, so a topic
// whose batches fail is retried with backoff while the other topics go on;
// the process stays up.
func TestAFailingTopicDoesNotStopTheOthers_DeviatesFromOneFailureStopsAll(t *testing.T) {
	t.Parallel()
	e := bt.New(t, server, 2)
	heal := failInserts(t, e, "bekreftelser", "")
	for p := range int32(2) {
		e.Produce(bytesRecords(e.Topics.Bekreftelse, p, 20)...)
		e.Produce(bytesRecords(e.Topics.PaaVegneAv, p, 20)...)
	}
	run := e.Start(e.Config(), nil)
	for p := range int32(2) {
		require.Eventually(t, func() bool { return e.HWM(1, e.Topics.PaaVegneAv, p) == 19 }, bt.WaitFor, bt.Tick)
	}
	require.Eventually(t, func() bool {
		return counter(t, run.Registry, "paw_arbeidssoekerregisteret_bekreftelse_backup_batch_failures_total",
			map[string]string{"topic": e.Topics.Bekreftelse}) >= 4
	}, bt.WaitFor, bt.Tick, "the failing batches are retried")
	require.EqualValues(t, -1, e.HWM(1, e.Topics.Bekreftelse, 0))
	require.Zero(t, e.Count("bekreftelser", 1))
	require.NoError(t, run.Service.Alive(context.Background()), "still running")

	heal()
	e.WaitCaughtUp(1)
	e.RequireStoredExactly(1, 2)
}

// As the original: a batch is one transaction. A failure on one of
// its rows rolls back every row and the HWM move of that batch; the retry
// then stores the whole batch once.
func TestABatchIsOneTransaction(t *testing.T) {
	t.Parallel()
	e := bt.New(t, server, 1)
	heal := failInserts(t, e, "bekreftelse_paa_vegne_av", "NEW.kafka_offset = 3")
	e.Produce(bytesRecords(e.Topics.PaaVegneAv, 0, 5)...)
	run := e.Start(e.Config(), nil)
	require.Eventually(t, func() bool {
		return counter(t, run.Registry, "paw_arbeidssoekerregisteret_bekreftelse_backup_batch_failures_total", nil) >= 2
	}, bt.WaitFor, bt.Tick)
	require.Zero(t, e.Count("bekreftelse_paa_vegne_av", 1), "rows before the failing one were rolled back too")
	require.EqualValues(t, -1, e.HWM(1, e.Topics.PaaVegneAv, 0))
	heal()
	e.WaitCaughtUp(1)
	require.Equal(t, 5, e.Count("bekreftelse_paa_vegne_av", 1))
}

// The original retried a transient database error three times and then
// exited. Deviation: the batch is retried with backoff for as long as it
// takes, without restarting the process; connections cut in the middle of
// batches lose and duplicate nothing.
func TestCutConnectionsAreRetried_DeviatesFromThreeAttemptsThenExit(t *testing.T) {
	t.Parallel()
	e := bt.New(t, server, 2)
	run := e.Start(e.Config(), nil)
	for i := range 10 {
		for p := range int32(2) {
			e.Produce(bytesRecords(e.Topics.Bekreftelse, p, 50)...)
		}
		_, err := e.DB.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid()`)
		require.NoError(t, err, "round %d", i)
	}
	e.WaitCaughtUp(1)
	e.RequireStoredExactly(1, 2)
	require.NoError(t, run.Service.Alive(context.Background()))
}
