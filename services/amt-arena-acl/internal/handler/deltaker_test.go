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
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/javafloat"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/store"
)

func TestDeltakerOnValidGjennomforingIsPublishedAsCreated(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	g := e.ID()
	mr := e.NAV.Mulighetsrommet.AddGjennomforing(fakenav.Gjennomforing{ArenaID: g})
	gjPos := e.Send(arena.Created, arenatest.Gjennomforing(time.Now(), g, arena.TiltakIndoppfag))
	e.WaitStatus(arena.TableGjennomforing, arena.Created, gjPos, ingest.Handled)

	d, fnr := newDeltaker(e, acltest.Gjennomforing{ArenaID: g}, func(d *arena.Deltaker) {
		d.DatoFra, d.DatoTil = date(1), date(30)
		d.BegrunnelseBestilling = arenatest.Ptr("Trenger hjelp med jobbsøking")
	})
	pos := e.Send(arena.Created, d)
	row := e.WaitStatus(arena.TableDeltaker, arena.Created, pos, ingest.Handled)
	require.Nil(t, row.Note)

	id := amtID(t, e, d.TiltakdeltakerID)
	out := e.OutputFor(id)
	require.Len(t, out, 1)
	require.Equal(t, acltest.TopicAmt, out[0].Topic)
	env := out[0].Envelope
	require.Equal(t, amt.Created, env.Operation)
	require.Equal(t, amt.Source, env.Source)
	require.Equal(t, amt.TypeDeltaker, env.Type)
	require.NotEqual(t, uuid.Nil, env.TransactionID)

	p := env.Payload
	require.Equal(t, id, p.ID)
	require.Equal(t, mr.ID, p.GjennomforingID.String())
	require.Equal(t, fnr, p.PersonIdent)
	require.Equal(t, amt.VenterPaOppstart, p.Status)
	require.Nil(t, p.StatusAarsak)
	require.Equal(t, today(1), *p.StartDato)
	require.Equal(t, today(30), *p.SluttDato)
	require.Equal(t, d.AntallDagerPrUke, p.DagerPerUke)
	require.Equal(t, d.ProsentDeltid, p.ProsentDeltid)
	require.Equal(t, "Trenger hjelp med jobbsøking", *p.InnsokBegrunnelse)
	reg, err := arena.ParseDateTime("REG_DATO", d.RegDato)
	require.NoError(t, err)
	require.Equal(t, reg, p.RegistrertDato)

	gj := storedGjennomforing(t, e, g)
	require.NotNil(t, gj.ID)
	require.Equal(t, mr.ID, gj.ID.String(), "the gjennomføring keeps Mulighetsrommet's id")

	kopi, ok, err := e.Store.GetDeltaker(context.Background(), e.DB, d.TiltakdeltakerID)
	require.NoError(t, err)
	require.True(t, ok, "the deltaker table has a copy")
	require.Equal(t, "GJENN", kopi.Status, "the copy keeps Arena's status code")
	require.Equal(t, *d.PersonID, kopi.PersonID)
}

func TestDeltakerWhoseFnrLookupFailsIsRetriedAndHoldsBackItsNewerMessages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	gj := e.NewGjennomforing(arena.TiltakIndoppfag)
	d, fnr := newDeltaker(e, gj)
	e.NAV.ORDS.FailPerson(*d.PersonID, 500)

	first := e.Send(arena.Created, d)
	row := e.WaitStatus(arena.TableDeltaker, arena.Created, first, ingest.Retry)
	require.Contains(t, note(row), "500")
	require.Empty(t, outputForPerson(e, fnr))

	e.NAV.ORDS.HealPerson(*d.PersonID)
	second := e.Send(arena.Modified, d)
	row = e.WaitStatus(arena.TableDeltaker, arena.Modified, second, ingest.Retry)
	require.Equal(t, "Forrige melding på deltaker med id="+id(d.TiltakdeltakerID)+" er ikke håndtert enda", note(row))
	require.Empty(t, outputForPerson(e, fnr), "nothing overtakes the message that failed")
}

