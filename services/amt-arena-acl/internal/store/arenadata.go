package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
)

// ArenaData is a row of arena_data: one received message and where its
// handling stands.
type ArenaData struct {
	ID        int64           `db:"id"`
	Table     arena.Table     `db:"arena_table_name"`
	ArenaID   string          `db:"arena_id"`
	Operation arena.Operation `db:"operation_type"`
	Pos       string          `db:"operation_pos"`
	// OperationTimestamp is op_ts, when the change happened in Arena.
	OperationTimestamp civil.DateTime `db:"operation_timestamp"`
	Status             ingest.Status  `db:"ingest_status"`
	// IngestedTimestamp is when the status was last written by handling.
	IngestedTimestamp *civil.DateTime `db:"ingested_timestamp"`
	Attempts          int             `db:"ingest_attempts"`
	LastAttempted     *civil.DateTime `db:"last_attempted"`
	// Before and After are the images as JSON, nil when absent.
	Before []byte  `db:"before"`
	After  []byte  `db:"after"`
	Note   *string `db:"note"`
	// Raw is the record value of a message that could not be read.
	Raw *string `db:"raw"`
}

// Message rebuilds the parsed message from the row, as the retry processor
// needs it.
func (d ArenaData) Message() (arena.Message, error) {
	return arena.Rebuild(d.Table, d.Operation, d.OperationTimestamp, d.Pos, d.Before, d.After)
}

const arenaDataColumns = `id, arena_table_name, arena_id, operation_type, operation_pos,
	operation_timestamp, ingest_status, ingested_timestamp, ingest_attempts, last_attempted,
	before, after, note, raw`

// NewArenaData is a message to store with a status.
type NewArenaData struct {
	Table              arena.Table
	ArenaID            string
	Operation          arena.Operation
	Pos                string
	OperationTimestamp civil.DateTime
	Status             ingest.Status
	// Note is stored as NULL when empty.
	Note          string
	Before, After []byte
	Raw           *string
}

// FromMessage is the row of a parsed message: its images in the canonical
// record JSON (see arena.Encode).
func FromMessage(m arena.Message, status ingest.Status, note string) (NewArenaData, error) {
	d := NewArenaData{
		Table: m.Table, ArenaID: m.ArenaID(), Operation: m.Operation, Pos: m.Pos,
		OperationTimestamp: m.Timestamp, Status: status, Note: note,
	}
	var err error
	if m.Before != nil {
		if d.Before, err = arena.Encode(m.Before); err != nil {
			return NewArenaData{}, err
		}
	}
	if m.After != nil {
		if d.After, err = arena.Encode(m.After); err != nil {
			return NewArenaData{}, err
		}
	}
	return d, nil
}

// Placeholders for what an unreadable message does not say.
const (
	// UnknownTable is arena_table_name of a message without a table.
	UnknownTable arena.Table = "UNKNOWN"
	// UnknownOperation is operation_type of a message whose op_type was
	// missing or not I, U or D; the schema allows it on INVALID rows only.
	UnknownOperation arena.Operation = "UNKNOWN"
)

// FromParseError is the INVALID row of a message that could not be read:
// what could be read of its identity, its raw text, and the reason as
// note. received stands in for op_ts when that could not be read (the
// Kafka record's timestamp is a good choice).
func FromParseError(pe *arena.ParseError, received civil.DateTime) NewArenaData {
	d := NewArenaData{
		Table:              arena.Table(pe.Table),
		ArenaID:            pe.ArenaID,
		Operation:          pe.Operation,
		Pos:                pe.Pos,
		OperationTimestamp: received,
		Status:             ingest.Invalid,
		Note:               pe.Err.Error(),
		Raw:                &pe.Raw,
	}
	if d.Table == "" {
		d.Table = UnknownTable
	}
	if d.Operation == "" {
		d.Operation = UnknownOperation
	}
	if pe.Timestamp != nil {
		d.OperationTimestamp = *pe.Timestamp
	}
	return d
}

// UpsertArenaData stores a message by its identity (table, operation,
// position) and returns the stored row. A new row gets everything in d; an
// existing one (the message was delivered before) keeps what it had and
// gets only d's status and note, and ingested_timestamp now. Its attempts
// are not touched.
func (s *Store) UpsertArenaData(ctx context.Context, q Querier, d NewArenaData) (ArenaData, error) {
	var row ArenaData
	err := sqlx.GetContext(ctx, q, &row, `
		INSERT INTO arena_data (arena_table_name, arena_id, operation_type, operation_pos,
			operation_timestamp, ingest_status, ingested_timestamp, before, after, note, raw)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, NULLIF($10, ''), $11)
		ON CONFLICT (arena_table_name, operation_type, operation_pos) DO UPDATE
		SET ingest_status = EXCLUDED.ingest_status,
			ingested_timestamp = EXCLUDED.ingested_timestamp,
			note = EXCLUDED.note
		RETURNING `+arenaDataColumns,
		string(d.Table), d.ArenaID, string(d.Operation), d.Pos, d.OperationTimestamp,
		string(d.Status), s.clock(), jsonText(d.Before), jsonText(d.After), d.Note, d.Raw)
	if err != nil {
		return ArenaData{}, fmt.Errorf("store: upsert arena_data %s %s %s: %w", d.Table, d.Operation, d.Pos, err)
	}
	return row, nil
}

// jsonText passes JSON as text, which the ::jsonb cast reads; lib/pq would
// send a []byte as bytea.
func jsonText(b []byte) *string {
	if b == nil {
		return nil
	}
	s := string(b)
	return &s
}

