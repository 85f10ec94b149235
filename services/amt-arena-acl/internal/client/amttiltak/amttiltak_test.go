package amttiltak_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/nais"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client/amttiltak"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/fakenav"
)

const (
	fnr             = "12345678910"
	deltakerID      = "1f0e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
	gjennomforingID = "9b2d6a3e-1c4f-4e8a-9f0b-2d3c4e5f6a7b"
)

func newClient(t *testing.T, s *fakenav.Stack, change func(*client.Config)) *amttiltak.Client {
	t.Helper()
	cfg := s.Configs().AmtTiltak
	if change != nil {
		change(&cfg)
	}
	c, err := amttiltak.New(cfg, nais.NewTokenClient(s.TokenEndpoint()))
	require.NoError(t, err)
	return c
}

func date(s string) *time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return &t
}

func TestDeltakelser(t *testing.T) {
	t.Parallel()
	s := fakenav.NewTestStack(t)
	s.AmtTiltak.SetDeltakelser(fnr,
		fakenav.Deltakelse{ID: deltakerID, GjennomforingID: gjennomforingID, StartDato: *date("2026-01-05"), SluttDato: *date("2026-03-01"), Status: "FULLFORT"},
		fakenav.Deltakelse{ID: "2f0e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", GjennomforingID: gjennomforingID, Status: "SOMETHING_NEW"},
	)
	c := newClient(t, s, nil)

	got, err := c.Deltakelser(t.Context(), fnr)
	require.NoError(t, err)
	require.Equal(t, []amttiltak.Deltakelse{
		{ID: deltakerID, GjennomforingID: gjennomforingID, StartDato: date("2026-01-05"), SluttDato: date("2026-03-01"), Status: amttiltak.StatusFullfort},
		{ID: "2f0e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", GjennomforingID: gjennomforingID, Status: "SOMETHING_NEW"},
	}, got)

	d, ok := amttiltak.Find(got, "1F0E2D3C-4B5A-4968-8776-A5B4C3D2E1F0")
	require.True(t, ok)
	require.Equal(t, amttiltak.StatusFullfort, d.Status)
	_, ok = amttiltak.Find(got, gjennomforingID)
	require.False(t, ok)

	// A person amt-tiltak does not know has no deltakelser.
	got, err = c.Deltakelser(t.Context(), "10987654321")
	require.NoError(t, err)
	require.NotNil(t, got)
	require.Empty(t, got)
}

func TestDeltakelserFailures(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name      string
		setup     func(s *fakenav.Stack)
		change    func(*client.Config)
		status    int
		retryable bool
		timeout   bool
		contains  string
	}{
		{
			name:      "500",
			setup:     func(s *fakenav.Stack) { s.AmtTiltak.FailNext(1, 500) },
			status:    500,
			retryable: true,
			contains:  "amt-tiltak: get deltakelser: answered 500 Internal Server Error",
		},
		{
			name:     "404 is a plain failure",
			setup:    func(s *fakenav.Stack) { s.AmtTiltak.FailNext(1, 404) },
			status:   404,
			contains: "answered 404 Not Found",
		},
		{
			name:      "timeout",
			setup:     func(s *fakenav.Stack) { s.AmtTiltak.BlockNext(1) },
			change:    func(c *client.Config) { c.Timeout = 100 * time.Millisecond },
			retryable: true,
			timeout:   true,
			contains:  "no answer within 100ms",
		},
		{
			name:     "token for another scope",
			change:   func(c *client.Config) { c.Scope = fakenav.MulighetsrommetScope },
			status:   401,
			contains: "answered 401 Unauthorized",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := fakenav.NewTestStack(t)
			if tc.setup != nil {
				tc.setup(s)
			}
			c := newClient(t, s, tc.change)

			got, err := c.Deltakelser(t.Context(), fnr)
			require.Error(t, err)
			require.Nil(t, got)
			require.NotContains(t, err.Error(), fnr)
			require.Contains(t, err.Error(), tc.contains)
			require.NotErrorIs(t, err, client.ErrNotFound)
			var ce *client.Error
			require.ErrorAs(t, err, &ce)
			require.Equal(t, client.PeerAmtTiltak, ce.Peer)
			require.Equal(t, tc.status, ce.Status)
			require.Equal(t, tc.retryable, ce.Retryable())
			require.Equal(t, tc.timeout, ce.Timeout())
		})
	}
}

func TestDeltakelserCallerCancelled(t *testing.T) {
	t.Parallel()
	s := fakenav.NewTestStack(t)
	c := newClient(t, s, nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()

	_, err := c.Deltakelser(ctx, fnr)
	require.ErrorIs(t, err, context.Canceled)
	require.NotContains(t, err.Error(), fnr)
}

func TestDeltakelserBadAnswers(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name, body, want string
	}{
		{"null", `null`, "null instead of a list"},
		{"object", `{"personIdent":"12345678910"}`, "json: cannot unmarshal object"},
		{"no id", `[{"gjennomforing":{"id":"` + gjennomforingID + `"},"status":"DELTAR"}]`, "deltakelse 0: id is missing or null"},
		{"bad id", `[{"id":"12345678910","gjennomforing":{"id":"` + gjennomforingID + `"},"status":"DELTAR"}]`, "deltakelse 0: id: not a UUID"},
		{"no gjennomforing", `[{"id":"` + deltakerID + `","status":"DELTAR"}]`, "deltakelse 0: gjennomforing.id is missing or null"},
		{"no status", `[{"id":"` + deltakerID + `","gjennomforing":{"id":"` + gjennomforingID + `"}}]`, "deltakelse 0: status is missing, null or empty"},
		{"bad date", `[{"id":"` + deltakerID + `","gjennomforing":{"id":"` + gjennomforingID + `"},"status":"DELTAR","startDato":"12345678910"}]`, "deltakelse 0: startDato: not a date yyyy-mm-dd"},
		{"number where a string belongs", `[{"id":12345678910}]`, "json: cannot unmarshal number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write([]byte(tc.body))
			}))
			t.Cleanup(srv.Close)
			c, err := amttiltak.New(client.Config{URL: srv.URL, Scope: "s"}, client.StaticToken("t"))
			require.NoError(t, err)

			_, err = c.Deltakelser(t.Context(), fnr)
			require.ErrorContains(t, err, "unexpected answer: "+tc.want)
			require.NotContains(t, err.Error(), fnr)
			require.False(t, client.IsRetryable(err))
		})
	}
}

func TestDeltakelserRequest(t *testing.T) {
	t.Parallel()
	var (
		method, path, auth, contentType string
		body                            map[string]any
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		method, path, auth, contentType = r.Method, r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("Content-Type")
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &body)
		_, _ = w.Write([]byte(`[]`))
	}))
	t.Cleanup(srv.Close)
	c, err := amttiltak.New(client.Config{URL: srv.URL, Scope: "s"}, client.StaticToken("tok"))
	require.NoError(t, err)

	got, err := c.Deltakelser(t.Context(), fnr)
	require.NoError(t, err)
	require.Empty(t, got)
	require.Equal(t, http.MethodPost, method)
	require.Equal(t, "/api/external/deltakelser", path)
	require.Equal(t, "Bearer tok", auth)
	require.Equal(t, "application/json", contentType)
	require.Equal(t, map[string]any{"personIdent": fnr}, body)

	_, err = c.Deltakelser(t.Context(), "")
	require.EqualError(t, err, "amt-tiltak: get deltakelser: empty personIdent")
}
