package store

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
)

// Gjennomforing is what deltaker handling knows of a gjennomføring.
type Gjennomforing struct {
	ArenaID string `db:"arena_id"`
	// TiltakKode is Arena's TILTAKSKODE as first seen; later messages do
	// not change it.
	TiltakKode arena.Tiltakskode `db:"tiltak_kode"`
	IsValid    bool              `db:"is_valid"`
	// ID is Mulighetsrommet's UUID, nil until looked up.
	ID *uuid.UUID `db:"id"`
}

// UpsertGjennomforing stores a gjennomføring. An existing row gets only the
// new validity: its tiltak code and Mulighetsrommet id stay.
func (s *Store) UpsertGjennomforing(ctx context.Context, q Querier, arenaID string, tiltakKode arena.Tiltakskode, isValid bool) error {
	if _, err := q.ExecContext(ctx, `
		INSERT INTO gjennomforing (arena_id, tiltak_kode, is_valid) VALUES ($1, $2, $3)
		ON CONFLICT (arena_id) DO UPDATE SET is_valid = EXCLUDED.is_valid`,
		arenaID, string(tiltakKode), isValid); err != nil {
		return fmt.Errorf("store: upsert gjennomføring %s: %w", arenaID, err)
	}
	return nil
}

// GetGjennomforing returns a gjennomføring; ok is false when it has not
// been received.
func (s *Store) GetGjennomforing(ctx context.Context, q Querier, arenaID string) (Gjennomforing, bool, error) {
	var g Gjennomforing
	err := sqlx.GetContext(ctx, q, &g, `SELECT arena_id, tiltak_kode, is_valid, id
		FROM gjennomforing WHERE arena_id = $1`, arenaID)
	return found(g, err, "get gjennomføring "+arenaID)
}

// SetGjennomforingID stores Mulighetsrommet's UUID of a gjennomføring.
func (s *Store) SetGjennomforingID(ctx context.Context, q Querier, arenaID string, id uuid.UUID) error {
	res, err := q.ExecContext(ctx, `UPDATE gjennomforing SET id = $2 WHERE arena_id = $1`, arenaID, id)
	if err != nil {
		return fmt.Errorf("store: set id of gjennomføring %s: %w", arenaID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return ErrNotFound
	}
	return nil
}

// GetGjennomforingForShare reads a gjennomføring again, as last committed,
// and holds a share lock on it until the transaction ends, so that no other
// transaction can change it meanwhile. A deltaker handler that finds its
// gjennomføring invalid reads it this way before storing the deltaker
// WAITING: a valid version committed in between is seen (and used), and
// one committed after must wait for the WAITING row to be committed, so the
// gjennomføring handler's flip of WAITING deltakere to RETRY cannot miss it.
func (s *Store) GetGjennomforingForShare(ctx context.Context, q Querier, arenaID string) (Gjennomforing, bool, error) {
	var g Gjennomforing
	err := sqlx.GetContext(ctx, q, &g, `SELECT arena_id, tiltak_kode, is_valid, id
		FROM gjennomforing WHERE arena_id = $1 FOR SHARE`, arenaID)
	return found(g, err, "get gjennomføring "+arenaID+" for share")
}
