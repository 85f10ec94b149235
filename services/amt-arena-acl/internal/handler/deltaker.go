package handler

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"go.uber.org/zap"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/amt"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/store"
)

// deltaker handles a TILTAKDELTAKER message, in the original's order:
//
//  1. its gjennomføring (see resolveGjennomforing);
//  2. a deltaker Komet owns is EXTERNAL_SOURCE (see externalDeltaker);
//  3. the row is checked (see readDeltaker);
//  4. the fnr (ORDS; none is INVALID), the AMT UUID, and the AMT deltaker
//     with its converted status;
//  5. an older message of the deltaker still RETRY, FAILED or WAITING makes
//     this one RETRY: "Forrige melding på deltaker med id=X er ikke
//     håndtert enda";
//  6. when the deltaker's last message was handled less than the spacing
//     ago, wait that long;
//  7. a delete goes its own way (see deleteDeltaker); an insert or update
//     is published, CREATED or MODIFIED, on the enkeltplass topic for an
//     enkeltplass gjennomføring, else on the AMT topic, and the deltaker
//     table's copy of the row is written.
//
// Unlike the original, a message older than one of the deltaker's already
// handled is not published (see inOrder); and the copy's MOD_DATO and EKSTERN_ID are checked
// before publishing, not after, so a message is never both published and
// INVALID; and an empty EKSTERN_ID is stored as none instead of failing.
func (j *job) deltaker(ctx context.Context, msg arena.Message) error {
	rec := msg.Image().(*arena.Deltaker)
	f := &rec.DeltakerFields
	arenaID := rec.ArenaID()

	gj, err := j.resolveGjennomforing(ctx, f.TiltakgjennomforingID)
	if err != nil {
		return err
	}
	if err := j.externalDeltaker(ctx, arenaID, f); err != nil {
		return err
	}
	d, err := readDeltaker("TILTAKDELTAKER_ID", rec.TiltakdeltakerID, f)
	if err != nil {
		return err
	}
	fnr, err := j.fnr(ctx, d.personID)
	if err != nil {
		return err
	}
	id, err := j.amtID(ctx, arenaID)
	if err != nil {
		return err
	}
	// TILTAKDELTAKER sends "" for no text, so that AMT clears an old one.
	innsok := ""
	if f.BegrunnelseBestilling != nil {
		innsok = *f.BegrunnelseBestilling
	}
	out := j.build(id, gj, d, f, fnr, &innsok)

	stale, err := j.inOrder(ctx, arenaID)
	if err != nil {
		return err
	}
	if stale {
		j.note = fmt.Sprintf("Nyere melding på deltaker med id=%s er allerede håndtert", arenaID)
		return nil
	}
	j.log.Info("Prosesserer melding for deltaker", zap.Stringer("deltaker_id", id))
	if msg.Operation == arena.Deleted {
		if err := j.deleteDeltaker(ctx, gj, out, rec, d); err != nil {
			return err
		}
		j.countDeltaker(msg)
		return nil
	}
	kopi, err := deltakerCopy(rec.TiltakdeltakerID, f, d)
	if err != nil {
		return err
	}
	op := amt.Created
	if msg.Operation == arena.Modified {
		op = amt.Modified
	}
	if err := j.publish(ctx, op, out, gj.mr.IsEnkeltplass()); err != nil {
		return err
	}
	if err := j.p.store.UpsertDeltaker(ctx, j.tx, kopi); err != nil {
		return err
	}
	j.countDeltaker(msg)
	return nil
}

// inOrder enforces a deltaker's order (step 5) and the spacing between its
// messages (step 6). The per-Arena-id lock Handle holds makes the history
// read here complete: no other message of the deltaker is being handled.
//
// stale is true when a newer message of the deltaker is HANDLED already:
// this one arrived late (from another partition, or was delivered again)
// and publishing it would take AMT back to an older state. The original
// published it; here it is HANDLED without being published.
func (j *job) inOrder(ctx context.Context, arenaID string) (stale bool, err error) {
	sib, err := j.p.store.SiblingsOf(ctx, j.tx, arena.TableDeltaker, arenaID, j.row.Pos)
	switch {
	case err != nil:
		return false, err
	case sib.OlderPending:
		return false, ingest.Errorf(ingest.ErrDependencyNotIngested, "Forrige melding på deltaker med id=%s er ikke håndtert enda", arenaID)
	case sib.NewerHandled:
		return true, nil
	case j.p.spacing <= 0 || sib.LastHandled == nil:
		return false, nil
	}
	if sib.LastHandled.After(civil.FromTime(j.p.now()).Add(-j.p.spacing)) {
		if err := wait(ctx, j.p.spacing); err != nil {
			return false, fmt.Errorf("wait before publishing: %w", err)
		}
	}
	return false, nil
}

