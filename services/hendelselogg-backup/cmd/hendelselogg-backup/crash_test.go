package main

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	bt "github.com/navikt/kafkapg/services/hendelselogg-backup/internal/backuptest"
)

// The service is killed with SIGKILL at 20 or more random moments — while it
// starts, migrates, joins the group, or has batches open — while the three
// topics receive traffic (poison records included). After a last run to the
// end, every offset of every partition is in exactly one row (its table or
// quarantine), with the bytes Kafka holds, and every HWM is the last offset.
func TestKilledAtRandomMomentsLosesAndDuplicatesNothing(t *testing.T) {
	t.Parallel()
	const partitions = 3
	e := bt.New(t, server, partitions)
	cfg := e.Config()
	cfg.MaxBatch = 100
	cfg.SessionTimeout = time.Second
	cfg.RebalanceTimeout = 2 * time.Second
	env := e.Env(cfg)

	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rnd := rand.New(rand.NewPCG(seed, 3))
	tr := startTraffic(t, e, partitions, 37, 10*time.Millisecond)

	const kills = 20
	early := 0
	for i := 0; i < kills; i++ {
		p := start(t, env)
		if rnd.IntN(4) == 0 {
			// Anywhere from startup through migration and joining the group.
			early++
			time.Sleep(time.Duration(rnd.IntN(400)) * time.Millisecond) // the random moment itself
		} else {
			before := progress(t, e)
			require.Eventually(t, func() bool { return progress(t, e) > before || p.exited() },
				bt.WaitFor, bt.Tick, "no progress in run %d", i)
			require.False(t, p.exited(), "the service exited by itself:\n%s", tail(p.out.String()))
			time.Sleep(time.Duration(rnd.IntN(60)) * time.Millisecond) // the random moment, mid-batch more often than not
		}
		p.kill()
	}
	sent := tr.stop(t)
	t.Logf("%d kills (%d early), %d records produced", kills, early, sent)

	last := start(t, env)
	e.WaitCaughtUp(1)
	require.Equal(t, 0, last.term(), "SIGTERM ends the service cleanly")

	stored := e.RequireStoredExactly(1, partitions)
	require.EqualValues(t, sent, len(stored))
	quarantined := e.Count("backup_quarantine", 1)
	require.Positive(t, quarantined, "the traffic had poison records")
	for tp, lastOffset := range e.Produced() {
		require.Equal(t, lastOffset, e.HWM(1, tp.Topic, tp.Partition), "hwm of %v", tp)
	}
}
