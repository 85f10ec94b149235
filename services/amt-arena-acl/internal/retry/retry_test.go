package retry_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/retry"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/store"
	"github.com/navikt/kafkapg/services/amt-arena-acl/migrations"
)

type bundle struct {
	db    *sqlx.DB
	store *store.Store
	clock *clock
}

func setup(t *testing.T) bundle {
	t.Helper()
	c := newClock()
	return bundle{db: server.NewDB(t, migrations.FS, "."), store: store.New(c.Now), clock: c}
}

func TestTickGoesTableByTableInPositionOrderAcrossPages(t *testing.T) {
	t.Parallel()
	for _, batch := range []int{1, 2, 3, retry.DefaultRetryBatchSize} {
		t.Run("batch "+itoa(batch), func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			// Inserted out of order, tables mixed, with rows the tick must
			// leave alone in between.
			seed(t, b.store, b.db, arena.TableHistDeltaker, "9", 5, ingest.Retry)
			seed(t, b.store, b.db, arena.TableDeltaker, "2", 40, ingest.Retry)
			seed(t, b.store, b.db, arena.TableDeltaker, "1", 30, ingest.Retry)
			seed(t, b.store, b.db, arena.TableDeltaker, "1", 35, ingest.Handled)
			seed(t, b.store, b.db, arena.TableDeltaker, "3", 33, ingest.Failed)
			seed(t, b.store, b.db, arena.TableDeltaker, "4", 34, ingest.Waiting)
			seed(t, b.store, b.db, arena.TableGjennomforing, "77", 50, ingest.Retry)
			seed(t, b.store, b.db, arena.TableGjennomforing, "78", 10, ingest.Retry)
			seed(t, b.store, b.db, arena.TableDeltaker, "1", 31, ingest.Retry)

			h := newDBHandler(b.db, b.store, nil)
			res, err := retry.New(b.db, b.store, h).Tick(context.Background(), ingest.Retry, b.clock.Now(), batch)
			require.NoError(t, err)

			var order []string
			for _, r := range h.handled() {
				order = append(order, string(r.Table)+"/"+r.Pos[len(r.Pos)-2:])
			}
			require.Equal(t, []string{
				"SIAMO.TILTAKGJENNOMFORING/10", "SIAMO.TILTAKGJENNOMFORING/50",
				"SIAMO.TILTAKDELTAKER/30", "SIAMO.TILTAKDELTAKER/31", "SIAMO.TILTAKDELTAKER/40",
				"SIAMO.HIST_TILTAKDELTAKER/05",
			}, order)
			require.Equal(t, 6, res.Attempted())
			require.Equal(t, []int{2, 3, 1}, []int{res.Tables[0].Attempted, res.Tables[1].Attempted, res.Tables[2].Attempted})
			require.Equal(t, map[ingest.Status]int{ingest.Handled: 3}, res.Tables[1].Outcomes)

			counts, err := b.store.CountByTableAndStatus(context.Background(), b.db)
			require.NoError(t, err)
			require.ElementsMatch(t, []store.StatusCount{
				{Table: arena.TableDeltaker, Status: ingest.Handled, Count: 4},
				{Table: arena.TableDeltaker, Status: ingest.Failed, Count: 1},
				{Table: arena.TableDeltaker, Status: ingest.Waiting, Count: 1},
				{Table: arena.TableGjennomforing, Status: ingest.Handled, Count: 2},
				{Table: arena.TableHistDeltaker, Status: ingest.Handled, Count: 1},
			}, counts)
		})
	}
}

