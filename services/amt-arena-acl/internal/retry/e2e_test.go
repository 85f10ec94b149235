package retry_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/acltest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena/arenatest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/retry"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/store"
)

// stored stores the insert of deltaker d as a row of status with attempts,
// as the live path (or an operator) left it, and returns the row.
func stored(t *testing.T, e *acltest.Env, d *arena.Deltaker, status ingest.Status, attempts int) store.ArenaData {
	t.Helper()
	ctx := context.Background()
	nd, err := store.FromMessage(arena.Message{
		Table: arena.TableDeltaker, Operation: arena.Created, Timestamp: civil.FromTime(time.Now()),
		Pos: e.NextPos(), After: d,
	}, status, "stored by the test")
	require.NoError(t, err)
	row, err := e.Store.UpsertArenaData(ctx, e.DB, nd)
	require.NoError(t, err)
	_, err = e.DB.ExecContext(ctx, `UPDATE arena_data SET ingest_attempts = $2 WHERE id = $1`, row.ID, attempts)
	require.NoError(t, err)
	row.Attempts = attempts
	return row
}

// The retry path of the status machine with the service's own handler:
// what a retried row's outcome does to it (the original's
// RetryMessageExceptionHandler).
func TestRetryPathWithTheMessageHandler(t *testing.T) {
	t.Parallel()
	e := acltest.New(t, server, acltest.Options{NoConsumer: true, NoSpacing: true})
	now := time.Now()
	ready := e.NewGjennomforing(arena.TiltakIndoppfag)
	missing := e.ID()
	unsupported, invalid := e.ID(), e.ID()
	e.StoreGjennomforing(unsupported, "AMO", true, nil)
	e.StoreGjennomforing(invalid, arena.TiltakIndoppfag, false, nil)
	deltaker := func(g int64) *arena.Deltaker {
		person, _ := e.Person()
		return arenatest.Deltaker(now, e.ID(), person, g)
	}
	noPerson := deltaker(ready.ArenaID)
	noPerson.PersonID = nil

	cases := []struct {
		name         string
		row          store.ArenaData
		want         ingest.Status
		wantAttempts int
		note         string
		published    bool
	}{
		{"its gjennomføring is still missing: one more attempt",
			stored(t, e, deltaker(missing), ingest.Retry, 0), ingest.Retry, 1,
			fmt.Sprintf("Venter på at gjennomføring med id=%d skal bli håndtert", missing), false},
		{"the tenth failed attempt makes it FAILED",
			stored(t, e, deltaker(missing), ingest.Retry, 9), ingest.Failed, 10,
			fmt.Sprintf("Venter på at gjennomføring med id=%d skal bli håndtert", missing), false},
		{"its gjennomføring is of a programme not handled here: IGNORED",
			stored(t, e, deltaker(unsupported), ingest.Retry, 3), ingest.Ignored, 4,
			fmt.Sprintf("Deltaker på gjennomføring med arenakode %d er ikke støttet", unsupported), false},
		{"its gjennomføring is invalid: WAITING",
			stored(t, e, deltaker(invalid), ingest.Retry, 1), ingest.Waiting, 2,
			fmt.Sprintf("Deltaker på ugyldig gjennomføring <%d>", invalid), false},
		{"invalid data only counts an attempt when retried",
			stored(t, e, noPerson, ingest.Retry, 0), ingest.Retry, 1, "PERSON_ID er null", false},
		{"its gjennomføring is there: HANDLED and published, attempts kept",
			stored(t, e, deltaker(ready.ArenaID), ingest.Retry, 5), ingest.Handled, 5, "", true},
		{"a FAILED row that now succeeds, at the nightly tick",
			stored(t, e, deltaker(ready.ArenaID), ingest.Failed, 23), ingest.Handled, 23, "", true},
	}

	p := retry.New(e.DB, e.Store, e.Processor)
	res, err := p.Tick(context.Background(), ingest.Retry, time.Now(), retry.DefaultRetryBatchSize)
	require.NoError(t, err)
	require.Equal(t, len(cases)-1, res.Attempted())
	res, err = p.Tick(context.Background(), ingest.Failed, time.Now(), retry.DefaultFailedBatchSize)
	require.NoError(t, err)
	require.Equal(t, 2, res.Attempted(), "the row just made FAILED and the FAILED one")

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok, err := e.Store.GetArenaData(context.Background(), e.DB, c.row.ID)
			require.NoError(t, err)
			require.True(t, ok)
			want, wantAttempts := c.want, c.wantAttempts
			if c.want == ingest.Failed {
				wantAttempts++ // the nightly tick tried it once more
			}
			require.Equal(t, want, got.Status)
			require.Equal(t, wantAttempts, got.Attempts)
			require.NotNil(t, got.LastAttempted)
			if c.note != "" {
				require.Equal(t, c.note, *got.Note)
			}
			arenaID := got.ArenaID
			id, ok, err := e.Store.GetAmtID(context.Background(), e.DB, arena.TableDeltaker, arenaID)
			require.NoError(t, err)
			if c.published {
				require.True(t, ok)
				require.Len(t, e.OutputFor(id), 1)
			} else if ok {
				require.Empty(t, e.OutputFor(id))
			}
		})
	}
}

// Two retry processors of the same tick with the service's own handler:
// every row is attempted exactly once between them, never by both.
func TestTwoProcessorsWithTheMessageHandlerAttemptEachRowOnce(t *testing.T) {
	t.Parallel()
	e := acltest.New(t, server, acltest.Options{NoConsumer: true, NoSpacing: true})
	now := time.Now()
	ready := e.NewGjennomforing(arena.TiltakIndoppfag)
	missing := e.ID()
	var rows []store.ArenaData
	for i := range 40 {
		g := missing
		if i%4 == 0 {
			g = ready.ArenaID
		}
		person, _ := e.Person()
		rows = append(rows, stored(t, e, arenatest.Deltaker(now, e.ID(), person, g), ingest.Retry, 0))
	}

	at := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() {
			_, errs[i] = retry.New(e.DB, e.Store, e.Processor).Tick(context.Background(), ingest.Retry, at, 3)
		})
	}
	wg.Wait()
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])

	for _, r := range rows {
		ds := e.DecisionsFor(arena.TableDeltaker, arena.Created, r.Pos)
		require.Len(t, ds, 1, "row %d: one decision, no skips", r.ID)
		require.False(t, ds[0].Decision.Skipped)
		got, _, err := e.Store.GetArenaData(context.Background(), e.DB, r.ID)
		require.NoError(t, err)
		if got.Status == ingest.Handled {
			require.Zero(t, got.Attempts)
		} else {
			require.Equal(t, 1, got.Attempts, "row %d", r.ID)
		}
	}
	require.Len(t, e.Output(), 10, "the ten on a gjennomføring that is there, once each")
}
