package deltakerstatus

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/amt"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
)

// clock gives the dates of one run of the tables: T is today, now the
// current Oslo wall-clock time on T.
type clock struct {
	now civil.DateTime
	T   civil.Date
}

// Each table runs at an ordinary time of day and a millisecond after
// midnight, the earliest time at which every "changed after start 00:00" and
// "end 00:00 before the change" of the table holds (at exactly midnight they
// do not; see TestConvertChangeAtStartMidnightIsNotAfterStart).
var clocks = []clock{
	{now: civil.DateTimeOf(2026, 3, 15, 13, 45, 12, 345678000)},
	{now: civil.DateTimeOf(2026, 10, 25, 0, 0, 0, 1000000)}, // the day Oslo's clocks go back
}

func init() {
	for i := range clocks {
		clocks[i].T = clocks[i].now.Date()
	}
}

// day is T+n.
func (c clock) day(n int) *civil.Date { d := c.T.AddDays(n); return &d }

// at is T+n at hh:mm.
func (c clock) at(n, hh, mm int) *civil.DateTime {
	dt := c.T.AddDays(n).Midnight().Add(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute)
	return &dt
}

// nowPlus is now + n days.
func (c clock) nowPlus(n int) *civil.DateTime { dt := c.now.AddDays(n); return &dt }

// statusCase is one row: in is built from the clock, want likewise.
type statusCase struct {
	name string
	in   func(c clock) Input
	want func(c clock) Result
}

// input is the default Input of the status tables: registered now, on an
// ordinary gjennomføring that ends today and is running.
func input(c clock, status arena.DeltakerStatus, start, slutt *civil.Date, endret *civil.DateTime) Input {
	return Input{
		ArenaStatus:         status,
		RegDato:             c.now,
		Start:               start,
		Slutt:               slutt,
		Endret:              endret,
		GjennomforingSlutt:  c.day(0),
		GjennomforingStatus: Gjennomfores,
	}
}

// kurs is input for a deltakelse that needs approval, with the given
// gjennomføring end and status.
func kurs(c clock, status arena.DeltakerStatus, start, slutt *civil.Date, endret *civil.DateTime, gjSlutt *civil.Date, gjStatus GjennomforingStatus) Input {
	in := input(c, status, start, slutt, endret)
	in.KreverGodkjenning = true
	in.GjennomforingSlutt = gjSlutt
	in.GjennomforingStatus = gjStatus
	return in
}

func res(s amt.Status, d *civil.DateTime) Result { return Result{Status: s, EndretDato: d} }

