package mulighetsrommet_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/nais"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client/mulighetsrommet"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/fakenav"
)

const id = "9b2d6a3e-1c4f-4e8a-9f0b-2d3c4e5f6a7b"

func newClient(t *testing.T, s *fakenav.Stack, change func(*client.Config)) *mulighetsrommet.Client {
	t.Helper()
	cfg := s.Configs().Mulighetsrommet
	if change != nil {
		change(&cfg)
	}
	c, err := mulighetsrommet.New(cfg, nais.NewTokenClient(s.TokenEndpoint()))
	require.NoError(t, err)
	return c
}

func TestGjennomforingID(t *testing.T) {
	t.Parallel()
	s := fakenav.NewTestStack(t)
	s.Mulighetsrommet.AddGjennomforing(fakenav.Gjennomforing{ID: "9B2D6A3E-1C4F-4E8A-9F0B-2D3C4E5F6A7B", ArenaID: 3461841})
	c := newClient(t, s, nil)

	got, err := c.GjennomforingID(t.Context(), 3461841)
	require.NoError(t, err)
	require.Equal(t, id, got)
	require.Equal(t, 1, s.Mulighetsrommet.CallsOn(fakenav.EndpointGjennomforingID))
}

func TestGjennomforing(t *testing.T) {
	t.Parallel()
	s := fakenav.NewTestStack(t)
	c := newClient(t, s, nil)

	for _, tc := range []struct {
		tiltakskode, oppstart, arenaKode string
		enkeltplass, kurs                bool
	}{
		{"OPPFOLGING", "LOPENDE", "INDOPPFAG", false, false},
		{"GRUPPE_ARBEIDSMARKEDSOPPLAERING", "FELLES", "GRUPPEAMO", false, true},
		{"ENKELTPLASS_ARBEIDSMARKEDSOPPLAERING", "LOPENDE", "ENKELAMO", true, false},
		{"ENKELTPLASS_FAG_OG_YRKESOPPLAERING", "LOPENDE", "ENKFAGYRKE", true, false},
		{"HOYERE_UTDANNING", "FELLES", "HOYEREUTD", true, true},
		{"FAG_OG_YRKESOPPLAERING", "LOPENDE", "GRUFAGYRKE", false, false},
	} {
		t.Run(tc.tiltakskode, func(t *testing.T) {
			t.Parallel()
			g := s.Mulighetsrommet.AddGjennomforing(fakenav.Gjennomforing{
				Tiltakskode: tc.tiltakskode, Oppstart: tc.oppstart, Organisasjonsnummer: "974567890",
			})

			got, err := c.Gjennomforing(t.Context(), g.ID)
			require.NoError(t, err)
			require.Equal(t, mulighetsrommet.Gjennomforing{
				ID:                g.ID,
				Tiltakskode:       mulighetsrommet.Tiltakskode(tc.tiltakskode),
				ArenaKode:         tc.arenaKode,
				Virksomhetsnummer: "974567890",
				Oppstart:          mulighetsrommet.Oppstart(tc.oppstart),
			}, got)
			require.Equal(t, tc.enkeltplass, got.IsEnkeltplass())
			require.Equal(t, tc.kurs, got.IsKurs())
			require.Equal(t, tc.enkeltplass || tc.kurs, got.KreverGodkjenningsloep())
		})
	}
}

