package simulation_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/pg/pgtest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/acltest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/config"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/fakenav"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/simulation"
)

var server *pgtest.Server

func TestMain(m *testing.M) { pgtest.Main(m, &server) }

var topics = config.Topics{
	Gjennomforing: acltest.TopicGjennomforing, Deltaker: acltest.TopicDeltaker, HistDeltaker: acltest.TopicHistDeltaker,
	Amt: acltest.TopicAmt, Enkeltplass: acltest.TopicEnkeltplass,
}

func seeder(s *fakenav.Stack) fakenav.Seeder {
	return fakenav.Seeder{ORDSURL: s.ORDSURL, MulighetsrommetURL: s.MulighetsrommetURL, AmtTiltakURL: s.AmtTiltakURL}
}

func TestSimulationMakesEveryKindOfTraffic(t *testing.T) {
	t.Parallel()
	nav := fakenav.NewTestStack(t)
	sim := simulation.New(simulation.Config{Topics: topics, Seed: 1, MalformedEvery: 50}, seeder(nav))
	ctx := context.Background()
	recs, err := sim.Start(ctx)
	require.NoError(t, err)
	for range 600 {
		next, err := sim.Next(ctx)
		require.NoError(t, err)
		recs = append(recs, next...)
	}
	seen := map[simulation.Kind]int{}
	statuses := map[string]bool{}
	for _, r := range recs {
		seen[r.Kind]++
		m, err := arena.Parse(r.Value, arena.Source{Topic: r.Topic})
		if r.Kind == simulation.KindMalformed {
			require.Error(t, err)
			continue
		}
		require.NoError(t, err, "%s: %s", r.Kind, r.Value)
		require.Equal(t, r.Key, m.ArenaID())
		if d, ok := m.Image().(*arena.Deltaker); ok {
			statuses[d.Deltakerstatuskode] = true
		}
	}
	for _, k := range []simulation.Kind{
		simulation.KindGjennomforing, simulation.KindInvalidGjennomforing, simulation.KindGjennomforingFixed,
		simulation.KindDeltakerNew, simulation.KindDeltakerEarly, simulation.KindDeltakerUpdate, simulation.KindDeltakerDelete,
		simulation.KindDeltakerWithoutFnr, simulation.KindHistNeverSeen, simulation.KindHistArchived,
		simulation.KindDeltakerReenrolled, simulation.KindMalformed, simulation.KindEnkeltplassDeltaker,
		simulation.KindUnsupportedDeltaker,
	} {
		require.Positive(t, seen[k], "no %s in %v", k, seen)
	}
	for _, code := range arena.DeltakerStatuses() {
		require.True(t, statuses[string(code)], "no deltaker in status %s", code)
	}
}

// The simulated traffic, through the live path: every message ends in a
// status the rules give, unreadable ones alert, and nothing else does.
func TestSimulatedTrafficIsHandled(t *testing.T) {
	t.Parallel()
	e := acltest.New(t, server, acltest.Options{NoSpacing: true, Quiet: true})
	sim := simulation.New(simulation.Config{Topics: topics, Seed: 2, MalformedEvery: 60}, seeder(e.NAV))
	ctx := context.Background()
	recs, err := sim.Start(ctx)
	require.NoError(t, err)
	malformed := 0
	learned := 0
	send := func(rs []simulation.Record) {
		for _, r := range rs {
			if r.Kind == simulation.KindMalformed {
				malformed++
			}
			e.SendRaw(r.Topic, r.Key, r.Value)
		}
	}
	send(recs)
	for range 300 {
		rs, err := sim.Next(ctx)
		require.NoError(t, err)
		send(rs)
		// amt-tiltak learns the deltakere from what the service publishes,
		// as the local stack's fake does.
		out := e.Output()
		for _, o := range out[learned:] {
			require.NoError(t, e.NAV.AmtTiltak.Learn(o.Value))
		}
		learned = len(out)
	}

	e.WaitCaughtUp(acltest.Group)
	counts := map[ingest.Status]int{}
	rows := []struct {
		Status ingest.Status `db:"ingest_status"`
		N      int           `db:"n"`
	}{}
	require.NoError(t, e.DB.Select(&rows, `SELECT ingest_status, count(*) AS n FROM arena_data GROUP BY 1`))
	for _, r := range rows {
		counts[r.Status] = r.N
	}
	t.Logf("statuses: %v, published: %d", counts, len(e.Output()))
	require.Zero(t, counts[ingest.Failed])
	for _, s := range []ingest.Status{ingest.Handled, ingest.Retry, ingest.Waiting, ingest.Ignored, ingest.Invalid} {
		require.Positive(t, counts[s], "no %s", s)
	}
	require.NotEmpty(t, e.Output())
	var matched, unmatched int
	require.NoError(t, e.DB.Get(&matched, `SELECT count(*) FROM arena_data WHERE note = 'Fant match? true'`))
	require.NoError(t, e.DB.Get(&unmatched, `SELECT count(*) FROM arena_data WHERE note = 'Fant match? false'`))
	require.Positive(t, matched, "a hist deltaker archived a deltaker seen here")
	require.Positive(t, unmatched, "a hist deltaker never seen as deltaker")
	require.Len(t, e.Logs.AtLevel("ERROR"), malformed, "only the unreadable messages alert")
}