// statusCases are the original's 55 converter cases in its file order
// (S1–S45 ordinary, S46–S55 kurs).
var statusCases = []statusCase{
	{"S1 AKTUELL is SOKT_INN",
		func(c clock) Input { return input(c, arena.StatusAktuell, nil, nil, nil) },
		func(c clock) Result { return res(amt.SoktInn, nil) }},
	{"S2 FEILREG is FEILREGISTRERT",
		func(c clock) Input { return input(c, arena.StatusFeilreg, nil, nil, nil) },
		func(c clock) Result { return res(amt.Feilregistrert, nil) }},
	{"S3 AVSLAG is IKKE_AKTUELL",
		func(c clock) Input { return input(c, arena.StatusAvslag, nil, nil, nil) },
		func(c clock) Result { return res(amt.IkkeAktuell, nil) }},
	{"S4 DELAVB without dates is IKKE_AKTUELL",
		func(c clock) Input { return input(c, arena.StatusDelavb, nil, nil, nil) },
		func(c clock) Result { return res(amt.IkkeAktuell, nil) }},
	{"S5 DELAVB changed after start is HAR_SLUTTET at the change",
		func(c clock) Input { return input(c, arena.StatusDelavb, c.day(-2), nil, c.at(-1, 0, 0)) },
		func(c clock) Result { return res(amt.HarSluttet, c.at(-1, 0, 0)) }},
	{"S6 DELAVB changed before start is IKKE_AKTUELL",
		func(c clock) Input { return input(c, arena.StatusDelavb, c.day(-1), nil, c.at(-2, 0, 0)) },
		func(c clock) Result { return res(amt.IkkeAktuell, c.at(-2, 0, 0)) }},
	{"S7 DELAVB starting tomorrow without change date is IKKE_AKTUELL",
		func(c clock) Input { return input(c, arena.StatusDelavb, c.day(1), nil, nil) },
		func(c clock) Result { return res(amt.IkkeAktuell, nil) }},
	{"S8 FULLF without dates is IKKE_AKTUELL",
		func(c clock) Input { return input(c, arena.StatusFullf, nil, nil, nil) },
		func(c clock) Result { return res(amt.IkkeAktuell, nil) }},
	{"S9 FULLF changed after start is HAR_SLUTTET at the change",
		func(c clock) Input { return input(c, arena.StatusFullf, c.day(-2), nil, c.at(-1, 13, 30)) },
		func(c clock) Result { return res(amt.HarSluttet, c.at(-1, 13, 30)) }},
	{"S10 FULLF changed before start is IKKE_AKTUELL at the change",
		func(c clock) Input { return input(c, arena.StatusFullf, c.day(-1), nil, c.at(-2, 13, 30)) },
		func(c clock) Result { return res(amt.IkkeAktuell, c.at(-2, 13, 30)) }},
	{"S11 FULLF starting tomorrow is IKKE_AKTUELL",
		func(c clock) Input { return input(c, arena.StatusFullf, c.day(1), nil, nil) },
		func(c clock) Result { return res(amt.IkkeAktuell, nil) }},
	{"S12 FULLF changed after the end date ends at the end date",
		func(c clock) Input { return input(c, arena.StatusFullf, c.day(-1), c.day(0), c.at(0, 12, 30)) },
		func(c clock) Result { return res(amt.HarSluttet, c.at(0, 0, 0)) }},
	{"S13 GJENN without dates is VENTER_PA_OPPSTART",
		func(c clock) Input { return input(c, arena.StatusGjenn, nil, nil, nil) },
		func(c clock) Result { return res(amt.VenterPaOppstart, nil) }},
	{"S14 GJENN started is DELTAR from the start date",
		func(c clock) Input { return input(c, arena.StatusGjenn, c.day(-2), nil, c.at(-1, 12, 30)) },
		func(c clock) Result { return res(amt.Deltar, c.at(-2, 0, 0)) }},
	{"S15 GJENN starting later is VENTER_PA_OPPSTART at the change",
		func(c clock) Input { return input(c, arena.StatusGjenn, c.day(3), nil, c.at(1, 10, 30)) },
		func(c clock) Result { return res(amt.VenterPaOppstart, c.at(1, 10, 30)) }},
	{"S16 GJENN with start and end passed is HAR_SLUTTET at the end date",
		func(c clock) Input { return input(c, arena.StatusGjenn, c.day(-2), c.day(-1), nil) },
		func(c clock) Result { return res(amt.HarSluttet, c.at(-1, 0, 0)) }},
	{"S17 GJENN started and not ended is DELTAR from the start date",
		func(c clock) Input { return input(c, arena.StatusGjenn, c.day(-1), c.day(2), c.at(1, 10, 20)) },
		func(c clock) Result { return res(amt.Deltar, c.at(-1, 0, 0)) }},
	{"S18 GJENN ended yesterday is HAR_SLUTTET at the end date",
		func(c clock) Input { return input(c, arena.StatusGjenn, c.day(-2), c.day(-1), c.at(0, 10, 20)) },
		func(c clock) Result { return res(amt.HarSluttet, c.at(-1, 0, 0)) }},
	{"S19 GJENN_AVB without dates is IKKE_AKTUELL",
		func(c clock) Input { return input(c, arena.StatusGjennAvb, nil, nil, nil) },
		func(c clock) Result { return res(amt.IkkeAktuell, nil) }},
	{"S20 GJENN_AVB changed after start is HAR_SLUTTET",
		func(c clock) Input { return input(c, arena.StatusGjennAvb, c.day(-2), nil, c.at(-1, 0, 0)) },
		func(c clock) Result { return res(amt.HarSluttet, c.at(-1, 0, 0)) }},
	{"S21 GJENN_AVB changed before start is IKKE_AKTUELL",
		func(c clock) Input { return input(c, arena.StatusGjennAvb, c.day(-1), nil, c.at(-2, 0, 0)) },
		func(c clock) Result { return res(amt.IkkeAktuell, c.at(-2, 0, 0)) }},
	{"S22 GJENN_AVB starting tomorrow is IKKE_AKTUELL",
		func(c clock) Input { return input(c, arena.StatusGjennAvb, c.day(1), nil, nil) },
		func(c clock) Result { return res(amt.IkkeAktuell, nil) }},
	{"S23 GJENN_AVL without dates is IKKE_AKTUELL",
		func(c clock) Input { return input(c, arena.StatusGjennAvl, nil, nil, nil) },
		func(c clock) Result { return res(amt.IkkeAktuell, nil) }},
	{"S24 GJENN_AVL changed after start is HAR_SLUTTET",
		func(c clock) Input { return input(c, arena.StatusGjennAvl, c.day(-2), nil, c.at(-1, 0, 0)) },
		func(c clock) Result { return res(amt.HarSluttet, c.at(-1, 0, 0)) }},
	{"S25 GJENN_AVL changed before start is IKKE_AKTUELL",
		func(c clock) Input { return input(c, arena.StatusGjennAvl, c.day(-1), nil, c.at(-2, 0, 0)) },
		func(c clock) Result { return res(amt.IkkeAktuell, c.at(-2, 0, 0)) }},
	{"S26 GJENN_AVL starting tomorrow is IKKE_AKTUELL",
		func(c clock) Input { return input(c, arena.StatusGjennAvl, c.day(1), nil, nil) },
		func(c clock) Result { return res(amt.IkkeAktuell, nil) }},
	{"S27 IKKAKTUELL changed on another day than registration is IKKE_AKTUELL",
		func(c clock) Input { return input(c, arena.StatusIkkaktuell, c.day(-4), c.day(-2), c.at(-6, 0, 0)) },
		func(c clock) Result { return res(amt.IkkeAktuell, c.at(-6, 0, 0)) }},
	{"S28 IKKAKTUELL changed on the registration day is FEILREGISTRERT",
		func(c clock) Input { return input(c, arena.StatusIkkaktuell, nil, nil, &c.now) },
		func(c clock) Result { return res(amt.Feilregistrert, &c.now) }},
	{"S29 IKKEM without dates is IKKE_AKTUELL",
		func(c clock) Input { return input(c, arena.StatusIkkem, nil, nil, nil) },
		func(c clock) Result { return res(amt.IkkeAktuell, nil) }},
	{"S30 IKKEM changed after start is HAR_SLUTTET",
		func(c clock) Input { return input(c, arena.StatusIkkem, c.day(-2), nil, c.at(-1, 0, 0)) },
		func(c clock) Result { return res(amt.HarSluttet, c.at(-1, 0, 0)) }},
	{"S31 IKKEM changed before start is IKKE_AKTUELL",
		func(c clock) Input { return input(c, arena.StatusIkkem, c.day(-1), nil, c.at(-2, 0, 0)) },
		func(c clock) Result { return res(amt.IkkeAktuell, c.at(-2, 0, 0)) }},
	{"S32 IKKEM starting tomorrow is IKKE_AKTUELL",
		func(c clock) Input { return input(c, arena.StatusIkkem, c.day(1), nil, nil) },
		func(c clock) Result { return res(amt.IkkeAktuell, nil) }},
	{"S33 INFOMOETE is VURDERES",
		func(c clock) Input { return input(c, arena.StatusInfomoete, nil, nil, nil) },
		func(c clock) Result { return res(amt.Vurderes, nil) }},
	{"S34 JATAKK without dates is VENTER_PA_OPPSTART",
		func(c clock) Input { return input(c, arena.StatusJatakk, nil, nil, nil) },
		func(c clock) Result { return res(amt.VenterPaOppstart, nil) }},
	{"S35 JATAKK started is DELTAR",
		func(c clock) Input { return input(c, arena.StatusJatakk, c.day(-1), nil, nil) },
		func(c clock) Result { return res(amt.Deltar, c.at(-1, 0, 0)) }},
	{"S36 JATAKK starting tomorrow is VENTER_PA_OPPSTART",
		func(c clock) Input { return input(c, arena.StatusJatakk, c.day(1), nil, nil) },
		func(c clock) Result { return res(amt.VenterPaOppstart, nil) }},
	{"S37 JATAKK ended is HAR_SLUTTET",
		func(c clock) Input { return input(c, arena.StatusJatakk, c.day(-2), c.day(-1), nil) },
		func(c clock) Result { return res(amt.HarSluttet, c.at(-1, 0, 0)) }},
	{"S38 JATAKK between start and end is DELTAR",
		func(c clock) Input { return input(c, arena.StatusJatakk, c.day(-1), c.day(1), nil) },
		func(c clock) Result { return res(amt.Deltar, c.at(-1, 0, 0)) }},
	{"S39 NEITAKK is IKKE_AKTUELL",
		func(c clock) Input { return input(c, arena.StatusNeitakk, nil, nil, nil) },
		func(c clock) Result { return res(amt.IkkeAktuell, nil) }},
	{"S40 TILBUD without dates is VENTER_PA_OPPSTART",
		func(c clock) Input { return input(c, arena.StatusTilbud, nil, nil, nil) },
		func(c clock) Result { return res(amt.VenterPaOppstart, nil) }},
	{"S41 TILBUD started is DELTAR",
		func(c clock) Input { return input(c, arena.StatusTilbud, c.day(-1), nil, nil) },
		func(c clock) Result { return res(amt.Deltar, c.at(-1, 0, 0)) }},
	{"S42 TILBUD starting tomorrow is VENTER_PA_OPPSTART",
		func(c clock) Input { return input(c, arena.StatusTilbud, c.day(1), nil, nil) },
		func(c clock) Result { return res(amt.VenterPaOppstart, nil) }},
	{"S43 TILBUD ended is HAR_SLUTTET",
		func(c clock) Input { return input(c, arena.StatusTilbud, c.day(-2), c.day(-1), nil) },
		func(c clock) Result { return res(amt.HarSluttet, c.at(-1, 0, 0)) }},
	{"S44 TILBUD between start and end is DELTAR",
		func(c clock) Input { return input(c, arena.StatusTilbud, c.day(-1), c.day(1), nil) },
		func(c clock) Result { return res(amt.Deltar, c.at(-1, 0, 0)) }},
	{"S45 VENTELISTE is VENTELISTE",
		func(c clock) Input { return input(c, arena.StatusVenteliste, nil, nil, nil) },
		func(c clock) Result { return res(amt.Venteliste, nil) }},
	{"S46 kurs VENTELISTE is VENTELISTE",
		func(c clock) Input {
			return kurs(c, arena.StatusVenteliste, c.day(0), nil, &c.now, c.day(0), Gjennomfores)
		},
		func(c clock) Result { return res(amt.Venteliste, &c.now) }},
	{"S47 kurs AKTUELL is SOKT_INN also when the gjennomføring status is AVSLUTTET",
		func(c clock) Input { return kurs(c, arena.StatusAktuell, c.day(0), nil, &c.now, c.day(0), Avsluttet) },
		func(c clock) Result { return res(amt.SoktInn, &c.now) }},
	{"S48 kurs TILBUD ended before the gjennomføring is AVBRUTT",
		func(c clock) Input {
			return kurs(c, arena.StatusTilbud, c.day(-4), c.day(-3), c.nowPlus(-5), c.day(0), Avsluttet)
		},
		func(c clock) Result { return res(amt.Avbrutt, c.at(-3, 0, 0)) }},
	{"S49 kurs TILBUD ended with the gjennomføring is FULLFORT",
		func(c clock) Input {
			return kurs(c, arena.StatusTilbud, c.day(-4), c.day(-3), c.nowPlus(-5), c.day(-3), Avsluttet)
		},
		func(c clock) Result { return res(amt.Fullfort, c.at(-3, 0, 0)) }},
	{"S50 kurs TILBUD starting tomorrow is VENTER_PA_OPPSTART",
		func(c clock) Input {
			return kurs(c, arena.StatusTilbud, c.day(1), c.day(3), &c.now, c.day(3), Avsluttet)
		},
		func(c clock) Result { return res(amt.VenterPaOppstart, &c.now) }},
	{"S51 kurs FULLF changed at the end is FULLFORT at the end date",
		func(c clock) Input {
			return kurs(c, arena.StatusFullf, c.day(1), c.day(3), c.nowPlus(3), c.day(3), Avsluttet)
		},
		func(c clock) Result { return res(amt.Fullfort, c.at(3, 0, 0)) }},
	{"S52 kurs FULLF ended before the gjennomføring is still FULLFORT",
		func(c clock) Input {
			return kurs(c, arena.StatusFullf, c.day(1), c.day(2), c.nowPlus(2), c.day(3), Gjennomfores)
		},
		func(c clock) Result { return res(amt.Fullfort, c.at(2, 0, 0)) }},
	{"S53 kurs DELAVB is AVBRUTT at the end date",
		func(c clock) Input {
			return kurs(c, arena.StatusDelavb, c.day(1), c.day(2), c.nowPlus(2), c.day(3), Avsluttet)
		},
		func(c clock) Result { return res(amt.Avbrutt, c.at(2, 0, 0)) }},
	{"S54 kurs DELAVB changed before the end date is AVBRUTT at the change",
		func(c clock) Input {
			return kurs(c, arena.StatusDelavb, c.day(1), c.day(4), c.nowPlus(2), c.day(3), Avsluttet)
		},
		func(c clock) Result { return res(amt.Avbrutt, c.nowPlus(2)) }},
	{"S55 kurs FULLF ending tomorrow is FULLFORT at the end date",
		func(c clock) Input {
			return kurs(c, arena.StatusFullf, c.day(1), c.day(1), c.nowPlus(1), c.day(1), Avsluttet)
		},
		func(c clock) Result { return res(amt.Fullfort, c.at(1, 0, 0)) }},
}