// The retry path of the status machine, as the processor drives it: what
// the handler's outcome does to a RETRY or FAILED row.
func TestTickLeavesEachRowInTheStatusItsAttemptDecides(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name         string
		from         ingest.Status
		attempts     int
		outcome      error
		want         ingest.Status
		wantAttempts int
	}{
		{"success is HANDLED, attempts as they were", ingest.Retry, 3, nil, ingest.Handled, 3},
		{"not for us is IGNORED", ingest.Retry, 0, ingest.Errorf(ingest.ErrIgnored, "Deltaker på gjennomføring med arenakode 9 er ikke støttet"), ingest.Ignored, 1},
		{"Komet-owned is EXTERNAL_SOURCE", ingest.Failed, 12, ingest.Errorf(ingest.ErrExternalSource, "Deltaker har eksternid x"), ingest.ExternalSource, 13},
		{"invalid gjennomføring is WAITING", ingest.Retry, 2, ingest.Errorf(ingest.ErrDependencyNotValid, "Deltaker på ugyldig gjennomføring <7>"), ingest.Waiting, 3},
		{"an error counts an attempt", ingest.Retry, 0, errUnavailable, ingest.Retry, 1},
		{"invalid data only counts an attempt", ingest.Retry, 4, ingest.Errorf(ingest.ErrInvalid, "PERSON_ID er null"), ingest.Retry, 5},
		{"the tenth failed attempt makes RETRY FAILED", ingest.Retry, 9, errUnavailable, ingest.Failed, 10},
		{"FAILED stays FAILED and counts on", ingest.Failed, 10, errUnavailable, ingest.Failed, 11},
		{"FAILED that succeeds is HANDLED", ingest.Failed, 17, nil, ingest.Handled, 17},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			row := seed(t, b.store, b.db, arena.TableDeltaker, "1", 1, c.from)
			_, err := b.db.Exec(`UPDATE arena_data SET ingest_attempts = $2 WHERE id = $1`, row.ID, c.attempts)
			require.NoError(t, err)

			h := newDBHandler(b.db, b.store, func(store.ArenaData) error { return c.outcome })
			at := b.clock.Advance(time.Minute)
			_, err = retry.New(b.db, b.store, h).Tick(context.Background(), c.from, at, 10)
			require.NoError(t, err)

			got := get(t, b.store, b.db, row.ID)
			require.Equal(t, c.want, got.Status)
			require.Equal(t, c.wantAttempts, got.Attempts)
			require.NotNil(t, got.LastAttempted)
			if c.outcome != nil {
				require.Equal(t, c.outcome.Error(), *got.Note, "the note is the outcome's message")
			}
		})
	}
}

func TestRetryRowTurnsFailedAfterTenTicksAndTheNightlyTickKeepsCounting(t *testing.T) {
	t.Parallel()
	b := setup(t)
	row := seed(t, b.store, b.db, arena.TableDeltaker, "1", 1, ingest.Retry)
	h := newDBHandler(b.db, b.store, func(store.ArenaData) error { return errUnavailable })
	p := retry.New(b.db, b.store, h)
	ctx := context.Background()

	for i := 1; i <= 10; i++ {
		res, err := p.Tick(ctx, ingest.Retry, b.clock.Advance(10*time.Minute), retry.DefaultRetryBatchSize)
		require.NoError(t, err)
		require.Equal(t, 1, res.Attempted(), "tick %d", i)
		got := get(t, b.store, b.db, row.ID)
		require.Equal(t, i, got.Attempts)
		if i < 10 {
			require.Equal(t, ingest.Retry, got.Status, "tick %d", i)
		}
	}
	require.Equal(t, ingest.Failed, get(t, b.store, b.db, row.ID).Status)

	res, err := p.Tick(ctx, ingest.Retry, b.clock.Advance(10*time.Minute), retry.DefaultRetryBatchSize)
	require.NoError(t, err)
	require.Zero(t, res.Attempted(), "a FAILED row is not the RETRY tick's")

	res, err = p.Tick(ctx, ingest.Failed, b.clock.Advance(time.Hour), retry.DefaultFailedBatchSize)
	require.NoError(t, err)
	require.Equal(t, 1, res.Attempted())
	got := get(t, b.store, b.db, row.ID)
	require.Equal(t, ingest.Failed, got.Status)
	require.Equal(t, 11, got.Attempts)
}

