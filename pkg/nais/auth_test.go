package nais_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/nais"
)

const goodToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzZWNyZXQifQ.c2lnbmF0dXJl"

// texasIntrospection plays Texas's introspection endpoint: goodToken is
// active, anything else is not.
func texasIntrospection(t *testing.T) *httptest.Server {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			IdentityProvider string `json:"identity_provider"`
			Token            string `json:"token"`
		}
		if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&req) != nil || req.IdentityProvider != "entra_id" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if req.Token != goodToken {
			_, _ = io.WriteString(w, `{"active":false,"error":"token is expired"}`)
			return
		}
		_, _ = io.WriteString(w, `{
			"active": true,
			"azp": "8b3c2c4e-0000-4000-8000-000000000000",
			"azp_name": "prod-gcp:teamx:other-app",
			"sub": "user-object-id",
			"NAVident": "Z990000",
			"roles": ["access_as_application"],
			"groups": ["g1", "g2"],
			"exp": 1730980893
		}`)
	}))
	t.Cleanup(ts.Close)
	return ts
}

// echoClaims answers with the claims it found in the request context.
var echoClaims = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	claims, ok := nais.ClaimsFrom(r.Context())
	if !ok {
		_, _ = io.WriteString(w, "no claims")
		return
	}
	_, _ = io.WriteString(w, claims.NAVident()+" via "+claims.AzpName())
})

func TestRequireToken(t *testing.T) {
	t.Parallel()
	texas := texasIntrospection(t)

	tests := []struct {
		name          string
		header        []string // Authorization header values
		wantStatus    int
		wantChallenge string
		wantBody      string
	}{
		{"no header", nil, 401, `Bearer`, ""},
		{"empty header", []string{""}, 401, `Bearer error="invalid_token", error_description="malformed Authorization header"`, ""},
		{"basic", []string{"Basic dXNlcjpwYXNz"}, 401, `Bearer error="invalid_token", error_description="malformed Authorization header"`, ""},
		{"bearer without token", []string{"Bearer "}, 401, `Bearer error="invalid_token", error_description="malformed Authorization header"`, ""},
		{"token with a space", []string{"Bearer abc def"}, 401, `Bearer error="invalid_token", error_description="malformed Authorization header"`, ""},
		{"two headers", []string{"Bearer " + goodToken, "Bearer " + goodToken}, 401, `Bearer error="invalid_token", error_description="malformed Authorization header"`, ""},
		{"inactive token", []string{"Bearer expired.token.here"}, 401, `Bearer error="invalid_token"`, ""},
		{"active token", []string{"Bearer " + goodToken}, 200, "", "Z990000 via prod-gcp:teamx:other-app"},
		{"scheme in any case", []string{"bearer " + goodToken}, 200, "", "Z990000 via prod-gcp:teamx:other-app"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			log, logs := newLogger(t)
			api := httptest.NewServer(nais.RequireToken(nais.NewIntrospector(texas.URL), log)(echoClaims))
			defer api.Close()

			req, err := http.NewRequest(http.MethodGet, api.URL+"/api/v1/sak", nil)
			require.NoError(t, err)
			for _, v := range tt.header {
				req.Header.Add("Authorization", v)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)

			require.Equal(t, tt.wantStatus, resp.StatusCode)
			require.Equal(t, tt.wantChallenge, resp.Header.Get("WWW-Authenticate"))
			if tt.wantBody != "" {
				require.Equal(t, tt.wantBody, string(body))
			}
			require.NotContains(t, logs.String(), goodToken, "the token is never logged")
			require.NotContains(t, logs.String(), "expired.token.here", "not even a bad one")
		})
	}
}

func TestRequireTokenTexasFailure(t *testing.T) {
	t.Parallel()
	down := httptest.NewServer(nil)
	down.Close() // nothing listens here now

	tests := []struct {
		name     string
		endpoint func(t *testing.T) string
	}{
		{"texas answers 500", func(t *testing.T) string {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, `{"error":"server_error"}`, http.StatusInternalServerError)
			}))
			t.Cleanup(ts.Close)
			return ts.URL
		}},
		{"texas unreachable", func(*testing.T) string { return down.URL }},
		{"texas answers nonsense", func(t *testing.T) string {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.WriteString(w, `{"claims":"maybe"}`)
			}))
			t.Cleanup(ts.Close)
			return ts.URL
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			log, logs := newLogger(t)
			var reached atomic.Bool
			next := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached.Store(true) })
			api := httptest.NewServer(nais.RequireToken(nais.NewIntrospector(tt.endpoint(t)), log)(next))
			defer api.Close()

			req, err := http.NewRequest(http.MethodGet, api.URL, nil)
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer "+goodToken)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()

			require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
			require.Empty(t, resp.Header.Get("WWW-Authenticate"), "the caller's credentials are not the problem")
			require.False(t, reached.Load(), "an unchecked request is never let through")
			lines := logs.lines(t)
			require.Len(t, lines, 1)
			require.Equal(t, "ERROR", lines[0]["level"])
			require.NotContains(t, logs.String(), goodToken)
		})
	}
}

