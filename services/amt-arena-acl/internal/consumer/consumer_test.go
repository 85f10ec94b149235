package consumer_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/pg/pgtest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/acltest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena/arenatest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/consumer"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/store"
)

var server *pgtest.Server

func TestMain(m *testing.M) { pgtest.Main(m, &server) }

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "arena", "testdata", name))
	require.NoError(t, err)
	return b
}

func note(row store.ArenaData) string {
	if row.Note == nil {
		return ""
	}
	return *row.Note
}

// Each Arena table's messages go to that table's handler, once, whatever
// the topic: the consumer dispatches on the message's table field.
func TestConsumerDispatchesEachTableToItsHandler(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		fixture string
		topic   string
		table   arena.Table
		check   func(t *testing.T, e *acltest.Env, d acltest.Decided)
	}{
		{name: "deltaker", fixture: "arena-tiltakdeltakerendret-v1.json", topic: acltest.TopicDeltaker, table: arena.TableDeltaker,
			check: func(t *testing.T, _ *acltest.Env, d acltest.Decided) {
				require.Equal(t, ingest.Retry, d.Decision.Status)
				require.Equal(t, "Venter på at gjennomføring med id=3461841 skal bli håndtert", d.Decision.Note)
			}},
		{name: "hist deltaker, whose fixture names its id TILTAKDELTAKER_ID and so reads hist id 0", fixture: "arena-histtiltakdeltakerendret-v1.json",
			topic: acltest.TopicHistDeltaker, table: arena.TableHistDeltaker,
			check: func(t *testing.T, _ *acltest.Env, d acltest.Decided) {
				require.Equal(t, "0", d.Row.ArenaID)
				require.Equal(t, ingest.Retry, d.Decision.Status)
				require.Equal(t, "Venter på at gjennomføring med id=3461841 skal bli håndtert", d.Decision.Note)
			}},
		{name: "gjennomføring", fixture: "arena-tiltakgjennomforingendret-v1.json", topic: acltest.TopicGjennomforing, table: arena.TableGjennomforing,
			check: func(t *testing.T, e *acltest.Env, d acltest.Decided) {
				g, ok, err := e.Store.GetGjennomforing(context.Background(), e.DB, "3461841")
				require.NoError(t, err)
				require.True(t, ok, "the gjennomføring handler stored it")
				require.Equal(t, arena.Tiltakskode("UTDYRK"), g.TiltakKode)
			}},
		{name: "gjennomføring with NUL characters, which are stripped", fixture: "arena-tiltakgjennomforingendret-v1-bad-unicode.json",
			topic: acltest.TopicDeltaker, table: arena.TableGjennomforing,
			check: func(t *testing.T, _ *acltest.Env, d acltest.Decided) {
				var after map[string]any
				require.NoError(t, json.Unmarshal(d.Row.After, &after))
				require.Equal(t, "Vurdering", after["VURDERING_GJENNOMFORING"])
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := acltest.New(t, server, acltest.Options{})
			m := e.SendRaw(c.topic, "", fixture(t, c.fixture))
			msg, err := arena.Parse(fixture(t, c.fixture), arena.Source{})
			require.NoError(t, err)
			e.WaitDecided(c.table, msg.Operation, msg.Pos)
			ds := e.DecisionsFor(c.table, msg.Operation, msg.Pos)
			require.Len(t, ds, 1, "handled once, by its table's handler")
			require.Equal(t, c.table, ds[0].Row.Table)
			require.Equal(t, ingest.Live, ds[0].Path)
			c.check(t, e, ds[0])
			require.NotNil(t, m)
		})
	}
}

