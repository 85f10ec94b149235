package ords_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/nais"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client/ords"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/fakenav"
)

const fnr = "12345678910"

// newClient returns a client of the stack's ORDS with its tokens from the
// stack's Texas, as in production.
func newClient(t *testing.T, s *fakenav.Stack, change func(*client.Config)) *ords.Client {
	t.Helper()
	cfg := s.Configs().ORDS
	if change != nil {
		change(&cfg)
	}
	c, err := ords.New(cfg, nais.NewTokenClient(s.TokenEndpoint()))
	require.NoError(t, err)
	return c
}

func TestFnr(t *testing.T) {
	t.Parallel()
	s := fakenav.NewTestStack(t)
	s.ORDS.SetFnr(987654, fnr)
	c := newClient(t, s, nil)

	got, err := c.Fnr(t.Context(), 987654)
	require.NoError(t, err)
	require.Equal(t, fnr, got)

	// The token is fetched once and cached by the token source.
	_, err = c.Fnr(t.Context(), 987654)
	require.NoError(t, err)
	require.Equal(t, 2, s.ORDS.CallsOn(fakenav.EndpointFnr))
	require.Equal(t, 1, s.Texas.CallsOn(fakenav.EndpointToken))
}

func TestFnrFailures(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name      string
		setup     func(s *fakenav.Stack)
		change    func(*client.Config)
		status    int
		notFound  bool
		retryable bool
		timeout   bool
		contains  string
	}{
		{
			name:     "404 means Arena has no fnr",
			setup:    func(s *fakenav.Stack) { s.ORDS.RemoveFnr(987654) },
			status:   404,
			notFound: true,
			contains: "amt-arena-ords-proxy: get fnr for Arena personId 987654: not found",
		},
		{
			name:      "500 is retryable",
			setup:     func(s *fakenav.Stack) { s.ORDS.FailNext(1, 500) },
			status:    500,
			retryable: true,
			contains:  "answered 500 Internal Server Error",
		},
		{
			name:      "503 is retryable",
			setup:     func(s *fakenav.Stack) { s.ORDS.FailNext(1, 503) },
			status:    503,
			retryable: true,
		},
		{
			name:      "no answer in time",
			setup:     func(s *fakenav.Stack) { s.ORDS.BlockNext(1) },
			change:    func(c *client.Config) { c.Timeout = 100 * time.Millisecond },
			retryable: true,
			timeout:   true,
			contains:  "no answer within 100ms",
		},
		{
			name:     "token for another scope is rejected",
			change:   func(c *client.Config) { c.Scope = fakenav.AmtTiltakScope },
			status:   401,
			contains: "answered 401 Unauthorized",
		},
		{
			name:      "no token",
			setup:     func(s *fakenav.Stack) { s.Texas.FailNext(1, 500) },
			retryable: true,
			contains:  "get token",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := fakenav.NewTestStack(t)
			s.ORDS.SetFnr(987654, fnr)
			if tc.setup != nil {
				tc.setup(s)
			}
			c := newClient(t, s, tc.change)

			got, err := c.Fnr(t.Context(), 987654)
			require.Error(t, err)
			require.Empty(t, got)
			require.NotContains(t, err.Error(), fnr)
			require.Contains(t, err.Error(), tc.contains)
			require.Equal(t, tc.notFound, errors.Is(err, client.ErrNotFound))

			var ce *client.Error
			require.ErrorAs(t, err, &ce)
			require.Equal(t, client.PeerORDS, ce.Peer)
			require.Equal(t, tc.status, ce.Status)
			require.Equal(t, tc.retryable, ce.Retryable())
			require.Equal(t, tc.timeout, ce.Timeout())
		})
	}
}

func TestFnrCallerCancelled(t *testing.T) {
	t.Parallel()
	s := fakenav.NewTestStack(t)
	s.ORDS.SetFnr(1, fnr)
	c := newClient(t, s, nil)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := c.Fnr(ctx, 1)
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, client.IsRetryable(err))
}

func TestFnrPeerDown(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	c, err := ords.New(client.Config{URL: srv.URL, Scope: "api://x/.default"}, client.StaticToken("t"))
	require.NoError(t, err)

	_, err = c.Fnr(t.Context(), 1)
	var ce *client.Error
	require.ErrorAs(t, err, &ce)
	require.Zero(t, ce.Status)
	require.True(t, ce.Retryable())
}

