package fakenav_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/nais"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/fakenav"
)

type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func do(t *testing.T, method, target, token, contentType, body string) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, target, strings.NewReader(body))
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	a := answer{status: resp.StatusCode, header: resp.Header, raw: string(b)}
	_ = json.Unmarshal(b, &a.body)
	return a
}

func TestTexasToken(t *testing.T) {
	t.Parallel()
	s := fakenav.NewTestStack(t)

	for _, tc := range []struct {
		name, contentType, body string
		status                  int
		errorDescription        string
	}{
		{"json", "application/json", `{"identity_provider":"entra_id","target":"` + fakenav.ORDSScope + `"}`, 200, ""},
		{"form", "application/x-www-form-urlencoded", url.Values{"identity_provider": {"azure_ad"}, "target": {fakenav.ORDSScope}}.Encode(), 200, ""},
		{"other provider", "application/json", `{"identity_provider":"maskinporten","target":"x"}`, 400, `identity_provider "maskinporten" is not supported by this fake`},
		{"no target", "application/json", `{"identity_provider":"entra_id"}`, 400, "target is missing"},
		{"not JSON", "application/json", `target=x`, 400, "body is not a JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := do(t, http.MethodPost, s.TokenEndpoint(), "", tc.contentType, tc.body)
			require.Equal(t, tc.status, a.status, a.raw)
			if tc.status != 200 {
				require.Equal(t, "invalid_request", a.body["error"])
				require.Equal(t, tc.errorDescription, a.body["error_description"])
				return
			}
			require.Equal(t, "Bearer", a.body["token_type"])
			require.EqualValues(t, 3600, a.body["expires_in"])
			token, _ := a.body["access_token"].(string)
			claims, err := s.Texas.VerifyFor(token, fakenav.ORDSScope)
			require.NoError(t, err)
			require.Equal(t, "api://local.amt.amt-arena-ords-proxy", claims["aud"])
			require.Equal(t, fakenav.DefaultAppName, claims["azp_name"])
		})
	}

	a := do(t, http.MethodGet, s.TokenEndpoint(), "", "", "")
	require.Equal(t, http.StatusMethodNotAllowed, a.status)
}

// The token client of pkg/nais works against the fake, and so does its
// introspector.
func TestTexasWithNaisClients(t *testing.T) {
	t.Parallel()
	s := fakenav.NewTestStack(t)

	tokens := nais.NewTokenClient(s.TokenEndpoint())
	token, err := tokens.Token(t.Context(), fakenav.AmtTiltakScope)
	require.NoError(t, err)
	_, err = s.Texas.VerifyFor(token, fakenav.AmtTiltakScope)
	require.NoError(t, err)

	in := nais.NewIntrospector(s.IntrospectionEndpoint())
	claims, err := in.Introspect(t.Context(), s.Texas.TokenFrom("local:dab:amt-aktivitetskort-publisher"))
	require.NoError(t, err)
	require.Equal(t, "local:dab:amt-aktivitetskort-publisher", claims.AzpName())
	require.Equal(t, []string{"access_as_application"}, claims.Roles())

	// A token for another app is not one this app accepts.
	_, err = in.Introspect(t.Context(), token)
	require.ErrorIs(t, err, nais.ErrInactiveToken)
}

