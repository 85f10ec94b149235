package arena

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func validGjennomforing() *Gjennomforing {
	return &Gjennomforing{
		TiltakgjennomforingID: 1, SakID: ptr(int64(0)), Tiltakskode: "INDOPPFAG",
		ArbgivIDArrangor: ptr(int64(68968)), Lokaltnavn: ptr("navn"), Tiltakstatuskode: ptr("GJENNOMFOR"),
		RegDato: ptr("2015-09-07 00:00:00"), DatoFra: ptr("2015-09-04 00:00:00"), DatoTil: ptr("2015-09-10 00:00:00"),
	}
}

func TestGjennomforingIsValid(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		change func(g *Gjennomforing)
		want   bool
	}{
		{"complete", func(*Gjennomforing) {}, true},
		{"SAK_ID 0 is present", func(g *Gjennomforing) { g.SakID = ptr(int64(0)) }, true},
		{"dates may be absent", func(g *Gjennomforing) { g.DatoFra, g.DatoTil = nil, nil }, true},
		{"no SAK_ID", func(g *Gjennomforing) { g.SakID = nil }, false},
		{"no provider", func(g *Gjennomforing) { g.ArbgivIDArrangor = nil }, false},
		{"no local name", func(g *Gjennomforing) { g.Lokaltnavn = nil }, false},
		{"no status", func(g *Gjennomforing) { g.Tiltakstatuskode = nil }, false},
		{"no REG_DATO", func(g *Gjennomforing) { g.RegDato = nil }, false},
		{"REG_DATO unreadable", func(g *Gjennomforing) { g.RegDato = ptr("2015-09-07") }, false},
		{"DATO_FRA unreadable", func(g *Gjennomforing) { g.DatoFra = ptr("x") }, false},
		{"DATO_TIL unreadable", func(g *Gjennomforing) { g.DatoTil = ptr("2015-13-01 00:00:00") }, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			g := validGjennomforing()
			c.change(g)
			require.Equal(t, c.want, g.IsValid())
		})
	}
}

func TestCodes(t *testing.T) {
	t.Parallel()
	for _, s := range DeltakerStatuses() {
		got, err := ParseDeltakerStatus(string(s))
		require.NoError(t, err)
		require.Equal(t, s, got)
	}
	require.Len(t, DeltakerStatuses(), 15)
	_, err := ParseDeltakerStatus("gjenn")
	require.Error(t, err)

	a, err := ParseAarsak("FTOAT")
	require.NoError(t, err)
	require.Equal(t, AarsakFtoat, a)
	_, err = ParseAarsak("X")
	require.Error(t, err)
}

func TestTiltakskodeFromMulighetsrommet(t *testing.T) {
	t.Parallel()
	cases := []struct {
		mr          string
		want        Tiltakskode
		enkeltplass bool
	}{
		{"ARBEIDSFORBEREDENDE_TRENING", TiltakArbforb, false},
		{"ARBEIDSRETTET_REHABILITERING", TiltakArbrrhdag, false},
		{"AVKLARING", TiltakAvklarag, false},
		{"DIGITALT_OPPFOLGINGSTILTAK", TiltakDigiopparb, false},
		{"GRUPPE_ARBEIDSMARKEDSOPPLAERING", TiltakGruppeamo, false},
		{"GRUPPE_FAG_OG_YRKESOPPLAERING", TiltakGrufagyrke, false},
		{"JOBBKLUBB", TiltakJobbk, false},
		{"OPPFOLGING", TiltakIndoppfag, false},
		{"VARIG_TILRETTELAGT_ARBEID_SKJERMET", TiltakVasv, false},
		{"ENKELTPLASS_ARBEIDSMARKEDSOPPLAERING", TiltakEnkelamo, true},
		{"ENKELTPLASS_FAG_OG_YRKESOPPLAERING", TiltakEnkfagyrke, true},
		{"HOYERE_UTDANNING", TiltakHoyereutd, true},
		{"ARBEIDSMARKEDSOPPLAERING", TiltakGruppeamo, false},
		{"NORSKOPPLAERING_GRUNNLEGGENDE_FERDIGHETER_FOV", TiltakGruppeamo, false},
		{"STUDIESPESIALISERING", TiltakGruppeamo, false},
		{"FAG_OG_YRKESOPPLAERING", TiltakGrufagyrke, false},
		{"HOYERE_YRKESFAGLIG_UTDANNING", TiltakGrufagyrke, false},
	}
	for _, c := range cases {
		got, err := TiltakskodeFromMulighetsrommet(c.mr)
		require.NoError(t, err, c.mr)
		require.Equal(t, c.want, got, c.mr)
		require.Equal(t, c.enkeltplass, got.Enkeltplass(), c.mr)
		require.True(t, got.Supported(), c.mr)
	}
	_, err := TiltakskodeFromMulighetsrommet("TILPASSET_JOBBSTOTTE")
	require.Error(t, err)
	_, err = TiltakskodeFromMulighetsrommet("UKJENT")
	require.Error(t, err)
	require.False(t, Tiltakskode("UTDYRK").Supported())
}
