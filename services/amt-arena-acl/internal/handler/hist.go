package handler

import (
	"context"
	"fmt"
	"strconv"

	"go.uber.org/zap"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/amt"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client/amttiltak"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/store"
)

// histDeltaker handles a HIST_TILTAKDELTAKER message: an enrolment Arena
// archived, because the person was enrolled on the same gjennomføring again
// or because the whole topic is being read from the start. In the
// original's order:
//
//  1. its gjennomføring (see resolveGjennomforing);
//  2. a hist deltaker Komet owns is EXTERNAL_SOURCE (see externalHist);
//  3. only inserts are handled; an update or delete is IGNORED;
//  4. the row is checked (see readDeltaker) and the fnr looked up;
//  5. it is matched against the deltaker table: the person's deltakere on
//     the same gjennomføring with the same DATO_FRA, DATO_TIL and
//     DATO_STATUSENDRING (which Arena copies unchanged into the hist row).
//     DATO_STATUSENDRING is required; a candidate without one never
//     matches (the original failed on such candidates); more than one
//     match is FAILED;
//  6. no match (the original deltaker was never seen here): it is published
//     as a new deltaker, CREATED, with a UUID of its own;
//  7. a match: the hist id is mapped to the matched deltaker's UUID, and if
//     amt-tiltak has that deltaker as FEILREGISTRERT (its delete was
//     forwarded before the hist message came) it is restored from the hist
//     row, MODIFIED; otherwise nothing is published.
//
// The note is "Fant match? true" or "Fant match? false". Hist output always
// goes to the AMT topic, enkeltplass or not, as in the original.
func (j *job) histDeltaker(ctx context.Context, msg arena.Message) error {
	rec := msg.Image().(*arena.HistDeltaker)
	f := &rec.DeltakerFields
	histID := rec.ArenaID()

	gj, err := j.resolveGjennomforing(ctx, f.TiltakgjennomforingID)
	if err != nil {
		return err
	}
	if err := j.externalHist(ctx, histID, f); err != nil {
		return err
	}
	if msg.Operation != arena.Created {
		return ingest.Errorf(ingest.ErrIgnored, "Ignorerer hist-deltaker som har operation type %s", msg.Operation)
	}
	d, err := readDeltaker("HIST_TILTAKDELTAKER_ID", rec.HistTiltakdeltakerID, f)
	if err != nil {
		return err
	}
	fnr, err := j.fnr(ctx, d.personID)
	if err != nil {
		return err
	}
	match, found, err := j.match(ctx, histID, d)
	if err != nil {
		return err
	}
	j.note = fmt.Sprintf("Fant match? %t", found)

	if !found {
		id, err := j.histAmtID(ctx, histID)
		if err != nil {
			return err
		}
		out := j.build(id, gj, d, f, fnr, f.BegrunnelseBestilling)
		if err := histPublishable(out); err != nil {
			return err
		}
		return j.publish(ctx, amt.Created, out, false)
	}

	arenaID := strconv.FormatInt(match.ArenaID, 10)
	id, ok, err := j.p.store.GetAmtID(ctx, j.tx, arena.TableDeltaker, arenaID)
	switch {
	case err != nil:
		return err
	case !ok:
		return ingest.Errorf(ingest.ErrInvalid, "Fant matchende deltaker for hist deltaker %s men fant ikke deltakeren igjen i translation tabellen", histID)
	}
	deltakelser, err := j.p.amtTiltak.Deltakelser(ctx, fnr)
	if err != nil {
		return err
	}
	deltakelse, ok := amttiltak.Find(deltakelser, id.String())
	if !ok {
		return ingest.Errorf(ingest.ErrInvalid, "Fant matchende deltaker for hist deltaker %s men fant ikke deltakeren igjen i amt-tiltak", histID)
	}
	if _, err := j.p.store.InsertHistTranslation(ctx, j.tx, store.HistTranslation{AmtID: id, ArenaHistID: histID, ArenaID: &arenaID}); err != nil {
		return err
	}
	if deltakelse.Status != amttiltak.StatusFeilregistrert {
		return nil
	}
	j.log.Info("Gjenoppretter feilregistrert deltaker fra hist-deltaker", zap.Stringer("deltaker_id", id))
	out := j.build(id, gj, d, f, fnr, f.BegrunnelseBestilling)
	if err := histPublishable(out); err != nil {
		return err
	}
	return j.publish(ctx, amt.Modified, out, false)
}

// match finds the deltaker a hist deltaker archives; found is false when
// there is none.
func (j *job) match(ctx context.Context, histID string, d deltakerData) (store.Deltaker, bool, error) {
	if d.endret == nil {
		return store.Deltaker{}, false, ingest.Errorf(ingest.ErrInvalid, "Kan ikke matche hist deltaker som mangler DATO_STATUSENDRING")
	}
	candidates, err := j.p.store.FindDeltakere(ctx, j.tx, d.personID, d.gjennomforingID)
	if err != nil {
		return store.Deltaker{}, false, err
	}
	var matches []store.Deltaker
	for _, c := range candidates {
		if sameDate(c.DatoFra, d.start) && sameDate(c.DatoTil, d.slutt) &&
			c.DatoStatusendring != nil && c.DatoStatusendring.Compare(*d.endret) == 0 {
			matches = append(matches, c)
			continue
		}
		j.log.Info("Hist-deltaker matcher ikke deltaker", zap.Int64("kandidat_arena_id", c.ArenaID))
	}
	switch len(matches) {
	case 0:
		return store.Deltaker{}, false, nil
	case 1:
		return matches[0], true, nil
	}
	// The count is of the candidates, as in the original's note.
	return store.Deltaker{}, false, ingest.Errorf(ingest.ErrNotImplemented, "Fant %d deltakere som matcher med hist deltaker %s", len(candidates), histID)
}

// histPublishable checks a deltaker built from a hist row before it is
// published: an archived enrolment must have ended, and must say when.
func histPublishable(out amt.Deltaker) error {
	if !out.Status.Avsluttende() {
		return ruleError(fmt.Sprintf("Hist deltaker har fått status %s", out.Status))
	}
	if out.StatusEndretDato == nil {
		return ingest.Errorf(ingest.ErrInvalid, "Kan ikke sende videre hist-deltaker %s fordi den mangler statusEndretDato som vil utledes til LocalDateTime.now()", out.ID)
	}
	return nil
}

func sameDate[T interface{ Compare(T) int }](a, b *T) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return (*a).Compare(*b) == 0
}

// ruleError is a failure of a rule that is none of the typed outcomes, so
// the message is retried (RETRY, logged at ERROR on the live path). Its text
// is the original's note, capitalised as it was.
type ruleError string

func (e ruleError) Error() string { return string(e) }