func TestTexasIntrospect(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 8, 20, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s, err := fakenav.StartStack(fakenav.StackConfig{Texas: []fakenav.TexasOption{
		fakenav.WithClock(clock), fakenav.WithTokenTTL(time.Minute), fakenav.WithClientID("my-client-id"),
	}})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	other := fakenav.NewTexas()

	inbound := s.Texas.TokenFrom("local:dab:amt-aktivitetskort-publisher")
	expiring := s.Texas.TokenFrom("local:dab:amt-aktivitetskort-publisher")
	tampered := inbound[:len(inbound)-2] + "xx"

	for _, tc := range []struct {
		name, token, provider string
		active                bool
		reason                string
	}{
		{"inbound token", inbound, "entra_id", true, ""},
		{"token for a peer", s.Texas.Token(fakenav.ORDSScope), "entra_id", false, `token is for audience "api://local.amt.amt-arena-ords-proxy", not "my-client-id"`},
		{"tampered", tampered, "entra_id", false, "bad signature"},
		{"from another Texas", other.TokenFrom("x"), "entra_id", false, "bad signature"},
		{"garbage", "abc", "entra_id", false, "not a token of this Texas"},
	} {
		// Not parallel: the clock moves after these.
		t.Run(tc.name, func(t *testing.T) {
			a := do(t, http.MethodPost, s.IntrospectionEndpoint(), "", "application/json",
				`{"identity_provider":"`+tc.provider+`","token":"`+tc.token+`"}`)
			require.Equal(t, http.StatusOK, a.status)
			require.Equal(t, tc.active, a.body["active"])
			if tc.active {
				require.Equal(t, "my-client-id", a.body["aud"])
				require.Equal(t, fakenav.Issuer, a.body["iss"])
				return
			}
			require.Equal(t, tc.reason, a.body["error"])
		})
	}

	t.Run("expired", func(t *testing.T) {
		mu.Lock()
		now = now.Add(time.Minute)
		mu.Unlock()
		a := do(t, http.MethodPost, s.IntrospectionEndpoint(), "", "application/json",
			`{"identity_provider":"entra_id","token":"`+expiring+`"}`)
		require.Equal(t, false, a.body["active"])
		require.Equal(t, "token has expired", a.body["error"])
	})
}

func TestGuard(t *testing.T) {
	t.Parallel()
	s := fakenav.NewTestStack(t)
	s.ORDS.SetFnr(1, "12345678910")
	target := s.ORDSURL + "/api/ords/fnr?personId=1"

	for _, tc := range []struct {
		name, token string
		status      int
		challenge   string
	}{
		{"token for the scope", s.Texas.Token(fakenav.ORDSScope), 200, ""},
		{"no token", "", 401, "Bearer"},
		{"token for another scope", s.Texas.Token(fakenav.AmtTiltakScope), 401, `Bearer error="invalid_token"`},
		{"inbound token", s.Texas.TokenFrom("x"), 401, `Bearer error="invalid_token"`},
		{"not a token", "abc", 401, `Bearer error="invalid_token"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := do(t, http.MethodGet, target, tc.token, "", "")
			require.Equal(t, tc.status, a.status, a.raw)
			require.Equal(t, tc.challenge, a.header.Get("WWW-Authenticate"))
		})
	}

	// The zero Guard wants a bearer token, any.
	o := fakenav.NewORDS(fakenav.Guard{})
	o.SetFnr(1, "12345678910")
	srv := serve(t, o)
	require.Equal(t, 200, do(t, http.MethodGet, srv+"/api/ords/fnr?personId=1", "whatever", "", "").status)
	require.Equal(t, 401, do(t, http.MethodGet, srv+"/api/ords/fnr?personId=1", "", "", "").status)
}

func TestFaults(t *testing.T) {
	t.Parallel()
	s := fakenav.NewTestStack(t)
	g := s.Mulighetsrommet.AddGjennomforing(fakenav.Gjennomforing{ArenaID: 7})
	token := s.Texas.Token(fakenav.MulighetsrommetScope)
	idURL := s.MulighetsrommetURL + "/api/v1/tiltaksgjennomforinger/id/7"
	v2URL := s.MulighetsrommetURL + "/api/v2/tiltaksgjennomforinger/" + g.ID
	status := func(target string) int { return do(t, http.MethodGet, target, token, "", "").status }

	s.Mulighetsrommet.FailNext(2, 503)
	s.Mulighetsrommet.FailNextOn(fakenav.EndpointGjennomforing, 1, 500)
	require.Equal(t, 503, status(v2URL))
	require.Equal(t, 503, status(idURL))
	require.Equal(t, 500, status(v2URL))
	require.Equal(t, 200, status(idURL))
	require.Equal(t, 200, status(v2URL))

	s.Mulighetsrommet.FailNext(100, 502)
	require.Equal(t, 502, status(idURL))
	s.Mulighetsrommet.ClearFaults()
	require.Equal(t, 200, status(idURL))

	require.Equal(t, 7, s.Mulighetsrommet.Calls())
	require.Equal(t, 4, s.Mulighetsrommet.CallsOn(fakenav.EndpointGjennomforingID))
	require.Equal(t, 3, s.Mulighetsrommet.CallsOn(fakenav.EndpointGjennomforing))
	s.Mulighetsrommet.ResetCalls()
	require.Zero(t, s.Mulighetsrommet.Calls())

	// Faults come before the token check, as an outage would.
	s.Mulighetsrommet.FailNext(1, 500)
	require.Equal(t, 500, do(t, http.MethodGet, idURL, "", "", "").status)
}

func TestBlockNext(t *testing.T) {
	t.Parallel()
	s := fakenav.NewTestStack(t)
	s.AmtTiltak.BlockNext(1)
	token := s.Texas.Token(fakenav.AmtTiltakScope)

	// Blocked until the caller gives up...
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.AmtTiltakURL+"/api/external/deltakelser", strings.NewReader(`{"personIdent":"1"}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	_, err = http.DefaultClient.Do(req)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	// ...or until released.
	s.AmtTiltak.BlockNext(1)
	done := make(chan int)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, s.AmtTiltakURL+"/api/external/deltakelser", strings.NewReader(`{"personIdent":"1"}`))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- 0
			return
		}
		_ = resp.Body.Close()
		done <- resp.StatusCode
	}()
	require.Eventually(t, func() bool { return s.AmtTiltak.Calls() == 2 }, 5*time.Second, time.Millisecond)
	s.AmtTiltak.Release()
	require.Equal(t, http.StatusServiceUnavailable, <-done)
}

