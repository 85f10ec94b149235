package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
)

// StatusCount is how many rows of one table are in one status.
type StatusCount struct {
	Table  arena.Table   `db:"arena_table_name"`
	Status ingest.Status `db:"ingest_status"`
	Count  int64         `db:"n"`
}

// CountByTableAndStatus counts the rows per table and status, ordered by
// table and status. Combinations without rows are left out.
//
// It reads the whole table (HANDLED rows are most of it), so it belongs in
// a job that runs every few minutes or in an operator's command, not in
// anything per message.
func (s *Store) CountByTableAndStatus(ctx context.Context, q Querier) ([]StatusCount, error) {
	var counts []StatusCount
	if err := sqlx.SelectContext(ctx, q, &counts, `
		SELECT arena_table_name, ingest_status, count(*) AS n FROM arena_data
		GROUP BY arena_table_name, ingest_status
		ORDER BY arena_table_name, ingest_status`); err != nil {
		return nil, fmt.Errorf("store: count rows per table and status: %w", err)
	}
	return counts, nil
}

// Oldest is the row of one table in one status that has waited longest:
// the one whose status was written (by handling) longest ago.
type Oldest struct {
	Table  arena.Table   `db:"arena_table_name"`
	Status ingest.Status `db:"ingest_status"`
	// Ingested is when its status was last written by handling; a row the
	// retry processor keeps failing keeps it, so this is how long the row
	// has been stuck. NULL only on rows stored by hand.
	Ingested *civil.DateTime `db:"ingested_timestamp"`
	ID       int64           `db:"id"`
	ArenaID  string          `db:"arena_id"`
	Pos      string          `db:"operation_pos"`
	Attempts int             `db:"ingest_attempts"`
	Note     *string         `db:"note"`
}

// OldestPending returns, per table, the oldest RETRY row and the oldest
// FAILED row, ordered by status and table. Tables without such rows are
// left out. It reads only those rows, through the partial index
// arena_data_pending_idx.
func (s *Store) OldestPending(ctx context.Context, q Querier) ([]Oldest, error) {
	var rows []Oldest
	if err := sqlx.SelectContext(ctx, q, &rows, `
		SELECT DISTINCT ON (ingest_status, arena_table_name)
			arena_table_name, ingest_status, ingested_timestamp, id, arena_id, operation_pos,
			ingest_attempts, note
		FROM arena_data
		WHERE ingest_status IN ('RETRY', 'FAILED')
		ORDER BY ingest_status, arena_table_name, ingested_timestamp NULLS FIRST, operation_pos`); err != nil {
		return nil, fmt.Errorf("store: find the oldest RETRY and FAILED rows: %w", err)
	}
	return rows, nil
}

// DeleteIgnored deletes every IGNORED row and returns how many there were.
// Nothing reads IGNORED rows again; the original deleted them hourly.
func (s *Store) DeleteIgnored(ctx context.Context, q Querier) (int64, error) {
	res, err := q.ExecContext(ctx, `DELETE FROM arena_data WHERE ingest_status = 'IGNORED'`)
	if err != nil {
		return 0, fmt.Errorf("store: delete IGNORED rows: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: delete IGNORED rows: %w", err)
	}
	return n, nil
}
