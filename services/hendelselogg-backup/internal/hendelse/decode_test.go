package hendelse

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const (
	hid = `"6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c"`
	pid = `"0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d"`
	bid = `"1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"`
)

// The common fields of every event, as a producer writes them.
const head = `"hendelseId":` + hid + `,"periodeId":` + pid + `,"arbeidssoekerId":42,"hendelseTidspunkt":1742810000.5`

// As the original: the ten known hendelseType values each map to one event type, and
// the stored form is the canonical re-encoding: every field of the type,
// nullable ones as an explicit null, then hendelseType, instants as epoch
// seconds with exactly nine fraction digits.
func TestDecodeKnownTypesToCanonicalForm(t *testing.T) {
	t.Parallel()
	canonHead := `{"hendelseId":` + hid + `,"periodeId":` + pid + `,"arbeidssoekerId":42,"hendelseTidspunkt":1742810000.500000000`
	cases := map[string]struct{ in, want string }{
		BekreftelseTilgjengelig: {
			in:   `{` + head + `,"bekreftelseId":` + bid + `,"gjelderFra":1740956400,"gjelderTil":"2025-03-17T00:00:00Z","hendelseType":"bekreftelse.tilgjengelig"}`,
			want: canonHead + `,"bekreftelseId":` + bid + `,"gjelderFra":1740956400.000000000,"gjelderTil":1742169600.000000000,"hendelseType":"bekreftelse.tilgjengelig"}`,
		},
		BekreftelseMeldingMottatt: {
			in:   `{"hendelseType":"bekreftelse.melding_mottatt",` + head + `,"bekreftelseId":` + bid + `}`,
			want: canonHead + `,"bekreftelseId":` + bid + `,"hendelseType":"bekreftelse.melding_mottatt"}`,
		},
		LeveringsfristUtloept: {
			in:   `{` + head + `,"bekreftelseId":` + bid + `,"leveringsfrist":1743202800.123456789,"hendelseType":"bekreftelse.leveringsfrist_utloept"}`,
			want: canonHead + `,"bekreftelseId":` + bid + `,"leveringsfrist":1743202800.123456789,"hendelseType":"bekreftelse.leveringsfrist_utloept"}`,
		},
		RegisterGracePeriodeUtloept: {
			in:   `{` + head + `,"bekreftelseId":` + bid + `,"hendelseType":"bekreftelse.register_grace_periode_utloept"}`,
			want: canonHead + `,"bekreftelseId":` + bid + `,"kilde":null,"hendelseType":"bekreftelse.register_grace_periode_utloept"}`,
		},
		RegisterGracePeriodeGjenstaaendeTid: {
			in:   `{` + head + `,"bekreftelseId":` + bid + `,"gjenstaandeTid":"PT76H0.25S","hendelseType":"bekreftelse.register_grace_periode_gjenstaaende_tid"}`,
			want: canonHead + `,"bekreftelseId":` + bid + `,"gjenstaandeTid":273600.250000000,"hendelseType":"bekreftelse.register_grace_periode_gjenstaaende_tid"}`,
		},
		RegisterGracePeriodeUtloeptEtterEksternInnsamling: {
			in:   `{` + head + `,"kilde":"k","hendelseType":"bekreftelse.register_grace_periode_utloept_etter_ekstern_innsamling"}`,
			want: canonHead + `,"kilde":"k","hendelseType":"bekreftelse.register_grace_periode_utloept_etter_ekstern_innsamling"}`,
		},
		EksternGracePeriodeUtloept: {
			in:   `{` + head + `,"paaVegneAvNamespace":"ns","paaVegneAvId":"app","hendelseType":"bekreftelse.ekstern_grace_periode_utloept"}`,
			want: canonHead + `,"paaVegneAvNamespace":"ns","paaVegneAvId":"app","hendelseType":"bekreftelse.ekstern_grace_periode_utloept"}`,
		},
		PeriodeAvsluttet: {
			in:   `{` + head + `,"hendelseType":"bekreftelse.periode_avsluttet"}`,
			want: canonHead + `,"hendelseType":"bekreftelse.periode_avsluttet"}`,
		},
		BaOmAaAvsluttePeriode: {
			in:   `{` + head + `,"utfoertAv":{"id":"X","type":"VEILEDER"},"hendelseType":"bekreftelse.ba_om_aa_avslutte_periode"}`,
			want: canonHead + `,"utfoertAv":{"type":"VEILEDER","id":"X","sikkerhetsnivaa":null},"kilde":null,"hendelseType":"bekreftelse.ba_om_aa_avslutte_periode"}`,
		},
		BekreftelsePaaVegneAvStartet: {
			in:   `{` + head + `,"hendelseType":"bekreftelse.paa_vegne_av_startet"}`,
			want: canonHead + `,"hendelseType":"bekreftelse.paa_vegne_av_startet"}`,
		},
	}
	require.Len(t, cases, 10)
	for typ, c := range cases {
		t.Run(typ, func(t *testing.T) {
			t.Parallel()
			d, err := Decode([]byte(c.in))
			require.NoError(t, err)
			require.Equal(t, typ, d.Type)
			require.EqualValues(t, 42, d.ArbeidssoekerID)
			require.Equal(t, c.want, string(d.Canonical))
			again, err := Decode(d.Canonical)
			require.NoError(t, err, "the canonical form decodes")
			require.Equal(t, c.want, string(again.Canonical), "the canonical form is a fixed point")
		})
	}
}

