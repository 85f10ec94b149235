package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/pg/pgtest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
	"github.com/navikt/kafkapg/services/amt-arena-acl/migrations"
)

var server *pgtest.Server

func TestMain(m *testing.M) { pgtest.Main(m, &server) }

// now is the fixed clock of the tests: 2026-03-15 13:45:12.345678 in Oslo.
var now = time.Date(2026, 3, 15, 12, 45, 12, 345678000, time.UTC)

func newStore(t *testing.T) (*Store, *sqlx.DB) {
	t.Helper()
	return New(func() time.Time { return now }), server.NewDB(t, migrations.FS, ".")
}

func ptr[T any](v T) *T { return &v }

func fixture(t *testing.T, name string) arena.Message {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "arena", "testdata", name))
	require.NoError(t, err)
	m, err := arena.Parse(b, arena.Source{Topic: "t", Partition: 0, Offset: 1})
	require.NoError(t, err)
	return m
}

func TestLockArenaIDSerialisesHandlersOfOneDeltaker(t *testing.T) {
	t.Parallel()
	s, db := newStore(t)
	ctx := context.Background()
	_, err := db.ExecContext(ctx, `CREATE TABLE counter (n int NOT NULL); INSERT INTO counter VALUES (0)`)
	require.NoError(t, err)

	// Each worker reads, then writes read+1: without mutual exclusion
	// concurrent workers overwrite each other's increments.
	const workers = 8
	db.SetMaxOpenConns(workers + 1)
	start := make(chan struct{})
	errs := make(chan error, workers)
	for range workers {
		go func() {
			errs <- func() error {
				tx, err := db.BeginTxx(ctx, nil)
				if err != nil {
					return err
				}
				defer func() { _ = tx.Rollback() }()
				<-start
				if err := s.LockArenaID(ctx, tx, arena.TableDeltaker, "123456"); err != nil {
					return err
				}
				var n int
				if err := tx.GetContext(ctx, &n, `SELECT n FROM counter`); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `UPDATE counter SET n = $1`, n+1); err != nil {
					return err
				}
				return tx.Commit()
			}()
		}()
	}
	close(start)
	for range workers {
		require.NoError(t, <-errs)
	}
	var n int
	require.NoError(t, db.GetContext(ctx, &n, `SELECT n FROM counter`))
	require.Equal(t, workers, n)
}

func TestLockArenaIDIsPerTableAndIDAndEndsWithTheTransaction(t *testing.T) {
	t.Parallel()
	s, db := newStore(t)
	ctx := context.Background()

	holder, err := db.BeginTxx(ctx, nil)
	require.NoError(t, err)
	require.NoError(t, s.LockArenaID(ctx, holder, arena.TableDeltaker, "5"))

	// tryLock reports whether a second transaction gets the lock within
	// lock_timeout.
	tryLock := func(table arena.Table, id string) bool {
		tx, err := db.BeginTxx(ctx, nil)
		require.NoError(t, err)
		defer func() { require.NoError(t, tx.Rollback()) }()
		_, err = tx.ExecContext(ctx, `SET LOCAL lock_timeout = '200ms'`)
		require.NoError(t, err)
		return s.LockArenaID(ctx, tx, table, id) == nil
	}
	require.False(t, tryLock(arena.TableDeltaker, "5"), "same deltaker waits")
	require.True(t, tryLock(arena.TableDeltaker, "6"), "another deltaker does not")
	require.True(t, tryLock(arena.TableHistDeltaker, "5"), "the same id in another table does not")

	require.NoError(t, holder.Commit())
	require.True(t, tryLock(arena.TableDeltaker, "5"), "commit releases the lock")
}

func TestClockIsOsloWallClock(t *testing.T) {
	t.Parallel()
	s := New(func() time.Time { return now })
	require.Equal(t, civil.DateTimeOf(2026, 3, 15, 13, 45, 12, 345678000), s.clock())
	require.NotNil(t, New(nil).now)
}
