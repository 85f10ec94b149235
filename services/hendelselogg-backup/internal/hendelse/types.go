package hendelse

// kind is how a field's JSON value is read and written.
type kind int

const (
	kUUID     kind = iota // "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", written in lower case
	kLong                 // a JSON integer that fits in 64 bits
	kInstant              // decimal epoch seconds (or an ISO-8601 string), written with 9 fraction digits
	kDuration             // decimal seconds (or an ISO-8601 duration), written with 9 fraction digits
	kString               // a JSON string
	kBruker               // {"type": BrukerType, "id": string, "sikkerhetsnivaa": string or null}
)

type field struct {
	name     string
	kind     kind
	nullable bool
}

// Type is one known event type.
type Type struct {
	Name   string // the hendelseType value
	fields []field
}

// common are the fields every event starts with, in the producer's order.
var common = []field{
	{name: "hendelseId", kind: kUUID},
	{name: "periodeId", kind: kUUID},
	{name: "arbeidssoekerId", kind: kLong},
	{name: "hendelseTidspunkt", kind: kInstant},
}

func newType(name string, extra ...field) *Type {
	fs := make([]field, 0, len(common)+len(extra))
	fs = append(append(fs, common...), extra...)
	return &Type{Name: name, fields: fs}
}

// The ten hendelseType values.
const (
	BekreftelseTilgjengelig                           = "bekreftelse.tilgjengelig"
	BekreftelseMeldingMottatt                         = "bekreftelse.melding_mottatt"
	LeveringsfristUtloept                             = "bekreftelse.leveringsfrist_utloept"
	RegisterGracePeriodeUtloept                       = "bekreftelse.register_grace_periode_utloept"
	RegisterGracePeriodeGjenstaaendeTid               = "bekreftelse.register_grace_periode_gjenstaaende_tid"
	RegisterGracePeriodeUtloeptEtterEksternInnsamling = "bekreftelse.register_grace_periode_utloept_etter_ekstern_innsamling"
	EksternGracePeriodeUtloept                        = "bekreftelse.ekstern_grace_periode_utloept"
	PeriodeAvsluttet                                  = "bekreftelse.periode_avsluttet"
	BaOmAaAvsluttePeriode                             = "bekreftelse.ba_om_aa_avslutte_periode"
	BekreftelsePaaVegneAvStartet                      = "bekreftelse.paa_vegne_av_startet"
)

var bekreftelseID = field{name: "bekreftelseId", kind: kUUID}
var kilde = field{name: "kilde", kind: kString, nullable: true}

// types are the known event types, in a fixed order.
var types = []*Type{
	newType(BekreftelseTilgjengelig, bekreftelseID, field{name: "gjelderFra", kind: kInstant}, field{name: "gjelderTil", kind: kInstant}),
	newType(BekreftelseMeldingMottatt, bekreftelseID),
	newType(LeveringsfristUtloept, bekreftelseID, field{name: "leveringsfrist", kind: kInstant}),
	newType(RegisterGracePeriodeUtloept, bekreftelseID, kilde),
	newType(RegisterGracePeriodeGjenstaaendeTid, bekreftelseID, field{name: "gjenstaandeTid", kind: kDuration}),
	newType(RegisterGracePeriodeUtloeptEtterEksternInnsamling, kilde),
	newType(EksternGracePeriodeUtloept, field{name: "paaVegneAvNamespace", kind: kString}, field{name: "paaVegneAvId", kind: kString}),
	newType(PeriodeAvsluttet),
	newType(BaOmAaAvsluttePeriode, field{name: "utfoertAv", kind: kBruker}, kilde),
	newType(BekreftelsePaaVegneAvStartet),
}

var byName = func() map[string]*Type {
	m := make(map[string]*Type, len(types))
	for _, t := range types {
		m[t.Name] = t
	}
	return m
}()

// TypeNames returns the ten hendelseType values.
func TypeNames() []string {
	out := make([]string, len(types))
	for i, t := range types {
		out[i] = t.Name
	}
	return out
}

// brukerTypes are the values of the BrukerType enum.
var brukerTypes = map[string]bool{"UDEFINERT": true, "UKJENT_VERDI": true, "SYSTEM": true, "SLUTTBRUKER": true, "VEILEDER": true}
