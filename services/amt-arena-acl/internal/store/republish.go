package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
)

// Re-publishing a deltaker means setting its newest handled message back to
// RETRY with no attempts, so that the retry processor handles it again with
// today's date and today's answers from the services it asks. The queries
// here pick those rows; the operator's commands decide which deltakere.
//
// "Newest" is by GoldenGate position, compared as a number like
// arena.ComparePos does (leading zeros do not count), not by row id: ids
// follow insertion order, which is not Arena's order after a re-ingest.

// newestFirst orders one Arena id's rows newest position first.
const newestFirst = `length(ltrim(operation_pos, '0')) DESC, ltrim(operation_pos, '0') COLLATE "C" DESC`

// imageGjennomforingID is the gjennomføring id in the image of the row
// aliased alias: after for CREATED and MODIFIED, before for DELETED.
func imageGjennomforingID(alias string) string {
	return `(CASE WHEN ` + alias + `.operation_type = 'DELETED' THEN ` + alias + `.before ELSE ` +
		alias + `.after END) ->> 'TILTAKGJENNOMFORING_ID'`
}

// ReplaySelection says which Arena ids of one table to re-publish.
type ReplaySelection struct {
	Table arena.Table
	// Tiltakskode, when set, keeps the ids whose messages name a
	// gjennomføring with this Arena code.
	Tiltakskode arena.Tiltakskode
	// ArenaIDs, when set, keeps these ids only.
	ArenaIDs []string
}

// ReplayCandidates returns, sorted, the Arena ids of sel that have a
// HANDLED message: the deltakere a replay re-publishes.
func (s *Store) ReplayCandidates(ctx context.Context, q Querier, sel ReplaySelection) ([]string, error) {
	query := `SELECT DISTINCT a.arena_id FROM arena_data a`
	args := []any{string(sel.Table)}
	where := ` WHERE a.arena_table_name = $1 AND a.ingest_status = 'HANDLED'`
	if sel.Tiltakskode != "" {
		args = append(args, string(sel.Tiltakskode))
		query += ` JOIN gjennomforing g ON g.arena_id = ` + imageGjennomforingID("a")
		where += fmt.Sprintf(` AND g.tiltak_kode = $%d`, len(args))
	}
	if sel.ArenaIDs != nil {
		args = append(args, pq.Array(sel.ArenaIDs))
		where += fmt.Sprintf(` AND a.arena_id = ANY($%d)`, len(args))
	}
	var ids []string
	if err := sqlx.SelectContext(ctx, q, &ids, query+where+` ORDER BY a.arena_id`, args...); err != nil {
		return nil, fmt.Errorf("store: find %s ids to replay: %w", sel.Table, err)
	}
	return ids, nil
}

// RelastCandidates returns, sorted, the Arena ids of the deltakere on
// gjennomføringer with the Arena code kode that have a HANDLED or NEW
// message, as the original's re-load did: the deltaker's gjennomføring is
// the one in its structured copy (the deltaker table).
func (s *Store) RelastCandidates(ctx context.Context, q Querier, kode arena.Tiltakskode) ([]string, error) {
	var ids []string
	if err := sqlx.SelectContext(ctx, q, &ids, `
		SELECT DISTINCT a.arena_id FROM arena_data a
		JOIN deltaker d ON d.arena_id::text = a.arena_id AND d.arena_source_table = a.arena_table_name
		JOIN gjennomforing g ON g.arena_id = d.gjennomforing_id::text
		WHERE a.arena_table_name = $1 AND a.ingest_status IN ('HANDLED', 'NEW') AND g.tiltak_kode = $2
		ORDER BY a.arena_id`, string(arena.TableDeltaker), string(kode)); err != nil {
		return nil, fmt.Errorf("store: find deltakere on %s to re-load: %w", kode, err)
	}
	return ids, nil
}

