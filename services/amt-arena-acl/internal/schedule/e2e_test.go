package schedule_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/acltest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/amt"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena/arenatest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/fakenav"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/schedule"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/schedule/scheduletest"
)

// startService runs the service's schedules on e's database and message
// handler, with the environment env and the clock clock, and returns the
// job runs as they end, once it leads.
func startService(t *testing.T, e *acltest.Env, env map[string]string, clock *scheduletest.Clock) <-chan schedule.Run {
	t.Helper()
	cfg, err := schedule.ConfigFromEnv(func(k string) string { return env[k] })
	require.NoError(t, err)
	runs := make(chan schedule.Run, 64)
	svc, err := schedule.NewService(schedule.Setup{
		DB: e.DB, Store: e.Store, Handler: e.Processor, Config: cfg,
		Metrics: e.Metrics, Registerer: e.Registry, Log: e.Logs.Logger.Named("schedule"),
		LeaderInterval: 50 * time.Millisecond, Clock: clock,
		OnRun: func(r schedule.Run) { runs <- r },
	})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	t.Cleanup(func() { cancel(); require.NoError(t, <-done) })
	require.True(t, wait(t, svc.Leader.Changes(), "leadership"))
	settle(t, clock, 4)
	return runs
}

// waitJob waits for the end of a run of the job name, passing over the
// other jobs' runs.
func waitJob(t *testing.T, runs <-chan schedule.Run, name string) schedule.Run {
	t.Helper()
	for {
		if r := wait(t, runs, "a run of "+name); r.Job == name {
			return r
		}
	}
}

// The original's retry scenario: three deltakere arrive before their
// gjennomføring and wait RETRY; the gjennomføring arrives; the next retry
// tick, in pages of two, handles all three and publishes them.
func TestDeltakereArrivingBeforeTheirGjennomforingArePublishedByTheNextRetryTick(t *testing.T) {
	t.Parallel()
	e := acltest.New(t, server, acltest.Options{})
	now := time.Now()
	g := e.ID()
	mr := e.NAV.Mulighetsrommet.AddGjennomforing(fakenav.Gjennomforing{ArenaID: g})

	var positions []string
	var deltakere []int64
	for range 3 {
		person, _ := e.Person()
		d := arenatest.Deltaker(now, e.ID(), person, g)
		pos := e.Send(arena.Created, d)
		row := e.WaitStatus(arena.TableDeltaker, arena.Created, pos, ingest.Retry)
		require.Equal(t, fmt.Sprintf("Venter på at gjennomføring med id=%d skal bli håndtert", g), *row.Note)
		positions = append(positions, pos)
		deltakere = append(deltakere, d.TiltakdeltakerID)
	}
	gpos := e.Send(arena.Created, arenatest.Gjennomforing(now, g, arena.TiltakIndoppfag))
	e.WaitStatus(arena.TableGjennomforing, arena.Created, gpos, ingest.Handled)
	require.Empty(t, e.Output(), "nothing is published before the retry tick")

	clock := scheduletest.NewClock(now)
	runs := startService(t, e, map[string]string{"RETRY_BATCH_SIZE": "2"}, clock)
	clock.Advance(10 * time.Minute)
	require.NoError(t, waitJob(t, runs, schedule.JobRetry).Err)

	for _, pos := range positions {
		row, ok := e.Row(arena.TableDeltaker, arena.Created, pos)
		require.True(t, ok)
		require.Equal(t, ingest.Handled, row.Status, "deltaker at %s", pos)
		require.NotNil(t, row.LastAttempted)
	}
	out := e.Output()
	require.Len(t, out, 3)
	for _, arenaID := range deltakere {
		id, ok := e.AmtID(arenaID)
		require.True(t, ok)
		got := e.OutputFor(id)
		require.Len(t, got, 1)
		require.Equal(t, acltest.TopicAmt, got[0].Topic)
		require.Equal(t, amt.Created, got[0].Envelope.Operation)
		require.Equal(t, mr.ID, got[0].Deltaker.GjennomforingID.String())
	}
}