// enkeltplass is the default Input of the enkeltplass table: registered
// now, no status change date, gjennomføring over and ending today.
func enkeltplass(c clock, status arena.DeltakerStatus, erEnkeltplass bool, start, slutt *civil.Date, gjStatus GjennomforingStatus) Input {
	in := input(c, status, start, slutt, nil)
	in.Enkeltplass = erEnkeltplass
	in.GjennomforingAvsluttet = true
	in.GjennomforingStatus = gjStatus
	return in
}

// enkeltplassCases are the original's 17 cases of the "gjennomføring is
// over" rule and its enkeltplass exception.
var enkeltplassCases = []statusCase{
	{"E1 GJENN on an ended gjennomføring is overridden to IKKE_AKTUELL",
		func(c clock) Input { return enkeltplass(c, arena.StatusGjenn, false, nil, nil, Avsluttet) },
		func(c clock) Result { return res(amt.IkkeAktuell, nil) }},
	{"E2 started GJENN on an ended gjennomføring is overridden to IKKE_AKTUELL",
		func(c clock) Input { return enkeltplass(c, arena.StatusGjenn, false, c.day(-1), nil, Avsluttet) },
		func(c clock) Result { return res(amt.IkkeAktuell, nil) }},
	{"E3 AKTUELL on an ended gjennomføring is overridden to IKKE_AKTUELL",
		func(c clock) Input { return enkeltplass(c, arena.StatusAktuell, false, nil, nil, Avsluttet) },
		func(c clock) Result { return res(amt.IkkeAktuell, nil) }},
	{"E4 enkeltplass GJENN on an AVSLUTTET gjennomføring keeps VENTER_PA_OPPSTART",
		func(c clock) Input { return enkeltplass(c, arena.StatusGjenn, true, nil, nil, Avsluttet) },
		func(c clock) Result { return res(amt.VenterPaOppstart, nil) }},
	{"E5 started enkeltplass GJENN on an AVSLUTTET gjennomføring keeps DELTAR",
		func(c clock) Input { return enkeltplass(c, arena.StatusGjenn, true, c.day(-1), nil, Avsluttet) },
		func(c clock) Result { return res(amt.Deltar, c.at(-1, 0, 0)) }},
	{"E6 enkeltplass AKTUELL needing approval is overridden to IKKE_AKTUELL",
		func(c clock) Input {
			in := enkeltplass(c, arena.StatusAktuell, true, nil, nil, Avsluttet)
			in.KreverGodkjenning = true
			return in
		},
		func(c clock) Result { return res(amt.IkkeAktuell, nil) }},
	{"E7 enkeltplass INFOMOETE is overridden to IKKE_AKTUELL",
		func(c clock) Input { return enkeltplass(c, arena.StatusInfomoete, true, nil, nil, Avsluttet) },
		func(c clock) Result { return res(amt.IkkeAktuell, nil) }},
	{"E8 enkeltplass GJENN between start and end keeps DELTAR",
		func(c clock) Input { return enkeltplass(c, arena.StatusGjenn, true, c.day(-2), c.day(2), Avsluttet) },
		func(c clock) Result { return res(amt.Deltar, c.at(-2, 0, 0)) }},
	{"E9 enkeltplass VENTELISTE is overridden to IKKE_AKTUELL",
		func(c clock) Input { return enkeltplass(c, arena.StatusVenteliste, true, nil, nil, Avsluttet) },
		func(c clock) Result { return res(amt.IkkeAktuell, nil) }},
	{"E10 enkeltplass GJENN whose end passed is HAR_SLUTTET",
		func(c clock) Input { return enkeltplass(c, arena.StatusGjenn, true, c.day(-2), c.day(-1), Avsluttet) },
		func(c clock) Result { return res(amt.HarSluttet, c.at(-1, 0, 0)) }},
	{"E11 ended GJENN is already ending and not overridden",
		func(c clock) Input { return enkeltplass(c, arena.StatusGjenn, false, c.day(-2), c.day(-1), Avsluttet) },
		func(c clock) Result { return res(amt.HarSluttet, c.at(-1, 0, 0)) }},
	{"E12 started enkeltplass GJENN keeps DELTAR (as E5)",
		func(c clock) Input { return enkeltplass(c, arena.StatusGjenn, true, c.day(-1), nil, Avsluttet) },
		func(c clock) Result { return res(amt.Deltar, c.at(-1, 0, 0)) }},
	{"E13 started GJENN that is not enkeltplass is overridden (as E2)",
		func(c clock) Input { return enkeltplass(c, arena.StatusGjenn, false, c.day(-1), nil, Avsluttet) },
		func(c clock) Result { return res(amt.IkkeAktuell, nil) }},
	{"E14 enkeltplass GJENN on an AVBRUTT gjennomføring is overridden",
		func(c clock) Input { return enkeltplass(c, arena.StatusGjenn, true, c.day(-1), nil, Avbrutt) },
		func(c clock) Result { return res(amt.IkkeAktuell, nil) }},
	{"E15 enkeltplass GJENN on an AVLYST gjennomføring is overridden",
		func(c clock) Input { return enkeltplass(c, arena.StatusGjenn, true, c.day(-1), nil, Avlyst) },
		func(c clock) Result { return res(amt.IkkeAktuell, nil) }},
	{"E16 enkeltplass JATAKK gets no exception and is overridden",
		func(c clock) Input { return enkeltplass(c, arena.StatusJatakk, true, c.day(-1), nil, Avsluttet) },
		func(c clock) Result { return res(amt.IkkeAktuell, nil) }},
	{"E17 enkeltplass TILBUD gets no exception and is overridden",
		func(c clock) Input { return enkeltplass(c, arena.StatusTilbud, true, c.day(-1), nil, Avsluttet) },
		func(c clock) Result { return res(amt.IkkeAktuell, nil) }},
}

