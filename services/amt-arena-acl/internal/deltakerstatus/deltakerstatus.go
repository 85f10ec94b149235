// Package deltakerstatus converts an Arena deltaker's status to AMT's: the
// status with the date it took effect, and the reason for an ending status.
//
// Both are pure functions; "today" is an argument, because the result of
// the same Arena row changes as its dates pass (a re-processed old message
// can give another status than it first did). The pipeline passes the Oslo
// date at processing time.
package deltakerstatus

import (
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/amt"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
)

// GjennomforingStatus is a gjennomføring's status in Mulighetsrommet.
type GjennomforingStatus string

// The gjennomføring statuses. Mulighetsrommet's v2 API, which the pipeline
// reads, does not return one, so there it is always "" (unknown).
const (
	Gjennomfores GjennomforingStatus = "GJENNOMFORES"
	Avbrutt      GjennomforingStatus = "AVBRUTT"
	Avlyst       GjennomforingStatus = "AVLYST"
	Avsluttet    GjennomforingStatus = "AVSLUTTET"
)

// Avsluttet reports whether the gjennomføring is over: AVSLUTTET, AVBRUTT or
// AVLYST. This is Input.GjennomforingAvsluttet as the pipeline derives it.
func (s GjennomforingStatus) Avsluttet() bool {
	return s == Avsluttet || s == Avbrutt || s == Avlyst
}

// Input is what the status conversion reads.
type Input struct {
	ArenaStatus arena.DeltakerStatus
	// RegDato is REG_DATO, when the deltaker was registered.
	RegDato civil.DateTime
	// Start and Slutt are DATO_FRA and DATO_TIL.
	Start, Slutt *civil.Date
	// Endret is DATO_STATUSENDRING.
	Endret *civil.DateTime
	// GjennomforingSlutt is the gjennomføring's end date (always nil in
	// the pipeline, see GjennomforingStatus).
	GjennomforingSlutt *civil.Date
	// Enkeltplass: the gjennomføring's Arena code is a single-seat one.
	Enkeltplass bool
	// GjennomforingAvsluttet: the gjennomføring is over (see
	// GjennomforingStatus.Avsluttet). Passed on its own, as in the
	// original, so a caller may set it independently of
	// GjennomforingStatus.
	GjennomforingAvsluttet bool
	// GjennomforingStatus is "" when unknown.
	GjennomforingStatus GjennomforingStatus
	// KreverGodkjenning: the deltakelse goes through an approval process
	// (kurs, i.e. common start, or enkeltplass), which changes how ended
	// statuses read (FULLFORT and AVBRUTT instead of HAR_SLUTTET).
	KreverGodkjenning bool
}

// Result is an AMT status and the date it took effect (nil when unknown).
type Result struct {
	Status     amt.Status
	EndretDato *civil.DateTime
}

// Arena status groups.
func soktInn(s arena.DeltakerStatus) (amt.Status, bool) {
	switch s {
	case arena.StatusAktuell:
		return amt.SoktInn, true
	case arena.StatusInfomoete:
		return amt.Vurderes, true
	case arena.StatusVenteliste:
		return amt.Venteliste, true
	}
	return "", false
}

func gjennomforende(s arena.DeltakerStatus) bool {
	return s == arena.StatusGjenn || s == arena.StatusTilbud || s == arena.StatusJatakk
}

func avsluttende(s arena.DeltakerStatus) bool {
	switch s {
	case arena.StatusDelavb, arena.StatusFullf, arena.StatusGjennAvb, arena.StatusGjennAvl, arena.StatusIkkem:
		return true
	}
	return false
}

func ikkeAktuell(s arena.DeltakerStatus) bool {
	return s == arena.StatusIkkaktuell || s == arena.StatusAvslag || s == arena.StatusNeitakk
}

