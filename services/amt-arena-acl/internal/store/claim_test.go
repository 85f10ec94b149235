package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
)

func TestClaimPendingPagesInPositionOrderAndStampsTheTick(t *testing.T) {
	t.Parallel()
	s, db := newStore(t)
	ctx := context.Background()
	for _, r := range []NewArenaData{
		row(arena.TableDeltaker, "1", arena.Modified, "00000000000000000030", ingest.Retry),
		row(arena.TableDeltaker, "1", arena.Modified, "00000000000000000010", ingest.Retry),
		row(arena.TableDeltaker, "2", arena.Modified, "00000000000000000020", ingest.Failed),
		row(arena.TableDeltaker, "3", arena.Modified, "00000000000000000040", ingest.Handled),
		row(arena.TableHistDeltaker, "4", arena.Modified, "00000000000000000015", ingest.Retry),
		row(arena.TableDeltaker, "5", arena.Modified, "00000000000000000050", ingest.Retry),
	} {
		_, err := s.UpsertArenaData(ctx, db, r)
		require.NoError(t, err)
	}
	tick := civil.DateTimeOf(2026, 3, 15, 14, 0, 0, 0)

	page, err := s.ClaimPending(ctx, db, ingest.Retry, arena.TableDeltaker, "", tick, 2)
	require.NoError(t, err)
	require.Equal(t, []string{"00000000000000000010", "00000000000000000030"}, positions(page))
	for _, r := range page {
		require.Equal(t, &tick, r.LastAttempted, "the claim stamps the tick")
		require.Equal(t, ingest.Retry, r.Status, "claiming changes no status")
		require.Zero(t, r.Attempts, "claiming counts no attempt")
	}
	page, err = s.ClaimPending(ctx, db, ingest.Retry, arena.TableDeltaker, page[1].Pos, tick, 2)
	require.NoError(t, err)
	require.Equal(t, []string{"00000000000000000050"}, positions(page))

	again, err := s.ClaimPending(ctx, db, ingest.Retry, arena.TableDeltaker, "", tick, 10)
	require.NoError(t, err)
	require.Empty(t, again, "the same tick claims a row once")

	next, err := s.ClaimPending(ctx, db, ingest.Retry, arena.TableDeltaker, "", tick.Add(10*time.Minute), 10)
	require.NoError(t, err)
	require.Len(t, next, 3, "the next tick claims them again")
}

func TestClaimPendingSkipsRowsAnotherTransactionHolds(t *testing.T) {
	t.Parallel()
	s, db := newStore(t)
	ctx := context.Background()
	var held ArenaData
	for i, p := range []string{"00000000000000000001", "00000000000000000002", "00000000000000000003"} {
		r, err := s.UpsertArenaData(ctx, db, row(arena.TableDeltaker, p, arena.Modified, p, ingest.Retry))
		require.NoError(t, err)
		if i == 1 {
			held = r
		}
	}
	// A concurrent claim of the same tick has locked the middle row and
	// not committed yet.
	tx, err := db.BeginTxx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	_, err = tx.ExecContext(ctx, `SELECT 1 FROM arena_data WHERE id = $1 FOR UPDATE`, held.ID)
	require.NoError(t, err)

	page, err := s.ClaimPending(ctx, db, ingest.Retry, arena.TableDeltaker, "", civil.DateTimeOf(2026, 3, 15, 14, 0, 0, 0), 10)
	require.NoError(t, err)
	require.Equal(t, []string{"00000000000000000001", "00000000000000000003"}, positions(page), "no waiting, no taking")
}

func TestRecordAttemptIfWritesOnlyARowThatHasNotMovedOn(t *testing.T) {
	t.Parallel()
	s, db := newStore(t)
	ctx := context.Background()
	r, err := s.UpsertArenaData(ctx, db, row(arena.TableDeltaker, "1", arena.Modified, "00000000000000000001", ingest.Retry))
	require.NoError(t, err)

	wrote, err := s.RecordAttemptIf(ctx, db, r, ingest.Retry, 1, "boom")
	require.NoError(t, err)
	require.True(t, wrote)
	got, _, err := s.GetArenaData(ctx, db, r.ID)
	require.NoError(t, err)
	require.Equal(t, 1, got.Attempts)
	require.Equal(t, "boom", *got.Note)
	require.Equal(t, &stamped, got.LastAttempted)

	wrote, err = s.RecordAttemptIf(ctx, db, r, ingest.Retry, 1, "again")
	require.NoError(t, err)
	require.False(t, wrote, "r was read with 0 attempts; the row has 1 now")
}

