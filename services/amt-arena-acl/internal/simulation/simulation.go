// Package simulation makes up realistic Arena traffic for a local run of
// the service: gjennomføringer of every kind, deltakere going through every
// status, deltakere arriving before their gjennomføring, updates, deletes,
// historised deltakere of both kinds (one never seen here, and one that
// archives a deltaker that was, with the person enrolled again), and now and
// then a message that cannot be read.
//
// It seeds the fake NAV services it needs over HTTP (fakenav.Seeder), so
// that the service's lookups succeed: every gjennomføring of a code the
// service handles is known to the fake Mulighetsrommet, and every person
// but a few (whose deltakere end INVALID) to the fake ORDS.
//
// A Simulation is not safe for concurrent use.
package simulation

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena/arenatest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/config"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/fakenav"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/javafloat"
)

// Kind says what a record simulates.
type Kind string

// The kinds of traffic.
const (
	KindGjennomforing        Kind = "gjennomføring"
	KindGjennomforingFixed   Kind = "gjennomføring made valid"
	KindDeltakerNew          Kind = "new deltaker"
	KindDeltakerEarly        Kind = "deltaker before its gjennomføring"
	KindDeltakerUpdate       Kind = "deltaker update"
	KindDeltakerDelete       Kind = "deltaker delete"
	KindDeltakerWithoutFnr   Kind = "deltaker whose person has no fnr"
	KindHistNeverSeen        Kind = "hist deltaker never seen as deltaker"
	KindHistArchived         Kind = "hist deltaker archiving a deltaker"
	KindDeltakerReenrolled   Kind = "deltaker enrolled again"
	KindMalformed            Kind = "malformed"
	KindEnkeltplassDeltaker  Kind = "enkeltplass deltaker"
	KindUnsupportedDeltaker  Kind = "deltaker on a code not handled"
	KindInvalidGjennomforing Kind = "invalid gjennomføring"
)

// Record is one Kafka record to produce.
type Record struct {
	Kind  Kind
	Topic string
	// Key is the Arena id, as GoldenGate keys its records.
	Key   string
	Value []byte
}

// Config is how a Simulation behaves.
type Config struct {
	Topics config.Topics
	// Gjennomforinger is how many gjennomføringer to start with (default
	// 12); one more is made now and then, its deltakere sent first.
	Gjennomforinger int
	// MalformedEvery is one unreadable record per this many (default 150;
	// negative: none).
	MalformedEvery int
	// Seed makes the traffic reproducible.
	Seed uint64
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// gjennomforing is a made-up gjennomføring.
type gjennomforing struct {
	arenaID int64
	kode    arena.Tiltakskode
	mrKode  string
	felles  bool
	// sent: its message has gone out; deltakere on one not sent arrive
	// before it.
	sent  bool
	valid bool
}

// deltaker is a made-up deltaker as Arena has it now.
type deltaker struct {
	rec *arena.Deltaker
	gj  *gjennomforing
}

// Simulation makes up traffic.
type Simulation struct {
	cfg    Config
	seed   fakenav.Seeder
	rnd    *rand.Rand
	now    func() time.Time
	pos    int64
	nextID int64
	count  int

	gjs       []*gjennomforing
	deltakere []*deltaker
	pending   []Record // sent after the current step
}

// New makes a Simulation that seeds the fakes through seed.
func New(cfg Config, seed fakenav.Seeder) *Simulation {
	if cfg.Gjennomforinger == 0 {
		cfg.Gjennomforinger = 12
	}
	if cfg.MalformedEvery == 0 {
		cfg.MalformedEvery = 150
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Simulation{
		cfg: cfg, seed: seed, now: cfg.Now,
		rnd: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x5eed)),
		// GoldenGate positions grow; start from the clock so that a
		// restarted simulation does not reuse old positions.
		pos:    cfg.Now().UnixMicro(),
		nextID: 1_000_000 + cfg.Now().Unix()%1_000_000*1000,
	}
}

// The codes of the gjennomføringer made, with Mulighetsrommet's code and
// whether they have a common start (kurs).
var kinds = []struct {
	kode   arena.Tiltakskode
	mrKode string
	felles bool
}{
	{arena.TiltakIndoppfag, "OPPFOLGING", false},
	{arena.TiltakArbforb, "ARBEIDSFORBEREDENDE_TRENING", false},
	{arena.TiltakAvklarag, "AVKLARING", false},
	{arena.TiltakJobbk, "JOBBKLUBB", true},
	{arena.TiltakGruppeamo, "GRUPPE_ARBEIDSMARKEDSOPPLAERING", true},
	{arena.TiltakEnkelamo, "ENKELTPLASS_ARBEIDSMARKEDSOPPLAERING", false},
	{arena.TiltakHoyereutd, "HOYERE_UTDANNING", false},
	{"UTDYRK", "", false},
}

