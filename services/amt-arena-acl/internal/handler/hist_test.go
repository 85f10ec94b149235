package handler_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/acltest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/amt"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena/arenatest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/fakenav"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/store"
)

// histDeltaker is an ended hist deltaker of a new person on gj: FULLF,
// from three months ago to two months ago.
func histDeltaker(e *acltest.Env, gj acltest.Gjennomforing) (*arena.HistDeltaker, string) {
	person, fnr := e.Person()
	h := arenatest.HistDeltaker(time.Now(), e.ID(), person, gj.ArenaID)
	h.DatoFra = arenatest.Ptr(arenatest.ArenaDate(civil.Today(time.Now().AddDate(0, -3, 0))))
	h.DatoTil = arenatest.Ptr(arenatest.ArenaDate(civil.Today(time.Now().AddDate(0, -2, 0))))
	return h, fnr
}

// matchingDeltaker stores the deltaker a hist deltaker archives, as
// handling it would have: its copy (same person, gjennomføring, dates and
// status change) and its AMT id. It returns the AMT id.
func matchingDeltaker(t *testing.T, e *acltest.Env, h *arena.HistDeltaker, statusendring *civil.DateTime) (int64, uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	arenaID := e.ID()
	start, err := arena.ParseDate("DATO_FRA", *h.DatoFra)
	require.NoError(t, err)
	slutt, err := arena.ParseDate("DATO_TIL", *h.DatoTil)
	require.NoError(t, err)
	reg, err := arena.ParseDateTime("REG_DATO", h.RegDato)
	require.NoError(t, err)
	require.NoError(t, e.Store.UpsertDeltaker(ctx, e.DB, store.Deltaker{
		ArenaID: arenaID, PersonID: *h.PersonID, GjennomforingID: h.TiltakgjennomforingID,
		DatoFra: &start, DatoTil: &slutt, RegDato: reg, ModDato: reg, Status: "GJENN",
		DatoStatusendring: statusendring,
	}))
	id, _, err := e.Store.GetOrCreateAmtID(ctx, e.DB, arena.TableDeltaker, id(arenaID))
	require.NoError(t, err)
	return arenaID, id
}

func statusendring(t *testing.T, h *arena.HistDeltaker) *civil.DateTime {
	t.Helper()
	dt, err := arena.ParseDateTime("DATO_STATUSENDRING", *h.DatoStatusendring)
	require.NoError(t, err)
	return &dt
}

func histTranslation(t *testing.T, e *acltest.Env, histID int64) (store.HistTranslation, bool) {
	t.Helper()
	tr, ok, err := e.Store.GetHistTranslationByHistID(context.Background(), e.DB, id(histID))
	require.NoError(t, err)
	return tr, ok
}

func TestHistDeltakerMatchingALiveDeltakerIsMappedAndNotPublished(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	gj := e.NewGjennomforing(arena.TiltakIndoppfag)
	h, fnr := histDeltaker(e, gj)
	arenaID, amtID := matchingDeltaker(t, e, h, statusendring(t, h))
	e.NAV.AmtTiltak.SetDeltakelser(fnr, fakenav.Deltakelse{ID: amtID.String(), GjennomforingID: gj.MR.ID, Status: "FULLFORT"})

	pos := e.Send(arena.Created, h)
	row := e.WaitStatus(arena.TableHistDeltaker, arena.Created, pos, ingest.Handled)
	require.Equal(t, "Fant match? true", note(row))
	require.Empty(t, outputForPerson(e, fnr))
	tr, ok := histTranslation(t, e, h.HistTiltakdeltakerID)
	require.True(t, ok)
	require.Equal(t, amtID, tr.AmtID)
	require.Equal(t, id(arenaID), *tr.ArenaID)
}

