package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

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

	// parsed is the message the row was stored from, when it was stored
	// just now; rows read from the table have none.
	parsed *arena.Message
}

// Message is the row's message: the one it was stored from when it has it
// (see ReceiveArenaDataBatch), else rebuilt from the stored images, as the
// retry processor needs it. A row's images never change once stored, so
// both are the same message.
func (d ArenaData) Message() (arena.Message, error) {
	if d.parsed != nil {
		return *d.parsed, nil
	}
	return arena.Rebuild(d.Table, d.Operation, d.OperationTimestamp, d.Pos, d.Before, d.After)
}

// WithImagesOf returns d with the images, raw text and parsed message of
// o, a row with the same id read earlier: images never change once stored,
// so a handler that re-reads only a row's state (GetArenaDataState) need
// not fetch and parse them again.
func (d ArenaData) WithImagesOf(o ArenaData) ArenaData {
	d.Before, d.After, d.Raw, d.parsed = o.Before, o.After, o.Raw, o.parsed
	return d
}

// HasImages reports whether d holds its message (images or the parsed
// message), rather than only its state.
func (d ArenaData) HasImages() bool { return d.parsed != nil || d.Before != nil || d.After != nil }

const arenaDataColumns = stateColumns + `, before, after, raw`

// stateColumns are the columns of arena_data but the message's images and
// raw text, which never change once stored.
const stateColumns = `id, arena_table_name, arena_id, operation_type, operation_pos,
	operation_timestamp, ingest_status, ingested_timestamp, ingest_attempts, last_attempted, note`

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

// ReceiveArenaData stores a message that has just arrived, unless it is
// there already, and returns its row either way; inserted tells which. An
// existing row (the message was delivered before) is returned as it is:
// receiving a message again never changes the status of its row, so a
// re-delivered message that was handled is not handled again.
func (s *Store) ReceiveArenaData(ctx context.Context, q Querier, d NewArenaData) (row ArenaData, inserted bool, err error) {
	err = sqlx.GetContext(ctx, q, &row, `
		INSERT INTO arena_data (arena_table_name, arena_id, operation_type, operation_pos,
			operation_timestamp, ingest_status, ingested_timestamp, before, after, note, raw)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, NULLIF($10, ''), $11)
		ON CONFLICT (arena_table_name, operation_type, operation_pos) DO NOTHING
		RETURNING `+arenaDataColumns,
		string(d.Table), d.ArenaID, string(d.Operation), d.Pos, d.OperationTimestamp,
		string(d.Status), s.clock(), jsonText(d.Before), jsonText(d.After), d.Note, d.Raw)
	switch {
	case err == nil:
		return row, true, nil
	case !errors.Is(err, sql.ErrNoRows):
		return ArenaData{}, false, fmt.Errorf("store: receive arena_data %s %s %s: %w", d.Table, d.Operation, d.Pos, err)
	}
	// The message was there: ON CONFLICT DO NOTHING returns no row, and a
	// statement of its own reads the one that is (inserted by a committed
	// transaction, or by this one).
	row, ok, err := s.GetArenaDataByKey(ctx, q, d.Table, d.Operation, d.Pos)
	if err == nil && !ok {
		err = fmt.Errorf("store: arena_data %s %s %s neither inserted nor found", d.Table, d.Operation, d.Pos)
	}
	return row, false, err
}

