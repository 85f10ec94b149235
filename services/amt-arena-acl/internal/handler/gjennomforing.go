package handler

import (
	"context"

	"github.com/google/uuid"
	"go.uber.org/zap"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
)

// gjennomforing handles a TILTAKGJENNOMFORING message. Nothing is
// published; the gjennomføring is kept for its deltakere's sake:
//
//  1. The gjennomforing row is stored with its validity, always, also for a
//     programme code not handled and for a delete (which the original
//     treats as an update, so a deleted gjennomføring keeps its validity).
//  2. A code not handled: the message's own arena_data row is removed (the
//     original never stored one) and the decision is IGNORED.
//  3. Mulighetsrommet's UUID is looked up and stored when it answers; any
//     failure is only logged, the deltakere look it up again.
//  4. A valid gjennomføring makes its WAITING TILTAKDELTAKER rows RETRY.
//  5. HANDLED.
func (j *job) gjennomforing(ctx context.Context, msg arena.Message) error {
	g := msg.Image().(*arena.Gjennomforing)
	id := g.ArenaID()
	kode := arena.Tiltakskode(g.Tiltakskode)
	valid := g.IsValid()

	// Asked before the row is written, so that the row lock is not held
	// over the call.
	var mrID *uuid.UUID
	if kode.Supported() {
		mrID = j.mulighetsrommetID(ctx, g.TiltakgjennomforingID)
	}
	if err := j.p.store.UpsertGjennomforing(ctx, j.tx, id, kode, valid); err != nil {
		return err
	}
	if !kode.Supported() {
		j.drop = true
		return ingest.Errorf(ingest.ErrIgnored, "Gjennomføring %s ble ignorert fordi %s er ikke støttet", id, kode)
	}
	if mrID != nil {
		if err := j.p.store.SetGjennomforingID(ctx, j.tx, id, *mrID); err != nil {
			return err
		}
	}

	if valid {
		n, err := j.p.store.RetryWaitingDeltakere(ctx, j.tx, id)
		if err != nil {
			return err
		}
		if n > 0 {
			j.log.Info("Ventende deltakere på gjennomføringen settes til RETRY", zap.Int64("deltakere", n))
		}
	}
	return nil
}

// mulighetsrommetID asks Mulighetsrommet for its UUID of the gjennomføring,
// best effort as in the original: a failure is logged and nil returned, so
// that a gjennomføring Mulighetsrommet does not know yet is not retried
// forever; its deltakere ask again.
func (j *job) mulighetsrommetID(ctx context.Context, arenaID int64) *uuid.UUID {
	s, err := j.p.mr.GjennomforingID(ctx, arenaID)
	if err != nil {
		j.log.Info("Fant ikke gjennomføringens id i Mulighetsrommet", zap.Error(err))
		return nil
	}
	u, err := uuid.Parse(s)
	if err != nil {
		j.log.Warn("Mulighetsrommet svarte med en id som ikke er en UUID", zap.Error(err))
		return nil
	}
	return &u
}