// GetArenaData returns the row with the id; ok is false when there is none.
func (s *Store) GetArenaData(ctx context.Context, q Querier, id int64) (ArenaData, bool, error) {
	return getArenaData(ctx, q, `SELECT `+arenaDataColumns+` FROM arena_data WHERE id = $1`, id)
}

// GetArenaDataByKey returns the row of a message by its identity.
func (s *Store) GetArenaDataByKey(ctx context.Context, q Querier, table arena.Table, op arena.Operation, pos string) (ArenaData, bool, error) {
	return getArenaData(ctx, q, `SELECT `+arenaDataColumns+` FROM arena_data
		WHERE arena_table_name = $1 AND operation_type = $2 AND operation_pos = $3`,
		string(table), string(op), pos)
}

func getArenaData(ctx context.Context, q Querier, query string, args ...any) (ArenaData, bool, error) {
	var row ArenaData
	switch err := sqlx.GetContext(ctx, q, &row, query, args...); {
	case errors.Is(err, sql.ErrNoRows):
		return ArenaData{}, false, nil
	case err != nil:
		return ArenaData{}, false, fmt.Errorf("store: get arena_data: %w", err)
	}
	return row, true, nil
}

// SetStatus sets a row's status and note (NULL when empty) and stamps
// ingested_timestamp, as handling does.
func (s *Store) SetStatus(ctx context.Context, q Querier, id int64, status ingest.Status, note string) error {
	return exactlyOne(q.ExecContext(ctx, `
		UPDATE arena_data SET ingest_status = $2, note = NULLIF($3, ''), ingested_timestamp = $4
		WHERE id = $1`, id, string(status), note, s.clock()))
}

// RecordAttempt writes the outcome of the retry processor's attempt at a
// row: status, the attempts so far, the note, and last_attempted now.
func (s *Store) RecordAttempt(ctx context.Context, q Querier, id int64, status ingest.Status, attempts int, note string) error {
	return exactlyOne(q.ExecContext(ctx, `
		UPDATE arena_data SET ingest_status = $2, ingest_attempts = $3, note = NULLIF($4, ''), last_attempted = $5
		WHERE id = $1`, id, string(status), attempts, note, s.clock()))
}

// ErrNotFound is returned by updates of a row that does not exist.
var ErrNotFound = errors.New("store: no such row")

func exactlyOne(res sql.Result, err error) error {
	if err != nil {
		return fmt.Errorf("store: update arena_data: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: update arena_data: %w", err)
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// ListByArenaID returns every stored message of one Arena row, in position
// order: the history the per-deltaker ordering rule reads.
func (s *Store) ListByArenaID(ctx context.Context, q Querier, table arena.Table, arenaID string) ([]ArenaData, error) {
	var rows []ArenaData
	if err := sqlx.SelectContext(ctx, q, &rows, `SELECT `+arenaDataColumns+` FROM arena_data
		WHERE arena_id = $1 AND arena_table_name = $2 ORDER BY operation_pos`,
		arenaID, string(table)); err != nil {
		return nil, fmt.Errorf("store: list arena_data of %s %s: %w", table, arenaID, err)
	}
	return rows, nil
}

// pendingPageQuery is one keyset page of a status of a table. It repeats
// the predicate of the partial index arena_data_pending_idx, so that the
// planner can use the index for a generic plan too, where it cannot see
// which status $1 is.
const pendingPageQuery = `SELECT ` + arenaDataColumns + ` FROM arena_data
	WHERE ingest_status = $1 AND arena_table_name = $2 AND operation_pos > $3
		AND ingest_status IN ('RETRY', 'FAILED', 'WAITING', 'IGNORED')
	ORDER BY operation_pos
	LIMIT $4`

// ListPending returns up to limit rows in status (RETRY, FAILED, WAITING or
// IGNORED) of table whose position is after afterPos, in position order.
// Start with afterPos "" and continue from the last row's position.
func (s *Store) ListPending(ctx context.Context, q Querier, status ingest.Status, table arena.Table, afterPos string, limit int) ([]ArenaData, error) {
	var rows []ArenaData
	if err := sqlx.SelectContext(ctx, q, &rows, pendingPageQuery,
		string(status), string(table), afterPos, limit); err != nil {
		return nil, fmt.Errorf("store: list %s %s rows: %w", status, table, err)
	}
	return rows, nil
}

// CountByStatus counts the rows in a status.
func (s *Store) CountByStatus(ctx context.Context, q Querier, status ingest.Status) (int, error) {
	var n int
	if err := sqlx.GetContext(ctx, q, &n, `SELECT count(*) FROM arena_data WHERE ingest_status = $1`, string(status)); err != nil {
		return 0, fmt.Errorf("store: count %s: %w", status, err)
	}
	return n, nil
}

// RetryWaitingDeltakere makes the WAITING TILTAKDELTAKER rows of a
// gjennomføring RETRY with attempts 0, once a valid version of the
// gjennomføring is handled. Like the original it leaves hist rows WAITING.
// It returns how many rows it changed.
func (s *Store) RetryWaitingDeltakere(ctx context.Context, q Querier, gjennomforingArenaID string) (int64, error) {
	res, err := q.ExecContext(ctx, `
		UPDATE arena_data SET ingest_status = 'RETRY', ingest_attempts = 0
		WHERE ingest_status = 'WAITING' AND arena_table_name = $2
			AND (after ->> 'TILTAKGJENNOMFORING_ID' = $1 OR before ->> 'TILTAKGJENNOMFORING_ID' = $1)`,
		gjennomforingArenaID, string(arena.TableDeltaker))
	if err != nil {
		return 0, fmt.Errorf("store: retry waiting deltakere of gjennomføring %s: %w", gjennomforingArenaID, err)
	}
	return res.RowsAffected()
}
