// Package arenatest builds Arena CDC messages as GoldenGate writes them, for
// tests, benchmarks and the traffic simulator.
//
// The builders start from the defaults the original's test message builder
// used — a deltaker in status GJENN registered and changed now (whole
// seconds), MOD_DATO 2015-09-07, a valid INDOPPFAG gjennomføring running from
// three days ago to three days ahead — and the caller changes what the case
// is about. Message wraps a row image in the envelope.
package arenatest

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/javafloat"
)

// ArenaTime formats t as an Arena date-time, yyyy-MM-dd HH:mm:ss, in Oslo.
func ArenaTime(t time.Time) string {
	return t.In(civil.Oslo).Format(time.DateTime)
}

// ArenaDate formats d as Arena writes a date: the day at 00:00:00.
func ArenaDate(d civil.Date) string { return d.String() + " 00:00:00" }

// Today is the Oslo date of now, plus days.
func Today(now time.Time, days int) civil.Date { return civil.Today(now).AddDays(days) }

// Ptr returns a pointer to v.
func Ptr[T any](v T) *T { return &v }

// smallest is the smallest positive float32, the original builder's
// default for PROSENT_DELTID and ANTALL_DAGER_PR_UKE.
var smallest = javafloat.Ptr(1.4e-45)

// DeltakerFields are the defaults of a (hist) deltaker row at time now.
func DeltakerFields(now time.Time, personID, gjennomforingID int64) arena.DeltakerFields {
	ts := ArenaTime(now.Truncate(time.Second))
	return arena.DeltakerFields{
		PersonID:              &personID,
		TiltakgjennomforingID: gjennomforingID,
		Deltakerstatuskode:    string(arena.StatusGjenn),
		Deltakertypekode:      Ptr("STRING_NOT_SET"),
		RegDato:               ts,
		ModDato:               "2015-09-07 00:00:00",
		ProsentDeltid:         smallest,
		BrukeridStatusendring: "STRING_NOT_SET",
		DatoStatusendring:     &ts,
		BegrunnelseBestilling: Ptr("Trenger hjelp med jobbsøking"),
		AntallDagerPrUke:      smallest,
	}
}

// Deltaker is a TILTAKDELTAKER row with the defaults.
func Deltaker(now time.Time, id, personID, gjennomforingID int64) *arena.Deltaker {
	return &arena.Deltaker{TiltakdeltakerID: id, DeltakerFields: DeltakerFields(now, personID, gjennomforingID)}
}

// HistDeltaker is a HIST_TILTAKDELTAKER row with the defaults, in status
// FULLF as the original's hist tests had it.
func HistDeltaker(now time.Time, histID, personID, gjennomforingID int64) *arena.HistDeltaker {
	f := DeltakerFields(now, personID, gjennomforingID)
	f.Deltakerstatuskode = string(arena.StatusFullf)
	return &arena.HistDeltaker{HistTiltakdeltakerID: histID, DeltakerFields: f}
}

// Gjennomforing is a valid TILTAKGJENNOMFORING row of programme code kode,
// running from three days before now to three days after.
func Gjennomforing(now time.Time, id int64, kode arena.Tiltakskode) *arena.Gjennomforing {
	return &arena.Gjennomforing{
		TiltakgjennomforingID: id,
		SakID:                 Ptr[int64](0),
		Tiltakskode:           string(kode),
		DatoFra:               Ptr(ArenaDate(Today(now, -3))),
		DatoTil:               Ptr(ArenaDate(Today(now, 3))),
		RegDato:               Ptr("2015-09-07 00:00:00"),
		Lokaltnavn:            Ptr("Testgjennomføring"),
		Tiltakstatuskode:      Ptr("GJENNOMFOR"),
		ArbgivIDArrangor:      Ptr[int64](68968),
	}
}

// OpType is GoldenGate's op_type of an operation.
func OpType(op arena.Operation) string {
	switch op {
	case arena.Created:
		return "I"
	case arena.Modified:
		return "U"
	case arena.Deleted:
		return "D"
	}
	return string(op)
}

// Message is the record value GoldenGate writes for a change of rec at
// position pos: the after image for an insert or update, the before image
// for a delete (and both for an update, as GoldenGate sends them).
func Message(op arena.Operation, pos string, rec arena.Record, now time.Time) []byte {
	var before, after arena.Record
	switch op {
	case arena.Created:
		after = rec
	case arena.Modified:
		before, after = rec, rec
	case arena.Deleted:
		before = rec
	}
	return Envelope(rec.Table(), OpType(op), pos, before, after, now)
}

// Envelope is a record value with the given parts; nil images are null.
func Envelope(table arena.Table, opType, pos string, before, after arena.Record, now time.Time) []byte {
	ts := now.In(civil.Oslo).Format("2006-01-02 15:04:05.000000")
	env := map[string]any{
		"table":      string(table),
		"op_type":    opType,
		"op_ts":      ts,
		"current_ts": ts,
		"pos":        pos,
		"before":     image(before),
		"after":      image(after),
	}
	b, err := json.Marshal(env)
	if err != nil {
		panic(fmt.Sprintf("arenatest: %v", err)) // only values that marshal
	}
	return b
}

func image(r arena.Record) json.RawMessage {
	if r == nil {
		return json.RawMessage("null")
	}
	b, err := arena.Encode(r)
	if err != nil {
		panic(fmt.Sprintf("arenatest: %v", err))
	}
	return b
}

// Pos is a GoldenGate position of n: 20 digits, zero-padded.
func Pos(n int64) string { return fmt.Sprintf("%020d", n) }
