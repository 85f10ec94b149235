package store

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
)

const (
	waitFor = 10 * time.Second
	tick    = 5 * time.Millisecond
)

func TestGjennomforingUpsertKeepsCodeAndID(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, db := newStore(t)

	require.NoError(t, s.UpsertGjennomforing(ctx, db, "3461841", arena.TiltakIndoppfag, false))
	require.NoError(t, s.UpsertGjennomforing(ctx, db, "2", arena.TiltakJobbk, true))
	mr := uuid.New()
	require.NoError(t, s.SetGjennomforingID(ctx, db, "3461841", mr))
	require.NoError(t, s.UpsertGjennomforing(ctx, db, "3461841", arena.TiltakArbforb, true))

	g, ok, err := s.GetGjennomforing(ctx, db, "3461841")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, Gjennomforing{ArenaID: "3461841", TiltakKode: arena.TiltakIndoppfag, IsValid: true, ID: &mr}, g,
		"only validity changes on a later message")

	g, ok, err = s.GetGjennomforing(ctx, db, "2")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, Gjennomforing{ArenaID: "2", TiltakKode: arena.TiltakJobbk, IsValid: true}, g)

	_, ok, err = s.GetGjennomforing(ctx, db, "3")
	require.NoError(t, err)
	require.False(t, ok)
	require.ErrorIs(t, s.SetGjennomforingID(ctx, db, "3", mr), ErrNotFound)
}

func deltakerCopy() Deltaker {
	return Deltaker{
		ArenaID:           123456,
		PersonID:          556677,
		GjennomforingID:   3461841,
		DatoFra:           ptr(civil.DateOf(2020, 3, 2)),
		DatoTil:           ptr(civil.DateOf(2020, 12, 31)),
		RegDato:           civil.DateTimeOf(2022, 1, 11, 11, 0, 40, 0),
		ModDato:           civil.DateTimeOf(2022, 1, 11, 11, 0, 40, 0),
		Status:            "GJENN",
		DatoStatusendring: ptr(civil.DateTimeOf(2022, 6, 11, 11, 0, 40, 0)),
		SourceTable:       arena.TableDeltaker,
	}
}

func TestDeltakerUpsertInsertsThenUpdates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, db := newStore(t)

	d := deltakerCopy()
	require.NoError(t, s.UpsertDeltaker(ctx, db, d))
	got, ok, err := s.GetDeltaker(ctx, db, d.ArenaID)
	require.NoError(t, err)
	require.True(t, ok)
	require.NotEqual(t, uuid.Nil, got.ID)
	first := got.ID
	got.ID = uuid.Nil
	require.Equal(t, d, got, "Oslo wall-clock times survive timestamptz, winter and summer")

	d.DatoFra = ptr(civil.DateOf(2020, 4, 1))
	d.Status = "FULLF"
	d.EksternID = ptr(uuid.New())
	require.NoError(t, s.UpsertDeltaker(ctx, db, d))
	got, _, err = s.GetDeltaker(ctx, db, d.ArenaID)
	require.NoError(t, err)
	require.Equal(t, first, got.ID, "the row is updated, not replaced")
	got.ID = uuid.Nil
	require.Equal(t, d, got)

	require.NoError(t, s.SetDeltakerStatus(ctx, db, d.ArenaID, "FEILREGISTRERT"))
	got, _, err = s.GetDeltaker(ctx, db, d.ArenaID)
	require.NoError(t, err)
	require.Equal(t, "FEILREGISTRERT", got.Status)

	_, ok, err = s.GetDeltaker(ctx, db, 1)
	require.NoError(t, err)
	require.False(t, ok)
}

func TestDeltakerTimesDoNotDependOnTheSessionTimeZone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, db := newStore(t)
	conn, err := db.Connx(ctx)
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.ExecContext(ctx, `SET TIME ZONE 'America/New_York'`)
	require.NoError(t, err)

	d := deltakerCopy()
	require.NoError(t, s.UpsertDeltaker(ctx, conn, d))
	var inOslo string
	require.NoError(t, conn.GetContext(ctx, &inOslo,
		`SELECT to_char(reg_dato AT TIME ZONE 'Europe/Oslo', 'YYYY-MM-DD HH24:MI:SS') FROM deltaker`))
	require.Equal(t, "2022-01-11 11:00:40", inOslo)
	got, _, err := s.GetDeltaker(ctx, conn, d.ArenaID)
	require.NoError(t, err)
	require.Equal(t, d.RegDato, got.RegDato)
}

// Fixes the original's hist-matching crash: a candidate without
// dato_statusendring is read with it nil instead of failing the match.
func TestFindDeltakereToleratesMissingStatusChangeDate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, db := newStore(t)

	with := deltakerCopy()
	without := deltakerCopy()
	without.ArenaID, without.DatoStatusendring = 123457, nil
	otherPerson := deltakerCopy()
	otherPerson.ArenaID, otherPerson.PersonID = 123458, 1
	otherGjennomforing := deltakerCopy()
	otherGjennomforing.ArenaID, otherGjennomforing.GjennomforingID = 123459, 1
	for _, d := range []Deltaker{with, without, otherPerson, otherGjennomforing} {
		require.NoError(t, s.UpsertDeltaker(ctx, db, d))
	}

	found, err := s.FindDeltakere(ctx, db, 556677, 3461841)
	require.NoError(t, err)
	require.Len(t, found, 2)
	require.Equal(t, with.ArenaID, found[0].ArenaID)
	require.Equal(t, with.DatoStatusendring, found[0].DatoStatusendring)
	require.Equal(t, without.ArenaID, found[1].ArenaID)
	require.Nil(t, found[1].DatoStatusendring)

	none, err := s.FindDeltakere(ctx, db, 2, 2)
	require.NoError(t, err)
	require.Empty(t, none)
}
