package pg_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/golang-migrate/migrate/v4"
	migratepg "github.com/golang-migrate/migrate/v4/database/postgres"
	"github.com/golang-migrate/migrate/v4/source/iofs"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/pg"
)

func TestMigrateIsIdempotentAndKeepsThePool(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := open(t, server.NewDBURL(t, nil, ""))

	for range 2 {
		require.NoError(t, pg.Migrate(ctx, db, testdata, "testdata/migrations"))
	}

	var version int
	var dirty bool
	require.NoError(t, db.QueryRowContext(ctx, `SELECT version, dirty FROM schema_migrations`).Scan(&version, &dirty))
	require.Equal(t, 2, version)
	require.False(t, dirty)
	// The pool is still open and the migration lock is gone.
	var locks int
	require.NoError(t, db.GetContext(ctx, &locks, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND `+inThisDB))
	require.Zero(t, locks)
}

func TestMigrateMissingDir(t *testing.T) {
	t.Parallel()
	db := open(t, server.NewDBURL(t, nil, ""))
	err := pg.Migrate(t.Context(), db, testdata, "testdata/nope")
	require.ErrorContains(t, err, "pg: migrate: read migrations in testdata/nope")
}

// inThisDB limits pg_locks to the current database; parallel tests take
// advisory locks in theirs.
const inThisDB = `database = (SELECT oid FROM pg_database WHERE datname = current_database())`

// gate holds advisory lock 42, which the migration in testdata/gated waits
// for, until the returned func is called.
func gate(t *testing.T, db *sqlx.DB) (open func()) {
	t.Helper()
	conn, err := db.Conn(t.Context())
	require.NoError(t, err)
	_, err = conn.ExecContext(t.Context(), `SELECT pg_advisory_lock(42)`)
	require.NoError(t, err)
	return func() {
		_, err := conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(42)`)
		require.NoError(t, err)
		require.NoError(t, conn.Close())
	}
}

// waitingLocks polls until n sessions wait for an advisory lock.
func waitingLocks(t *testing.T, db *sqlx.DB, n int) {
	t.Helper()
	require.Eventually(t, func() bool {
		var waiting int
		err := db.GetContext(t.Context(), &waiting, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND `+inThisDB)
		return err == nil && waiting == n
	}, 10*time.Second, 5*time.Millisecond)
}

// TestMigrateConcurrently runs two migrators on separate pools, as two
// replicas would. The first is held inside the migration until the second
// is seen waiting; had the second not waited for the migration lock, it
// would have run the same migration and failed.
func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	ourMigrate := func(ctx context.Context, dsn string) error {
		return pg.Migrate(ctx, open(t, dsn), testdata, "testdata/gated")
	}
	// What the migrate CLI does; it must take the same lock.
	golangMigrate := func(_ context.Context, dsn string) error {
		db, err := sql.Open("postgres", dsn)
		if err != nil {
			return err
		}
		drv, err := migratepg.WithInstance(db, &migratepg.Config{})
		if err != nil {
			return err
		}
		src, err := iofs.New(testdata, "testdata/gated")
		if err != nil {
			return err
		}
		m, err := migrate.NewWithInstance("iofs", src, "postgres", drv)
		if err != nil {
			return err
		}
		if err = m.Up(); errors.Is(err, migrate.ErrNoChange) {
			err = nil
		}
		srcErr, dbErr := m.Close()
		return errors.Join(err, srcErr, dbErr)
	}

	tests := []struct {
		name   string
		second func(context.Context, string) error
	}{
		{"with pg.Migrate", ourMigrate},
		{"with golang-migrate", golangMigrate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dsn := server.NewDBURL(t, nil, "")
			db := open(t, dsn)
			release := gate(t, db)

			first := make(chan error, 1)
			go func() { first <- ourMigrate(t.Context(), dsn) }()
			waitingLocks(t, db, 1) // the first migration waits for the gate
			second := make(chan error, 1)
			go func() { second <- tt.second(t.Context(), dsn) }()
			waitingLocks(t, db, 2) // the second waits for the migration lock
			release()

			require.NoError(t, <-first)
			require.NoError(t, <-second)
			var version int
			require.NoError(t, db.GetContext(t.Context(), &version, `SELECT version FROM schema_migrations`))
			require.Equal(t, 1, version)
		})
	}
}

func TestMigrateStopsWaitingWhenContextEnds(t *testing.T) {
	t.Parallel()
	dsn := server.NewDBURL(t, nil, "")
	db := open(t, dsn)
	release := gate(t, db)

	first := make(chan error, 1)
	go func() { first <- pg.Migrate(t.Context(), open(t, dsn), testdata, "testdata/gated") }()
	waitingLocks(t, db, 1)

	other := open(t, dsn)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	err := pg.Migrate(ctx, other, testdata, "testdata/gated")
	require.ErrorContains(t, err, "pg: migrate: wait for migration lock")
	require.NoError(t, other.PingContext(t.Context()))

	release()
	require.NoError(t, <-first)
}