func (s *Simulation) id() int64 {
	s.nextID++
	return s.nextID
}

func (s *Simulation) nextPos() string {
	s.pos++
	return arenatest.Pos(s.pos)
}

// Start seeds the fakes and returns the first gjennomføringer, one of them
// invalid until a later update.
func (s *Simulation) Start(ctx context.Context) ([]Record, error) {
	var out []Record
	for i := range s.cfg.Gjennomforinger {
		g, err := s.newGjennomforing(ctx, i)
		if err != nil {
			return nil, err
		}
		kind := KindGjennomforing
		if i == 1 {
			g.valid = false
			kind = KindInvalidGjennomforing
		}
		out = append(out, s.gjennomforingRecord(kind, g, arena.Created))
	}
	return out, nil
}

func (s *Simulation) newGjennomforing(ctx context.Context, i int) (*gjennomforing, error) {
	k := kinds[i%len(kinds)]
	g := &gjennomforing{arenaID: s.id(), kode: k.kode, mrKode: k.mrKode, felles: k.felles, valid: true}
	if k.kode.Supported() {
		oppstart := "LOPENDE"
		if k.felles {
			oppstart = "FELLES"
		}
		if _, err := s.seed.AddGjennomforing(ctx, fakenav.Gjennomforing{ArenaID: g.arenaID, Tiltakskode: k.mrKode, Oppstart: oppstart}); err != nil {
			return nil, fmt.Errorf("simulation: seed gjennomføring: %w", err)
		}
	}
	s.gjs = append(s.gjs, g)
	return g, nil
}

func (s *Simulation) gjennomforingRecord(kind Kind, g *gjennomforing, op arena.Operation) Record {
	rec := arenatest.Gjennomforing(s.now(), g.arenaID, g.kode)
	if !g.valid {
		rec.ArbgivIDArrangor = nil
	}
	g.sent = true
	return Record{Kind: kind, Topic: s.cfg.Topics.Gjennomforing, Key: rec.ArenaID(), Value: arenatest.Message(op, s.nextPos(), rec, s.now())}
}

// Next makes up the next records: usually one, a few for the stories that
// take several messages.
func (s *Simulation) Next(ctx context.Context) ([]Record, error) {
	if len(s.pending) > 0 {
		r := s.pending[0]
		s.pending = s.pending[1:]
		return []Record{r}, nil
	}
	s.count++
	if s.cfg.MalformedEvery > 0 && s.count%s.cfg.MalformedEvery == 0 {
		return []Record{s.malformed()}, nil
	}
	switch n := s.rnd.IntN(100); {
	case n < 30 || len(s.deltakere) < 5:
		return s.newDeltaker(ctx, nil, KindDeltakerNew)
	case n < 60:
		return s.update(), nil
	case n < 66:
		return s.remove(), nil
	case n < 72:
		return s.histNeverSeen(ctx)
	case n < 78:
		return s.reenrol(ctx)
	case n < 82:
		return s.early(ctx)
	case n < 85:
		return s.fix(), nil
	case n < 88:
		return s.withoutFnr()
	}
	return s.newDeltaker(ctx, nil, KindDeltakerNew)
}

// person makes up a person the fake ORDS knows.
func (s *Simulation) person(ctx context.Context) (int64, error) {
	id := s.id()
	if err := s.seed.SetFnr(ctx, id, fakenav.SyntheticFnr(id)); err != nil {
		return 0, fmt.Errorf("simulation: seed fnr: %w", err)
	}
	return id, nil
}

// statuses are Arena's status codes with the dates that make sense for
// them, relative to today.
var statuses = []struct {
	code        arena.DeltakerStatus
	start, slut int
}{
	{arena.StatusAktuell, 14, 100}, {arena.StatusInfomoete, 10, 90}, {arena.StatusVenteliste, 20, 120},
	{arena.StatusTilbud, 7, 60}, {arena.StatusJatakk, 3, 40}, {arena.StatusGjenn, -20, 60},
	{arena.StatusGjenn, -60, -5}, {arena.StatusFullf, -90, -10}, {arena.StatusDelavb, -40, -2},
	{arena.StatusGjennAvb, -30, -1}, {arena.StatusGjennAvl, -25, -3}, {arena.StatusIkkem, -10, 30},
	{arena.StatusIkkaktuell, 5, 50}, {arena.StatusAvslag, 5, 50}, {arena.StatusNeitakk, 5, 50},
	{arena.StatusFeilreg, -5, 20},
}

