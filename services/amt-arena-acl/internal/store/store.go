// Package store reads and writes the service's tables: arena_data (every
// message and its ingest status), the id translation tables, gjennomforing
// and deltaker.
//
// Every method takes the Querier to run on, such as a *sqlx.DB or a
// *sqlx.Tx, so a handler can put all it writes about one message in one
// transaction. SQL is parameterised throughout.
//
// Wall-clock times are Europe/Oslo local time (package civil). Columns of
// type timestamp hold them as they are; timestamptz columns get the
// instant at which Oslo showed them, so the session's TimeZone setting
// never matters.
package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
)

// Querier is what the store runs on: a *sqlx.DB, *sqlx.Tx or *sqlx.Conn.
type Querier interface {
	sqlx.QueryerContext
	sqlx.ExecerContext
}

// Store holds the clock the store stamps rows with.
type Store struct {
	now func() time.Time
}

// New returns a Store that reads the time from now (time.Now when nil).
func New(now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{now: now}
}

// clock is the Oslo wall clock now, at the microsecond precision of a
// PostgreSQL timestamp.
func (s *Store) clock() civil.DateTime { return civil.FromTime(s.now()).Truncate(time.Microsecond) }

// LockArenaID takes a transaction-scoped lock on one Arena row id of one
// table, waiting while another transaction holds it. Handlers take it first
// thing in the transaction that handles a message, so messages of the same
// deltaker are handled one at a time even with several consumers and the
// retry processor running at once, and each sees what the one before it
// committed. The lock is released at commit or rollback.
//
// It is an advisory lock, so it needs no row to exist (the translation row
// of a new deltaker does not yet). Its key is the two-int4 form
// (hashtext(table), hashtext(arena id)): a space of its own, apart from
// the bigint keys of leader election and migrations. Two ids that hash
// alike only wait for each other needlessly. Take one such lock per
// transaction, or always in the same order, to stay clear of deadlocks.
func (s *Store) LockArenaID(ctx context.Context, tx *sqlx.Tx, table arena.Table, arenaID string) error {
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))`,
		string(table), arenaID); err != nil {
		return fmt.Errorf("store: lock %s %s: %w", table, arenaID, err)
	}
	return nil
}