// The original let a message it could not read block its partition until
// someone changed code or offsets. Here it is stored INVALID with its raw
// text, logged at ERROR once, and the partition moves on.
func TestMalformedMessagesAreStoredInvalidAndDoNotBlockThePartitionUnlikeTheOriginal(t *testing.T) {
	t.Parallel()
	e := acltest.New(t, server, acltest.Options{Partitions: 1})
	gj := e.NewGjennomforing(arena.TiltakIndoppfag)
	person, _ := e.Person()
	good := arenatest.Deltaker(time.Now(), e.ID(), person, gj.ArenaID)
	goodBefore := arenatest.Deltaker(time.Now(), e.ID(), person, gj.ArenaID)

	envelope := func(table, opType, opTS, pos string, after any) []byte {
		b, err := json.Marshal(map[string]any{"table": table, "op_type": opType, "op_ts": opTS, "pos": pos, "after": after})
		require.NoError(t, err)
		return b
	}
	opTS := "2022-01-12 00:00:06.000000"
	posUnknownTable, posBadOp, posBadTS, posNoImage := e.NextPos(), e.NextPos(), e.NextPos(), e.NextPos()
	cases := []struct {
		name      string
		value     []byte
		table     arena.Table
		op        arena.Operation
		pos       string // "" for a synthetic one
		noteStart string
	}{
		{"not JSON", []byte(`{"table": "SIAMO.TILTAKDELTAKER", "op_type": `), store.UnknownTable, store.UnknownOperation, "", "not a JSON object"},
		{"binary", []byte{0x00, 0xff, 0xfe, 0x00, 'x'}, store.UnknownTable, store.UnknownOperation, "", "not a JSON object"},
		{"empty", nil, store.UnknownTable, store.UnknownOperation, "", "empty record value"},
		{"unknown table", envelope("SIAMO.SAK", "I", opTS, posUnknownTable, map[string]any{"SAK_ID": 1}),
			"SIAMO.SAK", arena.Created, posUnknownTable, "unknown table"},
		{"bad op_type", envelope(string(arena.TableDeltaker), "X", opTS, posBadOp, map[string]any{}),
			arena.TableDeltaker, store.UnknownOperation, posBadOp, "bad op_type"},
		{"bad op_ts", envelope(string(arena.TableDeltaker), "I", "2022-01-12", posBadTS, map[string]any{}),
			arena.TableDeltaker, arena.Created, posBadTS, "bad op_ts"},
		{"insert without after image", envelope(string(arena.TableDeltaker), "I", opTS, posNoImage, nil),
			arena.TableDeltaker, arena.Created, posNoImage, "missing row image"},
	}

	e.SendTo(acltest.TopicDeltaker, 0, arenatest.Message(arena.Created, e.NextPos(), goodBefore, time.Now()))
	offsets := map[string]int64{}
	for _, c := range cases {
		offsets[c.name] = e.SendTo(acltest.TopicDeltaker, 0, c.value).Offset
	}
	goodPos := e.NextPos()
	e.SendTo(acltest.TopicDeltaker, 0, arenatest.Message(arena.Created, goodPos, good, time.Now()))
	e.WaitStatus(arena.TableDeltaker, arena.Created, goodPos, ingest.Handled)

	for _, c := range cases {
		pos := c.pos
		if pos == "" {
			pos = "kafka:" + acltest.TopicDeltaker + ":0:" + strconv.FormatInt(offsets[c.name], 10)
		}
		row, ok := e.Row(c.table, c.op, pos)
		require.True(t, ok, "%s: stored as %s %s %s", c.name, c.table, c.op, pos)
		require.Equal(t, ingest.Invalid, row.Status, c.name)
		require.Contains(t, note(row), c.noteStart, c.name)
		require.NotNil(t, row.Raw, c.name)
		require.Equal(t, arena.StripNUL(strings.ToValidUTF8(string(c.value), "\uFFFD")), *row.Raw,
			"%s: the raw text, without NUL, as valid UTF-8", c.name)
	}
	require.Len(t, e.Logs.AtLevel("ERROR"), len(cases), "each unreadable message alerts once")

	// Delivered again (a new group reads the topic from the start): no
	// row is added, nothing alerts again, nothing is published again.
	before := len(e.Output())
	var rows int
	require.NoError(t, e.DB.Get(&rows, `SELECT count(*) FROM arena_data`))
	e.StopConsumers()
	e.WaitAssigned(e.StartConsumer("another-group"))
	e.WaitDecided(arena.TableDeltaker, arena.Created, goodPos, 2)
	var after int
	require.NoError(t, e.DB.Get(&after, `SELECT count(*) FROM arena_data`))
	require.Equal(t, rows, after)
	require.Len(t, e.Logs.AtLevel("ERROR"), len(cases))
	require.Len(t, e.Output(), before)
}

// failing makes Handle fail like a database outage for the messages it is
// told, until healed.
type failing struct {
	consumer.Handler
	mu    sync.Mutex
	pos   map[string]bool
	calls atomic.Int64
}

func (f *failing) Handle(ctx context.Context, row store.ArenaData, path ingest.Path) (ingest.Decision, error) {
	f.mu.Lock()
	fail := f.pos[row.Pos]
	f.mu.Unlock()
	if fail {
		f.calls.Add(1)
		return ingest.Decision{}, errors.New("database unavailable")
	}
	return f.Handler.Handle(ctx, row, path)
}

func (f *failing) heal() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pos = nil
}

func committed(t *testing.T, e *acltest.Env, group, topic string, partition int32) int64 {
	t.Helper()
	sc := e.Kafka.SaramaConfig(t)
	sc.Metadata.Full = true
	admin, err := sarama.NewClusterAdmin(e.Kafka.Addrs(), sc)
	require.NoError(t, err)
	defer admin.Close()
	resp, err := admin.ListConsumerGroupOffsets(group, map[string][]int32{topic: {partition}})
	require.NoError(t, err)
	b := resp.GetBlock(topic, partition)
	require.NotNil(t, b)
	return b.Offset
}