func TestHistDeltakerMatchingAFeilregistrertDeltakerRestoresIt(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	gj := e.NewGjennomforing(arena.TiltakIndoppfag)
	h, fnr := histDeltaker(e, gj)
	_, amtID := matchingDeltaker(t, e, h, statusendring(t, h))
	e.NAV.AmtTiltak.SetDeltakelser(fnr, fakenav.Deltakelse{ID: amtID.String(), GjennomforingID: gj.MR.ID, Status: "FEILREGISTRERT"})

	pos := e.Send(arena.Created, h)
	row := e.WaitStatus(arena.TableHistDeltaker, arena.Created, pos, ingest.Handled)
	require.Equal(t, "Fant match? true", note(row))
	out := e.OutputFor(amtID)
	require.Len(t, out, 1)
	require.Equal(t, acltest.TopicAmt, out[0].Topic)
	require.Equal(t, amt.Modified, out[0].Envelope.Operation)
	require.Equal(t, amt.HarSluttet, out[0].Deltaker.Status)
	require.Nil(t, out[0].Deltaker.StatusAarsak)
	tr, ok := histTranslation(t, e, h.HistTiltakdeltakerID)
	require.True(t, ok)
	require.Equal(t, amtID, tr.AmtID)
}

// Hist deltakere that match no deltaker here are published as new ones,
// whatever amt-tiltak has for the person.
func TestHistDeltakerWithoutMatchIsPublishedAsCreated(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	gj := e.NewGjennomforing(arena.TiltakIndoppfag)
	cases := []struct {
		name        string
		deltakelser func(fnr string) []fakenav.Deltakelse
	}{
		{"amt-tiltak knows nothing of the person", func(string) []fakenav.Deltakelse { return nil }},
		{"amt-tiltak has the person on another gjennomføring", func(string) []fakenav.Deltakelse {
			return []fakenav.Deltakelse{{ID: uuid.NewString(), GjennomforingID: uuid.NewString(), Status: "DELTAR"}}
		}},
		{"amt-tiltak has the person on the same gjennomføring with other dates", func(string) []fakenav.Deltakelse {
			return []fakenav.Deltakelse{{ID: uuid.NewString(), GjennomforingID: gj.MR.ID, Status: "DELTAR",
				StartDato: time.Now().AddDate(0, -1, 0), SluttDato: time.Now().AddDate(0, 1, 0)}}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h, fnr := histDeltaker(e, gj)
			e.NAV.AmtTiltak.SetDeltakelser(fnr, c.deltakelser(fnr)...)
			pos := e.Send(arena.Created, h)
			row := e.WaitStatus(arena.TableHistDeltaker, arena.Created, pos, ingest.Handled)
			require.Equal(t, "Fant match? false", note(row))
			tr, ok := histTranslation(t, e, h.HistTiltakdeltakerID)
			require.True(t, ok, "the hist deltaker got an id of its own")
			require.Nil(t, tr.ArenaID)
			out := e.OutputFor(tr.AmtID)
			require.Len(t, out, 1)
			require.Equal(t, acltest.TopicAmt, out[0].Topic)
			require.Equal(t, amt.Created, out[0].Envelope.Operation)
			require.Equal(t, fnr, out[0].Deltaker.PersonIdent)
			require.Equal(t, amt.HarSluttet, out[0].Deltaker.Status)
			require.Equal(t, "Trenger hjelp med jobbsøking", *out[0].Deltaker.InnsokBegrunnelse)
		})
	}
}