func TestFailures(t *testing.T) {
	t.Parallel()

	type call func(context.Context, *mulighetsrommet.Client) error
	idLookup := func(ctx context.Context, c *mulighetsrommet.Client) error {
		_, err := c.GjennomforingID(ctx, 3461841)
		return err
	}
	fetch := func(ctx context.Context, c *mulighetsrommet.Client) error {
		_, err := c.Gjennomforing(ctx, id)
		return err
	}
	fetchV1 := func(ctx context.Context, c *mulighetsrommet.Client) error {
		_, err := c.GjennomforingV1(ctx, id)
		return err
	}

	for _, tc := range []struct {
		name      string
		call      call
		setup     func(s *fakenav.Stack)
		change    func(*client.Config)
		status    int
		notFound  bool
		retryable bool
		timeout   bool
		contains  string
	}{
		{
			name:     "id lookup 404 means not in Mulighetsrommet yet",
			call:     idLookup,
			setup:    func(s *fakenav.Stack) { s.Mulighetsrommet.UnmapArenaID(3461841) },
			status:   404,
			notFound: true,
			contains: "mulighetsrommet-api: look up gjennomføring id of Arena id 3461841: not found",
		},
		{
			name:      "id lookup 500",
			call:      idLookup,
			setup:     func(s *fakenav.Stack) { s.Mulighetsrommet.FailNextOn(fakenav.EndpointGjennomforingID, 1, 500) },
			status:    500,
			retryable: true,
		},
		{
			name:      "id lookup timeout",
			call:      idLookup,
			setup:     func(s *fakenav.Stack) { s.Mulighetsrommet.BlockNext(1) },
			change:    func(c *client.Config) { c.Timeout = 100 * time.Millisecond },
			retryable: true,
			timeout:   true,
		},
		{
			name:     "id lookup with a token for another scope",
			call:     idLookup,
			change:   func(c *client.Config) { c.Scope = fakenav.ORDSScope },
			status:   401,
			contains: "answered 401 Unauthorized",
		},
		{
			name:     "fetch 404 is a plain failure",
			call:     fetch,
			setup:    func(s *fakenav.Stack) { s.Mulighetsrommet.RemoveGjennomforing(id) },
			status:   404,
			contains: "mulighetsrommet-api: get gjennomføring " + id + ": answered 404 Not Found",
		},
		{
			name:      "fetch 502",
			call:      fetch,
			setup:     func(s *fakenav.Stack) { s.Mulighetsrommet.FailNextOn(fakenav.EndpointGjennomforing, 1, 502) },
			status:    502,
			retryable: true,
		},
		{
			name:      "fetch timeout",
			call:      fetch,
			setup:     func(s *fakenav.Stack) { s.Mulighetsrommet.BlockNextOn(fakenav.EndpointGjennomforing, 1) },
			change:    func(c *client.Config) { c.Timeout = 100 * time.Millisecond },
			retryable: true,
			timeout:   true,
			contains:  "no answer within 100ms",
		},
		{
			name:     "v1 fetch 404 means no such gjennomføring",
			call:     fetchV1,
			setup:    func(s *fakenav.Stack) { s.Mulighetsrommet.RemoveGjennomforing(id) },
			status:   404,
			notFound: true,
			contains: "mulighetsrommet-api: get gjennomføring v1 " + id + ": not found",
		},
		{
			name:      "v1 fetch 500 is retryable",
			call:      fetchV1,
			setup:     func(s *fakenav.Stack) { s.Mulighetsrommet.FailNextOn(fakenav.EndpointGjennomforingV1, 1, 500) },
			status:    500,
			retryable: true,
			contains:  "answered 500 Internal Server Error",
		},
		{
			name:      "v1 fetch timeout",
			call:      fetchV1,
			setup:     func(s *fakenav.Stack) { s.Mulighetsrommet.BlockNextOn(fakenav.EndpointGjennomforingV1, 1) },
			change:    func(c *client.Config) { c.Timeout = 100 * time.Millisecond },
			retryable: true,
			timeout:   true,
			contains:  "no answer within 100ms",
		},
		{
			name:     "v1 fetch with a token for another scope",
			call:     fetchV1,
			change:   func(c *client.Config) { c.Scope = fakenav.AmtTiltakScope },
			status:   401,
			contains: "answered 401 Unauthorized",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := fakenav.NewTestStack(t)
			s.Mulighetsrommet.AddGjennomforing(fakenav.Gjennomforing{ID: id, ArenaID: 3461841})
			if tc.setup != nil {
				tc.setup(s)
			}
			c := newClient(t, s, tc.change)

			err := tc.call(t.Context(), c)
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.contains)
			require.Equal(t, tc.notFound, errors.Is(err, client.ErrNotFound))
			var ce *client.Error
			require.ErrorAs(t, err, &ce)
			require.Equal(t, client.PeerMulighetsrommet, ce.Peer)
			require.Equal(t, tc.status, ce.Status)
			require.Equal(t, tc.retryable, ce.Retryable())
			require.Equal(t, tc.timeout, ce.Timeout())
		})
	}
}