func TestORDS(t *testing.T) {
	t.Parallel()
	s := fakenav.NewTestStack(t)
	token := s.Texas.Token(fakenav.ORDSScope)
	get := func(q string) answer { return do(t, http.MethodGet, s.ORDSURL+"/api/ords/fnr?"+q, token, "", "") }

	s.ORDS.SetFnr(1, "12345678910")
	a := get("personId=1")
	require.Equal(t, 200, a.status)
	require.Equal(t, map[string]any{"fnr": "12345678910"}, a.body)

	require.Equal(t, 404, get("personId=2").status)
	require.Equal(t, 400, get("personId=x").status)
	require.Equal(t, 400, get("").status)
	require.Equal(t, 405, do(t, http.MethodPost, s.ORDSURL+"/api/ords/fnr?personId=1", token, "", "").status)

	s.ORDS.GenerateFnrs(true)
	a = get("personId=2")
	require.Equal(t, 200, a.status)
	require.Equal(t, fakenav.SyntheticFnr(2), a.body["fnr"])
	require.Equal(t, "12345678910", get("personId=1").body["fnr"])

	s.ORDS.RemoveFnr(1)
	require.Equal(t, fakenav.SyntheticFnr(1), get("personId=1").body["fnr"])
	s.ORDS.GenerateFnrs(false)
	require.Equal(t, 404, get("personId=1").status)
}

func TestSyntheticFnr(t *testing.T) {
	t.Parallel()
	seen := map[string]int64{}
	for _, id := range []int64{0, 1, 27, 28, 335, 336, 33_599, 33_600, 1_000_000, 123_456_789, 3_359_999_999} {
		f := fakenav.SyntheticFnr(id)
		require.Len(t, f, 11, id)
		require.Equal(t, f, fakenav.SyntheticFnr(id))
		month := (f[2]-'0')*10 + (f[3] - '0')
		require.GreaterOrEqual(t, month, uint8(81), f)
		require.LessOrEqual(t, month, uint8(92), f)
		_, dup := seen[f]
		require.False(t, dup, "%d and %d share %s", seen[f], id, f)
		seen[f] = id
	}
	for id := int64(0); id < 100_000; id++ {
		f := fakenav.SyntheticFnr(id)
		_, dup := seen[f]
		require.False(t, dup && seen[f] != id, "%d and %d share %s", seen[f], id, f)
		seen[f] = id
	}
}

