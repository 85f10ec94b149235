package handler

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"go.uber.org/zap"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/amt"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client/mulighetsrommet"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/deltakerstatus"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/store"
)

// gjennomforing is what a deltaker's rules know of its gjennomføring.
type gjennomforing struct {
	// id is Mulighetsrommet's UUID, the payload's gjennomforingId.
	id uuid.UUID
	mr mulighetsrommet.Gjennomforing
}

// resolveGjennomforing finds the gjennomføring a deltaker or hist deltaker
// message is on (the original's steps 2a–e):
//
//	not received yet                        RETRY    "Venter på at gjennomføring med id=G skal bli håndtert"
//	a programme code not handled            IGNORED  "Deltaker på gjennomføring med arenakode G er ikke støttet"
//	invalid in Arena                        WAITING  "Deltaker på ugyldig gjennomføring <G>"
//	unknown to Mulighetsrommet (v1 404)     RETRY    "Venter på at gjennomføring med id=G skal bli håndtert av Mulighetsrommet"
//
// and then fetches it from Mulighetsrommet (v2), whose failures, 404
// included, are retried. The IGNORED note prints the gjennomføring id
// where it says arenakode, as the original's did.
func (j *job) resolveGjennomforing(ctx context.Context, arenaID int64) (gjennomforing, error) {
	id := strconv.FormatInt(arenaID, 10)
	g, ok, err := j.p.store.GetGjennomforing(ctx, j.tx, id)
	switch {
	case err != nil:
		return gjennomforing{}, err
	case !ok:
		return gjennomforing{}, ingest.Errorf(ingest.ErrDependencyNotIngested, "Venter på at gjennomføring med id=%s skal bli håndtert", id)
	case !g.TiltakKode.Supported():
		return gjennomforing{}, ingest.Errorf(ingest.ErrIgnored, "Deltaker på gjennomføring med arenakode %s er ikke støttet", id)
	}
	if !g.IsValid {
		// Read it again, locked: a valid version committed meanwhile is
		// used, and one committed later waits for this transaction, so its
		// handler sees the WAITING row and makes it RETRY.
		if g, _, err = j.p.store.GetGjennomforingForShare(ctx, j.tx, id); err != nil {
			return gjennomforing{}, err
		}
		if !g.IsValid {
			return gjennomforing{}, ingest.Errorf(ingest.ErrDependencyNotValid, "Deltaker på ugyldig gjennomføring <%s>", id)
		}
	}
	if g.ID == nil {
		mrID, err := j.p.mr.GjennomforingID(ctx, arenaID)
		switch {
		case errors.Is(err, client.ErrNotFound):
			return gjennomforing{}, ingest.Errorf(ingest.ErrDependencyNotIngested,
				"Venter på at gjennomføring med id=%s skal bli håndtert av Mulighetsrommet", id)
		case err != nil:
			return gjennomforing{}, err
		}
		u, err := uuid.Parse(mrID)
		if err != nil {
			return gjennomforing{}, fmt.Errorf("gjennomføring %s: id from Mulighetsrommet: %w", id, err)
		}
		if err := j.p.store.SetGjennomforingID(ctx, j.tx, id, u); err != nil {
			return gjennomforing{}, err
		}
		g.ID = &u
	}
	mr, err := j.p.mr.Gjennomforing(ctx, g.ID.String())
	if err != nil {
		return gjennomforing{}, err
	}
	u, err := uuid.Parse(mr.ID)
	if err != nil {
		return gjennomforing{}, fmt.Errorf("gjennomføring %s: id from Mulighetsrommet: %w", id, err)
	}
	return gjennomforing{id: u, mr: mr}, nil
}

// who names a deltaker or a hist deltaker in notes.
type who struct {
	// table is the Arena table of the row.
	table arena.Table
	// label is "Deltaker" or "hist-deltaker", as the notes say.
	label string
}

var (
	whoDeltaker = who{arena.TableDeltaker, "Deltaker"}
	whoHist     = who{arena.TableHistDeltaker, "hist-deltaker"}
)

// parseEksternID reads EKSTERN_ID. An empty one is not external, as in the
// original. A value that is not a UUID is an error, and the message is
// retried.
func parseEksternID(f *arena.DeltakerFields) (*uuid.UUID, error) {
	if f.EksternID == nil || *f.EksternID == "" {
		return nil, nil
	}
	u, err := uuid.Parse(*f.EksternID)
	if err != nil {
		return nil, fmt.Errorf("EKSTERN_ID %q er ikke en UUID", *f.EksternID)
	}
	return &u, nil
}

