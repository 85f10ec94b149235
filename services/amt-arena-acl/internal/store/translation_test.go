package store

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/pg"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
)

func TestGetOrCreateAmtIDCreatesOnceAndReusesIt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, db := newStore(t)

	id, created, err := s.GetOrCreateAmtID(ctx, db, arena.TableDeltaker, "123456")
	require.NoError(t, err)
	require.True(t, created)
	require.Equal(t, uuid.Version(4), id.Version())

	again, created, err := s.GetOrCreateAmtID(ctx, db, arena.TableDeltaker, "123456")
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, id, again)

	other, _, err := s.GetOrCreateAmtID(ctx, db, arena.TableDeltaker, "654321")
	require.NoError(t, err)
	require.NotEqual(t, id, other)

	tr, ok, err := s.GetTranslation(ctx, db, id)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, Translation{AmtID: id, Table: arena.TableDeltaker, ArenaID: "123456"}, tr)
	_, ok, err = s.GetTranslation(ctx, db, uuid.New())
	require.NoError(t, err)
	require.False(t, ok)
}

// Fixes the original's race: there, a caller that lost the insert race
// returned the UUID it had generated, which was never stored.
func TestGetOrCreateAmtIDConcurrentCallersGetTheStoredID(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, db := newStore(t)
	const callers, rounds = 8, 20
	db.SetMaxOpenConns(callers + 1)

	type result struct {
		id      uuid.UUID
		created bool
		err     error
	}
	for round := range rounds {
		arenaID := uuid.NewString()
		start := make(chan struct{})
		results := make(chan result, callers)
		for range callers {
			go func() {
				var r result
				// Each caller is a handler transaction of its own, begun
				// before any of them asks.
				tx, err := db.BeginTxx(ctx, nil)
				if err != nil {
					results <- result{err: err}
					return
				}
				<-start
				r.id, r.created, r.err = s.GetOrCreateAmtID(ctx, tx, arena.TableDeltaker, arenaID)
				if r.err == nil {
					r.err = tx.Commit()
				} else {
					_ = tx.Rollback()
				}
				results <- r
			}()
		}
		close(start)

		var ids []uuid.UUID
		creators := 0
		for range callers {
			r := <-results
			require.NoError(t, r.err)
			ids = append(ids, r.id)
			if r.created {
				creators++
			}
		}
		stored, ok, err := s.GetAmtID(ctx, db, arena.TableDeltaker, arenaID)
		require.NoError(t, err)
		require.True(t, ok)
		for _, id := range ids {
			require.Equal(t, stored, id, "round %d", round)
		}
		require.Equal(t, 1, creators, "round %d", round)
	}
}

// The losing insert waits for the winner's commit; this drives that path
// step by step.
func TestGetOrCreateAmtIDAfterLosingTheInsertReturnsTheWinnersID(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, db := newStore(t)

	winner, err := db.BeginTxx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = winner.Rollback() }()
	won, created, err := s.GetOrCreateAmtID(ctx, winner, arena.TableDeltaker, "42")
	require.NoError(t, err)
	require.True(t, created)

	loser, err := db.BeginTxx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = loser.Rollback() }()
	var loserPID int
	require.NoError(t, loser.GetContext(ctx, &loserPID, `SELECT pg_backend_pid()`))

	type result struct {
		id      uuid.UUID
		created bool
		err     error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		r.id, r.created, r.err = s.GetOrCreateAmtID(ctx, loser, arena.TableDeltaker, "42")
		done <- r
	}()
	// The loser's read found nothing and its insert now waits on the
	// winner's uncommitted row.
	require.Eventually(t, func() bool {
		var waiting bool
		err := db.GetContext(ctx, &waiting, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = $1 AND NOT granted)`, loserPID)
		return err == nil && waiting
	}, waitFor, tick)
	require.NoError(t, winner.Commit())

	r := <-done
	require.NoError(t, r.err)
	require.False(t, r.created)
	require.Equal(t, won, r.id)
	require.NoError(t, loser.Commit())
}

func TestInsertTranslationOfAnExternalID(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, db := newStore(t)
	ekstern := uuid.New()

	inserted, err := s.InsertTranslation(ctx, db, Translation{AmtID: ekstern, Table: arena.TableDeltaker, ArenaID: "1"})
	require.NoError(t, err)
	require.True(t, inserted)

	inserted, err = s.InsertTranslation(ctx, db, Translation{AmtID: uuid.New(), Table: arena.TableDeltaker, ArenaID: "1"})
	require.NoError(t, err)
	require.False(t, inserted, "an Arena id that has a UUID keeps it")

	_, err = s.InsertTranslation(ctx, db, Translation{AmtID: ekstern, Table: arena.TableDeltaker, ArenaID: "2"})
	require.True(t, pg.IsUniqueViolation(err), "a UUID belongs to one Arena id: %v", err)

	id, ok, err := s.GetAmtID(ctx, db, arena.TableDeltaker, "1")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, ekstern, id)
}

func TestHistTranslation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, db := newStore(t)

	id, created, err := s.GetOrCreateHistAmtID(ctx, db, "900")
	require.NoError(t, err)
	require.True(t, created)
	again, created, err := s.GetOrCreateHistAmtID(ctx, db, "900")
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, id, again)

	got, ok, err := s.GetHistTranslation(ctx, db, id)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, HistTranslation{AmtID: id, ArenaHistID: "900"}, got, "no Arena deltaker id")

	deltakerID := uuid.New()
	inserted, err := s.InsertHistTranslation(ctx, db, HistTranslation{AmtID: deltakerID, ArenaHistID: "901", ArenaID: ptr("77")})
	require.NoError(t, err)
	require.True(t, inserted)
	inserted, err = s.InsertHistTranslation(ctx, db, HistTranslation{AmtID: deltakerID, ArenaHistID: "902"})
	require.NoError(t, err)
	require.False(t, inserted, "a UUID keeps its first hist id")
	_, err = s.InsertHistTranslation(ctx, db, HistTranslation{AmtID: uuid.New(), ArenaHistID: "901"})
	require.True(t, pg.IsUniqueViolation(err), "a hist id belongs to one UUID: %v", err)

	got, ok, err = s.GetHistTranslationByHistID(ctx, db, "901")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, HistTranslation{AmtID: deltakerID, ArenaHistID: "901", ArenaID: ptr("77")}, got)

	_, ok, err = s.GetHistTranslation(ctx, db, uuid.New())
	require.NoError(t, err)
	require.False(t, ok)
}
