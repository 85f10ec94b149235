package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
)

// Deltaker is the structured copy of an Arena TILTAKDELTAKER row kept in
// the deltaker table, for matching hist deltakere.
type Deltaker struct {
	// ID is the row's own id, not the AMT deltaker id; set on insert.
	ID              uuid.UUID
	ArenaID         int64
	PersonID        int64
	GjennomforingID int64
	DatoFra         *civil.Date
	DatoTil         *civil.Date
	RegDato         civil.DateTime
	ModDato         civil.DateTime
	// Status is Arena's DELTAKERSTATUSKODE, or FEILREGISTRERT once a delete
	// of the deltaker was forwarded.
	Status string
	// DatoStatusendring may be missing in Arena; matching must cope.
	DatoStatusendring *civil.DateTime
	EksternID         *uuid.UUID
	// SourceTable is always SIAMO.TILTAKDELTAKER.
	SourceTable arena.Table
}

// deltakerRow is the table's row: its timestamptz columns are instants.
type deltakerRow struct {
	ID                uuid.UUID   `db:"id"`
	ArenaID           int64       `db:"arena_id"`
	PersonID          int64       `db:"person_id"`
	GjennomforingID   int64       `db:"gjennomforing_id"`
	DatoFra           *civil.Date `db:"dato_fra"`
	DatoTil           *civil.Date `db:"dato_til"`
	RegDato           time.Time   `db:"reg_dato"`
	ModDato           time.Time   `db:"mod_dato"`
	Status            string      `db:"status"`
	DatoStatusendring *time.Time  `db:"dato_statusendring"`
	EksternID         *uuid.UUID  `db:"ekstern_id"`
	SourceTable       arena.Table `db:"arena_source_table"`
}

func (r deltakerRow) deltaker() Deltaker {
	d := Deltaker{
		ID: r.ID, ArenaID: r.ArenaID, PersonID: r.PersonID, GjennomforingID: r.GjennomforingID,
		DatoFra: r.DatoFra, DatoTil: r.DatoTil,
		RegDato: civil.FromTime(r.RegDato), ModDato: civil.FromTime(r.ModDato),
		Status: r.Status, EksternID: r.EksternID, SourceTable: r.SourceTable,
	}
	if r.DatoStatusendring != nil {
		dt := civil.FromTime(*r.DatoStatusendring)
		d.DatoStatusendring = &dt
	}
	return d
}

const deltakerColumns = `id, arena_id, person_id, gjennomforing_id, dato_fra, dato_til, reg_dato,
	mod_dato, status, dato_statusendring, ekstern_id, arena_source_table`

// UpsertDeltaker stores the copy of a deltaker by (arena id, source
// table), replacing every data column of an existing copy.
func (s *Store) UpsertDeltaker(ctx context.Context, q Querier, d Deltaker) error {
	var endret *time.Time
	if d.DatoStatusendring != nil {
		t := d.DatoStatusendring.In(civil.Oslo)
		endret = &t
	}
	if _, err := q.ExecContext(ctx, `
		INSERT INTO deltaker (id, arena_id, person_id, gjennomforing_id, dato_fra, dato_til, reg_dato,
			mod_dato, status, dato_statusendring, ekstern_id, arena_source_table)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (arena_id, arena_source_table) DO UPDATE SET
			person_id = EXCLUDED.person_id,
			gjennomforing_id = EXCLUDED.gjennomforing_id,
			dato_fra = EXCLUDED.dato_fra,
			dato_til = EXCLUDED.dato_til,
			reg_dato = EXCLUDED.reg_dato,
			mod_dato = EXCLUDED.mod_dato,
			status = EXCLUDED.status,
			dato_statusendring = EXCLUDED.dato_statusendring,
			ekstern_id = EXCLUDED.ekstern_id,
			modified_at = CURRENT_TIMESTAMP`,
		uuid.New(), d.ArenaID, d.PersonID, d.GjennomforingID, d.DatoFra, d.DatoTil,
		d.RegDato.In(civil.Oslo), d.ModDato.In(civil.Oslo), d.Status, endret, d.EksternID,
		string(sourceTable(d.SourceTable))); err != nil {
		return fmt.Errorf("store: upsert deltaker %d: %w", d.ArenaID, err)
	}
	return nil
}

func sourceTable(t arena.Table) arena.Table {
	if t == "" {
		return arena.TableDeltaker
	}
	return t
}

// SetDeltakerStatus sets the status of a deltaker's copy (FEILREGISTRERT
// when its delete is forwarded). Unlike the original it touches only the
// TILTAKDELTAKER copy.
func (s *Store) SetDeltakerStatus(ctx context.Context, q Querier, arenaID int64, status string) error {
	if _, err := q.ExecContext(ctx, `
		UPDATE deltaker SET status = $2, modified_at = CURRENT_TIMESTAMP
		WHERE arena_id = $1 AND arena_source_table = $3`,
		arenaID, status, string(arena.TableDeltaker)); err != nil {
		return fmt.Errorf("store: set status of deltaker %d: %w", arenaID, err)
	}
	return nil
}

// GetDeltaker returns the copy of a TILTAKDELTAKER row.
func (s *Store) GetDeltaker(ctx context.Context, q Querier, arenaID int64) (Deltaker, bool, error) {
	var r deltakerRow
	err := sqlx.GetContext(ctx, q, &r, `SELECT `+deltakerColumns+` FROM deltaker
		WHERE arena_id = $1 AND arena_source_table = $2`, arenaID, string(arena.TableDeltaker))
	r, ok, err := found(r, err, fmt.Sprintf("get deltaker %d", arenaID))
	if !ok {
		return Deltaker{}, false, err
	}
	return r.deltaker(), true, nil
}

// FindDeltakere returns the copies of a person's deltakere on one
// gjennomføring: the candidates for matching a hist deltaker. Rows without
// dato_statusendring are returned too, with it nil.
func (s *Store) FindDeltakere(ctx context.Context, q Querier, personID, gjennomforingID int64) ([]Deltaker, error) {
	var rows []deltakerRow
	if err := sqlx.SelectContext(ctx, q, &rows, `SELECT `+deltakerColumns+` FROM deltaker
		WHERE person_id = $1 AND gjennomforing_id = $2 ORDER BY arena_id`, personID, gjennomforingID); err != nil {
		return nil, fmt.Errorf("store: find deltakere of person on gjennomføring %d: %w", gjennomforingID, err)
	}
	out := make([]Deltaker, len(rows))
	for i, r := range rows {
		out[i] = r.deltaker()
	}
	return out, nil
}