// externalDeltaker stops a TILTAKDELTAKER message of a deltaker Komet
// (amt-deltaker) owns: one with an EKSTERN_ID, whose UUID becomes the
// deltaker's id mapping, or with DELTAKERTYPEKODE EKSTERN. A mapping that
// already belongs to another Arena deltaker is INVALID, and logged at ERROR
// for someone to look at.
func (j *job) externalDeltaker(ctx context.Context, arenaID string, f *arena.DeltakerFields) error {
	ekstern, err := parseEksternID(f)
	if err != nil {
		return err
	}
	if ekstern == nil {
		return externalByType(whoDeltaker, arenaID, f)
	}
	t, ok, err := j.p.store.GetTranslation(ctx, j.tx, *ekstern)
	switch {
	case err != nil:
		return err
	case !ok:
		// When the Arena id already has a UUID of ours, this inserts
		// nothing, as in the original.
		if _, err := j.p.store.InsertTranslation(ctx, j.tx, store.Translation{AmtID: *ekstern, Table: arena.TableDeltaker, ArenaID: arenaID}); err != nil {
			return err
		}
	case t.ArenaID != arenaID:
		j.log.Error("EKSTERN_ID er allerede mappet til en annen arenadeltaker",
			zap.Stringer("ekstern_id", ekstern), zap.String("mapped_arena_id", t.ArenaID))
		return ingest.Errorf(ingest.ErrInvalid, "Fikk arenadeltaker med id %s og EKSTERN_ID %s men arenaId er allerede mappet til %s",
			arenaID, *f.EksternID, t.ArenaID)
	}
	return ingest.Errorf(ingest.ErrExternalSource, "Deltaker har eksternid %s", *f.EksternID)
}

// externalHist is externalDeltaker for a hist deltaker, whose EKSTERN_ID
// goes to the hist translation.
func (j *job) externalHist(ctx context.Context, histID string, f *arena.DeltakerFields) error {
	ekstern, err := parseEksternID(f)
	if err != nil {
		return err
	}
	if ekstern == nil {
		return externalByType(whoHist, histID, f)
	}
	t, ok, err := j.p.store.GetHistTranslation(ctx, j.tx, *ekstern)
	switch {
	case err != nil:
		return err
	case !ok:
		var arenaID *string
		tr, ok, err := j.p.store.GetTranslation(ctx, j.tx, *ekstern)
		if err != nil {
			return err
		}
		if ok {
			arenaID = &tr.ArenaID
		}
		// A hist id already mapped to another UUID makes this fail, and
		// the message is retried, as in the original.
		if _, err := j.p.store.InsertHistTranslation(ctx, j.tx, store.HistTranslation{AmtID: *ekstern, ArenaHistID: histID, ArenaID: arenaID}); err != nil {
			return err
		}
	case t.ArenaHistID != histID:
		j.log.Error("EKSTERN_ID er allerede mappet til en annen hist-deltaker",
			zap.Stringer("ekstern_id", ekstern), zap.String("mapped_arena_hist_id", t.ArenaHistID))
		return ingest.Errorf(ingest.ErrInvalid, "Fikk arena hist-deltaker med id %s og EKSTERN_ID %s men arenaId er allerede mappet til %s",
			histID, *f.EksternID, t.ArenaHistID)
	}
	return ingest.Errorf(ingest.ErrExternalSource, "hist-deltaker har eksternid %s", *f.EksternID)
}

func externalByType(w who, id string, f *arena.DeltakerFields) error {
	if f.Deltakertypekode != nil && *f.Deltakertypekode == "EKSTERN" {
		return ingest.Errorf(ingest.ErrExternalSource, "%s har deltakertypekode ekstern, arenaid %s", w.label, id)
	}
	return nil
}

// deltakerData is what the rules read of a (hist) deltaker row, checked.
type deltakerData struct {
	personID        int64
	gjennomforingID int64
	status          arena.DeltakerStatus
	aarsak          *arena.Aarsak
	start, slutt    *civil.Date
	endret          *civil.DateTime
	regDato         civil.DateTime
}

// readDeltaker checks and reads a (hist) deltaker row in the original's
// order, the first failure winning: the row id (idField) is not 0,
// TILTAKGJENNOMFORING_ID is not 0, PERSON_ID is there, DATO_FRA and
// DATO_TIL read as dates, DELTAKERSTATUSKODE is a known code,
// DATO_STATUSENDRING reads as a date-time, AARSAKVERDIKODE_STATUS is a
// known code when there, REG_DATO reads as a date-time. All are INVALID
// but the two codes, which are retried.
func readDeltaker(idField string, id int64, f *arena.DeltakerFields) (deltakerData, error) {
	var d deltakerData
	switch {
	case id == 0:
		return d, ingest.Errorf(ingest.ErrInvalid, "%s er 0", idField)
	case f.TiltakgjennomforingID == 0:
		return d, ingest.Errorf(ingest.ErrInvalid, "TILTAKGJENNOMFORING_ID er 0")
	case f.PersonID == nil:
		return d, ingest.Errorf(ingest.ErrInvalid, "PERSON_ID er null")
	}
	d.personID, d.gjennomforingID = *f.PersonID, f.TiltakgjennomforingID
	var err error
	if d.start, err = optionalDate("DATO_FRA", f.DatoFra); err != nil {
		return d, err
	}
	if d.slutt, err = optionalDate("DATO_TIL", f.DatoTil); err != nil {
		return d, err
	}
	if d.status, err = arena.ParseDeltakerStatus(f.Deltakerstatuskode); err != nil {
		return d, err
	}
	if f.DatoStatusendring != nil {
		endret, err := arena.ParseDateTime("DATO_STATUSENDRING", *f.DatoStatusendring)
		if err != nil {
			return d, err
		}
		d.endret = &endret
	}
	if f.AarsakverdikodeStatus != nil {
		a, err := arena.ParseAarsak(*f.AarsakverdikodeStatus)
		if err != nil {
			return d, err
		}
		d.aarsak = &a
	}
	if d.regDato, err = arena.ParseDateTime("REG_DATO", f.RegDato); err != nil {
		return d, err
	}
	return d, nil
}