// The outcomes that store a status and publish nothing.
func TestDeltakerOutcomesWithoutOutput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cases := []struct {
		name   string
		setup  func(*arena.Deltaker)
		status ingest.Status
		note   func(*arena.Deltaker) string
	}{
		{
			name: "gjennomføring of a code not handled is IGNORED",
			setup: func(d *arena.Deltaker) {
				g := e.ID()
				e.StoreGjennomforing(g, "UTDYRK", true, nil)
				d.TiltakgjennomforingID = g
			},
			status: ingest.Ignored,
			note: func(d *arena.Deltaker) string {
				return "Deltaker på gjennomføring med arenakode " + id(d.TiltakgjennomforingID) + " er ikke støttet"
			},
		},
		{
			name: "invalid gjennomføring is WAITING",
			setup: func(d *arena.Deltaker) {
				g := e.ID()
				e.StoreGjennomforing(g, arena.TiltakIndoppfag, false, nil)
				d.TiltakgjennomforingID = g
			},
			status: ingest.Waiting,
			note: func(d *arena.Deltaker) string {
				return "Deltaker på ugyldig gjennomføring <" + id(d.TiltakgjennomforingID) + ">"
			},
		},
		{
			name:   "failing fnr lookup is RETRY",
			setup:  func(d *arena.Deltaker) { e.NAV.ORDS.FailPerson(*d.PersonID, 500) },
			status: ingest.Retry,
		},
		{
			name:   "TILTAKDELTAKER_ID 0 is INVALID",
			setup:  func(d *arena.Deltaker) { d.TiltakdeltakerID = 0 },
			status: ingest.Invalid,
			note:   func(*arena.Deltaker) string { return "TILTAKDELTAKER_ID er 0" },
		},
		{
			name: "gjennomføring not received yet is RETRY",
			setup: func(d *arena.Deltaker) {
				d.TiltakgjennomforingID = e.ID()
			},
			status: ingest.Retry,
			note: func(d *arena.Deltaker) string {
				return "Venter på at gjennomføring med id=" + id(d.TiltakgjennomforingID) + " skal bli håndtert"
			},
		},
		{
			name: "gjennomføring Mulighetsrommet does not know is RETRY",
			setup: func(d *arena.Deltaker) {
				g := e.ID()
				e.StoreGjennomforing(g, arena.TiltakIndoppfag, true, nil)
				d.TiltakgjennomforingID = g
			},
			status: ingest.Retry,
			note: func(d *arena.Deltaker) string {
				return "Venter på at gjennomføring med id=" + id(d.TiltakgjennomforingID) + " skal bli håndtert av Mulighetsrommet"
			},
		},
		{
			name:   "person without fnr is INVALID",
			setup:  func(d *arena.Deltaker) { e.NAV.ORDS.RemoveFnr(*d.PersonID) },
			status: ingest.Invalid,
			note:   func(d *arena.Deltaker) string { return "Arena mangler personlig ident for personId=" + id(*d.PersonID) },
		},
		{
			name:   "PERSON_ID null is INVALID",
			setup:  func(d *arena.Deltaker) { d.PersonID = nil },
			status: ingest.Invalid,
			note:   func(*arena.Deltaker) string { return "PERSON_ID er null" },
		},
		{
			name:   "DATO_FRA that does not read is INVALID",
			setup:  func(d *arena.Deltaker) { d.DatoFra = arenatest.Ptr("2020-03-02") },
			status: ingest.Invalid,
			note:   func(*arena.Deltaker) string { return "DATO_FRA kan ikke parses til LocalDate (2020-03-02)" },
		},
		{
			name:   "unknown status code is RETRY",
			setup:  func(d *arena.Deltaker) { d.Deltakerstatuskode = "UKJENT" },
			status: ingest.Retry,
		},
		{
			name:   "DELTAKERTYPEKODE EKSTERN is EXTERNAL_SOURCE",
			setup:  func(d *arena.Deltaker) { d.Deltakertypekode = arenatest.Ptr("EKSTERN") },
			status: ingest.ExternalSource,
			note: func(d *arena.Deltaker) string {
				return "Deltaker har deltakertypekode ekstern, arenaid " + id(d.TiltakdeltakerID)
			},
		},
	}
	gj := e.NewGjennomforing(arena.TiltakIndoppfag)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			d, fnr := newDeltaker(e, gj, c.setup)
			pos := e.Send(arena.Created, d)
			row := e.WaitStatus(arena.TableDeltaker, arena.Created, pos, c.status)
			if c.note != nil {
				require.Equal(t, c.note(d), note(row))
			}
			require.Empty(t, outputForPerson(e, fnr))
		})
	}
}

