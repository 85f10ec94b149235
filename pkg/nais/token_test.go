package nais_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/nais"
)

const target = "api://prod-gcp.teamx.other-app/.default"

// texasTokens plays Texas's token endpoint. Each answer is a new token,
// "secret-<n>", valid for expiresIn seconds, unless status says otherwise.
type texasTokens struct {
	calls     atomic.Int64
	expiresIn atomic.Int64
	status    atomic.Int64  // 0 means 200
	hold      chan struct{} // when set, answers wait for it to close
}

func newTexasTokens(t *testing.T) (*texasTokens, *httptest.Server) {
	tt := &texasTokens{}
	tt.expiresIn.Store(3599)
	ts := httptest.NewServer(tt)
	t.Cleanup(ts.Close)
	return tt, ts
}

func (tt *texasTokens) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := tt.calls.Add(1)
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "want a JSON POST", http.StatusBadRequest)
		return
	}
	var req struct {
		IdentityProvider string `json:"identity_provider"`
		Target           string `json:"target"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.IdentityProvider == "" || req.Target == "" {
		http.Error(w, "bad request body", http.StatusBadRequest)
		return
	}
	if tt.hold != nil {
		<-tt.hold
	}
	w.Header().Set("Content-Type", "application/json")
	if s := tt.status.Load(); s != 0 {
		w.WriteHeader(int(s))
		_, _ = io.WriteString(w, `{"error":"server_error","error_description":"entra id did not answer"}`)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{
		"access_token": fmt.Sprintf("secret-%d", n),
		"expires_in":   tt.expiresIn.Load(),
		"token_type":   "Bearer",
		// Echoed so tests can see what was asked for.
		"provider": req.IdentityProvider,
	})
}

func TestTokenConcurrentCallersShareOneRequest(t *testing.T) {
	t.Parallel()
	texas, ts := newTexasTokens(t)
	texas.hold = make(chan struct{})
	tokens := nais.NewTokenClient(ts.URL)

	const callers = 20
	var started, done sync.WaitGroup
	got := make([]string, callers)
	errs := make([]error, callers)
	for i := range callers {
		started.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			started.Done()
			got[i], errs[i] = tokens.Token(context.Background(), target)
		}()
	}
	started.Wait()
	// Whether a caller joined the request in flight or came after it and
	// found the token cached, there is one request.
	close(texas.hold)
	done.Wait()

	for i := range callers {
		require.NoError(t, errs[i])
		require.Equal(t, "secret-1", got[i])
	}
	require.EqualValues(t, 1, texas.calls.Load())
}

func TestTokenCachedPerTarget(t *testing.T) {
	t.Parallel()
	texas, ts := newTexasTokens(t)
	tokens := nais.NewTokenClient(ts.URL)
	ctx := context.Background()

	a, err := tokens.Token(ctx, target)
	require.NoError(t, err)
	b, err := tokens.Token(ctx, "api://prod-gcp.teamy.third-app/.default")
	require.NoError(t, err)
	again, err := tokens.Token(ctx, target)
	require.NoError(t, err)

	require.Equal(t, "secret-1", a)
	require.Equal(t, "secret-2", b)
	require.Equal(t, a, again)
	require.EqualValues(t, 2, texas.calls.Load())
}

func TestTokenRefresh(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		expiresIn int64
		advance   time.Duration
		wantCalls int64
	}{
		{"well before expiry", 3599, 3538 * time.Second, 1},
		{"a minute before expiry", 3599, 3539 * time.Second, 2},
		{"after expiry", 3599, time.Hour, 2},
		{"short-lived: before half its life", 30, 14 * time.Second, 1},
		{"short-lived: at half its life", 30, 15 * time.Second, 2},
		{"no lifetime is not cached", 0, 0, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			texas, ts := newTexasTokens(t)
			texas.expiresIn.Store(tt.expiresIn)
			clock := newFakeClock()
			tokens := nais.NewTokenClient(ts.URL, nais.WithClock(clock.Now))

			first, err := tokens.Token(context.Background(), target)
			require.NoError(t, err)
			clock.Advance(tt.advance)
			second, err := tokens.Token(context.Background(), target)
			require.NoError(t, err)

			require.Equal(t, tt.wantCalls, texas.calls.Load())
			require.Equal(t, tt.wantCalls == 1, first == second)
		})
	}
}

func TestTokenFailedRefreshUsesValidToken(t *testing.T) {
	t.Parallel()
	texas, ts := newTexasTokens(t)
	clock := newFakeClock()
	tokens := nais.NewTokenClient(ts.URL, nais.WithClock(clock.Now))
	ctx := context.Background()

	first, err := tokens.Token(ctx, target)
	require.NoError(t, err)

	texas.status.Store(http.StatusInternalServerError)
	clock.Advance(3560 * time.Second) // due for refresh, not yet expired
	got, err := tokens.Token(ctx, target)
	require.NoError(t, err)
	require.Equal(t, first, got)
	require.EqualValues(t, 2, texas.calls.Load(), "it did try to refresh")

	clock.Advance(time.Minute) // expired
	_, err = tokens.Token(ctx, target)
	require.ErrorContains(t, err, "500")
}

func TestTokenErrors(t *testing.T) {
	t.Parallel()
	answer := func(status int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		}
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{
			"500 with Texas's error",
			answer(500, `{"error":"server_error","error_description":"entra id did not answer"}`),
			`nais: get token for "` + target + `": Texas answered 500 Internal Server Error: server_error: entra id did not answer`,
		},
		{
			"400 without a body",
			answer(400, ``),
			`nais: get token for "` + target + `": Texas answered 400 Bad Request`,
		},
		{
			"502 that is not JSON",
			answer(502, `<html>bad gateway</html>`),
			`nais: get token for "` + target + `": Texas answered 502 Bad Gateway`,
		},
		{
			"no access_token",
			answer(200, `{"expires_in":3599,"token_type":"Bearer"}`),
			`nais: get token for "` + target + `": answer has no access_token`,
		},
		{
			"not JSON",
			answer(200, `secret-token`),
			`nais: get token for "` + target + `": decode answer: invalid character 's' looking for beginning of value`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := httptest.NewServer(tt.handler)
			defer ts.Close()

			_, err := nais.NewTokenClient(ts.URL).Token(context.Background(), target)
			require.EqualError(t, err, tt.want)
		})
	}
}

func TestTokenErrorNeverHoldsToken(t *testing.T) {
	t.Parallel()
	// A token endpoint that answers 401 with a token in the body still does
	// not get it into the error.
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"access_token":"secret-token"}`)
	}))
	defer ts.Close()
	_, err := nais.NewTokenClient(ts.URL).Token(context.Background(), target)
	require.ErrorContains(t, err, "401")
	require.NotContains(t, err.Error(), "secret")
}

func TestTokenTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	t.Cleanup(ts.Close) // runs after release is closed: cleanups run last-in first-out
	t.Cleanup(func() { close(release) })

	_, err := nais.NewTokenClient(ts.URL, nais.WithTimeout(20*time.Millisecond)).Token(context.Background(), target)
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestTokenCallerGivesUp(t *testing.T) {
	t.Parallel()
	texas, ts := newTexasTokens(t)
	texas.hold = make(chan struct{})
	tokens := nais.NewTokenClient(ts.URL)

	patient := make(chan error, 1)
	go func() {
		_, err := tokens.Token(context.Background(), target)
		patient <- err
	}()

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := tokens.Token(ctx, target)
	require.ErrorIs(t, err, context.Canceled)

	close(texas.hold)
	require.NoError(t, <-patient, "one caller giving up does not fail the others")
}

func TestTokenIdentityProvider(t *testing.T) {
	t.Parallel()
	var got atomic.Value
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req map[string]string
		_ = json.NewDecoder(r.Body).Decode(&req)
		got.Store(req)
		_, _ = io.WriteString(w, `{"access_token":"t","expires_in":60}`)
	}))
	defer ts.Close()

	_, err := nais.NewTokenClient(ts.URL).Token(context.Background(), target)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"identity_provider": "entra_id", "target": target}, got.Load())

	_, err = nais.NewTokenClient(ts.URL, nais.WithIdentityProvider("maskinporten")).Token(context.Background(), "nav:scope")
	require.NoError(t, err)
	require.Equal(t, map[string]string{"identity_provider": "maskinporten", "target": "nav:scope"}, got.Load())

	_, err = nais.NewTokenClient(ts.URL).Token(context.Background(), "")
	require.EqualError(t, err, "nais: get token: empty target")
}

func TestTransport(t *testing.T) {
	t.Parallel()
	_, texas := newTexasTokens(t)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.Header.Get("Authorization"))
	}))
	defer api.Close()

	client := &http.Client{Transport: nais.NewTokenClient(texas.URL).Transport(target, nil)}
	req, err := http.NewRequest(http.MethodGet, api.URL, nil)
	require.NoError(t, err)
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)

	require.Equal(t, "Bearer secret-1", string(b))
	require.Empty(t, req.Header.Get("Authorization"), "the caller's request is not modified")
}

func TestTransportTokenFailure(t *testing.T) {
	t.Parallel()
	texas, ts := newTexasTokens(t)
	texas.status.Store(http.StatusInternalServerError)
	var reached atomic.Bool
	api := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached.Store(true) }))
	defer api.Close()

	body := &closeRecorder{Reader: strings.NewReader("payload")}
	req, err := http.NewRequest(http.MethodPost, api.URL, body)
	require.NoError(t, err)
	_, err = (&http.Client{Transport: nais.NewTokenClient(ts.URL).Transport(target, nil)}).Do(req)
	require.ErrorContains(t, err, "Texas answered 500")
	require.False(t, reached.Load(), "no request without a token")
	require.True(t, body.closed.Load(), "the request body is closed")
}

type closeRecorder struct {
	io.Reader
	closed atomic.Bool
}

func (c *closeRecorder) Close() error {
	c.closed.Store(true)
	return nil
}
