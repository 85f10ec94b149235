package pg

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jmoiron/sqlx"
)

// maxTxAttempts bounds how often InTx runs fn. Serialization failures and
// deadlocks clear up within a retry or two unless contention is pathological,
// and then failing loudly beats retrying forever.
const maxTxAttempts = 5

// InTx runs fn in a transaction and commits it. On an error from fn, a panic,
// or runtime.Goexit (t.FailNow in a test) the transaction is rolled back and
// the error or panic passes through unchanged.
//
// When the attempt fails with a serialization failure or a deadlock (see
// IsRetryable), InTx rolls back, waits a few jittered milliseconds and runs
// fn again in a new transaction, at most 5 times in all. fn must therefore
// not have side effects outside the transaction that cannot be repeated.
// ctx bounds the whole call, backoff included.
func InTx(ctx context.Context, db *sqlx.DB, opts *sql.TxOptions, fn func(tx *sqlx.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := runTx(ctx, db, opts, fn)
		if err == nil || !IsRetryable(err) {
			return err
		}
		if attempt == maxTxAttempts {
			return fmt.Errorf("pg: transaction failed %d times: %w", attempt, err)
		}
		if !sleep(ctx, txBackoff(attempt)) {
			return fmt.Errorf("pg: transaction not retried: %w; attempt %d failed: %w", ctx.Err(), attempt, err)
		}
	}
}

func runTx(ctx context.Context, db *sqlx.DB, opts *sql.TxOptions, fn func(tx *sqlx.Tx) error) error {
	tx, err := db.BeginTxx(ctx, opts)
	if err != nil {
		return fmt.Errorf("pg: begin transaction: %w", err)
	}
	done := false
	defer func() {
		// Reached without done only when fn panicked or called
		// runtime.Goexit; the panic keeps unwinding after this.
		if !done {
			_ = tx.Rollback()
		}
	}()

	if err := fn(tx); err != nil {
		done = true
		// ErrTxDone: database/sql already rolled back because ctx ended.
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("pg: rollback: %w", rbErr))
		}
		return err
	}
	done = true
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("pg: commit: %w", err)
	}
	return nil
}

// txBackoff is 10–20 ms before the second attempt, doubling per attempt.
// The jitter keeps two colliding transactions from colliding again.
func txBackoff(attempt int) time.Duration {
	d := 10 * time.Millisecond << (attempt - 1)
	return d + rand.N(d)
}
