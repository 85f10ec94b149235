// Package acltest runs the service's live path for tests on real
// infrastructure: a migrated PostgreSQL database of the test's own
// (pgtest), an embedded Kafka cluster (kafkatest), the fake NAV services
// (fakenav), and the real store, clients, publisher, message handler and
// consumer wired as the service wires them. Nothing is mocked.
//
// An Env also
//
//   - collects every AMT message produced (Output, OutputFor),
//   - records every decision of the handler (Decisions) and lets a test
//     wait for a row's status (WaitStatus), with deadlines, never sleeps,
//   - captures every log line, unmasked, and fails the test if one holds a
//     fødselsnummer (see Logs).
package acltest

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/navikt/kafkapg/pkg/kafka"
	"github.com/navikt/kafkapg/pkg/kafka/kafkatest"
	"github.com/navikt/kafkapg/pkg/nais"
	"github.com/navikt/kafkapg/pkg/pg"
	"github.com/navikt/kafkapg/pkg/pg/pgtest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena/arenatest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client/amttiltak"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client/mulighetsrommet"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client/ords"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/config"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/consumer"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/fakenav"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/handler"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/metrics"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/publish"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/store"
	"github.com/navikt/kafkapg/services/amt-arena-acl/migrations"
)

// Wait bounds every wait of an Env. Generous: -race and two cores make
// everything slow, and a green run never waits this long.
const Wait = 30 * time.Second

// The topics of an Env, short names as in the original's integration tests.
const (
	TopicGjennomforing = "gjennomforing"
	TopicDeltaker      = "deltaker"
	TopicHistDeltaker  = "histdeltaker"
	TopicAmt           = "amt-topic"
	TopicEnkeltplass   = "amt-enkeltplass"
)

// TopicOf is the topic an Env sends a table's messages to.
func TopicOf(t arena.Table) string {
	switch t {
	case arena.TableGjennomforing:
		return TopicGjennomforing
	case arena.TableHistDeltaker:
		return TopicHistDeltaker
	}
	return TopicDeltaker
}

// Options change an Env.
type Options struct {
	// Partitions of each Arena topic (default 2).
	Partitions int32
	// Workers of the consumer (default consumer.DefaultWorkers).
	Workers int
	// MaxBatch of the consumer (default consumer.DefaultMaxBatch).
	MaxBatch int
	// NoSpacing turns the half-second spacing of one deltaker's messages
	// off.
	NoSpacing bool
	// NoConsumer leaves the consumer out; the test calls Handle itself or
	// starts consumers with StartConsumer.
	NoConsumer bool
	// WrapHandler, when set, wraps the handler the consumers call, for
	// tests that hold or observe it.
	WrapHandler func(consumer.Handler) consumer.Handler
	// Quiet, when set, drops log lines below WARN (a benchmark's volume);
	// the fnr check still sees what is kept.
	Quiet bool
	// OnDecision, when set, gets every decision instead of the Env
	// recording it (Decisions, WaitStatus and WaitDecided then see none).
	OnDecision func(row store.ArenaData, path ingest.Path, d ingest.Decision)
	// NoOutput leaves the collector of AMT messages out (Output and its
	// kin then fail).
	NoOutput bool
}

// Env is the live path on real infrastructure.
type Env struct {
	t testing.TB

	DB        *sqlx.DB
	Store     *store.Store
	Kafka     *kafkatest.Cluster
	NAV       *fakenav.Stack
	Registry  *prometheus.Registry
	Metrics   *metrics.Metrics
	Publisher *publish.Publisher
	Processor *handler.Processor
	Producer  *kafka.Producer
	Logs      *Logs
	// Consumer is the consumer New started, nil with NoConsumer.
	Consumer *consumer.Consumer

	opts Options
	out  *collector

	ids      sync.Map // int64 → true: ids handed out, never twice
	pos      atomic.Int64
	personMu sync.Mutex
	fnrs     []string

	decMu     sync.Mutex
	decisions []Decided
	decided   chan struct{} // signalled after every decision

	consumersMu sync.Mutex
	stops       []func()
}

// Decided is one decision of the handler.
type Decided struct {
	Row      store.ArenaData
	Path     ingest.Path
	Decision ingest.Decision
}

