package ops_test

import (
	"bytes"
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/acltest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/amt"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena/arenatest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ops"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/retry"
)

// deltaker is one deltaker of the replay test, with its messages.
type deltaker struct {
	rec       *arena.Deltaker
	positions []string
	id        uuid.UUID
}

// opsOn runs the operators' commands on e's database.
func opsOn(e *acltest.Env) func(args ...string) (string, error) {
	return func(args ...string) (string, error) {
		var out, errs bytes.Buffer
		err := ops.Run(context.Background(), ops.Deps{
			DB:    func(context.Context) (*sqlx.DB, error) { return e.DB, nil },
			Store: e.Store, Stdout: &out, Stderr: &errs,
		}, args)
		return out.String() + errs.String(), err
	}
}

// The replay recipe end to end, on the live path as the service runs it:
// replay, then one retry tick, re-publishes every deltaker's latest state
// once more; and a newer message that arrives during the replay is
// published after the replayed one, never overtaken by it.
func TestReplayRepublishesEveryDeltakersLatestStateOnceAndNothingOvertakesANewerMessage(t *testing.T) {
	t.Parallel()
	e := acltest.New(t, server, acltest.Options{NoSpacing: true})
	run := opsOn(e)
	now := time.Now()
	gj := e.NewGjennomforing(arena.TiltakIndoppfag)

	// Four deltakere, each created and then updated, all published live.
	var ds []*deltaker
	for range 4 {
		person, _ := e.Person()
		d := &deltaker{rec: arenatest.Deltaker(now, e.ID(), person, gj.ArenaID)}
		d.rec.DatoFra = arenatest.Ptr(arenatest.ArenaDate(arenatest.Today(now, 3)))
		for _, op := range []arena.Operation{arena.Created, arena.Modified} {
			pos := e.Send(op, d.rec)
			e.WaitStatus(arena.TableDeltaker, op, pos, ingest.Handled)
			d.positions = append(d.positions, pos)
		}
		var ok bool
		d.id, ok = e.AmtID(d.rec.TiltakdeltakerID)
		require.True(t, ok)
		require.Len(t, e.WaitOutput(d.id, 2), 2)
		ds = append(ds, d)
	}
	before := map[uuid.UUID][]acltest.Output{}
	for _, d := range ds {
		before[d.id] = e.OutputFor(d.id)
	}

	out, err := run("replay", "--table", "SIAMO.TILTAKDELTAKER", "--yes")
	require.NoError(t, err, out)
	require.Contains(t, out, "Marked 4 rows for retry.")

	// During the replay, the first deltaker changes in Arena: its start
	// date moves. The live path finds the replayed, older message waiting
	// and lets the newer one wait behind it.
	first := ds[0]
	first.rec.DatoFra = arenatest.Ptr(arenatest.ArenaDate(arenatest.Today(now, 7)))
	newer := e.Send(arena.Modified, first.rec)
	row := e.WaitStatus(arena.TableDeltaker, arena.Modified, newer, ingest.Retry)
	require.Equal(t, "Forrige melding på deltaker med id="+strconv.FormatInt(first.rec.TiltakdeltakerID, 10)+" er ikke håndtert enda", *row.Note)

	// One tick.
	res, err := retry.New(e.DB, e.Store, e.Processor).Tick(context.Background(), ingest.Retry, time.Now(), 2)
	require.NoError(t, err)
	require.Equal(t, 5, res.Attempted())

	for _, d := range ds {
		got := e.OutputFor(d.id)
		prev := before[d.id]
		if d == first {
			require.Len(t, got, 4, "the replayed state, then the newer one")
			require.Equal(t, prev[1].Deltaker, got[2].Deltaker, "the replayed message is the latest state as it was")
			require.Equal(t, arenatest.Today(now, 7), *got[3].Deltaker.StartDato, "the newer message is published last")
			require.Equal(t, amt.Modified, got[3].Envelope.Operation)
			continue
		}
		require.Len(t, got, 3, "published once more")
		require.Equal(t, prev[1].Deltaker, got[2].Deltaker, "the latest state, once more")
		require.Equal(t, amt.Modified, got[2].Envelope.Operation)
		require.NotEqual(t, prev[1].Envelope.TransactionID, got[2].Envelope.TransactionID)
	}
	for _, d := range ds {
		for _, pos := range d.positions {
			r, ok := e.Row(arena.TableDeltaker, opOf(d, pos), pos)
			require.True(t, ok)
			require.Equal(t, ingest.Handled, r.Status)
		}
	}
	require.Equal(t, ingest.Handled, e.WaitStatus(arena.TableDeltaker, arena.Modified, newer, ingest.Handled).Status)

	// The follow-up check finds nothing overtaken.
	out, err = run("replay", "--table", "SIAMO.TILTAKDELTAKER", "--check")
	require.NoError(t, err, out)
	require.Contains(t, out, ": 0 Arena ids whose newest HANDLED message is not the one handled last")
}

func opOf(d *deltaker, pos string) arena.Operation {
	if pos == d.positions[0] {
		return arena.Created
	}
	return arena.Modified
}

// A message of a deltaker that is being handled while the replay marks
// that deltaker: the replay waits for the handler's lock, and then marks
// the message the handler has just committed, not the older one it could
// see before. Without the lock it would mark the older one, and the tick
// would publish it after the newer one.
func TestReplayWaitsForAHandlerOfTheSameDeltakerAndMarksWhatItCommitted(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	older := b.seed(t, arena.TableDeltaker, "1", 500, "00000000000000000010", ingest.Handled)
	newer := b.seed(t, arena.TableDeltaker, "1", 500, "00000000000000000020", ingest.Retry)

	// A handler is handling the newer message: it holds the deltaker's
	// lock and has written HANDLED, not yet committed.
	tx, err := b.db.BeginTxx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	require.NoError(t, b.store.LockArenaID(ctx, tx, arena.TableDeltaker, "1"))
	require.NoError(t, b.store.SetStatus(ctx, tx, newer.ID, ingest.Handled, ""))

	done := make(chan error, 1)
	go func() { done <- b.run("replay", "--table", "SIAMO.TILTAKDELTAKER", "--yes") }()
	waitForLockWait(t, b.db)
	require.NoError(t, tx.Commit())
	require.NoError(t, <-done)

	require.Equal(t, ingest.Retry, b.get(t, newer.ID).Status, "the newest handled message is marked")
	require.Equal(t, ingest.Handled, b.get(t, older.ID).Status)
}

// waitForLockWait returns once a session of db waits for an advisory lock.
func waitForLockWait(t *testing.T, db *sqlx.DB) {
	t.Helper()
	deadline := time.Now().Add(acltest.Wait)
	for {
		var n int
		require.NoError(t, db.Get(&n, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`))
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no session waits for an advisory lock")
		}
		time.Sleep(5 * time.Millisecond) // polling the server's lock table; there is no signal
	}
}