func TestATickAttemptsARowOnceAndTheNextTickAgain(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var rows []store.ArenaData
	for i := range 7 {
		rows = append(rows, seed(t, b.store, b.db, arena.TableDeltaker, itoa(i%3), 100+i, ingest.Retry))
	}
	h := newDBHandler(b.db, b.store, func(store.ArenaData) error { return errUnavailable })
	p := retry.New(b.db, b.store, h)
	ctx := context.Background()

	at := b.clock.Advance(time.Minute)
	res, err := p.Tick(ctx, ingest.Retry, at, 2)
	require.NoError(t, err)
	require.Equal(t, 7, res.Attempted())

	// The same tick again (a replica firing the same schedule later) finds
	// nothing left to claim.
	res, err = p.Tick(ctx, ingest.Retry, at, 2)
	require.NoError(t, err)
	require.Zero(t, res.Attempted())

	res, err = p.Tick(ctx, ingest.Retry, b.clock.Advance(10*time.Minute), 2)
	require.NoError(t, err)
	require.Equal(t, 7, res.Attempted())
	for _, r := range rows {
		require.Equal(t, 2, get(t, b.store, b.db, r.ID).Attempts)
	}
}

// The operators' recipe: put HANDLED rows back to RETRY with attempts 0
// and last_attempted NULL, and the next tick takes them like any other.
func TestRowsPutBackToRetryByHandArePickedUpByTheNextTick(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := seed(t, b.store, b.db, arena.TableDeltaker, "1", 1, ingest.Retry)
	h := newDBHandler(b.db, b.store, nil)
	p := retry.New(b.db, b.store, h)
	ctx := context.Background()

	// Handled in a tick, so last_attempted is set.
	_, err := p.Tick(ctx, ingest.Retry, b.clock.Advance(time.Minute), 10)
	require.NoError(t, err)
	require.Equal(t, ingest.Handled, get(t, b.store, b.db, a.ID).Status)
	require.NotNil(t, get(t, b.store, b.db, a.ID).LastAttempted)
	other := seed(t, b.store, b.db, arena.TableDeltaker, "2", 2, ingest.Handled)

	_, err = b.db.Exec(`UPDATE arena_data SET ingest_status = 'RETRY', ingest_attempts = 0, last_attempted = null
		WHERE id IN ($1, $2)`, a.ID, other.ID)
	require.NoError(t, err)

	res, err := p.Tick(ctx, ingest.Retry, b.clock.Advance(10*time.Minute), 10)
	require.NoError(t, err)
	require.Equal(t, 2, res.Attempted())
	require.Equal(t, ingest.Handled, get(t, b.store, b.db, a.ID).Status)
	require.Equal(t, ingest.Handled, get(t, b.store, b.db, other.ID).Status)
}

// Two processors at once: two replicas that both believe they lead fire
// the same schedule, so their ticks have the same time. Between them they
// attempt every row exactly once, never the same row at the same time. A
// manual run of a later tick during a scheduled one may attempt a row
// again, but never at the same time as the other.
func TestTwoProcessorsAtOnceHandleEachRowOncePerTick(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		// second is the second processor's tick time, from the first's.
		second time.Duration
		// onceInAll: every row attempted exactly once by the two together.
		onceInAll bool
	}{
		{"two leaders on the same schedule", 0, true},
		{"a manual run during a scheduled one", 30 * time.Second, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.db.SetMaxOpenConns(8)
			const n = 120
			var rows []store.ArenaData
			for i := range n {
				table := arena.Tables()[i%3]
				rows = append(rows, seed(t, b.store, b.db, table, itoa(i%17), 1000+i, ingest.Retry))
			}
			// Failing keeps every row RETRY, so nothing but the claims
			// keeps a processor from taking a row the other has done.
			h := newDBHandler(b.db, b.store, func(store.ArenaData) error { return errUnavailable })
			p1 := retry.New(b.db, b.store, h)
			p2 := retry.New(b.db, b.store, h)
			at := b.clock.Advance(time.Minute)

			var wg sync.WaitGroup
			results := make([]retry.Result, 2)
			errs := make([]error, 2)
			start := make(chan struct{})
			wg.Go(func() {
				<-start
				results[0], errs[0] = p1.Tick(context.Background(), ingest.Retry, at, 3)
			})
			wg.Go(func() {
				<-start
				results[1], errs[1] = p2.Tick(context.Background(), ingest.Retry, at.Add(c.second), 5)
			})
			close(start)
			wg.Wait()
			require.NoError(t, errs[0])
			require.NoError(t, errs[1])

			require.Zero(t, h.overlaps, "a row was handled by both at the same time")
			perRow := h.countPerRow()
			if c.onceInAll {
				require.Equal(t, n, results[0].Attempted()+results[1].Attempted())
				for _, r := range rows {
					require.Equal(t, 1, perRow[r.ID], "row %d", r.ID)
					require.Equal(t, 1, get(t, b.store, b.db, r.ID).Attempts, "row %d", r.ID)
				}
			}
			for _, r := range rows {
				require.GreaterOrEqual(t, perRow[r.ID], 1, "row %d", r.ID)
				require.LessOrEqual(t, perRow[r.ID], 2, "row %d: at most once per tick", r.ID)
				require.Equal(t, perRow[r.ID], get(t, b.store, b.db, r.ID).Attempts, "every handling counted once")
			}
		})
	}
}