var aarsaker = []arena.Aarsak{arena.AarsakSyk, arena.AarsakBega, arena.AarsakFtoat, arena.AarsakAnn}

func date(now time.Time, days int) *string {
	return arenatest.Ptr(arenatest.ArenaDate(civil.Today(now).AddDays(days)))
}

// setStatus gives a deltaker one of the statuses, with fitting dates.
func (s *Simulation) setStatus(d *arena.DeltakerFields) {
	st := statuses[s.rnd.IntN(len(statuses))]
	now := s.now()
	d.Deltakerstatuskode = string(st.code)
	d.DatoFra, d.DatoTil = date(now, st.start), date(now, st.slut)
	d.DatoStatusendring = arenatest.Ptr(arenatest.ArenaTime(now.Truncate(time.Second)))
	d.AarsakverdikodeStatus = nil
	switch st.code {
	case arena.StatusDelavb, arena.StatusGjennAvb, arena.StatusIkkaktuell, arena.StatusAvslag, arena.StatusFullf:
		d.AarsakverdikodeStatus = arenatest.Ptr(string(aarsaker[s.rnd.IntN(len(aarsaker))]))
	}
	d.ProsentDeltid = javafloat.Ptr(float32(20 * (1 + s.rnd.IntN(5))))
	d.AntallDagerPrUke = javafloat.Ptr(float32(1+s.rnd.IntN(9)) / 2)
}

func (s *Simulation) deltakerRecord(kind Kind, d *arena.Deltaker, op arena.Operation) Record {
	return Record{Kind: kind, Topic: s.cfg.Topics.Deltaker, Key: d.ArenaID(), Value: arenatest.Message(op, s.nextPos(), d, s.now())}
}

// newDeltaker enrols a new person, on gj or a random sent gjennomføring.
func (s *Simulation) newDeltaker(ctx context.Context, gj *gjennomforing, kind Kind) ([]Record, error) {
	if gj == nil {
		gj = s.gjs[s.rnd.IntN(len(s.gjs))]
		for !gj.sent {
			gj = s.gjs[s.rnd.IntN(len(s.gjs))]
		}
	}
	person, err := s.person(ctx)
	if err != nil {
		return nil, err
	}
	rec := arenatest.Deltaker(s.now(), s.id(), person, gj.arenaID)
	s.setStatus(&rec.DeltakerFields)
	switch {
	case kind != KindDeltakerNew:
	case gj.kode.Enkeltplass():
		kind = KindEnkeltplassDeltaker
	case !gj.kode.Supported():
		kind = KindUnsupportedDeltaker
	}
	s.deltakere = append(s.deltakere, &deltaker{rec: rec, gj: gj})
	return []Record{s.deltakerRecord(kind, rec, arena.Created)}, nil
}

// update moves a deltaker to another status, or its dates.
func (s *Simulation) update() []Record {
	d := s.deltakere[s.rnd.IntN(len(s.deltakere))]
	c := *d.rec
	s.setStatus(&c.DeltakerFields)
	d.rec = &c
	return []Record{s.deltakerRecord(KindDeltakerUpdate, &c, arena.Modified)}
}

// remove deletes a deltaker in Arena, as when it was registered in error.
func (s *Simulation) remove() []Record {
	i := s.rnd.IntN(len(s.deltakere))
	d := s.deltakere[i]
	s.deltakere = append(s.deltakere[:i], s.deltakere[i+1:]...)
	return []Record{s.deltakerRecord(KindDeltakerDelete, d.rec, arena.Deleted)}
}

// histNeverSeen is an archived deltaker this service never saw (the hist
// topic read from the start): it ended long ago.
func (s *Simulation) histNeverSeen(ctx context.Context) ([]Record, error) {
	gj := s.gjs[0] // INDOPPFAG, sent first
	person, err := s.person(ctx)
	if err != nil {
		return nil, err
	}
	h := arenatest.HistDeltaker(s.now(), s.id(), person, gj.arenaID)
	now := s.now()
	h.DatoFra, h.DatoTil = date(now, -200), date(now, -100)
	return []Record{{Kind: KindHistNeverSeen, Topic: s.cfg.Topics.HistDeltaker, Key: h.ArenaID(),
		Value: arenatest.Message(arena.Created, s.nextPos(), h, now)}}, nil
}