func TestGjennomforingIDBadAnswers(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name, body, want string
	}{
		{"no id", `{}`, "id is missing or null"},
		{"null id", `{"id": null}`, "id is missing or null"},
		{"id not a UUID", `{"id": "123"}`, "id: not a UUID"},
		{"not JSON", `<html>`, "invalid character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := rawClient(t, tc.body)
			_, err := c.GjennomforingID(t.Context(), 1)
			require.ErrorContains(t, err, "unexpected answer: "+tc.want)
			require.False(t, client.IsRetryable(err))
		})
	}
}

// The v2 answer is read strictly: each required field, each enum.
func TestGjennomforingStrict(t *testing.T) {
	t.Parallel()
	s := fakenav.NewTestStack(t)
	c := newClient(t, s, nil)

	for _, tc := range []struct {
		name, body, want string
	}{
		{"extra fields are fine",
			`{"id":"` + id + `","tiltakskode":"JOBBKLUBB","arrangor":{"organisasjonsnummer":"1","navn":"x","slettet":false},"oppstart":"LOPENDE","navn":"n","status":{"type":"GJENNOMFORES"},"sluttDato":null}`,
			""},
		{"no id", `{"tiltakskode":"JOBBKLUBB","arrangor":{"organisasjonsnummer":"1"},"oppstart":"LOPENDE"}`, "id is missing or null"},
		{"bad id", `{"id":"x","tiltakskode":"JOBBKLUBB","arrangor":{"organisasjonsnummer":"1"},"oppstart":"LOPENDE"}`, "id: not a UUID"},
		{"no tiltakskode", `{"id":"` + id + `","arrangor":{"organisasjonsnummer":"1"},"oppstart":"LOPENDE"}`, "tiltakskode is missing or null"},
		{"null tiltakskode", `{"id":"` + id + `","tiltakskode":null,"arrangor":{"organisasjonsnummer":"1"},"oppstart":"LOPENDE"}`, "tiltakskode is missing or null"},
		{"unknown tiltakskode", `{"id":"` + id + `","tiltakskode":"NYTT","arrangor":{"organisasjonsnummer":"1"},"oppstart":"LOPENDE"}`, `unknown tiltakskode "NYTT"`},
		{"tilpasset jobbstøtte", `{"id":"` + id + `","tiltakskode":"TILPASSET_JOBBSTOTTE","arrangor":{"organisasjonsnummer":"1"},"oppstart":"LOPENDE"}`, "tiltakskode TILPASSET_JOBBSTOTTE has no Arena code"},
		{"no arrangor", `{"id":"` + id + `","tiltakskode":"JOBBKLUBB","oppstart":"LOPENDE"}`, "arrangor is missing or null"},
		{"no organisasjonsnummer", `{"id":"` + id + `","tiltakskode":"JOBBKLUBB","arrangor":{},"oppstart":"LOPENDE"}`, "arrangor.organisasjonsnummer is missing or null"},
		{"no oppstart", `{"id":"` + id + `","tiltakskode":"JOBBKLUBB","arrangor":{"organisasjonsnummer":"1"}}`, "oppstart is missing or null"},
		{"unknown oppstart", `{"id":"` + id + `","tiltakskode":"JOBBKLUBB","arrangor":{"organisasjonsnummer":"1"},"oppstart":"SNART"}`, `unknown oppstart "SNART"`},
		{"wrong type", `{"id":"` + id + `","tiltakskode":1,"arrangor":{"organisasjonsnummer":"1"},"oppstart":"LOPENDE"}`, "json: cannot unmarshal number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			gid := fakenav.NewUUID()
			s.Mulighetsrommet.SetGjennomforingJSON(gid, tc.body)
			_, err := c.Gjennomforing(t.Context(), gid)
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, "unexpected answer: "+tc.want)
			var ce *client.Error
			require.ErrorAs(t, err, &ce)
			require.Equal(t, http.StatusOK, ce.Status)
			require.False(t, ce.Retryable())
		})
	}
}