// failingHandler cannot handle anything at all, as with the database
// gone from under the handler's transactions.
type failingHandler struct{ calls int }

func (h *failingHandler) Handle(context.Context, store.ArenaData, ingest.Path) (ingest.Decision, error) {
	h.calls++
	return ingest.Decision{}, errors.New("pg: begin transaction: connection refused")
}

func TestTickGivesUpWhenRowsKeepFailingToBeHandledAndCountsTheirAttempts(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var rows []store.ArenaData
	for i := range 5 {
		rows = append(rows, seed(t, b.store, b.db, arena.TableDeltaker, itoa(i), i+1, ingest.Retry))
	}
	h := &failingHandler{}
	_, err := retry.New(b.db, b.store, h).Tick(context.Background(), ingest.Retry, b.clock.Advance(time.Minute), 10)
	require.ErrorContains(t, err, "3 rows in a row could not be handled")
	require.ErrorContains(t, err, "connection refused")
	require.Equal(t, 3, h.calls)
	for i, r := range rows {
		got := get(t, b.store, b.db, r.ID)
		if i < 3 {
			require.Equal(t, 1, got.Attempts, "an attempt that could not be made still counts")
			require.Equal(t, "pg: begin transaction: connection refused", *got.Note)
			require.Equal(t, ingest.Retry, got.Status)
		} else {
			require.Zero(t, got.Attempts)
		}
	}
}

func TestTickStopsWhenItsContextEnds(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for i := range 4 {
		seed(t, b.store, b.db, arena.TableDeltaker, itoa(i), i+1, ingest.Retry)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := newDBHandler(b.db, b.store, nil)
	h.hold = func(store.ArenaData) { cancel() }
	res, err := retry.New(b.db, b.store, h).Tick(ctx, ingest.Retry, b.clock.Advance(time.Minute), 10)
	require.ErrorIs(t, err, context.Canceled)
	require.LessOrEqual(t, res.Attempted(), 1)

	// The rows the dead tick had claimed are the next tick's.
	h2 := newDBHandler(b.db, b.store, nil)
	res, err = retry.New(b.db, b.store, h2).Tick(context.Background(), ingest.Retry, b.clock.Advance(10*time.Minute), 10)
	require.NoError(t, err)
	require.Equal(t, 4, res.Attempted())
}

func TestTickRefusesOtherStatusesAndBadBatchSizes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p := retry.New(b.db, b.store, newDBHandler(b.db, b.store, nil))
	_, err := p.Tick(context.Background(), ingest.Waiting, b.clock.Now(), 10)
	require.ErrorContains(t, err, "not WAITING")
	_, err = p.Tick(context.Background(), ingest.Retry, b.clock.Now(), 0)
	require.ErrorContains(t, err, "batch size 0")
}

func itoa(i int) string { return strconv.Itoa(i) }