// DeleteArenaData removes a row. Only a gjennomføring with a programme code
// this service does not handle has its row removed: the original never
// stored one.
func (s *Store) DeleteArenaData(ctx context.Context, q Querier, id int64) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM arena_data WHERE id = $1`, id); err != nil {
		return fmt.Errorf("store: delete arena_data %d: %w", id, err)
	}
	return nil
}

// MessageState is where one stored message of an Arena row stands: what
// the per-deltaker ordering rule and the publish spacing read.
type MessageState struct {
	ID     int64         `db:"id"`
	Pos    string        `db:"operation_pos"`
	Status ingest.Status `db:"ingest_status"`
	// IngestedTimestamp is when the status was last written by handling.
	IngestedTimestamp *civil.DateTime `db:"ingested_timestamp"`
}

// HistoryOf returns the state of every stored message of one Arena row.
// The order is unspecified: positions are compared as numbers (see
// arena.ComparePos), which SQL's text order is not for positions of
// different lengths.
func (s *Store) HistoryOf(ctx context.Context, q Querier, table arena.Table, arenaID string) ([]MessageState, error) {
	var rows []MessageState
	if err := sqlx.SelectContext(ctx, q, &rows, `SELECT id, operation_pos, ingest_status, ingested_timestamp
		FROM arena_data WHERE arena_id = $1 AND arena_table_name = $2`, arenaID, string(table)); err != nil {
		return nil, fmt.Errorf("store: history of %s %s: %w", table, arenaID, err)
	}
	return rows, nil
}

// GetArenaDataState is GetArenaData without the images and raw text: what
// a handler re-reads to see where a row it already has stands.
func (s *Store) GetArenaDataState(ctx context.Context, q Querier, id int64) (ArenaData, bool, error) {
	return getArenaData(ctx, q, `SELECT `+stateColumns+` FROM arena_data WHERE id = $1`, id)
}

// Received is a message stored by ReceiveArenaDataBatch.
type Received struct {
	// Row is the message's row: its state as stored, with the images of
	// the message received (and the parsed message, when given).
	Row ArenaData
	// Inserted is false when the message was stored before; Row then has
	// the state it had.
	Inserted bool
}

// ReceiveArenaDataBatch is ReceiveArenaData for many messages at once, in
// two statements whatever their number: it inserts those not stored yet and
// reads the state of those that were. msgs, when not nil, holds the parsed
// message of each item (or nil), to travel with its row (see Message).
// Items with the same identity (a record delivered twice in one batch) get
// the same row.
func (s *Store) ReceiveArenaDataBatch(ctx context.Context, q Querier, items []NewArenaData, msgs []*arena.Message) ([]Received, error) {
	if len(items) == 0 {
		return nil, nil
	}
	const cols = 11
	args := make([]any, 0, cols*len(items))
	var values strings.Builder
	now := s.clock()
	for i, d := range items {
		if i > 0 {
			values.WriteString(", ")
		}
		n := i * cols
		fmt.Fprintf(&values, "($%d, $%d, $%d, $%d, $%d::timestamp, $%d, $%d::timestamp, $%d::jsonb, $%d::jsonb, NULLIF($%d, ''), $%d)",
			n+1, n+2, n+3, n+4, n+5, n+6, n+7, n+8, n+9, n+10, n+11)
		args = append(args, string(d.Table), d.ArenaID, string(d.Operation), d.Pos, d.OperationTimestamp,
			string(d.Status), now, jsonText(d.Before), jsonText(d.After), d.Note, d.Raw)
	}
	var inserted []ArenaData
	if err := sqlx.SelectContext(ctx, q, &inserted, `
		INSERT INTO arena_data (arena_table_name, arena_id, operation_type, operation_pos,
			operation_timestamp, ingest_status, ingested_timestamp, before, after, note, raw)
		VALUES `+values.String()+`
		ON CONFLICT (arena_table_name, operation_type, operation_pos) DO NOTHING
		RETURNING `+stateColumns, args...); err != nil {
		return nil, fmt.Errorf("store: receive %d arena_data rows: %w", len(items), err)
	}

	type key struct {
		table arena.Table
		op    arena.Operation
		pos   string
	}
	byKey := make(map[key]ArenaData, len(items))
	for _, r := range inserted {
		byKey[key{r.Table, r.Operation, r.Pos}] = r
	}
	if len(inserted) < len(items) {
		// Delivered before: read the state of those rows, in one
		// statement keyed like the unique index.
		var tables, ops, poses []string
		for _, d := range items {
			if _, ok := byKey[key{d.Table, d.Operation, d.Pos}]; !ok {
				tables, ops, poses = append(tables, string(d.Table)), append(ops, string(d.Operation)), append(poses, d.Pos)
			}
		}
		var existing []ArenaData
		if err := sqlx.SelectContext(ctx, q, &existing, `SELECT `+stateColumns+` FROM arena_data
			WHERE (arena_table_name, operation_type, operation_pos) IN
				(SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[]))`,
			pq.Array(tables), pq.Array(ops), pq.Array(poses)); err != nil {
			return nil, fmt.Errorf("store: read %d arena_data rows received before: %w", len(tables), err)
		}
		for _, r := range existing {
			byKey[key{r.Table, r.Operation, r.Pos}] = r
		}
	}

	out := make([]Received, len(items))
	fresh := make(map[int64]bool, len(inserted))
	for _, r := range inserted {
		fresh[r.ID] = true
	}
	for i, d := range items {
		r, ok := byKey[key{d.Table, d.Operation, d.Pos}]
		if !ok {
			return nil, fmt.Errorf("store: arena_data %s %s %s neither inserted nor found", d.Table, d.Operation, d.Pos)
		}
		r.Before, r.After, r.Raw = d.Before, d.After, d.Raw
		if msgs != nil {
			r.parsed = msgs[i]
		}
		out[i] = Received{Row: r, Inserted: fresh[r.ID]}
	}
	return out, nil
}

// Siblings is what the per-deltaker ordering rule needs to know about the
// other stored messages of an Arena row, compared with one message by
// GoldenGate position (as numbers, see arena.ComparePos).
type Siblings struct {
	// OlderPending: an older message is RETRY, FAILED or WAITING.
	OlderPending bool `db:"older_pending"`
	// NewerHandled: a newer message is HANDLED.
	NewerHandled bool `db:"newer_handled"`
	// LastHandled is ingested_timestamp of the HANDLED message with the
	// highest position, nil when none is HANDLED.
	LastHandled *civil.DateTime `db:"last_handled"`
}

// SiblingsOf summarises the other stored messages of the Arena row of
// table and arenaID around position pos, in one small answer however many
// there are. Positions compare as numbers: without leading zeros, a longer
// one is greater, and equal lengths compare digit by digit (byte order).
func (s *Store) SiblingsOf(ctx context.Context, q Querier, table arena.Table, arenaID, pos string) (Siblings, error) {
	var sib Siblings
	if err := sqlx.GetContext(ctx, q, &sib, `
		WITH h AS (
			SELECT ingest_status, ingested_timestamp,
				length(ltrim(operation_pos, '0')) AS len, ltrim(operation_pos, '0') COLLATE "C" AS p
			FROM arena_data WHERE arena_id = $1 AND arena_table_name = $2
		), me AS (
			SELECT length(ltrim($3::varchar, '0')) AS len, ltrim($3::varchar, '0') COLLATE "C" AS p
		)
		SELECT
			coalesce(bool_or((h.len, h.p) < (me.len, me.p) AND h.ingest_status IN ('RETRY', 'FAILED', 'WAITING')), false) AS older_pending,
			coalesce(bool_or((h.len, h.p) > (me.len, me.p) AND h.ingest_status = 'HANDLED'), false) AS newer_handled,
			(SELECT ingested_timestamp FROM h WHERE ingest_status = 'HANDLED' ORDER BY len DESC, p DESC LIMIT 1) AS last_handled
		FROM h, me`, arenaID, string(table), pos); err != nil {
		return Siblings{}, fmt.Errorf("store: siblings of %s %s %s: %w", table, arenaID, pos, err)
	}
	return sib, nil
}
