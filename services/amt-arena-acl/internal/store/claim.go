package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
)

// claimPageQuery claims one keyset page for a retry tick.
//
// The inner SELECT is ListPending's page with two additions: rows stamped
// by this tick (or a later one) are left out, and rows another transaction
// holds are skipped rather than waited for. The UPDATE stamps what it
// claimed with the tick, so a second processor working the same tick at
// the same time (two leaders for a moment) neither waits for nor takes
// the rows this one claimed: once the claim commits, they no longer match
// "last_attempted < tick", and while it is in flight they are locked.
//
// The predicate repeats the partial index's, so the page is read from
// arena_data_pending_idx in position order, however many HANDLED rows the
// table holds. The outer SELECT restores that order, which RETURNING does
// not promise.
var claimPageQuery = `
	WITH page AS (
		SELECT id FROM arena_data
		WHERE ingest_status = $1 AND arena_table_name = $2 AND operation_pos > $3
			AND ingest_status IN ('RETRY', 'FAILED', 'WAITING', 'IGNORED')
			AND (last_attempted IS NULL OR last_attempted < $4)
		ORDER BY operation_pos
		LIMIT $5
		FOR UPDATE SKIP LOCKED
	), claimed AS (
		UPDATE arena_data d SET last_attempted = $4
		FROM page WHERE d.id = page.id
		RETURNING ` + qualified("d", arenaDataColumns) + `
	)
	SELECT * FROM claimed ORDER BY operation_pos`

// ClaimPending claims up to limit rows in status of table whose position
// is after afterPos, for the retry tick that started at tick, and returns
// them in position order with last_attempted set to tick. Start with
// afterPos "" and continue from the last row's position; an empty page
// means the table is done for this tick.
//
// A row is claimed at most once per tick: it is only claimable while its
// last_attempted is NULL or before tick. Processors that share a tick
// (replicas firing the same schedule) therefore split the rows between
// them; a processor of a later tick may take rows an earlier tick has
// stamped, which is one attempt per tick. Rows put back to RETRY by hand
// with last_attempted NULL are claimable by the next tick.
//
// Claiming does not change the status or the attempts: what the attempt
// led to is written by whoever handles the row.
func (s *Store) ClaimPending(ctx context.Context, q Querier, status ingest.Status, table arena.Table, afterPos string, tick civil.DateTime, limit int) ([]ArenaData, error) {
	var rows []ArenaData
	if err := sqlx.SelectContext(ctx, q, &rows, claimPageQuery,
		string(status), string(table), afterPos, tick, limit); err != nil {
		return nil, fmt.Errorf("store: claim %s %s rows after %q: %w", status, table, afterPos, err)
	}
	return rows, nil
}

// RecordAttemptIf is RecordAttempt on a row that still has the status and
// attempts it was read with. It reports whether it wrote: false means the
// row has moved on (someone else handled it) and nothing was changed.
func (s *Store) RecordAttemptIf(ctx context.Context, q Querier, row ArenaData, status ingest.Status, attempts int, note string) (bool, error) {
	res, err := q.ExecContext(ctx, `
		UPDATE arena_data SET ingest_status = $4, ingest_attempts = $5, note = NULLIF($6, ''), last_attempted = $7
		WHERE id = $1 AND ingest_status = $2 AND ingest_attempts = $3`,
		row.ID, string(row.Status), row.Attempts, string(status), attempts, note, s.clock())
	if err != nil {
		return false, fmt.Errorf("store: record attempt on arena_data %d: %w", row.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: record attempt on arena_data %d: %w", row.ID, err)
	}
	return n == 1, nil
}

// qualified prefixes each column of a comma-separated list with alias.
func qualified(alias, columns string) string {
	parts := strings.Split(columns, ",")
	for i, c := range parts {
		parts[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}