// A retry tick's queries read the rows it works on through the partial
// index, however many HANDLED rows the table holds: with a million of them
// and a thousand RETRY rows, no query of a tick scans the table.
func TestTickQueriesGoThroughAnIndexWithAMillionHandledRows(t *testing.T) {
	t.Parallel()
	_, db := newStore(t)
	ctx := context.Background()
	_, err := db.ExecContext(ctx, `
		INSERT INTO arena_data (arena_table_name, arena_id, operation_type, operation_pos,
			operation_timestamp, ingest_status, ingested_timestamp, after)
		SELECT (ARRAY['SIAMO.TILTAKGJENNOMFORING', 'SIAMO.TILTAKDELTAKER', 'SIAMO.HIST_TILTAKDELTAKER'])[2 - (i % 10 = 0)::int + (i % 10 = 1)::int],
			(i % 200000)::text, 'MODIFIED', lpad(i::text, 20, '0'), localtimestamp,
			CASE WHEN i % 1000 = 7 THEN 'RETRY' ELSE 'HANDLED' END, localtimestamp,
			jsonb_build_object('TILTAKDELTAKER_ID', i % 200000, 'TILTAKGJENNOMFORING_ID', i % 500)
		FROM generate_series(1, 1001000) i`)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `VACUUM ANALYZE arena_data`)
	require.NoError(t, err)
	var retries int
	require.NoError(t, db.GetContext(ctx, &retries, `SELECT count(*) FROM arena_data WHERE ingest_status = 'RETRY'`))
	require.Equal(t, 1001, retries)

	tick := civil.DateTimeOf(2026, 3, 15, 14, 0, 0, 0)
	cases := []struct {
		name  string
		query string
		args  []any
		index string
	}{
		{"claim the first page", claimPageQuery, []any{"RETRY", "SIAMO.TILTAKDELTAKER", "", tick, 5000}, "arena_data_pending_idx"},
		{"claim a later page", claimPageQuery, []any{"RETRY", "SIAMO.TILTAKDELTAKER", "00000000000000500000", tick, 2}, "arena_data_pending_idx"},
		{"claim FAILED", claimPageQuery, []any{"FAILED", "SIAMO.HIST_TILTAKDELTAKER", "", tick, 500}, "arena_data_pending_idx"},
		{"count an attempt", `UPDATE arena_data SET ingest_status = $4, ingest_attempts = $5, note = NULLIF($6, ''), last_attempted = $7
			WHERE id = $1 AND ingest_status = $2 AND ingest_attempts = $3`, []any{12345, "RETRY", 0, "RETRY", 1, "x", tick}, "arena_data_pkey"},
		{"the oldest RETRY and FAILED rows", `SELECT DISTINCT ON (ingest_status, arena_table_name) id FROM arena_data
			WHERE ingest_status IN ('RETRY', 'FAILED')
			ORDER BY ingest_status, arena_table_name, ingested_timestamp NULLS FIRST, operation_pos`, nil, "arena_data_pending_idx"},
		{"delete IGNORED", `DELETE FROM arena_data WHERE ingest_status = 'IGNORED'`, nil, "arena_data_pending_idx"},
	}
	for _, c := range cases {
		var lines []string
		require.NoError(t, db.SelectContext(ctx, &lines, `EXPLAIN `+c.query, c.args...), c.name)
		plan := strings.Join(lines, "\n")
		require.Contains(t, plan, c.index, "%s:\n%s", c.name, plan)
		require.NotContains(t, plan, "Seq Scan", "%s:\n%s", c.name, plan)
	}
}

func positions(rows []ArenaData) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Pos)
	}
	return out
}