func runStatusCases(t *testing.T, cases []statusCase) {
	for _, c := range cases {
		for _, clk := range clocks {
			t.Run(fmt.Sprintf("%s at %s", c.name, clk.now), func(t *testing.T) {
				t.Parallel()
				require.Equal(t, c.want(clk), Convert(c.in(clk), clk.T))
			})
		}
	}
}

func TestConvert(t *testing.T) {
	t.Parallel()
	require.Len(t, statusCases, 55)
	runStatusCases(t, statusCases)
}

func TestConvertEnkeltplass(t *testing.T) {
	t.Parallel()
	require.Len(t, enkeltplassCases, 17)
	runStatusCases(t, enkeltplassCases)
}

func TestConvertStartingTodayIsDeltar(t *testing.T) {
	t.Parallel()
	c := clocks[0]
	require.Equal(t, res(amt.Deltar, c.at(0, 0, 0)), Convert(input(c, arena.StatusGjenn, c.day(0), nil, nil), c.T))
}

func TestGjennomforingStatusAvsluttet(t *testing.T) {
	t.Parallel()
	require.False(t, Gjennomfores.Avsluttet())
	require.False(t, GjennomforingStatus("").Avsluttet())
	require.True(t, Avsluttet.Avsluttet())
	require.True(t, Avbrutt.Avsluttet())
	require.True(t, Avlyst.Avsluttet())
}