// deleteDeltaker handles a delete of a deltaker (op D). Arena deletes a
// deltaker when the person is enrolled on the same gjennomføring again and
// the old enrolment moves to HIST_TILTAKDELTAKER, or when it was registered
// in error. Which it was only shows once the hist message has come, maybe
// on another topic, maybe later:
//
//   - the UUID has a hist translation (the hist message came and matched):
//     nothing is published, the copy is written from the before image, and
//     the note is "Slettes ikke fordi deltaker ble historisert";
//   - not yet, and the row has had fewer than two attempts: RETRY, "Fant
//     ikke hist-deltaker for deltaker id=… arenaId=…" — the retry processor's
//     first two runs give the hist message its time;
//   - else the deltaker was registered in error: it is published as
//     MODIFIED with status FEILREGISTRERT and no reason, days per week,
//     percentage or application text, and its copy's status is set to
//     FEILREGISTRERT. A DELETED operation is never published.
func (j *job) deleteDeltaker(ctx context.Context, gj gjennomforing, out amt.Deltaker, rec *arena.Deltaker, d deltakerData) error {
	_, historised, err := j.p.store.GetHistTranslation(ctx, j.tx, out.ID)
	switch {
	case err != nil:
		return err
	case historised:
		kopi, err := deltakerCopy(rec.TiltakdeltakerID, &rec.DeltakerFields, d)
		if err != nil {
			return err
		}
		j.note = "Slettes ikke fordi deltaker ble historisert"
		return j.p.store.UpsertDeltaker(ctx, j.tx, kopi)
	case j.row.Attempts < 2:
		return ingest.Errorf(ingest.ErrDependencyNotIngested, "Fant ikke hist-deltaker for deltaker id=%s arenaId=%s", out.ID, rec.ArenaID())
	}
	out.Status = amt.Feilregistrert
	out.StatusAarsak, out.DagerPerUke, out.ProsentDeltid, out.InnsokBegrunnelse = nil, nil, nil, nil
	if err := j.p.store.SetDeltakerStatus(ctx, j.tx, rec.TiltakdeltakerID, string(amt.Feilregistrert)); err != nil {
		return err
	}
	return j.publish(ctx, amt.Modified, out, gj.mr.IsEnkeltplass())
}

// deltakerCopy is the deltaker table's copy of a TILTAKDELTAKER row.
// MOD_DATO must read as a date-time (INVALID otherwise).
func deltakerCopy(arenaID int64, f *arena.DeltakerFields, d deltakerData) (store.Deltaker, error) {
	mod, err := arena.ParseDateTime("MOD_DATO", f.ModDato)
	if err != nil {
		return store.Deltaker{}, err
	}
	var ekstern *uuid.UUID
	if ekstern, err = parseEksternID(f); err != nil {
		return store.Deltaker{}, err
	}
	return store.Deltaker{
		ArenaID:           arenaID,
		PersonID:          d.personID,
		GjennomforingID:   d.gjennomforingID,
		DatoFra:           d.start,
		DatoTil:           d.slutt,
		RegDato:           d.regDato,
		ModDato:           mod,
		Status:            string(d.status),
		DatoStatusendring: d.endret,
		EksternID:         ekstern,
		SourceTable:       arena.TableDeltaker,
	}, nil
}

// countDeltaker updates the deltaker metrics of a handled insert or update,
// once the transaction is committed.
func (j *job) countDeltaker(msg arena.Message) {
	m := j.p.metrics
	after, _ := msg.After.(*arena.Deltaker)
	before, _ := msg.Before.(*arena.Deltaker)
	j.onCommit = append(j.onCommit, func() {
		if after != nil {
			m.DeltakerStatus(after.Deltakerstatuskode)
		}
		switch msg.Operation {
		case arena.Created:
			m.DeltakerNy()
		case arena.Modified:
			if before == nil || after == nil {
				return
			}
			if !sameText(before.DatoFra, after.DatoFra) {
				m.DeltakerOppdatering("startDato")
			}
			if !sameText(before.DatoTil, after.DatoTil) {
				m.DeltakerOppdatering("sluttDato")
			}
		}
	})
}

func sameText(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