// Answers the fake cannot give: they must fail without quoting the fnr.
func TestFnrBadAnswers(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name, body string
	}{
		{"null fnr", `{"fnr": null}`},
		{"no fnr", `{"fodselsnummer": "12345678910"}`},
		{"empty fnr", `{"fnr": ""}`},
		{"fnr as number", `{"fnr": 12345678910}`},
		{"broken JSON", `{"fnr": "12345678910"`},
		{"trailing garbage after fnr", `{"fnr": "12345678910"} x12345678910`},
		{"not an object", `["12345678910"]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(tc.body))
			}))
			t.Cleanup(srv.Close)
			c, err := ords.New(client.Config{URL: srv.URL, Scope: "api://x/.default"}, client.StaticToken("t"))
			require.NoError(t, err)

			_, err = c.Fnr(t.Context(), 1)
			require.Error(t, err)
			require.NotContains(t, err.Error(), fnr)
			require.Contains(t, err.Error(), "unexpected answer")
			require.False(t, client.IsRetryable(err))
			require.NotErrorIs(t, err, client.ErrNotFound)
		})
	}
}

// What goes on the wire: path, query, headers.
func TestFnrRequest(t *testing.T) {
	t.Parallel()
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(context.Background())
		_, _ = w.Write([]byte(`{"fnr":"12345678910","extra":1}`))
	}))
	t.Cleanup(srv.Close)
	c, err := ords.New(client.Config{URL: srv.URL + "/", Scope: "api://x/.default", ConsumerID: "amt-arena-acl"}, client.StaticToken("tok"))
	require.NoError(t, err)

	f, err := c.Fnr(t.Context(), 987654)
	require.NoError(t, err)
	require.Equal(t, fnr, f)
	require.Equal(t, http.MethodGet, got.Method)
	require.Equal(t, "/api/ords/fnr", got.URL.Path)
	require.Equal(t, "personId=987654", got.URL.RawQuery)
	require.Equal(t, "Bearer tok", got.Header.Get("Authorization"))
	require.Equal(t, "amt-arena-acl", got.Header.Get("Nav-Consumer-Id"))
	require.Equal(t, "application/json", got.Header.Get("Accept"))
}

func TestNew(t *testing.T) {
	t.Parallel()
	_, err := ords.New(client.Config{Scope: "s"}, client.StaticToken("t"))
	require.EqualError(t, err, "amt-arena-ords-proxy: URL is not set")
	_, err = ords.New(client.Config{URL: "http://x", Scope: "s"}, nil)
	require.EqualError(t, err, "amt-arena-ords-proxy: no token source")
}

func TestArbeidsgiverParsesBothOrganisasjonsnumre(t *testing.T) {
	t.Parallel()
	s := fakenav.NewTestStack(t)
	s.ORDS.AddArbeidsgiver(fakenav.Arbeidsgiver{ID: 272588, Virksomhetsnummer: "974567890", OrganisasjonsnummerMorselskap: "912345678"})
	c := newClient(t, s, nil)

	got, err := c.Arbeidsgiver(t.Context(), 272588)
	require.NoError(t, err)
	require.Equal(t, ords.Arbeidsgiver{Virksomhetsnummer: "974567890", OrganisasjonsnummerMorselskap: "912345678"}, got)
	require.Equal(t, 1, s.ORDS.CallsOn(fakenav.EndpointArbeidsgiver))
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

func TestArbeidsgiverTokenIsForTheORDSScope(t *testing.T) {
	t.Parallel()
	s := fakenav.NewTestStack(t)
	s.ORDS.AddArbeidsgiver(fakenav.Arbeidsgiver{ID: 1})
	tokens := &scopeRecorder{TokenSource: nais.NewTokenClient(s.TokenEndpoint())}
	c, err := ords.New(s.Configs().ORDS, tokens)
	require.NoError(t, err)

	// The fake accepts only a token issued for its own scope.
	_, err = c.Arbeidsgiver(t.Context(), 1)
	require.NoError(t, err)
	require.Equal(t, []string{fakenav.ORDSScope}, tokens.scopes)
}

func TestArbeidsgiverFailures(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name      string
		setup     func(s *fakenav.Stack)
		change    func(*client.Config)
		status    int
		notFound  bool
		retryable bool
		timeout   bool
		contains  string
	}{
		{
			name:     "404 means no such arbeidsgiver",
			setup:    func(s *fakenav.Stack) { s.ORDS.RemoveArbeidsgiver(272588) },
			status:   404,
			notFound: true,
			contains: "amt-arena-ords-proxy: get Arena arbeidsgiverId 272588: not found",
		},
		{
			name:      "500 is retryable",
			setup:     func(s *fakenav.Stack) { s.ORDS.FailNextOn(fakenav.EndpointArbeidsgiver, 1, 500) },
			status:    500,
			retryable: true,
			contains:  "answered 500 Internal Server Error",
		},
		{
			name:      "503 is retryable",
			setup:     func(s *fakenav.Stack) { s.ORDS.FailNext(1, 503) },
			status:    503,
			retryable: true,
		},
		{
			name:      "no answer in time",
			setup:     func(s *fakenav.Stack) { s.ORDS.BlockNextOn(fakenav.EndpointArbeidsgiver, 1) },
			change:    func(c *client.Config) { c.Timeout = 100 * time.Millisecond },
			retryable: true,
			timeout:   true,
			contains:  "no answer within 100ms",
		},
		{
			name:     "token for another scope is rejected",
			change:   func(c *client.Config) { c.Scope = fakenav.MulighetsrommetScope },
			status:   401,
			contains: "answered 401 Unauthorized",
		},
		{
			name:      "no token",
			setup:     func(s *fakenav.Stack) { s.Texas.FailNext(1, 500) },
			retryable: true,
			contains:  "get token",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := fakenav.NewTestStack(t)
			s.ORDS.AddArbeidsgiver(fakenav.Arbeidsgiver{ID: 272588})
			if tc.setup != nil {
				tc.setup(s)
			}
			c := newClient(t, s, tc.change)

			got, err := c.Arbeidsgiver(t.Context(), 272588)
			require.Error(t, err)
			require.Zero(t, got)
			require.Contains(t, err.Error(), tc.contains)
			require.Equal(t, tc.notFound, errors.Is(err, client.ErrNotFound))

			var ce *client.Error
			require.ErrorAs(t, err, &ce)
			require.Equal(t, client.PeerORDS, ce.Peer)
			require.Equal(t, tc.status, ce.Status)
			require.Equal(t, tc.retryable, ce.Retryable())
			require.Equal(t, tc.timeout, ce.Timeout())
		})
	}
}

// Answers the fake cannot give: they fail, not retryable, without quoting
// the answer.
func TestArbeidsgiverBadAnswers(t *testing.T) {
	t.Parallel()
	const orgnr = "974567890"

	for _, tc := range []struct {
		name, body, want string
	}{
		{"no virksomhetsnummer", `{"organisasjonsnummerMorselskap":"974567890"}`, "virksomhetsnummer is missing, null or empty"},
		{"null virksomhetsnummer", `{"virksomhetsnummer":null,"organisasjonsnummerMorselskap":"974567890"}`, "virksomhetsnummer is missing, null or empty"},
		{"empty virksomhetsnummer", `{"virksomhetsnummer":"","organisasjonsnummerMorselskap":"974567890"}`, "virksomhetsnummer is missing, null or empty"},
		{"no morselskap", `{"virksomhetsnummer":"974567890"}`, "organisasjonsnummerMorselskap is missing or null"},
		{"virksomhetsnummer as number", `{"virksomhetsnummer":974567890,"organisasjonsnummerMorselskap":"974567890"}`, "not a JSON object"},
		{"broken JSON", `{"virksomhetsnummer":"974567890"`, "not a JSON object"},
		{"not an object", `["974567890"]`, "not a JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write([]byte(tc.body))
			}))
			t.Cleanup(srv.Close)
			c, err := ords.New(client.Config{URL: srv.URL, Scope: "api://x/.default"}, client.StaticToken("t"))
			require.NoError(t, err)

			_, err = c.Arbeidsgiver(t.Context(), 1)
			require.ErrorContains(t, err, "unexpected answer: "+tc.want)
			require.NotContains(t, err.Error(), orgnr)
			require.False(t, client.IsRetryable(err))
			require.NotErrorIs(t, err, client.ErrNotFound)
		})
	}
}

// What goes on the wire: path, query, headers; unknown fields are ignored.
func TestArbeidsgiverRequest(t *testing.T) {
	t.Parallel()
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(context.Background())
		_, _ = w.Write([]byte(`{"virksomhetsnummer":"974567890","organisasjonsnummerMorselskap":"912345678","navn":"x"}`))
	}))
	t.Cleanup(srv.Close)
	c, err := ords.New(client.Config{URL: srv.URL, Scope: "api://x/.default", ConsumerID: "amt-arena-acl"}, client.StaticToken("tok"))
	require.NoError(t, err)

	a, err := c.Arbeidsgiver(t.Context(), 272588)
	require.NoError(t, err)
	require.Equal(t, "974567890", a.Virksomhetsnummer)
	require.Equal(t, http.MethodGet, got.Method)
	require.Equal(t, "/api/ords/arbeidsgiver", got.URL.Path)
	require.Equal(t, "arbeidsgiverId=272588", got.URL.RawQuery)
	require.Equal(t, "Bearer tok", got.Header.Get("Authorization"))
	require.Equal(t, "amt-arena-acl", got.Header.Get("Nav-Consumer-Id"))
}