// New starts an Env for t on server (the test binary's pgtest server).
// Everything stops when the test ends.
func New(t testing.TB, server *pgtest.Server, opts Options) *Env {
	t.Helper()
	if opts.Partitions == 0 {
		opts.Partitions = 2
	}
	e := &Env{t: t, opts: opts, decided: make(chan struct{}, 1)}
	e.pos.Store(1000)

	// As the service connects (see config.OneRoundTrip).
	db, err := pg.Open(context.Background(), config.OneRoundTrip(pg.Config{URL: server.NewDBURL(t, migrations.FS, ".")}))
	must(t, err)
	t.Cleanup(func() { _ = db.Close() })
	e.DB = db
	// Room for the consumers' workers, each of which may hold two
	// connections at once, plus the receiving partitions and the test.
	e.DB.SetMaxOpenConns(40)
	e.Store = store.New(time.Now)
	e.Kafka = kafkatest.New(t)
	for _, topic := range []string{TopicGjennomforing, TopicDeltaker, TopicHistDeltaker} {
		e.Kafka.CreateTopic(t, topic, opts.Partitions)
	}
	// One partition each, so Output is in the order Kafka acknowledged.
	e.Kafka.CreateTopic(t, TopicAmt, 1)
	e.Kafka.CreateTopic(t, TopicEnkeltplass, 1)
	e.NAV = fakenav.NewTestStack(t)
	e.Logs = newLogs(t, opts.Quiet, e.fnrList)

	cfgs := e.NAV.Configs()
	tokens := nais.NewTokenClient(e.NAV.TokenEndpoint())
	ordsClient, err := ords.New(cfgs.ORDS, tokens)
	must(t, err)
	mrClient, err := mulighetsrommet.New(cfgs.Mulighetsrommet, tokens)
	must(t, err)
	amtClient, err := amttiltak.New(cfgs.AmtTiltak, tokens)
	must(t, err)

	sc := e.Kafka.SaramaConfig(t)
	sc.ClientID = "amt-arena-acl-producer"
	e.Producer, err = kafka.NewProducerFromSarama(e.Kafka.Addrs(), sc)
	must(t, err)
	t.Cleanup(func() { _ = e.Producer.Close() })

	e.Registry = prometheus.NewRegistry()
	e.Metrics = metrics.New(e.Registry)
	e.Publisher, err = publish.New(e.Producer, publish.Topics{Amt: TopicAmt, Enkeltplass: TopicEnkeltplass}, time.Now, e.Metrics)
	must(t, err)
	spacing := handler.DefaultSpacing
	if opts.NoSpacing {
		spacing = 0
	}
	onDecision := e.record
	if opts.OnDecision != nil {
		onDecision = opts.OnDecision
	}
	e.Processor, err = handler.New(handler.Config{
		DB: e.DB, Store: e.Store, ORDS: ordsClient, Mulighetsrommet: mrClient, AmtTiltak: amtClient,
		Publisher: e.Publisher, Now: time.Now, Spacing: spacing, Metrics: e.Metrics,
		Log: e.Logs.Logger.Named("handler"), OnDecision: onDecision,
	})
	must(t, err)

	if !opts.NoOutput {
		e.out = startCollector(t, e.Kafka, TopicAmt, TopicEnkeltplass)
	}
	if !opts.NoConsumer {
		e.Consumer = e.StartConsumer(Group)
		e.WaitAssigned(e.Consumer)
	}
	// Registered last, so it runs first: consumers stop before what they
	// use goes away, and the logs are complete when checked.
	t.Cleanup(e.stopConsumers)
	return e
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Handler is what the consumers call: the processor, wrapped when the
// options say so.
func (e *Env) Handler() consumer.Handler {
	var h consumer.Handler = e.Processor
	if e.opts.WrapHandler != nil {
		h = e.opts.WrapHandler(h)
	}
	return h
}

// StartConsumer starts another consumer of the Arena topics in group, as
// another replica of the service would be. It stops when the test ends.
func (e *Env) StartConsumer(group string) *consumer.Consumer {
	e.t.Helper()
	c, err := consumer.New(e.Kafka.Config(), consumer.Config{
		GroupID:  group,
		Topics:   []string{TopicGjennomforing, TopicDeltaker, TopicHistDeltaker},
		Workers:  e.opts.Workers,
		MaxBatch: e.opts.MaxBatch,
	}, consumer.Deps{
		DB: e.DB, Store: e.Store, Handler: e.Handler(), Metrics: e.Metrics,
		Log: e.Logs.Logger.Named("consumer"),
	}, kafka.WithGroupConfig(kafkatest.Tune))
	must(e.t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	e.consumersMu.Lock()
	e.stops = append(e.stops, func() {
		cancel()
		if err := <-done; err != nil {
			e.t.Errorf("consumer %s: %v", group, err)
		}
	})
	e.consumersMu.Unlock()
	return c
}

// StopConsumers stops every consumer, as SIGTERM would, and waits until
// they have returned.
func (e *Env) stopConsumers() {
	e.consumersMu.Lock()
	stops := e.stops
	e.stops = nil
	e.consumersMu.Unlock()
	var wg sync.WaitGroup
	for _, stop := range stops {
		wg.Go(stop)
	}
	wg.Wait()
}

// StopConsumers stops every consumer started so far and waits for them.
func (e *Env) StopConsumers() { e.stopConsumers() }

// WaitAssigned waits until c holds partitions.
func (e *Env) WaitAssigned(c *consumer.Consumer) {
	e.t.Helper()
	deadline := time.Now().Add(Wait)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for len(c.Assignment()) == 0 {
		if time.Now().After(deadline) {
			e.t.Fatalf("consumer got no partitions within %s", Wait)
		}
		<-tick.C
	}
}

func (e *Env) record(row store.ArenaData, path ingest.Path, d ingest.Decision) {
	e.decMu.Lock()
	e.decisions = append(e.decisions, Decided{Row: row, Path: path, Decision: d})
	e.decMu.Unlock()
	select {
	case e.decided <- struct{}{}:
	default:
	}
}

// Decisions returns the handler's decisions so far, in order.
func (e *Env) Decisions() []Decided {
	e.decMu.Lock()
	defer e.decMu.Unlock()
	return slices.Clone(e.decisions)
}

// DecisionsFor returns the decisions about one message.
func (e *Env) DecisionsFor(table arena.Table, op arena.Operation, pos string) []Decided {
	var out []Decided
	for _, d := range e.Decisions() {
		if d.Row.Table == table && d.Row.Operation == op && d.Row.Pos == pos {
			out = append(out, d)
		}
	}
	return out
}

// ID returns an Arena id no other call of this Env returns, random like
// the original's test ids (1 to 2³¹−1).
func (e *Env) ID() int64 {
	for {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id := int64(binary.BigEndian.Uint64(b[:])%(1<<31-1)) + 1
		if _, taken := e.ids.LoadOrStore(id, true); !taken {
			return id
		}
	}
}

// NextPos returns a GoldenGate position after every one handed out so far.
func (e *Env) NextPos() string { return arenatest.Pos(e.pos.Add(1)) }

// Person makes up an Arena person the fake ORDS knows, and returns the
// person id and fnr. The fnr is remembered: no log line may hold it.
func (e *Env) Person() (int64, string) {
	id := e.ID()
	fnr := fakenav.SyntheticFnr(id)
	e.NAV.ORDS.SetFnr(id, fnr)
	e.personMu.Lock()
	e.fnrs = append(e.fnrs, fnr)
	e.personMu.Unlock()
	return id, fnr
}

func (e *Env) fnrList() []string {
	e.personMu.Lock()
	defer e.personMu.Unlock()
	return slices.Clone(e.fnrs)
}

// mrKode is a Mulighetsrommet tiltakskode for each Arena code.
var mrKode = map[arena.Tiltakskode]string{
	arena.TiltakIndoppfag:  "OPPFOLGING",
	arena.TiltakArbforb:    "ARBEIDSFORBEREDENDE_TRENING",
	arena.TiltakAvklarag:   "AVKLARING",
	arena.TiltakVasv:       "VARIG_TILRETTELAGT_ARBEID_SKJERMET",
	arena.TiltakArbrrhdag:  "ARBEIDSRETTET_REHABILITERING",
	arena.TiltakDigiopparb: "DIGITALT_OPPFOLGINGSTILTAK",
	arena.TiltakJobbk:      "JOBBKLUBB",
	arena.TiltakGruppeamo:  "GRUPPE_ARBEIDSMARKEDSOPPLAERING",
	arena.TiltakGrufagyrke: "GRUPPE_FAG_OG_YRKESOPPLAERING",
	arena.TiltakEnkelamo:   "ENKELTPLASS_ARBEIDSMARKEDSOPPLAERING",
	arena.TiltakEnkfagyrke: "ENKELTPLASS_FAG_OG_YRKESOPPLAERING",
	arena.TiltakHoyereutd:  "HOYERE_UTDANNING",
}

// MulighetsrommetKode is the Mulighetsrommet tiltakskode of an Arena code
// ("OPPFOLGING" for a code Mulighetsrommet has none for).
func MulighetsrommetKode(k arena.Tiltakskode) string {
	if s, ok := mrKode[k]; ok {
		return s
	}
	return "OPPFOLGING"
}

// Gjennomforing is a gjennomføring an Env has made up.
type Gjennomforing struct {
	ArenaID int64
	Kode    arena.Tiltakskode
	// MR is what the fake Mulighetsrommet answers for it.
	MR fakenav.Gjennomforing
}

// NewGjennomforing makes up a gjennomføring of Arena code kode that the
// fake Mulighetsrommet knows (oppstart "LOPENDE" unless given), stores it
// as handled, and returns it. Most deltaker tests need no more, as in the
// original's tests.
func (e *Env) NewGjennomforing(kode arena.Tiltakskode, oppstart ...string) Gjennomforing {
	e.t.Helper()
	g := Gjennomforing{ArenaID: e.ID(), Kode: kode}
	mr := fakenav.Gjennomforing{ArenaID: g.ArenaID, Tiltakskode: MulighetsrommetKode(kode)}
	if len(oppstart) > 0 {
		mr.Oppstart = oppstart[0]
	}
	g.MR = e.NAV.Mulighetsrommet.AddGjennomforing(mr)
	e.StoreGjennomforing(g.ArenaID, kode, true, nil)
	return g
}

// StoreGjennomforing writes a gjennomforing row directly, as the original's
// tests did; mrID nil leaves Mulighetsrommet's id to be looked up.
func (e *Env) StoreGjennomforing(arenaID int64, kode arena.Tiltakskode, valid bool, mrID *uuid.UUID) {
	e.t.Helper()
	ctx := context.Background()
	id := strconv.FormatInt(arenaID, 10)
	must(e.t, e.Store.UpsertGjennomforing(ctx, e.DB, id, kode, valid))
	if mrID != nil {
		must(e.t, e.Store.SetGjennomforingID(ctx, e.DB, id, *mrID))
	}
}

// Send produces the change op of rec at a new position to its table's
// topic, keyed by its Arena id, and returns the position.
func (e *Env) Send(op arena.Operation, rec arena.Record) string {
	e.t.Helper()
	pos := e.NextPos()
	e.SendAt(op, pos, rec)
	return pos
}

// SendAt is Send at a given position.
func (e *Env) SendAt(op arena.Operation, pos string, rec arena.Record) {
	e.t.Helper()
	e.SendRaw(TopicOf(rec.Table()), rec.ArenaID(), arenatest.Message(op, pos, rec, time.Now()))
}

// SendRaw produces value to topic with key (none when empty).
func (e *Env) SendRaw(topic, key string, value []byte) *sarama.ProducerMessage {
	e.t.Helper()
	m := &sarama.ProducerMessage{Topic: topic, Value: sarama.ByteEncoder(value)}
	if key != "" {
		m.Key = sarama.StringEncoder(key)
	}
	e.Kafka.Produce(e.t, m)
	return m
}

// SendTo is SendRaw to one partition.
func (e *Env) SendTo(topic string, partition int32, value []byte) *sarama.ProducerMessage {
	e.t.Helper()
	m := &sarama.ProducerMessage{Topic: topic, Value: sarama.ByteEncoder(value)}
	e.Kafka.ProduceTo(e.t, partition, m)
	return m
}

// Row returns the stored row of a message, and whether there is one.
func (e *Env) Row(table arena.Table, op arena.Operation, pos string) (store.ArenaData, bool) {
	e.t.Helper()
	row, ok, err := e.Store.GetArenaDataByKey(context.Background(), e.DB, table, op, pos)
	must(e.t, err)
	return row, ok
}

// WaitStatus waits until the message has been handled into status, and
// returns its row. A row received but not handled yet does not count,
// though it is RETRY. It fails the test at once when the message was
// handled into another status and stays there.
func (e *Env) WaitStatus(table arena.Table, op arena.Operation, pos string, status ingest.Status) store.ArenaData {
	e.t.Helper()
	var row store.ArenaData
	e.waitFor(fmt.Sprintf("%s %s %s to be %s", table, op, pos, status), func() bool {
		var ok bool
		if row, ok = e.Row(table, op, pos); !ok {
			return false
		}
		handled := row.Note == nil || *row.Note != pendingNote
		if !handled {
			return false
		}
		if row.Status == status {
			return true
		}
		ds := e.DecisionsFor(table, op, pos)
		if len(ds) > 0 && ds[len(ds)-1].Decision.Status == row.Status && !ds[len(ds)-1].Decision.Skipped {
			e.t.Fatalf("%s %s %s: want %s, handled into %s (note %q)", table, op, pos, status, row.Status, deref(row.Note))
		}
		return false
	})
	return row
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// pendingNote is the note of a row received but not handled yet.
const pendingNote = "Mottatt, ikke håndtert enda"

// WaitDecided waits until the handler has decided about the message (n
// times, at least once) and returns the row as it then is.
func (e *Env) WaitDecided(table arena.Table, op arena.Operation, pos string, n ...int) store.ArenaData {
	e.t.Helper()
	want := 1
	if len(n) > 0 {
		want = n[0]
	}
	e.waitFor(fmt.Sprintf("%d decision(s) about %s %s %s", want, table, op, pos), func() bool {
		return len(e.DecisionsFor(table, op, pos)) >= want
	})
	row, ok := e.Row(table, op, pos)
	if !ok {
		return store.ArenaData{}
	}
	return row
}

// waitFor waits until cond holds, checking after every decision and every
// 20 ms, and fails the test after Wait.
func (e *Env) waitFor(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.NewTimer(Wait)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-e.decided:
		case <-tick.C:
		case <-deadline.C:
			e.t.Fatalf("waited %s for %s", Wait, what)
		}
	}
}

// AmtID returns the AMT UUID of an Arena deltaker, and whether it has one.
func (e *Env) AmtID(arenaID int64) (uuid.UUID, bool) {
	e.t.Helper()
	id, ok, err := e.Store.GetAmtID(context.Background(), e.DB, arena.TableDeltaker, strconv.FormatInt(arenaID, 10))
	must(e.t, err)
	return id, ok
}

// Group is the consumer group of the consumer New starts.
const Group = "amt-arena-acl-consumer-v3"

// WaitCaughtUp waits until consumer group group has committed every record
// of every Arena topic produced so far: all of them are stored and handled.
func (e *Env) WaitCaughtUp(group string) {
	e.t.Helper()
	sc := e.Kafka.SaramaConfig(e.t)
	sc.Metadata.Full = true
	admin, err := sarama.NewClusterAdmin(e.Kafka.Addrs(), sc)
	must(e.t, err)
	defer admin.Close()
	want := map[string][]int64{}
	parts := map[string][]int32{}
	for _, topic := range []string{TopicGjennomforing, TopicDeltaker, TopicHistDeltaker} {
		for p := range e.opts.Partitions {
			_, newest := e.Kafka.Offsets(e.t, topic, p)
			want[topic] = append(want[topic], newest)
			parts[topic] = append(parts[topic], p)
		}
	}
	e.waitFor("the consumer to catch up", func() bool {
		resp, err := admin.ListConsumerGroupOffsets(group, parts)
		if err != nil {
			return false
		}
		for topic, newest := range want {
			for p, n := range newest {
				b := resp.GetBlock(topic, int32(p))
				if n > 0 && (b == nil || b.Offset < n) {
					return false
				}
			}
		}
		return true
	})
}