// As the original: decoding is strict. Unknown properties, an unknown or missing
// hendelseType, missing or null required fields and malformed values are
// all rejected.
func TestDecodeIsStrict(t *testing.T) {
	t.Parallel()
	mm := `,"bekreftelseId":` + bid + `,"hendelseType":"bekreftelse.melding_mottatt"}`
	cases := map[string]string{
		"unknown property":          `{` + head + `,"ekstra":1` + mm,
		"unknown hendelseType":      `{` + head + `,"hendelseType":"bekreftelse.ukjent"}`,
		"missing hendelseType":      `{` + head + `}`,
		"hendelseType not string":   `{` + head + `,"hendelseType":7}`,
		"missing required field":    `{"hendelseId":` + hid + `,"periodeId":` + pid + `,"hendelseTidspunkt":1` + mm,
		"null required field":       `{"hendelseId":null,"periodeId":` + pid + `,"arbeidssoekerId":1,"hendelseTidspunkt":1` + mm,
		"uuid malformed":            `{"hendelseId":"nope","periodeId":` + pid + `,"arbeidssoekerId":1,"hendelseTidspunkt":1` + mm,
		"id is a string":            `{"hendelseId":` + hid + `,"periodeId":` + pid + `,"arbeidssoekerId":"1","hendelseTidspunkt":1` + mm,
		"id is a fraction":          `{"hendelseId":` + hid + `,"periodeId":` + pid + `,"arbeidssoekerId":1.5,"hendelseTidspunkt":1` + mm,
		"id overflows":              `{"hendelseId":` + hid + `,"periodeId":` + pid + `,"arbeidssoekerId":9223372036854775808,"hendelseTidspunkt":1` + mm,
		"instant is bool":           `{"hendelseId":` + hid + `,"periodeId":` + pid + `,"arbeidssoekerId":1,"hendelseTidspunkt":true` + mm,
		"instant bad text":          `{"hendelseId":` + hid + `,"periodeId":` + pid + `,"arbeidssoekerId":1,"hendelseTidspunkt":"i går"` + mm,
		"instant out of range":      `{"hendelseId":` + hid + `,"periodeId":` + pid + `,"arbeidssoekerId":1,"hendelseTidspunkt":1e30` + mm,
		"unknown BrukerType":        `{` + head + `,"utfoertAv":{"type":"ROBOT","id":"x"},"hendelseType":"bekreftelse.ba_om_aa_avslutte_periode"}`,
		"bruker unknown property":   `{` + head + `,"utfoertAv":{"type":"SYSTEM","id":"x","z":1},"hendelseType":"bekreftelse.ba_om_aa_avslutte_periode"}`,
		"bad duration":              `{` + head + `,"bekreftelseId":` + bid + `,"gjenstaandeTid":"76 timer","hendelseType":"bekreftelse.register_grace_periode_gjenstaaende_tid"}`,
		"array":                     `[1,2]`,
		"not json":                  `{"hendelseType":`,
		"invalid utf-8":             "{\"hendelseType\":\"\xff\"}",
		"unknown beside null kilde": `{` + head + `,"bekreftelseId":` + bid + `,"x":1,"hendelseType":"bekreftelse.register_grace_periode_utloept"}`,
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := Decode([]byte(in))
			require.Error(t, err)
		})
	}
}

