package arena

import (
	"strconv"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/javafloat"
)

// Field types follow Arena's columns as the Kotlin original typed them:
// int64 is a long that reads null as 0, *int64 a nullable long, *int32 a
// nullable int, string a required text, *string a nullable text and
// *javafloat.Float a nullable float. Dates are kept as Arena's text; read
// them with ParseDate and ParseDateTime where a rule needs them.
//
// Field order is Arena's, and it is the order Encode writes.

// Deltaker is a row of SIAMO.TILTAKDELTAKER: one person's enrolment on a
// gjennomføring.
type Deltaker struct {
	TiltakdeltakerID int64 `json:"TILTAKDELTAKER_ID"`
	DeltakerFields
}

// HistDeltaker is a row of SIAMO.HIST_TILTAKDELTAKER: an archived enrolment.
// Arena moves a deltaker here when the person is enrolled on the same
// gjennomføring again.
type HistDeltaker struct {
	HistTiltakdeltakerID int64 `json:"HIST_TILTAKDELTAKER_ID"`
	DeltakerFields
}

// DeltakerFields are the columns TILTAKDELTAKER and HIST_TILTAKDELTAKER share.
type DeltakerFields struct {
	PersonID                    *int64           `json:"PERSON_ID"`
	TiltakgjennomforingID       int64            `json:"TILTAKGJENNOMFORING_ID"`
	Deltakerstatuskode          string           `json:"DELTAKERSTATUSKODE"`
	Deltakertypekode            *string          `json:"DELTAKERTYPEKODE"`
	AarsakverdikodeStatus       *string          `json:"AARSAKVERDIKODE_STATUS"`
	Oppmotetypekode             *string          `json:"OPPMOTETYPEKODE"`
	Prioritet                   *int32           `json:"PRIORITET"`
	BegrunnelseInnsokt          *string          `json:"BEGRUNNELSE_INNSOKT"`
	BegrunnelsePrioritering     *string          `json:"BEGRUNNELSE_PRIORITERING"`
	RegDato                     string           `json:"REG_DATO"`
	RegUser                     *string          `json:"REG_USER"`
	ModDato                     string           `json:"MOD_DATO"`
	ModUser                     *string          `json:"MOD_USER"`
	DatoSvarfrist               *string          `json:"DATO_SVARFRIST"`
	DatoFra                     *string          `json:"DATO_FRA"`
	DatoTil                     *string          `json:"DATO_TIL"`
	BegrunnelseStatus           *string          `json:"BEGRUNNELSE_STATUS"`
	ProsentDeltid               *javafloat.Float `json:"PROSENT_DELTID"`
	BrukeridStatusendring       string           `json:"BRUKERID_STATUSENDRING"`
	DatoStatusendring           *string          `json:"DATO_STATUSENDRING"`
	AktivitetID                 int64            `json:"AKTIVITET_ID"`
	BrukeridEndringPrioritering *string          `json:"BRUKERID_ENDRING_PRIORITERING"`
	DatoEndringPrioritering     *string          `json:"DATO_ENDRING_PRIORITERING"`
	DokumentkodeSisteBrev       *string          `json:"DOKUMENTKODE_SISTE_BREV"`
	StatusInnsokPakke           *string          `json:"STATUS_INNSOK_PAKKE"`
	StatusOpptakPakke           *string          `json:"STATUS_OPPTAK_PAKKE"`
	OpplysningerInnsok          *string          `json:"OPPLYSNINGER_INNSOK"`
	Partisjon                   *int32           `json:"PARTISJON"`
	BegrunnelseBestilling       *string          `json:"BEGRUNNELSE_BESTILLING"`
	AntallDagerPrUke            *javafloat.Float `json:"ANTALL_DAGER_PR_UKE"`
	// EksternID, when not empty, is the UUID of a deltaker that Komet
	// (amt-deltaker) owns.
	EksternID *string `json:"EKSTERN_ID"`
}