func TestGjennomforingRejectsBadID(t *testing.T) {
	t.Parallel()
	c := rawClient(t, `{}`)
	_, err := c.Gjennomforing(t.Context(), "../../admin")
	require.EqualError(t, err, `mulighetsrommet-api: get gjennomføring: id "../../admin": not a UUID`)
}

func TestRequests(t *testing.T) {
	t.Parallel()
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.Method+" "+r.URL.Path)
		if r.Header.Get("Authorization") != "Bearer tok" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		// One answer that satisfies all three calls.
		_, _ = w.Write([]byte(`{"id":"` + id + `","tiltakskode":"OPPFOLGING","arrangor":{"organisasjonsnummer":"1"},"oppstart":"LOPENDE",` +
			`"tiltakstype":{"arenaKode":"INDOPPFAG"},"virksomhetsnummer":"1"}`))
	}))
	t.Cleanup(srv.Close)
	c, err := mulighetsrommet.New(client.Config{URL: srv.URL, Scope: "s"}, client.StaticToken("tok"))
	require.NoError(t, err)

	_, err = c.GjennomforingID(t.Context(), 42)
	require.NoError(t, err)
	_, err = c.Gjennomforing(t.Context(), id)
	require.NoError(t, err)
	_, err = c.GjennomforingV1(t.Context(), id)
	require.NoError(t, err)
	require.Equal(t, []string{
		"GET /api/v1/tiltaksgjennomforinger/id/42",
		"GET /api/v2/tiltaksgjennomforinger/" + id,
		"GET /api/v1/tiltaksgjennomforinger/" + id,
	}, paths)
}

func TestGjennomforingV1ParsesStatusDatesAndVirksomhetsnummer(t *testing.T) {
	t.Parallel()
	s := fakenav.NewTestStack(t)
	c := newClient(t, s, nil)
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	slutt := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)

	for _, tc := range []struct {
		name              string
		in                fakenav.Gjennomforing
		arenaKode         string
		status            mulighetsrommet.Status
		start, slutt      *time.Time
		kurs, enkeltplass bool
		avsluttet         bool
	}{
		{"oppstart LOPENDE is not kurs",
			fakenav.Gjennomforing{Tiltakskode: "OPPFOLGING", Oppstart: "LOPENDE", StartDato: start},
			"INDOPPFAG", mulighetsrommet.StatusGjennomfores, &start, nil, false, false, false},
		{"oppstart FELLES is kurs",
			fakenav.Gjennomforing{Tiltakskode: "GRUPPE_ARBEIDSMARKEDSOPPLAERING", Oppstart: "FELLES", StartDato: start, SluttDato: slutt},
			"GRUPPEAMO", mulighetsrommet.StatusGjennomfores, &start, &slutt, true, false, false},
		{"enkeltplass",
			fakenav.Gjennomforing{Tiltakskode: "ENKELTPLASS_FAG_OG_YRKESOPPLAERING", Oppstart: "LOPENDE"},
			"ENKFAGYRKE", mulighetsrommet.StatusGjennomfores, nil, nil, false, true, false},
		{"AVSLUTTET is over",
			fakenav.Gjennomforing{Tiltakskode: "JOBBKLUBB", Status: "AVSLUTTET", StartDato: start, SluttDato: slutt},
			"JOBBK", mulighetsrommet.StatusAvsluttet, &start, &slutt, false, false, true},
		{"AVBRUTT is over", fakenav.Gjennomforing{Status: "AVBRUTT"}, "INDOPPFAG", mulighetsrommet.StatusAvbrutt, nil, nil, false, false, true},
		{"AVLYST is over", fakenav.Gjennomforing{Status: "AVLYST"}, "INDOPPFAG", mulighetsrommet.StatusAvlyst, nil, nil, false, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.in.Organisasjonsnummer = "974567890"
			tc.in.Navn = "Kurs"
			g := s.Mulighetsrommet.AddGjennomforing(tc.in)

			got, err := c.GjennomforingV1(t.Context(), strings.ToUpper(g.ID))
			require.NoError(t, err)
			require.Equal(t, mulighetsrommet.GjennomforingV1{
				ID:                g.ID,
				Tiltakstype:       mulighetsrommet.Tiltakstype{Navn: g.Tiltakskode, ArenaKode: tc.arenaKode},
				Navn:              "Kurs",
				StartDato:         tc.start,
				SluttDato:         tc.slutt,
				Status:            tc.status,
				Virksomhetsnummer: "974567890",
				Oppstart:          mulighetsrommet.Oppstart(g.Oppstart),
			}, got)
			require.Equal(t, tc.kurs, got.IsKurs())
			require.Equal(t, tc.enkeltplass, got.IsEnkeltplass())
			require.Equal(t, tc.avsluttet, got.IsAvsluttet())
		})
	}
}