// A message that cannot be handled holds its partition's committed offset
// back, also when messages after it are handled; a consumer starting over
// gets it again and handles it, and the messages after it, delivered again,
// are neither stored twice nor published twice.
func TestOffsetIsCommittedOnlyOnceEverythingBeforeItIsStoredAndHandled(t *testing.T) {
	t.Parallel()
	f := &failing{pos: map[string]bool{}}
	e := acltest.New(t, server, acltest.Options{Partitions: 1, NoConsumer: true,
		WrapHandler: func(h consumer.Handler) consumer.Handler { f.Handler = h; return f }})
	gj := e.NewGjennomforing(arena.TiltakIndoppfag)
	const group = "amt-arena-acl-consumer-v3"

	var deltakere []*arena.Deltaker
	var pos []string
	var offsets []int64
	for len(deltakere) < 3 {
		person, _ := e.Person()
		d := arenatest.Deltaker(time.Now(), e.ID(), person, gj.ArenaID)
		// The one that fails must not hold up the last one in its worker's
		// queue: only the committed offset may wait for it.
		if len(deltakere) == 2 && consumer.WorkerIndex(arena.TableDeltaker, d.ArenaID(), consumer.DefaultWorkers) ==
			consumer.WorkerIndex(arena.TableDeltaker, deltakere[1].ArenaID(), consumer.DefaultWorkers) {
			continue
		}
		deltakere, pos = append(deltakere, d), append(pos, e.NextPos())
	}
	f.pos[pos[1]] = true
	for i, d := range deltakere {
		offsets = append(offsets, e.SendTo(acltest.TopicDeltaker, 0, arenatest.Message(arena.Created, pos[i], d, time.Now())).Offset)
	}

	e.WaitAssigned(e.StartConsumer(group))
	e.WaitStatus(arena.TableDeltaker, arena.Created, pos[0], ingest.Handled)
	e.WaitStatus(arena.TableDeltaker, arena.Created, pos[2], ingest.Handled)
	row, ok := e.Row(arena.TableDeltaker, arena.Created, pos[1])
	require.True(t, ok, "the message that cannot be handled is stored")
	require.Equal(t, ingest.Retry, row.Status)
	e.StopConsumers()
	require.Equal(t, offsets[1], committed(t, e, group, acltest.TopicDeltaker, 0), "committed up to the message not handled")
	published := len(e.Output())
	require.Equal(t, 2, published)

	f.heal()
	e.WaitAssigned(e.StartConsumer(group))
	e.WaitStatus(arena.TableDeltaker, arena.Created, pos[1], ingest.Handled)
	e.WaitDecided(arena.TableDeltaker, arena.Created, pos[2], 2)
	e.StopConsumers()
	require.Equal(t, offsets[2]+1, committed(t, e, group, acltest.TopicDeltaker, 0))
	require.Len(t, e.Output(), 3, "the message delivered again was not published again")
	last := e.DecisionsFor(arena.TableDeltaker, arena.Created, pos[2])
	require.True(t, last[len(last)-1].Decision.Skipped)
	var rows int
	require.NoError(t, e.DB.Get(&rows, `SELECT count(*) FROM arena_data WHERE arena_table_name = $1`, arena.TableDeltaker))
	require.Equal(t, 3, rows)
}

// holding stops Handle of one message until released, to catch it in
// flight.
type holding struct {
	consumer.Handler
	pos     string
	entered chan struct{}
	release chan struct{}
}

func (h *holding) Handle(ctx context.Context, row store.ArenaData, path ingest.Path) (ingest.Decision, error) {
	if row.Pos == h.pos {
		close(h.entered)
		<-h.release
	}
	return h.Handler.Handle(ctx, row, path)
}

// Stopping the consumer (SIGTERM) lets the message being handled finish,
// and commits it.
func TestStopFinishesTheMessageInFlight(t *testing.T) {
	t.Parallel()
	h := &holding{entered: make(chan struct{}), release: make(chan struct{})}
	e := acltest.New(t, server, acltest.Options{Partitions: 1, NoConsumer: true,
		WrapHandler: func(inner consumer.Handler) consumer.Handler { h.Handler = inner; return h }})
	gj := e.NewGjennomforing(arena.TiltakIndoppfag)
	person, _ := e.Person()
	d := arenatest.Deltaker(time.Now(), e.ID(), person, gj.ArenaID)
	h.pos = e.NextPos()
	m := e.SendTo(acltest.TopicDeltaker, 0, arenatest.Message(arena.Created, h.pos, d, time.Now()))

	const group = "amt-arena-acl-consumer-v3"
	c := e.StartConsumer(group)
	<-h.entered
	stopped := make(chan struct{})
	go func() {
		e.StopConsumers()
		close(stopped)
	}()
	// Once the consumer knows it is stopping, let the message go on: a
	// consumer that did not wait for it would have closed its session
	// already, and nothing would be committed.
	deadline := time.Now().Add(acltest.Wait)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for c.Ready(context.Background()) == nil {
		require.True(t, time.Now().Before(deadline), "the consumer did not start stopping")
		<-tick.C
	}
	close(h.release)
	<-stopped
	e.WaitStatus(arena.TableDeltaker, arena.Created, h.pos, ingest.Handled)
	require.Equal(t, m.Offset+1, committed(t, e, group, acltest.TopicDeltaker, 0))
}

func TestReadinessAndLiveness(t *testing.T) {
	t.Parallel()
	e := acltest.New(t, server, acltest.Options{})
	ctx := context.Background()
	require.NoError(t, e.Consumer.Ready(ctx))
	require.NoError(t, e.Consumer.Alive()(ctx))
	e.StopConsumers()
	require.Error(t, e.Consumer.Ready(ctx), "a stopped consumer is not ready")
}
