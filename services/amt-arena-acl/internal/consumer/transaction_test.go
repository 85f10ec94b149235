package consumer_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/acltest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena/arenatest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/fakenav"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
)

// The original sent to Kafka and wrote its statuses without a transaction.
// Here HANDLED is written only after Kafka acknowledged the AMT message:
// when the broker refuses it, the message stays RETRY, nothing else of its
// handling is kept but its UUID, and the retry succeeds under that UUID.
func TestRefusedSendLeavesTheMessageRetryNotHandledUnlikeTheOriginal(t *testing.T) {
	t.Parallel()
	e := acltest.New(t, server, acltest.Options{})
	gj := e.NewGjennomforing(arena.TiltakIndoppfag)
	person, fnr := e.Person()
	d := arenatest.Deltaker(time.Now(), e.ID(), person, gj.ArenaID)
	fault := e.Kafka.Fake().Fault(kfake.Fault{
		Keys: []kmsg.Key{kmsg.Produce}, Topic: acltest.TopicAmt, Err: kerr.NotEnoughReplicas, Count: -1,
	})

	pos := e.Send(arena.Created, d)
	row := e.WaitStatus(arena.TableDeltaker, arena.Created, pos, ingest.Retry)
	require.Contains(t, note(row), "publish deltaker")
	require.Positive(t, fault.Hits(), "the broker was asked")
	fault.Remove()
	require.Empty(t, e.Output())
	_, copied, err := e.Store.GetDeltaker(context.Background(), e.DB, d.TiltakdeltakerID)
	require.NoError(t, err)
	require.False(t, copied, "the deltaker copy is written only after the send")
	id, ok := e.AmtID(d.TiltakdeltakerID)
	require.True(t, ok, "the UUID the send may have carried is kept")

	dec, err := e.Processor.Handle(context.Background(), row, ingest.Retried(row.Status, row.Attempts+1))
	require.NoError(t, err)
	require.Equal(t, ingest.Handled, dec.Status)
	out := e.Output()
	require.Len(t, out, 1)
	require.Equal(t, id.String(), out[0].Key)
	require.Equal(t, fnr, out[0].Deltaker.PersonIdent)
}

// A database error inside the rules undoes what the rules wrote, and the
// message is still given a status (RETRY) in the same transaction. Here the
// deltaker table fails after the AMT message was sent: the gjennomføring id
// the rules had stored is undone, the UUID stays (it was published), and
// the retry publishes again under it.
func TestDatabaseErrorInTheRulesRollsBackToTheStatusOnly(t *testing.T) {
	t.Parallel()
	e := acltest.New(t, server, acltest.Options{})
	ctx := context.Background()
	_, err := e.DB.ExecContext(ctx, `
		CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'deltaker table refuses writes'; END $$;
		CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON deltaker FOR EACH ROW EXECUTE FUNCTION refuse();`)
	require.NoError(t, err)

	// No Mulighetsrommet id stored yet: handling looks it up and stores it.
	g := e.ID()
	mr := e.NAV.Mulighetsrommet.AddGjennomforing(fakenav.Gjennomforing{ArenaID: g})
	e.StoreGjennomforing(g, arena.TiltakIndoppfag, true, nil)
	person, _ := e.Person()
	d := arenatest.Deltaker(time.Now(), e.ID(), person, g)

	pos := e.Send(arena.Created, d)
	row := e.WaitStatus(arena.TableDeltaker, arena.Created, pos, ingest.Retry)
	require.Contains(t, note(row), "deltaker table refuses writes")
	stored, _, err := e.Store.GetGjennomforing(ctx, e.DB, strconv.FormatInt(g, 10))
	require.NoError(t, err)
	require.Nil(t, stored.ID, "the rules' write was undone")
	id, ok := e.AmtID(d.TiltakdeltakerID)
	require.True(t, ok, "the published UUID was kept")
	require.Len(t, e.OutputFor(id), 1, "sent once: at least once, not exactly once")
	require.Len(t, e.Logs.AtLevel("ERROR"), 1, "an unexpected error alerts")

	_, err = e.DB.ExecContext(ctx, `DROP TRIGGER refuse ON deltaker`)
	require.NoError(t, err)
	dec, err := e.Processor.Handle(ctx, row, ingest.Retried(row.Status, row.Attempts+1))
	require.NoError(t, err)
	require.Equal(t, ingest.Handled, dec.Status)
	out := e.OutputFor(id)
	require.Len(t, out, 2)
	require.Equal(t, mr.ID, out[1].Deltaker.GjennomforingID.String())
}