func TestIntrospect(t *testing.T) {
	t.Parallel()
	texas := texasIntrospection(t)
	i := nais.NewIntrospector(texas.URL)

	claims, err := i.Introspect(context.Background(), goodToken)
	require.NoError(t, err)
	require.Equal(t, "prod-gcp:teamx:other-app", claims.AzpName())
	require.Equal(t, "8b3c2c4e-0000-4000-8000-000000000000", claims.Azp())
	require.Equal(t, "Z990000", claims.NAVident())
	require.Equal(t, "user-object-id", claims.Subject())
	require.Equal(t, []string{"access_as_application"}, claims.Roles())
	require.Equal(t, []string{"g1", "g2"}, claims.Groups())
	require.InDelta(t, 1730980893, claims["exp"], 0)
	require.NotContains(t, claims, "active")
	require.Empty(t, claims.String("missing"))
	require.Nil(t, claims.Strings("exp"), "not strings")

	_, err = i.Introspect(context.Background(), "expired.token.here")
	require.ErrorIs(t, err, nais.ErrInactiveToken)
	require.EqualError(t, err, "token is not active: token is expired")

	_, err = i.Introspect(context.Background(), "")
	require.ErrorIs(t, err, nais.ErrInactiveToken)
}

func TestIntrospectErrorNeverHoldsToken(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write(b) // echoes the request, token and all
	}))
	defer ts.Close()
	_, err := nais.NewIntrospector(ts.URL).Introspect(context.Background(), goodToken)
	require.EqualError(t, err, "nais: introspect token: Texas answered 400 Bad Request")
}

func TestAllowAnonymous(t *testing.T) {
	t.Parallel()
	log, logs := newLogger(t)
	mw := nais.RequireToken(nil, log, nais.AllowAnonymous())

	lines := logs.lines(t)
	require.Len(t, lines, 1, "one warning, at construction")
	require.Equal(t, "WARN", lines[0]["level"])
	require.Contains(t, lines[0]["message"], "AUTHENTICATION IS OFF")

	api := httptest.NewServer(mw(echoClaims))
	defer api.Close()
	for range 3 {
		resp, err := http.Get(api.URL)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Equal(t, "no claims", string(body))
	}
	require.Len(t, logs.lines(t), 1, "requests add no warnings")
}

func TestRequireTokenWithoutIntrospectorPanics(t *testing.T) {
	t.Parallel()
	require.PanicsWithValue(t, "nais: RequireToken needs an Introspector", func() { nais.RequireToken(nil, nil) })
}

func TestContextWithClaims(t *testing.T) {
	t.Parallel()
	_, ok := nais.ClaimsFrom(context.Background())
	require.False(t, ok)

	ctx := nais.ContextWithClaims(context.Background(), nais.Claims{"NAVident": "Z990000"})
	c, ok := nais.ClaimsFrom(ctx)
	require.True(t, ok)
	require.Equal(t, "Z990000", c.NAVident())
}

// A rejected request is logged with its route pattern, never its path: paths
// of personal-data APIs hold identifiers.
func TestRejectedRequestLogsTheRouteNotThePath(t *testing.T) {
	t.Parallel()
	log, logs := newLogger(t)
	mux := http.NewServeMux()
	mux.Handle("GET /api/person/{id}", nais.RequireToken(nais.NewIntrospector(texasIntrospection(t).URL), log)(echoClaims))
	api := httptest.NewServer(mux)
	defer api.Close()

	for _, token := range []string{"", "not-a-valid-token"} {
		req, err := http.NewRequest(http.MethodGet, api.URL+"/api/person/4242", nil)
		require.NoError(t, err)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	}
	out := logs.String()
	require.Contains(t, out, "GET /api/person/{id}")
	require.NotContains(t, out, "4242") // an id the fnr mask would not catch
}