// LockArenaIDs is LockArenaID for several ids of one table at once, with
// the same keys. It locks in sorted order, so two callers locking
// overlapping sets cannot deadlock each other; a handler holds one such
// lock at a time and cannot take part in a cycle either.
func (s *Store) LockArenaIDs(ctx context.Context, tx *sqlx.Tx, table arena.Table, arenaIDs []string) error {
	ids := slices.Clone(arenaIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	// unnest hands the ids out in array order, and the function runs
	// row by row in that order.
	if _, err := tx.ExecContext(ctx, `
		SELECT pg_advisory_xact_lock(hashtext($1), hashtext(id)) FROM unnest($2::text[]) AS id`,
		string(table), pq.Array(ids)); err != nil {
		return fmt.Errorf("store: lock %d %s ids: %w", len(ids), table, err)
	}
	return nil
}

// MarkNewestForRetry sets, for each of arenaIDs, the newest message of
// table whose status is one of statuses back to RETRY with 0 attempts and
// last_attempted NULL, and returns how many rows it changed.
//
// Run it in a transaction that holds LockArenaIDs for the same ids: then
// no message of these deltakere is being handled meanwhile, and the choice
// of "newest" cannot be overtaken by a handler that commits a newer
// message right after. A newer message that arrives later finds this
// older one RETRY and waits for it (the per-deltaker ordering rule), so
// the retry processor publishes the two in Arena order.
func (s *Store) MarkNewestForRetry(ctx context.Context, q Querier, table arena.Table, statuses []ingest.Status, arenaIDs []string) (int64, error) {
	res, err := q.ExecContext(ctx, `
		UPDATE arena_data a SET ingest_status = 'RETRY', ingest_attempts = 0, last_attempted = NULL
		FROM (
			SELECT DISTINCT ON (arena_id) id FROM arena_data
			WHERE arena_id = ANY($2) AND arena_table_name = $1 AND ingest_status = ANY($3)
			ORDER BY arena_id, `+newestFirst+`
		) newest
		WHERE a.id = newest.id`,
		string(table), pq.Array(arenaIDs), pq.Array(statusStrings(statuses)))
	if err != nil {
		return 0, fmt.Errorf("store: mark the newest %s rows of %d ids for retry: %w", table, len(arenaIDs), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: mark the newest %s rows for retry: %w", table, err)
	}
	return n, nil
}

// Overtaken is an Arena id whose newest handled message was not the one
// handled last: an older message was handled (and published) after it, so
// what the consumers hold is older than what Arena says.
type Overtaken struct {
	ArenaID string `db:"arena_id"`
	// NewestID and NewestPos are the newest HANDLED message.
	NewestID  int64  `db:"newest_id"`
	NewestPos string `db:"newest_pos"`
	// LastID, LastPos and LastHandled are the HANDLED message handled last.
	LastID      int64           `db:"last_id"`
	LastPos     string          `db:"last_pos"`
	LastHandled *civil.DateTime `db:"last_ingested"`
}

// ListOvertaken returns, sorted by Arena id, the ids of table whose
// newest HANDLED message (by position) is not the HANDLED message handled
// last (by ingested_timestamp). Restrict it to arenaIDs when not nil. It
// reads every HANDLED row of the table: it is an operator's query.
func (s *Store) ListOvertaken(ctx context.Context, q Querier, table arena.Table, arenaIDs []string) ([]Overtaken, error) {
	args := []any{string(table)}
	filter := ``
	if arenaIDs != nil {
		args = append(args, pq.Array(arenaIDs))
		filter = ` AND arena_id = ANY($2)`
	}
	var rows []Overtaken
	if err := sqlx.SelectContext(ctx, q, &rows, `
		WITH handled AS (
			SELECT id, arena_id, operation_pos, ingested_timestamp FROM arena_data
			WHERE arena_table_name = $1 AND ingest_status = 'HANDLED'`+filter+`
		), newest AS (
			SELECT DISTINCT ON (arena_id) arena_id, id, operation_pos FROM handled
			ORDER BY arena_id, `+newestFirst+`
		), last AS (
			SELECT DISTINCT ON (arena_id) arena_id, id, operation_pos, ingested_timestamp FROM handled
			ORDER BY arena_id, ingested_timestamp DESC NULLS LAST, `+newestFirst+`
		)
		SELECT n.arena_id, n.id AS newest_id, n.operation_pos AS newest_pos,
			l.id AS last_id, l.operation_pos AS last_pos, l.ingested_timestamp AS last_ingested
		FROM newest n JOIN last l USING (arena_id)
		WHERE n.id <> l.id
		ORDER BY n.arena_id`, args...); err != nil {
		return nil, fmt.Errorf("store: find overtaken %s ids: %w", table, err)
	}
	return rows, nil
}

func statusStrings(statuses []ingest.Status) []string {
	out := make([]string, len(statuses))
	for i, s := range statuses {
		out[i] = string(s)
	}
	return out
}