// The hist outcomes that store a status and publish nothing.
func TestHistDeltakerOutcomesWithoutOutput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	gj := e.NewGjennomforing(arena.TiltakIndoppfag)
	cases := []struct {
		name   string
		op     arena.Operation
		setup  func(*arena.HistDeltaker)
		status ingest.Status
		note   func(*arena.HistDeltaker) string
	}{
		{name: "a delete is IGNORED", op: arena.Deleted, status: ingest.Ignored,
			note: func(*arena.HistDeltaker) string { return "Ignorerer hist-deltaker som har operation type DELETED" }},
		{name: "an update is IGNORED", op: arena.Modified, status: ingest.Ignored,
			note: func(*arena.HistDeltaker) string { return "Ignorerer hist-deltaker som har operation type MODIFIED" }},
		{name: "gjennomføring of a code not handled is IGNORED", op: arena.Created, status: ingest.Ignored,
			setup: func(h *arena.HistDeltaker) {
				g := e.ID()
				e.StoreGjennomforing(g, "UTDYRK", true, nil)
				h.TiltakgjennomforingID = g
			}},
		{name: "invalid gjennomføring is WAITING", op: arena.Created, status: ingest.Waiting,
			setup: func(h *arena.HistDeltaker) {
				g := e.ID()
				e.StoreGjennomforing(g, arena.TiltakIndoppfag, false, nil)
				h.TiltakgjennomforingID = g
			}},
		{name: "failing fnr lookup is RETRY", op: arena.Created, status: ingest.Retry,
			setup: func(h *arena.HistDeltaker) { e.NAV.ORDS.FailPerson(*h.PersonID, 500) }},
		{name: "no DATO_STATUSENDRING is INVALID", op: arena.Created, status: ingest.Invalid,
			setup: func(h *arena.HistDeltaker) { h.DatoStatusendring = nil },
			note: func(*arena.HistDeltaker) string {
				return "Kan ikke matche hist deltaker som mangler DATO_STATUSENDRING"
			}},
		{name: "HIST_TILTAKDELTAKER_ID 0 is INVALID", op: arena.Created, status: ingest.Invalid,
			setup: func(h *arena.HistDeltaker) { h.HistTiltakdeltakerID = 0 },
			note:  func(*arena.HistDeltaker) string { return "HIST_TILTAKDELTAKER_ID er 0" }},
		{name: "a status that has not ended is RETRY", op: arena.Created, status: ingest.Retry,
			setup: func(h *arena.HistDeltaker) { h.Deltakerstatuskode = "GJENN"; h.DatoTil = date(30) },
			note:  func(*arena.HistDeltaker) string { return "Hist deltaker har fått status DELTAR" }},
		{name: "DELTAKERTYPEKODE EKSTERN is EXTERNAL_SOURCE", op: arena.Created, status: ingest.ExternalSource,
			setup: func(h *arena.HistDeltaker) { h.Deltakertypekode = arenatest.Ptr("EKSTERN") },
			note: func(h *arena.HistDeltaker) string {
				return "hist-deltaker har deltakertypekode ekstern, arenaid " + id(h.HistTiltakdeltakerID)
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h, fnr := histDeltaker(e, gj)
			if c.setup != nil {
				c.setup(h)
			}
			pos := e.Send(c.op, h)
			row := e.WaitStatus(arena.TableHistDeltaker, c.op, pos, c.status)
			if c.note != nil {
				require.Equal(t, c.note(h), note(row))
			}
			require.Empty(t, outputForPerson(e, fnr))
		})
	}
}

func TestHistDeltakerMatchingSeveralDeltakereFails(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	gj := e.NewGjennomforing(arena.TiltakIndoppfag)
	h, fnr := histDeltaker(e, gj)
	matchingDeltaker(t, e, h, statusendring(t, h))
	matchingDeltaker(t, e, h, statusendring(t, h))
	pos := e.Send(arena.Created, h)
	row := e.WaitStatus(arena.TableHistDeltaker, arena.Created, pos, ingest.Failed)
	require.Equal(t, "Fant 2 deltakere som matcher med hist deltaker "+id(h.HistTiltakdeltakerID), note(row))
	require.Empty(t, outputForPerson(e, fnr))
}

func TestHistDeltakerMatchingADeltakerAmtTiltakDoesNotKnowIsInvalid(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	gj := e.NewGjennomforing(arena.TiltakIndoppfag)
	h, fnr := histDeltaker(e, gj)
	matchingDeltaker(t, e, h, statusendring(t, h))
	pos := e.Send(arena.Created, h)
	row := e.WaitStatus(arena.TableHistDeltaker, arena.Created, pos, ingest.Invalid)
	require.Equal(t, "Fant matchende deltaker for hist deltaker "+id(h.HistTiltakdeltakerID)+" men fant ikke deltakeren igjen i amt-tiltak", note(row))
	require.Empty(t, outputForPerson(e, fnr))
}

// The original read the deltaker table's dato_statusendring as never null
// although the column allows it, so one such row made every hist message
// of the person on that gjennomføring fail. Such a row now simply does not
// match.
func TestHistMatchingToleratesDeltakerRowsWithoutStatusChangeDateUnlikeTheOriginal(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	gj := e.NewGjennomforing(arena.TiltakIndoppfag)
	h, fnr := histDeltaker(e, gj)
	matchingDeltaker(t, e, h, nil)
	pos := e.Send(arena.Created, h)
	row := e.WaitStatus(arena.TableHistDeltaker, arena.Created, pos, ingest.Handled)
	require.Equal(t, "Fant match? false", note(row))
	require.Len(t, outputForPerson(e, fnr), 1)
}