func optionalDate(field string, v *string) (*civil.Date, error) {
	if v == nil {
		return nil, nil
	}
	d, err := arena.ParseDate(field, *v)
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// fnr looks the person's fødselsnummer up. Arena having none (404) is
// INVALID; any other failure is retried. The fnr goes into the AMT message
// and nowhere else: never into a log, a note or the database.
func (j *job) fnr(ctx context.Context, personID int64) (string, error) {
	fnr, err := j.p.ords.Fnr(ctx, personID)
	if errors.Is(err, client.ErrNotFound) {
		return "", ingest.Errorf(ingest.ErrInvalid, "Arena mangler personlig ident for personId=%d", personID)
	}
	return fnr, err
}

// amtID returns the deltaker's AMT UUID, creating it the first time. A new
// one is committed at once, outside the message's transaction, so that no
// rollback can lose a UUID that may already be in a published message (see
// the package documentation).
func (j *job) amtID(ctx context.Context, arenaID string) (uuid.UUID, error) {
	if id, ok, err := j.p.store.GetAmtID(ctx, j.tx, arena.TableDeltaker, arenaID); err != nil || ok {
		return id, err
	}
	id, created, err := j.p.store.GetOrCreateAmtID(ctx, j.p.db, arena.TableDeltaker, arenaID)
	if err != nil {
		return uuid.Nil, err
	}
	if created {
		j.log.Info("Opprettet ny id for deltaker", zap.Stringer("deltaker_id", id))
	}
	return id, nil
}

// histAmtID is amtID for a hist deltaker that matched no deltaker.
func (j *job) histAmtID(ctx context.Context, histID string) (uuid.UUID, error) {
	if t, ok, err := j.p.store.GetHistTranslationByHistID(ctx, j.tx, histID); err != nil || ok {
		return t.AmtID, err
	}
	id, created, err := j.p.store.GetOrCreateHistAmtID(ctx, j.p.db, histID)
	if err != nil {
		return uuid.Nil, err
	}
	if created {
		j.log.Info("Opprettet ny id for hist-deltaker", zap.Stringer("deltaker_id", id))
	}
	return id, nil
}

// build makes the AMT deltaker: the status and its reason on today's date,
// with the gjennomføring's kind deciding the rules. Mulighetsrommet's v2
// API tells neither the gjennomføring's status nor its end date, so the
// rules that read them see "unknown", as in the original.
func (j *job) build(id uuid.UUID, gj gjennomforing, d deltakerData, f *arena.DeltakerFields, fnr string, innsok *string) amt.Deltaker {
	res := deltakerstatus.Convert(deltakerstatus.Input{
		ArenaStatus:       d.status,
		RegDato:           d.regDato,
		Start:             d.start,
		Slutt:             d.slutt,
		Endret:            d.endret,
		Enkeltplass:       gj.mr.IsEnkeltplass(),
		KreverGodkjenning: gj.mr.KreverGodkjenningsloep(),
	}, j.today)
	return amt.Deltaker{
		ID:                id,
		GjennomforingID:   gj.id,
		PersonIdent:       fnr,
		StartDato:         d.start,
		SluttDato:         d.slutt,
		Status:            res.Status,
		StatusAarsak:      deltakerstatus.Aarsak(d.status, res.Status, d.aarsak, false),
		DagerPerUke:       f.AntallDagerPrUke,
		ProsentDeltid:     f.ProsentDeltid,
		RegistrertDato:    d.regDato,
		StatusEndretDato:  res.EndretDato,
		InnsokBegrunnelse: innsok,
	}
}

// publish sends d and remembers what was sent, for the log.
func (j *job) publish(ctx context.Context, op amt.Operation, d amt.Deltaker, enkeltplass bool) error {
	sent, err := j.p.pub.Deltaker(ctx, op, d, enkeltplass)
	if err != nil {
		return err
	}
	j.sent = append(j.sent, sent)
	j.log.Info("Melding for deltaker er sendt",
		zap.Stringer("deltaker_id", d.ID),
		zap.Stringer("transaction_id", sent.TransactionID),
		zap.String("amt_operation", string(op)),
		zap.String("topic", sent.Topic))
	return nil
}

// wait sleeps for d unless ctx ends first.
func wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}