func TestAarsak(t *testing.T) {
	t.Parallel()
	a := func(s amt.StatusAarsak) *amt.StatusAarsak { return &s }
	ar := func(s arena.Aarsak) *arena.Aarsak { return &s }
	// The original's 9 cases (its numbers 40–48).
	cases := []struct {
		name                   string
		arenaStatus            arena.DeltakerStatus
		amtStatus              amt.Status
		arenaAarsak            *arena.Aarsak
		gjennomforingAvsluttet bool
		want                   *amt.StatusAarsak
	}{
		{"40 Arena reason SYK maps to SYK", arena.StatusNeitakk, amt.HarSluttet, ar(arena.AarsakSyk), false, a(amt.AarsakSyk)},
		{"41 FULLF with an unmapped reason has none", arena.StatusFullf, amt.HarSluttet, ar(arena.AarsakUtv), false, nil},
		{"42 IKKEM is IKKE_MOTT before any Arena reason", arena.StatusIkkem, amt.Fullfort, ar(arena.AarsakBega), false, a(amt.AarsakIkkeMott)},
		{"43 IKKAKTUELL with an unmapped reason is ANNET", arena.StatusIkkaktuell, amt.HarSluttet, ar(arena.AarsakUtv), false, a(amt.AarsakAnnet)},
		{"44 a status that does not end has no reason", arena.StatusIkkaktuell, amt.Deltar, ar(arena.AarsakSyk), false, nil},
		{"45 IKKEM with HENLU is IKKE_MOTT", arena.StatusIkkem, amt.HarSluttet, ar(arena.AarsakHenlu), false, a(amt.AarsakIkkeMott)},
		{"46 AVSLAG with an unmapped reason is FIKK_IKKE_PLASS", arena.StatusAvslag, amt.HarSluttet, ar(arena.AarsakHenlu), false, a(amt.AarsakFikkIkkePlass)},
		{"47 AVSLAG with SYK is SYK", arena.StatusAvslag, amt.HarSluttet, ar(arena.AarsakSyk), false, a(amt.AarsakSyk)},
		{"48 applicant on an ended gjennomføring did not get a place", arena.StatusInfomoete, amt.IkkeAktuell, ar(arena.AarsakSyk), true, a(amt.AarsakFikkIkkePlass)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, c.want, Aarsak(c.arenaStatus, c.amtStatus, c.arenaAarsak, c.gjennomforingAvsluttet))
		})
	}
}