// scopeRecorder is a TokenSource that notes the scopes it is asked for.
type scopeRecorder struct {
	client.TokenSource
	mu     sync.Mutex
	scopes []string
}

func (r *scopeRecorder) Token(ctx context.Context, scope string) (string, error) {
	r.mu.Lock()
	r.scopes = append(r.scopes, scope)
	r.mu.Unlock()
	return r.TokenSource.Token(ctx, scope)
}

func TestGjennomforingV1TokenIsForTheMulighetsrommetScope(t *testing.T) {
	t.Parallel()
	s := fakenav.NewTestStack(t)
	g := s.Mulighetsrommet.AddGjennomforing(fakenav.Gjennomforing{})
	tokens := &scopeRecorder{TokenSource: nais.NewTokenClient(s.TokenEndpoint())}
	c, err := mulighetsrommet.New(s.Configs().Mulighetsrommet, tokens)
	require.NoError(t, err)

	// The fake accepts only a token issued for its own scope.
	_, err = c.GjennomforingV1(t.Context(), g.ID)
	require.NoError(t, err)
	require.Equal(t, []string{fakenav.MulighetsrommetScope}, tokens.scopes)
	require.Equal(t, 1, s.Mulighetsrommet.CallsOn(fakenav.EndpointGjennomforingV1))
}

// The v1 answer: id, tiltakstype.arenaKode and virksomhetsnummer are
// required, the rest may be null, and enums and dates are checked.
func TestGjennomforingV1Strict(t *testing.T) {
	t.Parallel()
	s := fakenav.NewTestStack(t)
	c := newClient(t, s, nil)
	const rest = `"tiltakstype":{"arenaKode":"JOBBK"},"virksomhetsnummer":"1"`

	for _, tc := range []struct {
		name, body, want string
	}{
		{"only the required fields", `{"id":"` + id + `",` + rest + `}`, ""},
		{"nulls and extra fields are fine",
			`{"id":"` + id + `","tiltakstype":{"id":null,"navn":null,"arenaKode":"JOBBK","x":1},"virksomhetsnummer":"1",` +
				`"navn":null,"startDato":null,"sluttDato":null,"status":null,"oppstart":null,"apentForPamelding":true}`,
			""},
		{"no id", `{` + rest + `}`, "id is missing or null"},
		{"bad id", `{"id":"x",` + rest + `}`, "id: not a UUID"},
		{"no tiltakstype", `{"id":"` + id + `","virksomhetsnummer":"1"}`, "tiltakstype is missing or null"},
		{"no arenaKode", `{"id":"` + id + `","tiltakstype":{},"virksomhetsnummer":"1"}`, "tiltakstype.arenaKode is missing, null or empty"},
		{"bad tiltakstype id", `{"id":"` + id + `","tiltakstype":{"id":"x","arenaKode":"JOBBK"},"virksomhetsnummer":"1"}`, "tiltakstype.id: not a UUID"},
		{"no virksomhetsnummer", `{"id":"` + id + `","tiltakstype":{"arenaKode":"JOBBK"}}`, "virksomhetsnummer is missing or null"},
		{"bad startDato", `{"id":"` + id + `",` + rest + `,"startDato":"05.01.2026"}`, "startDato: not a date yyyy-mm-dd"},
		{"bad sluttDato", `{"id":"` + id + `",` + rest + `,"sluttDato":"2026-06-30T00:00:00"}`, "sluttDato: not a date yyyy-mm-dd"},
		{"unknown status", `{"id":"` + id + `",` + rest + `,"status":"PLANLAGT"}`, `unknown status "PLANLAGT"`},
		{"unknown oppstart", `{"id":"` + id + `",` + rest + `,"oppstart":"SNART"}`, `unknown oppstart "SNART"`},
		{"status as object", `{"id":"` + id + `",` + rest + `,"status":{"type":"GJENNOMFORES"}}`, "json: cannot unmarshal object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			gid := fakenav.NewUUID()
			s.Mulighetsrommet.SetGjennomforingV1JSON(gid, tc.body)
			_, err := c.GjennomforingV1(t.Context(), gid)
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, "unexpected answer: "+tc.want)
			var ce *client.Error
			require.ErrorAs(t, err, &ce)
			require.Equal(t, http.StatusOK, ce.Status)
			require.False(t, ce.Retryable())
		})
	}
}