func TestSecondsAreWrittenWithNineDigits(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`0`:                                `0.000000000`,
		`1742810000.589`:                   `1742810000.589000000`,
		`1742810000.5897932384`:            `1742810000.589793238`, // truncated, as Jackson does
		`-1.5`:                             `-1.500000000`,
		`-0.25`:                            `-0.250000000`,
		`1.7428E9`:                         `1742800000.000000000`,
		`"1970-01-01T00:00:01.000000001Z"`: `1.000000001`,
		`"2025-03-24T10:00:00+01:00"`:      `1742806800.000000000`,
	} {
		s, err := parseInstant([]byte(in))
		require.NoError(t, err, in)
		require.Equal(t, want, string(s.append(nil)), in)
	}
	for in, want := range map[string]string{
		`"PT1S"`:     `1.000000000`,
		`"P1DT1M"`:   `86460.000000000`,
		`"-PT0.5S"`:  `-0.500000000`,
		`"PT-1H30M"`: `-1800.000000000`,
		`273600.25`:  `273600.250000000`,
	} {
		s, err := parseDuration([]byte(in))
		require.NoError(t, err, in)
		require.Equal(t, want, string(s.append(nil)), in)
	}
	for _, in := range []string{`"P"`, `"PT"`, `"1S"`, `"PT1.5M"`, `"PT1D"`, `"P1H"`, `"PT1X"`} {
		_, err := parseDuration([]byte(in))
		require.Error(t, err, in)
	}
}

// As the original: arbeidssoeker_id comes from the payload's arbeidssoekerId.
func TestArbeidssoekerIDComesFromThePayload(t *testing.T) {
	t.Parallel()
	id, err := ArbeidssoekerID([]byte(`{"arbeidssoekerId":-7,"anything":{"arbeidssoekerId":1}}`))
	require.NoError(t, err)
	require.EqualValues(t, -7, id)
	for _, in := range []string{`{}`, `{"arbeidssoekerId":"7"}`, `{"arbeidssoekerId":7.5}`, `[]`, `null`, `7`} {
		_, err := ArbeidssoekerID([]byte(in))
		require.ErrorIs(t, err, ErrNoArbeidssoekerID, in)
	}
	_, err = ArbeidssoekerID([]byte(`{`))
	require.ErrorIs(t, err, ErrNotJSON)
}

func TestSamplesDecode(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(1, 2))
	at := time.Date(2025, 3, 24, 10, 0, 0, 123456789, time.UTC)
	for _, typ := range TypeNames() {
		v, err := Sample(rnd, typ, 99, at)
		require.NoError(t, err)
		d, err := Decode(v)
		require.NoError(t, err, string(v))
		require.Equal(t, typ, d.Type)
		require.EqualValues(t, 99, d.ArbeidssoekerID)
		require.JSONEq(t, string(v), string(d.Canonical), "a sample is already canonical")
	}
	_, err := Sample(rnd, "nope", 1, at)
	require.Error(t, err)
}

func TestErrorsNameFieldsNotValues(t *testing.T) {
	t.Parallel()
	_, err := Decode([]byte(`{"hendelseId":"12345678901","periodeId":` + pid + `,"arbeidssoekerId":1,"hendelseTidspunkt":1,"bekreftelseId":` + bid + `,"hendelseType":"bekreftelse.melding_mottatt"}`))
	require.Error(t, err)
	require.NotContains(t, err.Error(), "12345678901")
	require.Contains(t, err.Error(), "hendelseId")
}
