package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
)

// Translation maps an Arena row to its AMT UUID (arena_data_id_translation).
type Translation struct {
	AmtID   uuid.UUID   `db:"amt_id"`
	Table   arena.Table `db:"arena_table_name"`
	ArenaID string      `db:"arena_id"`
}

// GetOrCreateAmtID returns the AMT UUID of an Arena row, creating a random
// one the first time; created tells which. Whoever asks, and however many
// ask at once, gets the one stored UUID.
//
// It reads first, because nearly every call finds the id. Otherwise it
// inserts a new UUID; if a concurrent transaction inserted one first, the
// insert waits for it to commit and does nothing, and a fresh read returns
// the winner's. (The original returned its own UUID in that case, one
// that was never stored.) In a REPEATABLE READ or SERIALIZABLE transaction
// the losing insert fails with a serialization error instead, which
// pg.InTx retries.
func (s *Store) GetOrCreateAmtID(ctx context.Context, q Querier, table arena.Table, arenaID string) (id uuid.UUID, created bool, err error) {
	if id, ok, err := s.GetAmtID(ctx, q, table, arenaID); err != nil || ok {
		return id, false, err
	}
	err = sqlx.GetContext(ctx, q, &id, `
		INSERT INTO arena_data_id_translation (amt_id, arena_table_name, arena_id) VALUES ($1, $2, $3)
		ON CONFLICT (arena_table_name, arena_id) DO NOTHING
		RETURNING amt_id`, uuid.New(), string(table), arenaID)
	switch {
	case err == nil:
		return id, true, nil
	case !errors.Is(err, sql.ErrNoRows):
		return uuid.Nil, false, fmt.Errorf("store: create amt id for %s %s: %w", table, arenaID, err)
	}
	// Lost the race: the winner has committed, and this statement sees it.
	id, ok, err := s.GetAmtID(ctx, q, table, arenaID)
	if err == nil && !ok {
		err = fmt.Errorf("store: amt id for %s %s neither inserted nor found", table, arenaID)
	}
	return id, false, err
}

// GetAmtID returns the AMT UUID of an Arena row; ok is false when it has
// none yet.
func (s *Store) GetAmtID(ctx context.Context, q Querier, table arena.Table, arenaID string) (uuid.UUID, bool, error) {
	var id uuid.UUID
	err := sqlx.GetContext(ctx, q, &id, `SELECT amt_id FROM arena_data_id_translation
		WHERE arena_table_name = $1 AND arena_id = $2`, string(table), arenaID)
	return found(id, err, "get amt id")
}

// GetTranslation returns the Arena row an AMT UUID belongs to.
func (s *Store) GetTranslation(ctx context.Context, q Querier, amtID uuid.UUID) (Translation, bool, error) {
	var t Translation
	err := sqlx.GetContext(ctx, q, &t, `SELECT amt_id, arena_table_name, arena_id
		FROM arena_data_id_translation WHERE amt_id = $1`, amtID)
	return found(t, err, "get translation")
}

// InsertTranslation stores a given UUID for an Arena row (a Komet-owned
// deltaker's EKSTERN_ID). When the Arena row already has a UUID nothing
// changes and inserted is false; when the UUID belongs to another Arena
// row the error satisfies pg.IsUniqueViolation.
func (s *Store) InsertTranslation(ctx context.Context, q Querier, t Translation) (inserted bool, err error) {
	res, err := q.ExecContext(ctx, `
		INSERT INTO arena_data_id_translation (amt_id, arena_table_name, arena_id) VALUES ($1, $2, $3)
		ON CONFLICT (arena_table_name, arena_id) DO NOTHING`, t.AmtID, string(t.Table), t.ArenaID)
	return insertedOne(res, err, "insert translation")
}

// HistTranslation maps an Arena hist deltaker to an AMT UUID
// (arena_data_hist_id_translation). ArenaID is the TILTAKDELTAKER id whose
// UUID it shares, when it does.
type HistTranslation struct {
	AmtID       uuid.UUID `db:"amt_id"`
	ArenaHistID string    `db:"arena_hist_id"`
	ArenaID     *string   `db:"arena_id"`
}

// GetOrCreateHistAmtID is GetOrCreateAmtID for a hist deltaker that
// matched no deltaker: the UUID is keyed by the hist id, with no Arena
// deltaker id.
func (s *Store) GetOrCreateHistAmtID(ctx context.Context, q Querier, arenaHistID string) (id uuid.UUID, created bool, err error) {
	if t, ok, err := s.GetHistTranslationByHistID(ctx, q, arenaHistID); err != nil || ok {
		return t.AmtID, false, err
	}
	err = sqlx.GetContext(ctx, q, &id, `
		INSERT INTO arena_data_hist_id_translation (amt_id, arena_hist_id) VALUES ($1, $2)
		ON CONFLICT (arena_hist_id) DO NOTHING
		RETURNING amt_id`, uuid.New(), arenaHistID)
	switch {
	case err == nil:
		return id, true, nil
	case !errors.Is(err, sql.ErrNoRows):
		return uuid.Nil, false, fmt.Errorf("store: create amt id for hist deltaker %s: %w", arenaHistID, err)
	}
	t, ok, err := s.GetHistTranslationByHistID(ctx, q, arenaHistID)
	if err == nil && !ok {
		err = fmt.Errorf("store: amt id for hist deltaker %s neither inserted nor found", arenaHistID)
	}
	return t.AmtID, false, err
}

// GetHistTranslationByHistID looks a hist deltaker's translation up.
func (s *Store) GetHistTranslationByHistID(ctx context.Context, q Querier, arenaHistID string) (HistTranslation, bool, error) {
	var t HistTranslation
	err := sqlx.GetContext(ctx, q, &t, `SELECT amt_id, arena_hist_id, arena_id
		FROM arena_data_hist_id_translation WHERE arena_hist_id = $1`, arenaHistID)
	return found(t, err, "get hist translation")
}

// GetHistTranslation looks the hist translation of an AMT UUID up: whether
// the deltaker with that UUID was historised.
func (s *Store) GetHistTranslation(ctx context.Context, q Querier, amtID uuid.UUID) (HistTranslation, bool, error) {
	var t HistTranslation
	err := sqlx.GetContext(ctx, q, &t, `SELECT amt_id, arena_hist_id, arena_id
		FROM arena_data_hist_id_translation WHERE amt_id = $1`, amtID)
	return found(t, err, "get hist translation")
}

// InsertHistTranslation stores a hist translation. When the UUID already
// has one nothing changes and inserted is false; when the hist id is
// already mapped to another UUID the error satisfies pg.IsUniqueViolation.
func (s *Store) InsertHistTranslation(ctx context.Context, q Querier, t HistTranslation) (inserted bool, err error) {
	res, err := q.ExecContext(ctx, `
		INSERT INTO arena_data_hist_id_translation (amt_id, arena_hist_id, arena_id) VALUES ($1, $2, $3)
		ON CONFLICT (amt_id) DO NOTHING`, t.AmtID, t.ArenaHistID, t.ArenaID)
	return insertedOne(res, err, "insert hist translation")
}

// found turns a single-row read's sql.ErrNoRows into ok false.
func found[T any](v T, err error, what string) (T, bool, error) {
	var zero T
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return zero, false, nil
	case err != nil:
		return zero, false, fmt.Errorf("store: %s: %w", what, err)
	}
	return v, true, nil
}

func insertedOne(res sql.Result, err error, what string) (bool, error) {
	if err != nil {
		return false, fmt.Errorf("store: %s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: %s: %w", what, err)
	}
	return n == 1, nil
}
