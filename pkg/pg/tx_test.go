package pg_test

import (
	"context"
	"database/sql"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/pg"
)

// raise fails the transaction with a real PostgreSQL error of the given SQLSTATE.
func raise(ctx context.Context, tx *sqlx.Tx, sqlstate string) error {
	_, err := tx.ExecContext(ctx, `DO $$ BEGIN RAISE EXCEPTION 'raised on purpose' USING ERRCODE = '`+sqlstate+`'; END $$`)
	return err
}

func countItems(t *testing.T, db *sqlx.DB) int {
	t.Helper()
	var n int
	require.NoError(t, db.GetContext(t.Context(), &n, `SELECT count(*) FROM items`))
	return n
}

func TestInTx(t *testing.T) {
	t.Parallel()
	errBoom := errors.New("boom")
	insert := func(ctx context.Context, tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO items (id, name) VALUES (1, 'one')`)
		return err
	}
	tests := []struct {
		name      string
		opts      *sql.TxOptions
		fn        func(context.Context, *sqlx.Tx) error
		wantErr   func(*testing.T, error)
		wantItems int
	}{
		{
			name:      "commits",
			fn:        insert,
			wantItems: 1,
		},
		{
			name: "rolls back and returns fn's error unchanged",
			fn: func(ctx context.Context, tx *sqlx.Tx) error {
				if err := insert(ctx, tx); err != nil {
					return err
				}
				return errBoom
			},
			wantErr: func(t *testing.T, err error) { require.Same(t, errBoom, err) },
		},
		{
			name: "does not retry other database errors",
			fn: func(ctx context.Context, tx *sqlx.Tx) error {
				if err := insert(ctx, tx); err != nil {
					return err
				}
				return insert(ctx, tx)
			},
			wantErr: func(t *testing.T, err error) {
				require.True(t, pg.IsUniqueViolation(err))
				require.False(t, pg.IsRetryable(err))
				require.Equal(t, "23505", pg.SQLState(err))
			},
		},
		{
			name: "passes the options",
			opts: &sql.TxOptions{ReadOnly: true},
			fn:   insert,
			wantErr: func(t *testing.T, err error) {
				require.Equal(t, "25006", pg.SQLState(err)) // read_only_sql_transaction
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := server.NewDB(t, testdata, "testdata/migrations")
			var attempts int
			err := pg.InTx(t.Context(), db, tt.opts, func(tx *sqlx.Tx) error {
				attempts++
				return tt.fn(t.Context(), tx)
			})
			if tt.wantErr == nil {
				require.NoError(t, err)
			} else {
				tt.wantErr(t, err)
			}
			require.Equal(t, 1, attempts)
			require.Equal(t, tt.wantItems, countItems(t, db))
		})
	}
}

func TestInTxRollsBackOnPanicAndGoexit(t *testing.T) {
	t.Parallel()
	db := server.NewDB(t, testdata, "testdata/migrations")
	insertThen := func(stop func()) func(*sqlx.Tx) error {
		return func(tx *sqlx.Tx) error {
			if _, err := tx.ExecContext(t.Context(), `INSERT INTO items (id, name) VALUES (1, 'one')`); err != nil {
				return err
			}
			stop()
			return errors.New("not reached")
		}
	}

	require.PanicsWithValue(t, "kaboom", func() {
		_ = pg.InTx(t.Context(), db, nil, insertThen(func() { panic("kaboom") }))
	})

	// runtime.Goexit is what t.FailNow does inside fn.
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		_ = pg.InTx(t.Context(), db, nil, insertThen(runtime.Goexit))
	}()
	<-exited

	require.Zero(t, countItems(t, db))
	require.Zero(t, db.Stats().InUse, "a transaction was left open")
}

// TestInTxRetriesRealConflicts makes PostgreSQL abort one of two
// concurrent transactions and checks that InTx ran it again. Both first
// attempts meet at a barrier, so they really overlap.
func TestInTxRetriesRealConflicts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts *sql.TxOptions
		// attempt runs transaction i (0 or 1); overlap is the barrier.
		attempt func(ctx context.Context, tx *sqlx.Tx, i int, overlap func()) error
		// check inspects the accounts afterwards.
		check func(t *testing.T, db *sqlx.DB)
	}{
		{
			// Write skew: each withdraws 150 from its own account if the
			// two together hold at least 150. Run serially, only the first
			// may withdraw.
			name: "serialization failure",
			opts: &sql.TxOptions{Isolation: sql.LevelSerializable},
			attempt: func(ctx context.Context, tx *sqlx.Tx, i int, overlap func()) error {
				var total int
				if err := tx.GetContext(ctx, &total, `SELECT sum(balance) FROM accounts`); err != nil {
					return err
				}
				overlap()
				if total < 150 {
					return nil
				}
				_, err := tx.ExecContext(ctx, `UPDATE accounts SET balance = balance - 150 WHERE id = $1`, i+1)
				return err
			},
			check: func(t *testing.T, db *sqlx.DB) {
				var total int
				require.NoError(t, db.GetContext(t.Context(), &total, `SELECT sum(balance) FROM accounts`))
				require.Equal(t, 50, total)
			},
		},
		{
			// Each updates its own account, then the other's.
			name: "deadlock",
			attempt: func(ctx context.Context, tx *sqlx.Tx, i int, overlap func()) error {
				// Detect the deadlock in 10 ms rather than the default 1 s.
				if _, err := tx.ExecContext(ctx, `SET LOCAL deadlock_timeout = '10ms'`); err != nil {
					return err
				}
				for _, id := range []int{i + 1, 2 - i} {
					if _, err := tx.ExecContext(ctx, `UPDATE accounts SET balance = balance + 1 WHERE id = $1`, id); err != nil {
						return err
					}
					overlap()
				}
				return nil
			},
			check: func(t *testing.T, db *sqlx.DB) {
				var balances []int
				require.NoError(t, db.SelectContext(t.Context(), &balances, `SELECT balance FROM accounts ORDER BY id`))
				require.Equal(t, []int{102, 102}, balances)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := server.NewDB(t, testdata, "testdata/migrations")
			var (
				attempts [2]atomic.Int32
				barrier  sync.WaitGroup
				wg       sync.WaitGroup
				errs     [2]error
			)
			barrier.Add(2)
			for i := range 2 {
				wg.Go(func() {
					errs[i] = pg.InTx(t.Context(), db, tt.opts, func(tx *sqlx.Tx) error {
						first := attempts[i].Add(1) == 1
						passed := false
						return tt.attempt(t.Context(), tx, i, func() {
							if first && !passed { // retries and later calls go straight on
								passed = true
								barrier.Done()
								barrier.Wait()
							}
						})
					})
				})
			}
			wg.Wait()
			require.NoError(t, errs[0])
			require.NoError(t, errs[1])
			// Usually one transaction is retried once; under load PostgreSQL
			// may abort both.
			require.GreaterOrEqual(t, attempts[0].Load()+attempts[1].Load(), int32(3), "nothing was retried")
			tt.check(t, db)
		})
	}
}

func TestInTxGivesUp(t *testing.T) {
	t.Parallel()
	db := server.NewDB(t, testdata, "testdata/migrations")

	t.Run("after 5 attempts", func(t *testing.T) {
		t.Parallel()
		attempts := 0
		err := pg.InTx(t.Context(), db, nil, func(tx *sqlx.Tx) error {
			attempts++
			return raise(t.Context(), tx, "40001")
		})
		require.Equal(t, 5, attempts)
		require.True(t, pg.IsRetryable(err))
		require.ErrorContains(t, err, "pg: transaction failed 5 times: ")
	})

	t.Run("when the context ends", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		attempts := 0
		err := pg.InTx(ctx, db, nil, func(tx *sqlx.Tx) error {
			attempts++
			err := raise(ctx, tx, "40P01")
			cancel()
			return err
		})
		require.Equal(t, 1, attempts)
		require.ErrorIs(t, err, context.Canceled)
		require.True(t, pg.IsRetryable(err))
	})
}
