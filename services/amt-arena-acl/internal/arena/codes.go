package arena

import "fmt"

// DeltakerStatus is Arena's DELTAKERSTATUSKODE.
type DeltakerStatus string

// Arena's deltaker status codes, in the groups the status rules use.
const (
	// Applied, not yet decided ("søkt inn").
	StatusAktuell    DeltakerStatus = "AKTUELL"
	StatusInfomoete  DeltakerStatus = "INFOMOETE"
	StatusVenteliste DeltakerStatus = "VENTELISTE"
	// Taking part or about to ("gjennomførende").
	StatusGjenn  DeltakerStatus = "GJENN"
	StatusTilbud DeltakerStatus = "TILBUD"
	StatusJatakk DeltakerStatus = "JATAKK"
	// Ended ("avsluttende").
	StatusDelavb   DeltakerStatus = "DELAVB"
	StatusFullf    DeltakerStatus = "FULLF"
	StatusGjennAvb DeltakerStatus = "GJENN_AVB"
	StatusGjennAvl DeltakerStatus = "GJENN_AVL"
	StatusIkkem    DeltakerStatus = "IKKEM"
	// Never started ("ikke aktuell").
	StatusIkkaktuell DeltakerStatus = "IKKAKTUELL"
	StatusAvslag     DeltakerStatus = "AVSLAG"
	StatusNeitakk    DeltakerStatus = "NEITAKK"
	// Registered in error.
	StatusFeilreg DeltakerStatus = "FEILREG"
)

var deltakerStatuses = []DeltakerStatus{
	StatusDelavb, StatusFullf, StatusGjennAvb, StatusGjennAvl, StatusIkkem, StatusIkkaktuell,
	StatusAvslag, StatusNeitakk, StatusGjenn, StatusTilbud, StatusVenteliste, StatusAktuell,
	StatusJatakk, StatusInfomoete, StatusFeilreg,
}

// DeltakerStatuses lists every code.
func DeltakerStatuses() []DeltakerStatus { return append([]DeltakerStatus(nil), deltakerStatuses...) }

// ParseDeltakerStatus reads a DELTAKERSTATUSKODE. An unknown code is an
// ordinary error (the message is retried, as in the original), not a
// validation error.
func ParseDeltakerStatus(s string) (DeltakerStatus, error) {
	for _, v := range deltakerStatuses {
		if string(v) == s {
			return v, nil
		}
	}
	return "", fmt.Errorf("ukjent DELTAKERSTATUSKODE %q", s)
}

// Aarsak is Arena's AARSAKVERDIKODE_STATUS, the reason for a status.
type Aarsak string

// Arena's status reasons.
const (
	AarsakHenlu Aarsak = "HENLU"
	AarsakSyk   Aarsak = "SYK"
	AarsakFrism Aarsak = "FRISM"
	AarsakAnn   Aarsak = "ANN"
	AarsakBega  Aarsak = "BEGA"
	AarsakUtv   Aarsak = "UTV"
	AarsakFtoat Aarsak = "FTOAT"
)

var aarsaker = []Aarsak{AarsakHenlu, AarsakSyk, AarsakFrism, AarsakAnn, AarsakBega, AarsakUtv, AarsakFtoat}

// ParseAarsak reads an AARSAKVERDIKODE_STATUS. Like ParseDeltakerStatus, an
// unknown code is an ordinary error.
func ParseAarsak(s string) (Aarsak, error) {
	for _, v := range aarsaker {
		if string(v) == s {
			return v, nil
		}
	}
	return "", fmt.Errorf("ukjent AARSAKVERDIKODE_STATUS %q", s)
}

// Tiltakskode is Arena's programme code (TILTAKSKODE).
type Tiltakskode string