// Convert returns the AMT status of an Arena deltaker on date today.
//
// First match wins:
//
//  1. AKTUELL, INFOMOETE, VENTELISTE → SOKT_INN, VURDERES, VENTELISTE.
//  2. FEILREG → FEILREGISTRERT.
//  3. When KreverGodkjenning: GJENN/TILBUD/JATAKK whose dates have passed
//     and who ended before the gjennomføring → AVBRUTT, else as rule G;
//     FULLF → rule A; DELAVB, GJENN_AVB, GJENN_AVL, IKKEM → rule B;
//     IKKAKTUELL, AVSLAG, NEITAKK → rule I.
//  4. GJENN, TILBUD, JATAKK → rule G.
//  5. DELAVB, FULLF, GJENN_AVB, GJENN_AVL, IKKEM → rule A.
//  6. IKKAKTUELL, AVSLAG, NEITAKK → rule I.
//
// Rule G: start and end passed → FULLFORT (kreverGodkjenning) or
// HAR_SLUTTET at the end date; started (today or before) → DELTAR at the
// start date; else VENTER_PA_OPPSTART. Rule A: status changed after start →
// FULLFORT or HAR_SLUTTET, else IKKE_AKTUELL. Rule B: status changed after
// start → AVBRUTT, else IKKE_AKTUELL. Rule I: IKKAKTUELL changed on the
// registration day → FEILREGISTRERT, else IKKE_AKTUELL. An ended status
// from A or B takes effect at the end date when that had passed at the
// status change, else at the status change.
//
// Afterwards, a gjennomføring that is over turns any status that is not
// ending into IKKE_AKTUELL — except GJENN on an enkeltplass whose
// gjennomføring is AVSLUTTET, which keeps its status (Arena closes
// enkeltplass runs in batch while people still take part).
func Convert(in Input, today civil.Date) Result {
	r := convert(in, today)
	bypass := in.Enkeltplass && in.GjennomforingStatus == Avsluttet && in.ArenaStatus == arena.StatusGjenn
	if !bypass && in.GjennomforingAvsluttet && !r.Status.Avsluttende() {
		return Result{amt.IkkeAktuell, in.Endret}
	}
	return r
}

func convert(in Input, today civil.Date) Result {
	if s, ok := soktInn(in.ArenaStatus); ok {
		return Result{s, in.Endret}
	}
	if in.ArenaStatus == arena.StatusFeilreg {
		return Result{amt.Feilregistrert, in.Endret}
	}
	p := predicatesOf(in, today)
	if in.KreverGodkjenning {
		switch {
		case gjennomforende(in.ArenaStatus):
			if p.startPassert && p.sluttPassert && p.sluttetForTidlig {
				return Result{amt.Avbrutt, midnight(in.Slutt)}
			}
			return p.gjennomforende(in)
		case in.ArenaStatus == arena.StatusFullf:
			return p.avsluttende(in)
		case avsluttende(in.ArenaStatus):
			return p.avbrutt(in)
		case ikkeAktuell(in.ArenaStatus):
			return p.ikkeAktuell(in)
		}
	}
	switch {
	case gjennomforende(in.ArenaStatus):
		return p.gjennomforende(in)
	case avsluttende(in.ArenaStatus):
		return p.avsluttende(in)
	case ikkeAktuell(in.ArenaStatus):
		return p.ikkeAktuell(in)
	}
	// Unreachable for codes from arena.ParseDeltakerStatus, which rejects
	// unknown ones; IKKE_AKTUELL is the safe answer for any other.
	return Result{amt.IkkeAktuell, in.Endret}
}

// predicates are the date facts the rules read.
type predicates struct {
	startPassert      bool // start before today
	sluttPassert      bool // end before today
	starterIDag       bool // start is today
	endretEtterStart  bool // status changed after start 00:00
	sluttHaddePassert bool // end 00:00 before the status change
	sammeDagSomReg    bool // status changed on the registration day
	sluttetForTidlig  bool // ended before the gjennomføring's end
}

func predicatesOf(in Input, today civil.Date) predicates {
	var p predicates
	if in.Start != nil {
		p.startPassert = in.Start.Before(today)
		p.starterIDag = in.Start.Compare(today) == 0
		p.endretEtterStart = in.Endret != nil && in.Endret.After(in.Start.Midnight())
	}
	if in.Slutt != nil {
		p.sluttPassert = in.Slutt.Before(today)
		p.sluttHaddePassert = in.Endret != nil && in.Slutt.Midnight().Before(*in.Endret)
		p.sluttetForTidlig = in.GjennomforingSlutt != nil && in.Slutt.Before(*in.GjennomforingSlutt)
	}
	p.sammeDagSomReg = in.Endret != nil && in.Endret.Date().Compare(in.RegDato.Date()) == 0
	return p
}