func TestGjennomforingV1RejectsBadID(t *testing.T) {
	t.Parallel()
	c := rawClient(t, `{}`)
	_, err := c.GjennomforingV1(t.Context(), "id/42")
	require.EqualError(t, err, `mulighetsrommet-api: get gjennomføring v1: id "id/42": not a UUID`)
}

func TestArenaKode(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		kode mulighetsrommet.Tiltakskode
		want string
	}{
		{mulighetsrommet.ArbeidsforberedendeTrening, "ARBFORB"},
		{mulighetsrommet.ArbeidsrettetRehabilitering, "ARBRRHDAG"},
		{mulighetsrommet.Avklaring, "AVKLARAG"},
		{mulighetsrommet.DigitaltOppfolgingstiltak, "DIGIOPPARB"},
		{mulighetsrommet.GruppeArbeidsmarkedsopplaering, "GRUPPEAMO"},
		{mulighetsrommet.GruppeFagOgYrkesopplaering, "GRUFAGYRKE"},
		{mulighetsrommet.Jobbklubb, "JOBBK"},
		{mulighetsrommet.Oppfolging, "INDOPPFAG"},
		{mulighetsrommet.VarigTilrettelagtArbeidSkjermet, "VASV"},
		{mulighetsrommet.EnkeltplassArbeidsmarkedsopplaering, "ENKELAMO"},
		{mulighetsrommet.EnkeltplassFagOgYrkesopplaering, "ENKFAGYRKE"},
		{mulighetsrommet.HoyereUtdanning, "HOYEREUTD"},
		{mulighetsrommet.Arbeidsmarkedsopplaering, "GRUPPEAMO"},
		{mulighetsrommet.NorskopplaeringGrunnleggendeFerdigheterFOV, "GRUPPEAMO"},
		{mulighetsrommet.Studiespesialisering, "GRUPPEAMO"},
		{mulighetsrommet.FagOgYrkesopplaering, "GRUFAGYRKE"},
		{mulighetsrommet.HoyereYrkesfagligUtdanning, "GRUFAGYRKE"},
	} {
		t.Run(string(tc.kode), func(t *testing.T) {
			t.Parallel()
			got, err := mulighetsrommet.ArenaKode(tc.kode)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			require.Equal(t, tc.want == "ENKELAMO" || tc.want == "ENKFAGYRKE" || tc.want == "HOYEREUTD", mulighetsrommet.IsEnkeltplassKode(got))
		})
	}

	_, err := mulighetsrommet.ArenaKode(mulighetsrommet.TilpassetJobbstotte)
	require.ErrorIs(t, err, mulighetsrommet.ErrNoArenaKode)
	_, err = mulighetsrommet.ArenaKode("INDOPPFAG")
	require.EqualError(t, err, `unknown tiltakskode "INDOPPFAG"`)
}

func rawClient(t *testing.T, body string) *mulighetsrommet.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	c, err := mulighetsrommet.New(client.Config{URL: srv.URL, Scope: "s"}, client.StaticToken("t"))
	require.NoError(t, err)
	return c
}
