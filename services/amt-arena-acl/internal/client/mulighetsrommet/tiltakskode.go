package mulighetsrommet

import (
	"errors"
	"fmt"
)

// Tiltakskode is Mulighetsrommet's code for a kind of programme.
type Tiltakskode string

// The tiltakskoder Mulighetsrommet sends.
const (
	ArbeidsforberedendeTrening                 Tiltakskode = "ARBEIDSFORBEREDENDE_TRENING"
	ArbeidsrettetRehabilitering                Tiltakskode = "ARBEIDSRETTET_REHABILITERING"
	Avklaring                                  Tiltakskode = "AVKLARING"
	DigitaltOppfolgingstiltak                  Tiltakskode = "DIGITALT_OPPFOLGINGSTILTAK"
	GruppeArbeidsmarkedsopplaering             Tiltakskode = "GRUPPE_ARBEIDSMARKEDSOPPLAERING"
	GruppeFagOgYrkesopplaering                 Tiltakskode = "GRUPPE_FAG_OG_YRKESOPPLAERING"
	Jobbklubb                                  Tiltakskode = "JOBBKLUBB"
	Oppfolging                                 Tiltakskode = "OPPFOLGING"
	VarigTilrettelagtArbeidSkjermet            Tiltakskode = "VARIG_TILRETTELAGT_ARBEID_SKJERMET"
	EnkeltplassArbeidsmarkedsopplaering        Tiltakskode = "ENKELTPLASS_ARBEIDSMARKEDSOPPLAERING"
	EnkeltplassFagOgYrkesopplaering            Tiltakskode = "ENKELTPLASS_FAG_OG_YRKESOPPLAERING"
	HoyereUtdanning                            Tiltakskode = "HOYERE_UTDANNING"
	Arbeidsmarkedsopplaering                   Tiltakskode = "ARBEIDSMARKEDSOPPLAERING"
	NorskopplaeringGrunnleggendeFerdigheterFOV Tiltakskode = "NORSKOPPLAERING_GRUNNLEGGENDE_FERDIGHETER_FOV"
	Studiespesialisering                       Tiltakskode = "STUDIESPESIALISERING"
	FagOgYrkesopplaering                       Tiltakskode = "FAG_OG_YRKESOPPLAERING"
	HoyereYrkesfagligUtdanning                 Tiltakskode = "HOYERE_YRKESFAGLIG_UTDANNING"
	TilpassetJobbstotte                        Tiltakskode = "TILPASSET_JOBBSTOTTE"
)

// arenaKoder maps each tiltakskode with an Arena counterpart to it. The
// new-regulation codes map to the group codes on purpose: they are never
// enkeltplass.
var arenaKoder = map[Tiltakskode]string{
	ArbeidsforberedendeTrening:                 "ARBFORB",
	ArbeidsrettetRehabilitering:                "ARBRRHDAG",
	Avklaring:                                  "AVKLARAG",
	DigitaltOppfolgingstiltak:                  "DIGIOPPARB",
	GruppeArbeidsmarkedsopplaering:             "GRUPPEAMO",
	GruppeFagOgYrkesopplaering:                 "GRUFAGYRKE",
	Jobbklubb:                                  "JOBBK",
	Oppfolging:                                 "INDOPPFAG",
	VarigTilrettelagtArbeidSkjermet:            "VASV",
	EnkeltplassArbeidsmarkedsopplaering:        "ENKELAMO",
	EnkeltplassFagOgYrkesopplaering:            "ENKFAGYRKE",
	HoyereUtdanning:                            "HOYEREUTD",
	Arbeidsmarkedsopplaering:                   "GRUPPEAMO",
	NorskopplaeringGrunnleggendeFerdigheterFOV: "GRUPPEAMO",
	Studiespesialisering:                       "GRUPPEAMO",
	FagOgYrkesopplaering:                       "GRUFAGYRKE",
	HoyereYrkesfagligUtdanning:                 "GRUFAGYRKE",
}

// ErrNoArenaKode is wrapped by ArenaKode's error for a tiltakskode that
// exists in Mulighetsrommet but never comes from Arena
// (TILPASSET_JOBBSTOTTE).
var ErrNoArenaKode = errors.New("has no Arena code")

// ArenaKode returns the Arena tiltakskode k stands for. It fails for a code
// it does not know and, wrapping ErrNoArenaKode, for TILPASSET_JOBBSTOTTE.
func ArenaKode(k Tiltakskode) (string, error) {
	if a, ok := arenaKoder[k]; ok {
		return a, nil
	}
	if k == TilpassetJobbstotte {
		return "", fmt.Errorf("tiltakskode %s %w", k, ErrNoArenaKode)
	}
	return "", fmt.Errorf("unknown tiltakskode %q", string(k))
}

// IsEnkeltplassKode reports whether the Arena code arenaKode is a
// single-seat programme: ENKELAMO, ENKFAGYRKE or HOYEREUTD.
func IsEnkeltplassKode(arenaKode string) bool {
	switch arenaKode {
	case "ENKELAMO", "ENKFAGYRKE", "HOYEREUTD":
		return true
	}
	return false
}

// Oppstart is how deltakere start on a gjennomføring.
type Oppstart string

// The oppstart values.
const (
	// OppstartLopende is continuous intake.
	OppstartLopende Oppstart = "LOPENDE"
	// OppstartFelles is a common start: a kurs.
	OppstartFelles Oppstart = "FELLES"
)