func TestAarsakQuirksKept(t *testing.T) {
	t.Parallel()
	a := func(s amt.StatusAarsak) *amt.StatusAarsak { return &s }
	ar := func(s arena.Aarsak) *arena.Aarsak { return &s }
	cases := []struct {
		name        string
		arenaStatus arena.DeltakerStatus
		amtStatus   amt.Status
		arenaAarsak *arena.Aarsak
		want        *amt.StatusAarsak
	}{
		{"GJENN whose dates passed ends with ANNET", arena.StatusGjenn, amt.HarSluttet, nil, a(amt.AarsakAnnet)},
		{"FEILREG is ANNET", arena.StatusFeilreg, amt.Feilregistrert, nil, a(amt.AarsakAnnet)},
		{"FULLF with SYK keeps SYK", arena.StatusFullf, amt.Fullfort, ar(arena.AarsakSyk), a(amt.AarsakSyk)},
		{"BEGA is FATT_JOBB", arena.StatusDelavb, amt.HarSluttet, ar(arena.AarsakBega), a(amt.AarsakFattJobb)},
		{"FTOAT is TRENGER_ANNEN_STOTTE", arena.StatusDelavb, amt.Avbrutt, ar(arena.AarsakFtoat), a(amt.AarsakTrengerAnnenStotte)},
		{"GJENN_AVB is AVLYST_KONTRAKT", arena.StatusGjennAvb, amt.HarSluttet, nil, a(amt.AarsakAvlystKontrakt)},
		{"GJENN_AVL is AVLYST_KONTRAKT", arena.StatusGjennAvl, amt.IkkeAktuell, ar(arena.AarsakAnn), a(amt.AarsakAvlystKontrakt)},
		{"applicant on a running gjennomføring is ANNET", arena.StatusAktuell, amt.IkkeAktuell, nil, a(amt.AarsakAnnet)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, c.want, Aarsak(c.arenaStatus, c.amtStatus, c.arenaAarsak, false))
		})
	}
}

func TestConvertChangeAtStartMidnightIsNotAfterStart(t *testing.T) {
	t.Parallel()
	// S55 run at exactly 00:00: the status change (now + 1 day) equals the
	// start at 00:00, is not after it, and FULLF reads as never started.
	c := clock{now: civil.DateTimeOf(2026, 10, 25, 0, 0, 0, 0), T: civil.DateOf(2026, 10, 25)}
	in := kurs(c, arena.StatusFullf, c.day(1), c.day(1), c.nowPlus(1), c.day(1), Avsluttet)
	require.Equal(t, res(amt.IkkeAktuell, c.nowPlus(1)), Convert(in, c.T))
}