func TestDeltakerMessagesInOrderAreEachPublished(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	gj := e.NewGjennomforing(arena.TiltakIndoppfag)
	d, _ := newDeltaker(e, gj, func(d *arena.Deltaker) { d.DatoFra = date(1) })
	first := e.Send(arena.Created, d)
	e.WaitStatus(arena.TableDeltaker, arena.Created, first, ingest.Handled)

	d.DatoFra = date(-1)
	second := e.Send(arena.Created, d)
	e.WaitStatus(arena.TableDeltaker, arena.Created, second, ingest.Handled)

	out := e.OutputFor(amtID(t, e, d.TiltakdeltakerID))
	require.Len(t, out, 2, "one message each, under the deltaker's one id")
	require.Equal(t, amt.VenterPaOppstart, out[0].Deltaker.Status)
	require.Equal(t, amt.Deltar, out[1].Deltaker.Status)
	require.Equal(t, today(-1).Midnight(), *out[1].Deltaker.StatusEndretDato)
	for _, o := range out {
		require.Equal(t, amt.Created, o.Envelope.Operation, "both were inserts")
	}
}

func TestDeltakerDagerPerUkeKeepsDecimals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	gj := e.NewGjennomforing(arena.TiltakIndoppfag)
	d, _ := newDeltaker(e, gj, func(d *arena.Deltaker) { d.AntallDagerPrUke = javafloat.Ptr(2.5) })
	pos := e.Send(arena.Created, d)
	e.WaitStatus(arena.TableDeltaker, arena.Created, pos, ingest.Handled)
	out := e.OutputFor(amtID(t, e, d.TiltakdeltakerID))
	require.Len(t, out, 1)
	require.Contains(t, string(out[0].Value), `"dagerPerUke":2.5`)
}

func TestDeltakerMessageSoonAfterTheLastOneWaitsHalfASecond(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	gj := e.NewGjennomforing(arena.TiltakIndoppfag)
	d, _ := newDeltaker(e, gj)
	first := e.Send(arena.Created, d)
	prev := e.WaitStatus(arena.TableDeltaker, arena.Created, first, ingest.Handled)

	second := e.Send(arena.Modified, d)
	next := e.WaitStatus(arena.TableDeltaker, arena.Modified, second, ingest.Handled)
	gap := next.IngestedTimestamp.In(civil.Oslo).Sub(prev.IngestedTimestamp.In(civil.Oslo))
	require.GreaterOrEqual(t, gap, 500*time.Millisecond)
}

func TestDeleteOfHistorisedDeltakerIsHandledWithoutOutput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	gj := e.NewGjennomforing(arena.TiltakIndoppfag)
	d, fnr := newDeltaker(e, gj)
	ctx := context.Background()
	amtID, _, err := e.Store.GetOrCreateAmtID(ctx, e.DB, arena.TableDeltaker, id(d.TiltakdeltakerID))
	require.NoError(t, err)
	_, err = e.Store.InsertHistTranslation(ctx, e.DB, store.HistTranslation{AmtID: amtID, ArenaHistID: id(e.ID()), ArenaID: arenatest.Ptr(id(d.TiltakdeltakerID))})
	require.NoError(t, err)

	pos := e.Send(arena.Deleted, d)
	row := e.WaitStatus(arena.TableDeltaker, arena.Deleted, pos, ingest.Handled)
	require.Equal(t, "Slettes ikke fordi deltaker ble historisert", note(row))
	require.Empty(t, outputForPerson(e, fnr))
	_, ok, err := e.Store.GetDeltaker(ctx, e.DB, d.TiltakdeltakerID)
	require.NoError(t, err)
	require.True(t, ok, "the copy is written from the before image")
}

func TestDeleteWithoutHistIsRetriedFirst(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	gj := e.NewGjennomforing(arena.TiltakIndoppfag)
	d, fnr := newDeltaker(e, gj)
	pos := e.Send(arena.Deleted, d)
	row := e.WaitStatus(arena.TableDeltaker, arena.Deleted, pos, ingest.Retry)
	require.Equal(t, "Fant ikke hist-deltaker for deltaker id="+amtID(t, e, d.TiltakdeltakerID).String()+" arenaId="+id(d.TiltakdeltakerID), note(row))
	require.Empty(t, outputForPerson(e, fnr))
}

