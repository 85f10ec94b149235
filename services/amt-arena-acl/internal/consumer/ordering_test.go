package consumer_test

import (
	"context"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/acltest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena/arenatest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/store"
)

// numbered is deltaker d's n-th message: its BEGRUNNELSE_BESTILLING says
// n, so that the AMT message tells which Arena message it came from.
func numbered(d *arena.Deltaker, n int) *arena.Deltaker {
	c := *d
	c.BegrunnelseBestilling = arenatest.Ptr("melding " + strconv.Itoa(n))
	return &c
}

func messageNumber(t *testing.T, o acltest.Output) int {
	t.Helper()
	require.NotNil(t, o.Deltaker.InnsokBegrunnelse)
	n, err := strconv.Atoi(strings.TrimPrefix(*o.Deltaker.InnsokBegrunnelse, "melding "))
	require.NoError(t, err)
	return n
}

// retryAll is the retry processor's pass over one deltaker: its RETRY rows
// in position order, each handled on the retry path, until none is left.
func retryAll(t *testing.T, e *acltest.Env, arenaID string) {
	t.Helper()
	ctx := context.Background()
	for range 5 {
		history, err := e.Store.HistoryOf(ctx, e.DB, arena.TableDeltaker, arenaID)
		require.NoError(t, err)
		var pending []store.MessageState
		for _, h := range history {
			if h.Status == ingest.Retry {
				pending = append(pending, h)
			}
		}
		if len(pending) == 0 {
			return
		}
		sortByPos(pending)
		for _, h := range pending {
			row, ok, err := e.Store.GetArenaData(ctx, e.DB, h.ID)
			require.NoError(t, err)
			require.True(t, ok)
			_, err = e.Processor.Handle(ctx, row, ingest.Retried(row.Status, row.Attempts+1))
			require.NoError(t, err)
		}
	}
	t.Fatalf("deltaker %s still has RETRY rows after five passes", arenaID)
}

func sortByPos(s []store.MessageState) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && arena.ComparePos(s[j].Pos, s[j-1].Pos) < 0; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// checkOrder asserts what AMT saw of one deltaker: every message under the
// one stored UUID, in Arena's order (message numbers rising), ending with
// the newest.
func checkOrder(t *testing.T, e *acltest.Env, d *arena.Deltaker, newest int) {
	t.Helper()
	id, ok := e.AmtID(d.TiltakdeltakerID)
	require.True(t, ok)
	var got []int
	for _, o := range e.Output() {
		if o.Deltaker.PersonIdent == "" || o.Key != id.String() {
			require.NotEqual(t, id, o.Deltaker.ID, "a message of the deltaker under another key")
			continue
		}
		require.Equal(t, id, o.Deltaker.ID)
		got = append(got, messageNumber(t, o))
	}
	require.NotEmpty(t, got)
	for i := 1; i < len(got); i++ {
		require.Less(t, got[i-1], got[i], "published out of Arena's order: %v", got)
	}
	require.Equal(t, newest, got[len(got)-1], "the newest state is the last AMT saw: %v", got)
}

// One deltaker's messages spread over several partitions and consumers
// reach AMT under one UUID, the stored one, and in Arena's order: a message
// whose older sibling is not handled yet waits (RETRY), and one that comes
// after a newer sibling was handled is not published at all, where the
// original would have published that stale state.
func TestOneDeltakersMessagesOnSeveralPartitionsAndConsumersKeepOrderAndIDUnlikeTheOriginal(t *testing.T) {
	t.Parallel()
	e := acltest.New(t, server, acltest.Options{Partitions: 4, NoConsumer: true, NoSpacing: true})
	gj := e.NewGjennomforing(arena.TiltakIndoppfag)
	person, _ := e.Person()
	d := arenatest.Deltaker(time.Now(), e.ID(), person, gj.ArenaID)

	const messages = 16
	var pos []string
	for n := range messages {
		op := arena.Modified
		if n == 0 {
			op = arena.Created
		}
		p := e.NextPos()
		pos = append(pos, p)
		e.SendTo(acltest.TopicDeltaker, int32(rand.IntN(4)), arenatest.Message(op, p, numbered(d, n), time.Now()))
	}
	for _, group := range []string{"g", "g", "g"} {
		e.StartConsumer(group)
	}
	for n, p := range pos {
		op := arena.Modified
		if n == 0 {
			op = arena.Created
		}
		e.WaitDecided(arena.TableDeltaker, op, p)
	}
	e.StopConsumers()
	retryAll(t, e, d.ArenaID())
	checkOrder(t, e, d, messages-1)
}

// Handlers running at once — live consumers and retry processors, in any
// order — handle a new deltaker's stored messages one at a time: nothing is
// published before an older message, no message twice, and all under one
// UUID, the stored one. The original had no per-deltaker lock, and its
// get-or-create could hand out a UUID it never stored.
func TestConcurrentHandlersOfANewDeltakerAreSerialisedAndShareOneStoredUUIDUnlikeTheOriginal(t *testing.T) {
	t.Parallel()
	e := acltest.New(t, server, acltest.Options{NoConsumer: true, NoSpacing: true})
	gj := e.NewGjennomforing(arena.TiltakIndoppfag)
	person, _ := e.Person()
	d := arenatest.Deltaker(time.Now(), e.ID(), person, gj.ArenaID)
	ctx := context.Background()

	const messages = 12
	var rows []store.ArenaData
	for n := range messages {
		msg, err := arena.Parse(arenatest.Message(arena.Modified, e.NextPos(), numbered(d, n), time.Now()), arena.Source{})
		require.NoError(t, err)
		nd, err := store.FromMessage(msg, ingest.Retry, "Mottatt, ikke håndtert enda")
		require.NoError(t, err)
		row, _, err := e.Store.ReceiveArenaData(ctx, e.DB, nd)
		require.NoError(t, err)
		rows = append(rows, row)
	}
	// Every row twice, live and retry, all at once in random order.
	type call struct {
		row  store.ArenaData
		path ingest.Path
	}
	var calls []call
	for _, r := range rows {
		calls = append(calls, call{r, ingest.Live}, call{r, ingest.Retried(ingest.Retry, 1)})
	}
	rand.Shuffle(len(calls), func(i, j int) { calls[i], calls[j] = calls[j], calls[i] })
	start := make(chan struct{})
	var wg sync.WaitGroup
	for _, c := range calls {
		wg.Go(func() {
			<-start
			_, err := e.Processor.Handle(ctx, c.row, c.path)
			require.NoError(t, err)
		})
	}
	close(start)
	wg.Wait()

	handled := map[int64]int{}
	for _, dc := range e.Decisions() {
		if !dc.Decision.Skipped && dc.Decision.Status == ingest.Handled {
			handled[dc.Row.ID]++
		}
	}
	for id, n := range handled {
		require.Equal(t, 1, n, "row %d handled %d times", id, n)
	}
	retryAll(t, e, d.ArenaID())
	checkOrder(t, e, d, messages-1)
	var ids []uuid.UUID
	require.NoError(t, e.DB.Select(&ids, `SELECT amt_id FROM arena_data_id_translation WHERE arena_id = $1`, d.ArenaID()))
	require.Len(t, ids, 1, "one UUID was created")
}