// ended is FULLFORT for deltakelser that need approval, else HAR_SLUTTET.
func ended(in Input) amt.Status {
	if in.KreverGodkjenning {
		return amt.Fullfort
	}
	return amt.HarSluttet
}

// Rule G.
func (p predicates) gjennomforende(in Input) Result {
	switch {
	case p.startPassert && p.sluttPassert:
		return Result{ended(in), midnight(in.Slutt)}
	case p.starterIDag || p.startPassert:
		return Result{amt.Deltar, midnight(in.Start)}
	}
	return Result{amt.VenterPaOppstart, in.Endret}
}

// endedAt is when an ended status took effect.
func (p predicates) endedAt(in Input) *civil.DateTime {
	if p.sluttHaddePassert {
		return midnight(in.Slutt)
	}
	return in.Endret
}

// Rule A.
func (p predicates) avsluttende(in Input) Result {
	if p.endretEtterStart {
		return Result{ended(in), p.endedAt(in)}
	}
	return Result{amt.IkkeAktuell, in.Endret}
}

// Rule B.
func (p predicates) avbrutt(in Input) Result {
	if p.endretEtterStart {
		return Result{amt.Avbrutt, p.endedAt(in)}
	}
	return Result{amt.IkkeAktuell, in.Endret}
}

// Rule I.
func (p predicates) ikkeAktuell(in Input) Result {
	if in.ArenaStatus == arena.StatusIkkaktuell && p.sammeDagSomReg {
		return Result{amt.Feilregistrert, in.Endret}
	}
	return Result{amt.IkkeAktuell, in.Endret}
}

func midnight(d *civil.Date) *civil.DateTime {
	if d == nil {
		return nil
	}
	m := d.Midnight()
	return &m
}

// Aarsak returns the reason for AMT status amtStatus, or nil:
//
//  1. a status that does not end the deltakelse has no reason;
//  2. IKKEM → IKKE_MOTT;
//  3. AKTUELL, INFOMOETE, VENTELISTE on a gjennomføring that is over →
//     FIKK_IKKE_PLASS;
//  4. Arena's reason SYK → SYK, BEGA → FATT_JOBB, FTOAT →
//     TRENGER_ANNEN_STOTTE (HENLU, FRISM, ANN and UTV fall through);
//  5. FULLF → none; GJENN_AVB, GJENN_AVL → AVLYST_KONTRAKT; AVSLAG →
//     FIKK_IKKE_PLASS; anything else → ANNET.
//
// So a GJENN whose dates have passed ends with reason ANNET, and FULLF with
// SYK keeps SYK, as in the original.
func Aarsak(arenaStatus arena.DeltakerStatus, amtStatus amt.Status, arenaAarsak *arena.Aarsak, gjennomforingAvsluttet bool) *amt.StatusAarsak {
	a := func(s amt.StatusAarsak) *amt.StatusAarsak { return &s }
	switch {
	case !amtStatus.Avsluttende():
		return nil
	case arenaStatus == arena.StatusIkkem:
		return a(amt.AarsakIkkeMott)
	case gjennomforingAvsluttet && (arenaStatus == arena.StatusAktuell ||
		arenaStatus == arena.StatusInfomoete || arenaStatus == arena.StatusVenteliste):
		return a(amt.AarsakFikkIkkePlass)
	}
	if arenaAarsak != nil {
		switch *arenaAarsak {
		case arena.AarsakSyk:
			return a(amt.AarsakSyk)
		case arena.AarsakBega:
			return a(amt.AarsakFattJobb)
		case arena.AarsakFtoat:
			return a(amt.AarsakTrengerAnnenStotte)
		}
	}
	switch arenaStatus {
	case arena.StatusFullf:
		return nil
	case arena.StatusGjennAvb, arena.StatusGjennAvl:
		return a(amt.AarsakAvlystKontrakt)
	case arena.StatusAvslag:
		return a(amt.AarsakFikkIkkePlass)
	}
	return a(amt.AarsakAnnet)
}