func TestMulighetsrommet(t *testing.T) {
	t.Parallel()
	s := fakenav.NewTestStack(t)
	token := s.Texas.Token(fakenav.MulighetsrommetScope)
	get := func(p string) answer { return do(t, http.MethodGet, s.MulighetsrommetURL+p, token, "", "") }

	g := s.Mulighetsrommet.AddGjennomforing(fakenav.Gjennomforing{ArenaID: 42})
	require.Len(t, g.ID, 36)
	require.Equal(t, fakenav.Gjennomforing{
		ID: g.ID, ArenaID: 42, Tiltakskode: "OPPFOLGING", Organisasjonsnummer: "999888777", Oppstart: "LOPENDE", Navn: "Gjennomføring 42",
		Status: "GJENNOMFORES",
	}, g)

	require.Equal(t, map[string]any{"id": g.ID}, get("/api/v1/tiltaksgjennomforinger/id/42").body)
	require.Equal(t, map[string]any{
		"id": g.ID, "tiltakskode": "OPPFOLGING", "navn": "Gjennomføring 42", "oppstart": "LOPENDE",
		"arrangor": map[string]any{"organisasjonsnummer": "999888777", "navn": "Arrangør 999888777"},
	}, get("/api/v2/tiltaksgjennomforinger/"+strings.ToUpper(g.ID)).body)

	require.Equal(t, 404, get("/api/v1/tiltaksgjennomforinger/id/43").status)
	require.Equal(t, 400, get("/api/v1/tiltaksgjennomforinger/id/x").status)
	require.Equal(t, 404, get("/api/v2/tiltaksgjennomforinger/"+fakenav.NewUUID()).status)
	require.Equal(t, 400, get("/api/v2/tiltaksgjennomforinger/42").status)
	require.Equal(t, 404, get("/api/v3/x").status)

	s.Mulighetsrommet.SetGjennomforingJSON(g.ID, `{"id":null}`)
	require.Equal(t, `{"id":null}`, get("/api/v2/tiltaksgjennomforinger/"+g.ID).raw)
	s.Mulighetsrommet.RemoveGjennomforing(g.ID)
	require.Equal(t, 404, get("/api/v2/tiltaksgjennomforinger/"+g.ID).status)
	require.Equal(t, 200, get("/api/v1/tiltaksgjennomforinger/id/42").status)

	other := fakenav.NewUUID()
	s.Mulighetsrommet.MapArenaID(42, other)
	require.Equal(t, other, get("/api/v1/tiltaksgjennomforinger/id/42").body["id"])
	s.Mulighetsrommet.UnmapArenaID(42)
	require.Equal(t, 404, get("/api/v1/tiltaksgjennomforinger/id/42").status)
}

func TestAmtTiltak(t *testing.T) {
	t.Parallel()
	s := fakenav.NewTestStack(t)
	token := s.Texas.Token(fakenav.AmtTiltakScope)
	post := func(body string) answer {
		return do(t, http.MethodPost, s.AmtTiltakURL+"/api/external/deltakelser", token, "application/json", body)
	}
	list := func(body string) []any {
		a := post(body)
		require.Equal(t, 200, a.status, a.raw)
		var l []any
		require.NoError(t, json.Unmarshal([]byte(a.raw), &l))
		return l
	}

	id, gid := fakenav.NewUUID(), fakenav.NewUUID()
	s.AmtTiltak.SetDeltakelser("12345678910", fakenav.Deltakelse{
		ID: id, GjennomforingID: gid, StartDato: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), Status: "FULLFORT",
	})
	require.Equal(t, []any{map[string]any{
		"id": id, "gjennomforing": map[string]any{"id": gid}, "startDato": "2026-01-05", "sluttDato": nil, "status": "FULLFORT",
	}}, list(`{"personIdent":"12345678910"}`))
	require.Equal(t, []any{}, list(`{"personIdent":"10987654321"}`))

	require.True(t, s.AmtTiltak.SetStatus(strings.ToUpper(id), "FEILREGISTRERT"))
	require.False(t, s.AmtTiltak.SetStatus(gid, "FEILREGISTRERT"))
	require.Equal(t, "FEILREGISTRERT", s.AmtTiltak.Deltakelser("12345678910")[0].Status)

	id2 := fakenav.NewUUID()
	s.AmtTiltak.AddDeltakelse("12345678910", fakenav.Deltakelse{ID: id2, GjennomforingID: gid, Status: "DELTAR"})
	s.AmtTiltak.AddDeltakelse("12345678910", fakenav.Deltakelse{ID: id2, GjennomforingID: gid, Status: "HAR_SLUTTET"})
	require.Len(t, list(`{"personIdent":"12345678910"}`), 2)
	require.Equal(t, "HAR_SLUTTET", s.AmtTiltak.Deltakelser("12345678910")[1].Status)

	require.Equal(t, 400, post(`{}`).status)
	require.Equal(t, 400, post(`{"personIdent":""}`).status)
	require.Equal(t, 400, post(`x`).status)
	require.Equal(t, 405, do(t, http.MethodGet, s.AmtTiltakURL+"/api/external/deltakelser", token, "", "").status)
}