// The programme codes this service handles deltakere for.
const (
	TiltakIndoppfag  Tiltakskode = "INDOPPFAG"
	TiltakArbforb    Tiltakskode = "ARBFORB"
	TiltakAvklarag   Tiltakskode = "AVKLARAG"
	TiltakVasv       Tiltakskode = "VASV"
	TiltakArbrrhdag  Tiltakskode = "ARBRRHDAG"
	TiltakDigiopparb Tiltakskode = "DIGIOPPARB"
	TiltakJobbk      Tiltakskode = "JOBBK"
	TiltakGruppeamo  Tiltakskode = "GRUPPEAMO"
	TiltakGrufagyrke Tiltakskode = "GRUFAGYRKE"
	TiltakEnkelamo   Tiltakskode = "ENKELAMO"
	TiltakEnkfagyrke Tiltakskode = "ENKFAGYRKE"
	TiltakHoyereutd  Tiltakskode = "HOYEREUTD"
)

// Supported reports whether deltakere on a gjennomføring of this code are
// handled; deltakere on any other code are IGNORED.
func (k Tiltakskode) Supported() bool {
	switch k {
	case TiltakIndoppfag, TiltakArbforb, TiltakAvklarag, TiltakVasv, TiltakArbrrhdag,
		TiltakDigiopparb, TiltakJobbk, TiltakGruppeamo, TiltakGrufagyrke,
		TiltakEnkelamo, TiltakEnkfagyrke, TiltakHoyereutd:
		return true
	}
	return false
}

// Enkeltplass reports whether the code is a single-seat programme, whose
// deltakere go to the enkeltplass topic and follow the kurs status rules.
func (k Tiltakskode) Enkeltplass() bool {
	return k == TiltakEnkelamo || k == TiltakEnkfagyrke || k == TiltakHoyereutd
}

// fromMulighetsrommet maps Mulighetsrommet's tiltakskode to the Arena code.
// The new-regulation codes map to group codes on purpose: they are never
// enkeltplass.
var fromMulighetsrommet = map[string]Tiltakskode{
	"ARBEIDSFORBEREDENDE_TRENING":                   TiltakArbforb,
	"ARBEIDSRETTET_REHABILITERING":                  TiltakArbrrhdag,
	"AVKLARING":                                     TiltakAvklarag,
	"DIGITALT_OPPFOLGINGSTILTAK":                    TiltakDigiopparb,
	"GRUPPE_ARBEIDSMARKEDSOPPLAERING":               TiltakGruppeamo,
	"GRUPPE_FAG_OG_YRKESOPPLAERING":                 TiltakGrufagyrke,
	"JOBBKLUBB":                                     TiltakJobbk,
	"OPPFOLGING":                                    TiltakIndoppfag,
	"VARIG_TILRETTELAGT_ARBEID_SKJERMET":            TiltakVasv,
	"ENKELTPLASS_ARBEIDSMARKEDSOPPLAERING":          TiltakEnkelamo,
	"ENKELTPLASS_FAG_OG_YRKESOPPLAERING":            TiltakEnkfagyrke,
	"HOYERE_UTDANNING":                              TiltakHoyereutd,
	"ARBEIDSMARKEDSOPPLAERING":                      TiltakGruppeamo,
	"NORSKOPPLAERING_GRUNNLEGGENDE_FERDIGHETER_FOV": TiltakGruppeamo,
	"STUDIESPESIALISERING":                          TiltakGruppeamo,
	"FAG_OG_YRKESOPPLAERING":                        TiltakGrufagyrke,
	"HOYERE_YRKESFAGLIG_UTDANNING":                  TiltakGrufagyrke,
}

// TiltakskodeFromMulighetsrommet maps a tiltakskode from Mulighetsrommet's
// gjennomføring API to the Arena code. TILPASSET_JOBBSTOTTE never comes from
// Arena, and it and unknown codes are errors (the message is retried).
func TiltakskodeFromMulighetsrommet(kode string) (Tiltakskode, error) {
	if k, ok := fromMulighetsrommet[kode]; ok {
		return k, nil
	}
	if kode == "TILPASSET_JOBBSTOTTE" {
		return "", fmt.Errorf("tiltakskode %s skal aldri komme fra Arena", kode)
	}
	return "", fmt.Errorf("ukjent tiltakskode %q fra Mulighetsrommet", kode)
}