func TestDeleteWithoutHistAfterTwoAttemptsIsPublishedAsFeilregistrert(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	gj := e.NewGjennomforing(arena.TiltakIndoppfag)
	d, fnr := newDeltaker(e, gj)
	ctx := context.Background()
	// The message was received before and has been tried three times.
	pos := e.NextPos()
	msg, err := arena.Parse(arenatest.Message(arena.Deleted, pos, d, time.Now()), arena.Source{})
	require.NoError(t, err)
	nd, err := store.FromMessage(msg, ingest.Retry, "Fant ikke hist-deltaker")
	require.NoError(t, err)
	stored, err := e.Store.UpsertArenaData(ctx, e.DB, nd)
	require.NoError(t, err)
	require.NoError(t, e.Store.RecordAttempt(ctx, e.DB, stored.ID, ingest.Retry, 3, "Fant ikke hist-deltaker"))

	e.SendAt(arena.Deleted, pos, d)
	e.WaitStatus(arena.TableDeltaker, arena.Deleted, pos, ingest.Handled)
	out := outputForPerson(e, fnr)
	require.Len(t, out, 1)
	require.Equal(t, amt.Modified, out[0].Envelope.Operation, "a delete is never published as DELETED")
	p := out[0].Deltaker
	require.Equal(t, amt.Feilregistrert, p.Status)
	require.Nil(t, p.InnsokBegrunnelse)
	require.Nil(t, p.StatusAarsak)
	require.Nil(t, p.DagerPerUke)
	require.Nil(t, p.ProsentDeltid)
	require.Equal(t, gj.MR.ID, p.GjennomforingID.String())
}

func TestEnkeltplassDeltakerIsPublishedBareOnTheEnkeltplassTopic(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	gj := e.NewGjennomforing(arena.TiltakEnkelamo)
	d, _ := newDeltaker(e, gj, func(d *arena.Deltaker) { d.DatoFra, d.DatoTil = date(-10), date(-1) })
	pos := e.Send(arena.Modified, d)
	e.WaitStatus(arena.TableDeltaker, arena.Modified, pos, ingest.Handled)
	out := e.OutputFor(amtID(t, e, d.TiltakdeltakerID))
	require.Len(t, out, 1)
	require.Equal(t, acltest.TopicEnkeltplass, out[0].Topic)
	require.Nil(t, out[0].Envelope)
	require.NotContains(t, string(out[0].Value), "transactionId", "the bare payload, no envelope")
	require.Equal(t, amt.Fullfort, out[0].Deltaker.Status, "enkeltplass follows the rules of deltakelser that need approval")
}

func TestDeltakerWithEksternIDIsKometsAndMapsItsID(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	gj := e.NewGjennomforing(arena.TiltakIndoppfag)
	ekstern := uuid.New()
	d, fnr := newDeltaker(e, gj, func(d *arena.Deltaker) { d.EksternID = arenatest.Ptr(ekstern.String()) })
	pos := e.Send(arena.Created, d)
	row := e.WaitStatus(arena.TableDeltaker, arena.Created, pos, ingest.ExternalSource)
	require.Equal(t, "Deltaker har eksternid "+ekstern.String(), note(row))
	require.Equal(t, ekstern, amtID(t, e, d.TiltakdeltakerID), "Komet's id is the deltaker's")
	require.Empty(t, outputForPerson(e, fnr))

	// The same EKSTERN_ID on another Arena deltaker is a conflict someone
	// must look at.
	other, _ := newDeltaker(e, gj, func(o *arena.Deltaker) { o.EksternID = arenatest.Ptr(ekstern.String()) })
	pos = e.Send(arena.Created, other)
	row = e.WaitStatus(arena.TableDeltaker, arena.Created, pos, ingest.Invalid)
	require.Equal(t, "Fikk arenadeltaker med id "+id(other.TiltakdeltakerID)+" og EKSTERN_ID "+ekstern.String()+
		" men arenaId er allerede mappet til "+id(d.TiltakdeltakerID), note(row))
	errs := e.Logs.AtLevel("ERROR")
	require.Len(t, errs, 1, "the conflict alerts")
	require.Contains(t, errs[0].Message, "EKSTERN_ID")
}

// A message that arrives after a newer message of the same deltaker was
// handled (it came late from another partition) would take AMT back to an
// older state. The original published it; here it is HANDLED unpublished.
func TestOlderMessageArrivingAfterANewerOneIsNotPublishedUnlikeTheOriginal(t *testing.T) {
	t.Parallel()
	e := newEnv(t, acltest.Options{NoSpacing: true})
	gj := e.NewGjennomforing(arena.TiltakIndoppfag)
	d, _ := newDeltaker(e, gj)
	older, newer := e.NextPos(), e.NextPos()
	e.SendAt(arena.Modified, newer, d)
	e.WaitStatus(arena.TableDeltaker, arena.Modified, newer, ingest.Handled)

	e.SendAt(arena.Modified, older, d)
	row := e.WaitStatus(arena.TableDeltaker, arena.Modified, older, ingest.Handled)
	require.Equal(t, "Nyere melding på deltaker med id="+id(d.TiltakdeltakerID)+" er allerede håndtert", note(row))
	require.Len(t, e.OutputFor(amtID(t, e, d.TiltakdeltakerID)), 1, "only the newer state was published")
}