func TestStack(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	s, err := fakenav.StartStack(fakenav.StackConfig{ORDSAddr: addr})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	require.Equal(t, "http://"+addr, s.ORDSURL)

	env := s.Env()
	require.Equal(t, s.TexasURL+"/api/v1/token", env["NAIS_TOKEN_ENDPOINT"])
	require.Equal(t, s.TexasURL+"/api/v1/introspect", env["NAIS_TOKEN_INTROSPECTION_ENDPOINT"])
	require.Equal(t, fakenav.DefaultClientID, env["AZURE_APP_CLIENT_ID"])
	require.Equal(t, s.ORDSURL, env["AMT_ARENA_ORDS_PROXY_URL"])
	require.Equal(t, fakenav.AmtTiltakScope, env["AMTTILTAK_SCOPE"])

	c := s.Configs()
	require.Equal(t, s.MulighetsrommetURL, c.Mulighetsrommet.URL)
	require.Equal(t, fakenav.MulighetsrommetScope, c.Mulighetsrommet.Scope)
	require.NoError(t, c.Validate())

	// An address in use is an error.
	_, err = fakenav.StartStack(fakenav.StackConfig{ORDSAddr: addr})
	require.ErrorContains(t, err, "fakenav: listen on "+addr)

	// Close answers calls that hang.
	s2 := fakenav.NewTestStack(t)
	s2.ORDS.BlockNext(1)
	done := make(chan error)
	go func() {
		resp, err := http.Get(s2.ORDSURL + "/api/ords/fnr?personId=1")
		if err == nil {
			_ = resp.Body.Close()
		}
		done <- err
	}()
	require.Eventually(t, func() bool { return s2.ORDS.Calls() == 1 }, 5*time.Second, time.Millisecond)
	s2.Close()
	require.NoError(t, <-done)
}

func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: h, ReadHeaderTimeout: time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

func TestMulighetsrommetV1ViewIsDerivedFromTheGjennomforing(t *testing.T) {
	t.Parallel()
	s := fakenav.NewTestStack(t)
	token := s.Texas.Token(fakenav.MulighetsrommetScope)
	get := func(p string) answer { return do(t, http.MethodGet, s.MulighetsrommetURL+p, token, "", "") }

	g := s.Mulighetsrommet.AddGjennomforing(fakenav.Gjennomforing{
		ArenaID: 42, Tiltakskode: "GRUPPE_ARBEIDSMARKEDSOPPLAERING", Oppstart: "FELLES", Organisasjonsnummer: "974567890",
		StartDato: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), Status: "AVSLUTTET",
	})
	require.Equal(t, map[string]any{
		"id":                g.ID,
		"tiltakstype":       map[string]any{"navn": "GRUPPE_ARBEIDSMARKEDSOPPLAERING", "arenaKode": "GRUPPEAMO"},
		"navn":              "Gjennomføring 42",
		"startDato":         "2026-01-05",
		"sluttDato":         nil,
		"status":            "AVSLUTTET",
		"virksomhetsnummer": "974567890",
		"oppstart":          "FELLES",
	}, get("/api/v1/tiltaksgjennomforinger/"+strings.ToUpper(g.ID)).body)

	// The defaults, and a tiltakskode without an Arena code.
	d := s.Mulighetsrommet.AddGjennomforing(fakenav.Gjennomforing{Tiltakskode: "TILPASSET_JOBBSTOTTE"})
	a := get("/api/v1/tiltaksgjennomforinger/" + d.ID)
	require.Equal(t, "GJENNOMFORES", a.body["status"])
	require.Equal(t, map[string]any{"navn": "TILPASSET_JOBBSTOTTE", "arenaKode": nil}, a.body["tiltakstype"])

	// The id lookup still answers under its own path.
	require.Equal(t, map[string]any{"id": g.ID}, get("/api/v1/tiltaksgjennomforinger/id/42").body)
	require.Equal(t, 404, get("/api/v1/tiltaksgjennomforinger/"+fakenav.NewUUID()).status)
	require.Equal(t, 400, get("/api/v1/tiltaksgjennomforinger/42").status)
	require.Equal(t, 401, do(t, http.MethodGet, s.MulighetsrommetURL+"/api/v1/tiltaksgjennomforinger/"+g.ID, s.Texas.Token(fakenav.ORDSScope), "", "").status)

	s.Mulighetsrommet.SetGjennomforingV1JSON(g.ID, `{"id":null}`)
	require.Equal(t, `{"id":null}`, get("/api/v1/tiltaksgjennomforinger/"+g.ID).raw)
	require.Equal(t, 200, get("/api/v2/tiltaksgjennomforinger/"+g.ID).status, "the v2 answer is untouched")
	s.Mulighetsrommet.RemoveGjennomforing(g.ID)
	require.Equal(t, 404, get("/api/v1/tiltaksgjennomforinger/"+g.ID).status)

	s.Mulighetsrommet.FailNextOn(fakenav.EndpointGjennomforingV1, 1, 500)
	require.Equal(t, 200, get("/api/v2/tiltaksgjennomforinger/"+d.ID).status, "a fault on v1 leaves v2 alone")
	require.Equal(t, 500, get("/api/v1/tiltaksgjennomforinger/"+d.ID).status)
	require.Equal(t, 8, s.Mulighetsrommet.CallsOn(fakenav.EndpointGjennomforingV1))
}

