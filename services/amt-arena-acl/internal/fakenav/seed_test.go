package fakenav_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/fakenav"
)

func TestSeederSeedsTheFakesOverHTTP(t *testing.T) {
	t.Parallel()
	s := fakenav.NewTestStack(t)
	seed := fakenav.Seeder{ORDSURL: s.ORDSURL, MulighetsrommetURL: s.MulighetsrommetURL, AmtTiltakURL: s.AmtTiltakURL}
	ctx := context.Background()

	require.NoError(t, seed.SetFnr(ctx, 7, "01818012345"))
	fnr, ok := s.ORDS.Fnr(7)
	require.True(t, ok)
	require.Equal(t, "01818012345", fnr)

	g, err := seed.AddGjennomforing(ctx, fakenav.Gjennomforing{ArenaID: 99, Tiltakskode: "GRUPPE_ARBEIDSMARKEDSOPPLAERING", Oppstart: "FELLES"})
	require.NoError(t, err)
	require.NotEmpty(t, g.ID)
	require.Equal(t, "999888777", g.Organisasjonsnummer, "defaults filled in")
	token := s.Texas.Token(fakenav.MulighetsrommetScope)
	a := do(t, http.MethodGet, s.MulighetsrommetURL+"/api/v1/tiltaksgjennomforinger/id/99", token, "", "")
	require.Equal(t, g.ID, a.body["id"])
	a = do(t, http.MethodGet, s.MulighetsrommetURL+"/api/v2/tiltaksgjennomforinger/"+g.ID, token, "", "")
	require.Equal(t, "FELLES", a.body["oppstart"])

	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	require.NoError(t, seed.AddDeltakelse(ctx, "01818012345", fakenav.Deltakelse{ID: fakenav.NewUUID(), GjennomforingID: g.ID, StartDato: start, Status: "DELTAR"}))
	got := s.AmtTiltak.Deltakelser("01818012345")
	require.Len(t, got, 1)
	require.Equal(t, start, got[0].StartDato)

	ag, err := seed.AddArbeidsgiver(ctx, fakenav.Arbeidsgiver{ID: 5, Virksomhetsnummer: "974567890"})
	require.NoError(t, err)
	require.Equal(t, fakenav.Arbeidsgiver{ID: 5, Virksomhetsnummer: "974567890", OrganisasjonsnummerMorselskap: "974567890"}, ag)
	a = do(t, http.MethodGet, s.ORDSURL+"/api/ords/arbeidsgiver?arbeidsgiverId=5", s.Texas.Token(fakenav.ORDSScope), "", "")
	require.Equal(t, "974567890", a.body["virksomhetsnummer"])

	slutt := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	g2, err := seed.AddGjennomforing(ctx, fakenav.Gjennomforing{StartDato: start, SluttDato: slutt, Status: "AVBRUTT"})
	require.NoError(t, err)
	require.Equal(t, start, g2.StartDato)
	require.Equal(t, slutt, g2.SluttDato)
	a = do(t, http.MethodGet, s.MulighetsrommetURL+"/api/v1/tiltaksgjennomforinger/"+g2.ID, token, "", "")
	require.Equal(t, "2026-06-30", a.body["sluttDato"])
	require.Equal(t, "AVBRUTT", a.body["status"])

	require.Error(t, seed.AddDeltakelse(ctx, "", fakenav.Deltakelse{}), "a bad seed is refused")
	require.Error(t, fakenav.Seeder{}.SetFnr(ctx, 1, "x"), "no URL")
}

func TestFailPersonFailsOnlyThatPerson(t *testing.T) {
	t.Parallel()
	s := fakenav.NewTestStack(t)
	token := s.Texas.Token(fakenav.ORDSScope)
	s.ORDS.SetFnr(1, "11111111111")
	s.ORDS.SetFnr(2, "22222222222")
	s.ORDS.FailPerson(1, 503)
	require.Equal(t, 503, do(t, http.MethodGet, s.ORDSURL+"/api/ords/fnr?personId=1", token, "", "").status)
	require.Equal(t, 200, do(t, http.MethodGet, s.ORDSURL+"/api/ords/fnr?personId=2", token, "", "").status)
	s.ORDS.HealPerson(1)
	require.Equal(t, 200, do(t, http.MethodGet, s.ORDSURL+"/api/ords/fnr?personId=1", token, "", "").status)
}

func TestAmtTiltakLearnsFromTheServicesOutput(t *testing.T) {
	t.Parallel()
	a := fakenav.NewAmtTiltak(fakenav.Guard{})
	id := fakenav.NewUUID()
	envelope := `{"transactionId":"x","source":"AMT_ARENA_ACL","type":"DELTAKER","operation":"CREATED","payload":` +
		`{"id":"` + id + `","gjennomforingId":"g","personIdent":"01818012345","startDato":"2026-01-05","sluttDato":null,"status":"DELTAR"}}`
	require.NoError(t, a.Learn([]byte(envelope)))
	bare := `{"id":"` + id + `","gjennomforingId":"g","personIdent":"01818012345","startDato":null,"sluttDato":null,"status":"FEILREGISTRERT"}`
	require.NoError(t, a.Learn([]byte(bare)))
	got := a.Deltakelser("01818012345")
	require.Len(t, got, 1, "the same deltaker, updated")
	require.Equal(t, "FEILREGISTRERT", got[0].Status)
	require.NoError(t, a.Learn(nil), "a tombstone is ignored")
	require.Error(t, a.Learn([]byte(`{"id":1}`)))
}