// Gjennomforing is a row of SIAMO.TILTAKGJENNOMFORING: one run of a
// programme.
type Gjennomforing struct {
	TiltakgjennomforingID        int64            `json:"TILTAKGJENNOMFORING_ID"`
	SakID                        *int64           `json:"SAK_ID"`
	Tiltakskode                  string           `json:"TILTAKSKODE"`
	AntallDeltakere              *int32           `json:"ANTALL_DELTAKERE"`
	AntallVarighet               *int32           `json:"ANTALL_VARIGHET"`
	DatoFra                      *string          `json:"DATO_FRA"`
	DatoTil                      *string          `json:"DATO_TIL"`
	Fagplankode                  *string          `json:"FAGPLANKODE"`
	MaaleenhetVarighet           *string          `json:"MAALEENHET_VARIGHET"`
	TekstFagbeskrivelse          *string          `json:"TEKST_FAGBESKRIVELSE"`
	TekstKurssted                *string          `json:"TEKST_KURSSTED"`
	TekstMaalgruppe              *string          `json:"TEKST_MAALGRUPPE"`
	StatusTreverdikodeInnsokning *string          `json:"STATUS_TREVERDIKODE_INNSOKNING"`
	RegDato                      *string          `json:"REG_DATO"`
	RegUser                      *string          `json:"REG_USER"`
	ModDato                      *string          `json:"MOD_DATO"`
	ModUser                      *string          `json:"MOD_USER"`
	Lokaltnavn                   *string          `json:"LOKALTNAVN"`
	Tiltakstatuskode             *string          `json:"TILTAKSTATUSKODE"`
	ProsentDeltid                *javafloat.Float `json:"PROSENT_DELTID"`
	Kommentar                    *string          `json:"KOMMENTAR"`
	ArbgivIDArrangor             *int64           `json:"ARBGIV_ID_ARRANGOR"`
	ProfilelementIDGeografi      *string          `json:"PROFILELEMENT_ID_GEOGRAFI"`
	KlokketidFremmote            *string          `json:"KLOKKETID_FREMMOTE"`
	DatoFremmote                 *string          `json:"DATO_FREMMOTE"`
	BegrunnelseStatus            *string          `json:"BEGRUNNELSE_STATUS"`
	AvtaleID                     *int64           `json:"AVTALE_ID"`
	AktivitetID                  *int64           `json:"AKTIVITET_ID"`
	DatoInnsokningstart          *string          `json:"DATO_INNSOKNINGSTART"`
	GmlFraDato                   *string          `json:"GML_FRA_DATO"`
	GmlTilDato                   *string          `json:"GML_TIL_DATO"`
	AetatFremmotereg             *string          `json:"AETAT_FREMMOTEREG"`
	AetatKonteringssted          *string          `json:"AETAT_KONTERINGSSTED"`
	Opplaeringnivaakode          *string          `json:"OPPLAERINGNIVAAKODE"`
	TiltakgjennomforingIDRel     *string          `json:"TILTAKGJENNOMFORING_ID_REL"`
	VurderingGjennomforing       *string          `json:"VURDERING_GJENNOMFORING"`
	ProfilelementIDOpplTiltak    *string          `json:"PROFILELEMENT_ID_OPPL_TILTAK"`
	DatoOppfolgingOK             *string          `json:"DATO_OPPFOLGING_OK"`
	Partisjon                    *int64           `json:"PARTISJON"`
	MaalformKravbrev             *string          `json:"MAALFORM_KRAVBREV"`
}

func (d *Deltaker) ArenaID() string { return strconv.FormatInt(d.TiltakdeltakerID, 10) }
func (d *Deltaker) Table() Table    { return TableDeltaker }

func (d *HistDeltaker) ArenaID() string { return strconv.FormatInt(d.HistTiltakdeltakerID, 10) }
func (d *HistDeltaker) Table() Table    { return TableHistDeltaker }

func (g *Gjennomforing) ArenaID() string { return strconv.FormatInt(g.TiltakgjennomforingID, 10) }
func (g *Gjennomforing) Table() Table    { return TableGjennomforing }

// IsValid tells whether Arena's gjennomføring is complete enough for its
// deltakere to be handled: SAK_ID, ARBGIV_ID_ARRANGOR, LOKALTNAVN,
// TILTAKSTATUSKODE and REG_DATO are present, REG_DATO reads as a date-time
// and DATO_FRA and DATO_TIL, when present, read as dates. Deltakere on an
// invalid gjennomføring wait (WAITING) for a valid version of it.
func (g *Gjennomforing) IsValid() bool {
	if g.SakID == nil || g.ArbgivIDArrangor == nil || g.Lokaltnavn == nil ||
		g.Tiltakstatuskode == nil || g.RegDato == nil {
		return false
	}
	if _, err := ParseDateTime("REG_DATO", *g.RegDato); err != nil {
		return false
	}
	for _, f := range []struct {
		name  string
		value *string
	}{{"DATO_FRA", g.DatoFra}, {"DATO_TIL", g.DatoTil}} {
		if f.value == nil {
			continue
		}
		if _, err := ParseDate(f.name, *f.value); err != nil {
			return false
		}
	}
	return true
}

// newRecord returns an empty record of table t.
func newRecord(t Table) Record {
	switch t {
	case TableGjennomforing:
		return &Gjennomforing{}
	case TableDeltaker:
		return &Deltaker{}
	case TableHistDeltaker:
		return &HistDeltaker{}
	}
	return nil
}

// idField is the JSON name of table t's row id.
func idField(t Table) string {
	switch t {
	case TableGjennomforing:
		return "TILTAKGJENNOMFORING_ID"
	case TableDeltaker:
		return "TILTAKDELTAKER_ID"
	case TableHistDeltaker:
		return "HIST_TILTAKDELTAKER_ID"
	}
	return ""
}