func TestORDSArbeidsgiver(t *testing.T) {
	t.Parallel()
	s := fakenav.NewTestStack(t)
	token := s.Texas.Token(fakenav.ORDSScope)
	get := func(q string) answer {
		return do(t, http.MethodGet, s.ORDSURL+"/api/ords/arbeidsgiver?"+q, token, "", "")
	}

	require.Equal(t, fakenav.Arbeidsgiver{ID: 1, Virksomhetsnummer: "999888777", OrganisasjonsnummerMorselskap: "999888777"},
		s.ORDS.AddArbeidsgiver(fakenav.Arbeidsgiver{ID: 1}))
	s.ORDS.AddArbeidsgiver(fakenav.Arbeidsgiver{ID: 2, Virksomhetsnummer: "974567890", OrganisasjonsnummerMorselskap: "912345678"})
	a := get("arbeidsgiverId=2")
	require.Equal(t, 200, a.status)
	require.Equal(t, map[string]any{"virksomhetsnummer": "974567890", "organisasjonsnummerMorselskap": "912345678"}, a.body)
	require.Equal(t, "999888777", get("arbeidsgiverId=1").body["virksomhetsnummer"])

	require.Equal(t, 404, get("arbeidsgiverId=3").status)
	require.Equal(t, 400, get("arbeidsgiverId=x").status)
	require.Equal(t, 400, get("").status)
	require.Equal(t, 405, do(t, http.MethodPost, s.ORDSURL+"/api/ords/arbeidsgiver?arbeidsgiverId=2", token, "", "").status)
	require.Equal(t, 401, do(t, http.MethodGet, s.ORDSURL+"/api/ords/arbeidsgiver?arbeidsgiverId=2", s.Texas.Token(fakenav.AmtTiltakScope), "", "").status)

	s.ORDS.RemoveArbeidsgiver(2)
	require.Equal(t, 404, get("arbeidsgiverId=2").status)

	s.ORDS.FailNextOn(fakenav.EndpointArbeidsgiver, 1, 503)
	s.ORDS.SetFnr(1, "12345678910")
	require.Equal(t, 200, do(t, http.MethodGet, s.ORDSURL+"/api/ords/fnr?personId=1", token, "", "").status, "a fault on arbeidsgiver leaves fnr alone")
	require.Equal(t, 503, get("arbeidsgiverId=1").status)
	require.Equal(t, 9, s.ORDS.CallsOn(fakenav.EndpointArbeidsgiver))
	require.Equal(t, 1, s.ORDS.CallsOn(fakenav.EndpointFnr))
}