// reenrol is the story of a person enrolled again on the same
// gjennomføring: Arena deletes the old deltaker x, archives it as hist
// deltaker y (same dates and status change), and inserts the new deltaker
// z.
func (s *Simulation) reenrol(ctx context.Context) ([]Record, error) {
	var x *deltaker
	for i, d := range s.deltakere {
		if d.gj.kode.Supported() && d.gj.valid && d.gj.sent && d.rec.Deltakerstatuskode != string(arena.StatusFeilreg) {
			x = d
			s.deltakere = append(s.deltakere[:i], s.deltakere[i+1:]...)
			break
		}
	}
	if x == nil {
		return s.newDeltaker(ctx, nil, KindDeltakerNew)
	}
	del := s.deltakerRecord(KindDeltakerDelete, x.rec, arena.Deleted)
	h := &arena.HistDeltaker{HistTiltakdeltakerID: s.id(), DeltakerFields: x.rec.DeltakerFields}
	if !isEnded(h.Deltakerstatuskode) {
		// Arena ends the old enrolment when it archives it.
		h.Deltakerstatuskode = string(arena.StatusFullf)
		h.AarsakverdikodeStatus = nil
	}
	hist := Record{Kind: KindHistArchived, Topic: s.cfg.Topics.HistDeltaker, Key: h.ArenaID(),
		Value: arenatest.Message(arena.Created, s.nextPos(), h, s.now())}
	z := arenatest.Deltaker(s.now(), s.id(), *x.rec.PersonID, x.gj.arenaID)
	s.setStatus(&z.DeltakerFields)
	s.deltakere = append(s.deltakere, &deltaker{rec: z, gj: x.gj})
	s.pending = append(s.pending, hist, s.deltakerRecord(KindDeltakerReenrolled, z, arena.Created))
	return []Record{del}, nil
}

func isEnded(code string) bool {
	switch arena.DeltakerStatus(code) {
	case arena.StatusDelavb, arena.StatusFullf, arena.StatusGjennAvb, arena.StatusGjennAvl, arena.StatusIkkem,
		arena.StatusIkkaktuell, arena.StatusAvslag, arena.StatusNeitakk:
		return true
	}
	return false
}

// early makes a gjennomføring whose deltakere arrive before it: two
// deltakere now, the gjennomføring right after them.
func (s *Simulation) early(ctx context.Context) ([]Record, error) {
	g, err := s.newGjennomforing(ctx, 0)
	if err != nil {
		return nil, err
	}
	var out []Record
	for range 2 {
		r, err := s.newDeltaker(ctx, g, KindDeltakerEarly)
		if err != nil {
			return nil, err
		}
		out = append(out, r...)
	}
	s.pending = append(s.pending, s.gjennomforingRecord(KindGjennomforing, g, arena.Created))
	return out, nil
}

// fixAfter is how many steps the invalid gjennomføring stays invalid, so
// that its deltakere are seen WAITING for a while.
const fixAfter = 400

// fix makes the invalid gjennomføring valid, once it has been invalid long
// enough, which sends its waiting deltakere on.
func (s *Simulation) fix() []Record {
	if s.count < fixAfter {
		return s.update()
	}
	for _, g := range s.gjs {
		if !g.valid {
			g.valid = true
			return []Record{s.gjennomforingRecord(KindGjennomforingFixed, g, arena.Modified)}
		}
	}
	return s.update()
}

// withoutFnr is a deltaker whose person ORDS has no fnr for.
func (s *Simulation) withoutFnr() ([]Record, error) {
	gj := s.gjs[0]
	rec := arenatest.Deltaker(s.now(), s.id(), s.id(), gj.arenaID)
	s.setStatus(&rec.DeltakerFields)
	return []Record{s.deltakerRecord(KindDeltakerWithoutFnr, rec, arena.Created)}, nil
}

// malformed is a record no CDC message: bad JSON, a table not read, or a
// bad operation, in turn.
func (s *Simulation) malformed() Record {
	r := Record{Kind: KindMalformed, Topic: s.cfg.Topics.Deltaker}
	switch (s.count / s.cfg.MalformedEvery) % 3 {
	case 0:
		r.Value = []byte(`{"table": "SIAMO.TILTAKDELTAKER", "op_type": "U", "after": {`)
	case 1:
		r.Value = []byte(fmt.Sprintf(`{"table":"SIAMO.SAK","op_type":"I","op_ts":"2026-01-01 00:00:00.000000","pos":%q,"after":{"SAK_ID":1}}`, s.nextPos()))
	default:
		r.Value = []byte(fmt.Sprintf(`{"table":"SIAMO.TILTAKDELTAKER","op_type":"X","op_ts":"2026-01-01 00:00:00.000000","pos":%q,"after":{}}`, s.nextPos()))
	}
	return r
}
