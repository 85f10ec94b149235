package rest_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client/internal/rest"
)

func caller(t *testing.T, h http.HandlerFunc, opts ...client.Option) *rest.Caller {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := rest.New("peer", client.Config{URL: srv.URL, Scope: "s"}, client.StaticToken("t"), opts)
	require.NoError(t, err)
	return c
}

func TestDo(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name      string
		handler   http.HandlerFunc
		notFound  bool
		want      string
		status    int
		retryable bool
	}{
		{
			name:    "redirects are not followed",
			handler: func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/elsewhere", http.StatusFound) },
			want:    "peer: op: answered 302 Found",
			status:  302,
		},
		{
			name: "answers beyond the limit are refused",
			handler: func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write([]byte(`"` + strings.Repeat("x", rest.MaxAnswer) + `"`))
			},
			want:   "peer: op: unexpected answer: larger than 4194304 bytes",
			status: 200,
		},
		{
			name:     "404 without NotFound is an unexpected status",
			handler:  func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(404) },
			want:     "peer: op: answered 404 Not Found",
			status:   404,
			notFound: false,
		},
		{
			name:      "429 is retryable",
			handler:   func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(429) },
			want:      "peer: op: answered 429 Too Many Requests",
			status:    429,
			retryable: true,
		},
		{
			name: "a body that breaks off is no answer",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "100")
				_, _ = w.Write([]byte(`{"a":`))
			},
			want:      "peer: op: read answer: unexpected EOF",
			status:    0,
			retryable: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := caller(t, tc.handler)
			decoded := false
			err := c.Do(t.Context(), rest.Request{Op: "op", Method: http.MethodGet, Path: "/x", NotFound: tc.notFound},
				func([]byte) error { decoded = true; return nil })
			require.EqualError(t, err, tc.want)
			require.False(t, decoded)
			var ce *client.Error
			require.ErrorAs(t, err, &ce)
			require.Equal(t, tc.status, ce.Status)
			require.Equal(t, tc.retryable, ce.Retryable())
		})
	}
}

func TestDoWithHTTPClient(t *testing.T) {
	t.Parallel()
	used := false
	hc := &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		used = true
		return http.DefaultTransport.RoundTrip(r)
	})}
	c := caller(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{}`)) }, client.WithHTTPClient(hc))
	require.NoError(t, c.Do(t.Context(), rest.Request{Op: "op", Method: http.MethodGet, Path: "/"}, func([]byte) error { return nil }))
	require.True(t, used)
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestParseUUID(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, want string
	}{
		{"9B2D6A3E-1C4F-4E8A-9F0B-2D3C4E5F6A7B", "9b2d6a3e-1c4f-4e8a-9f0b-2d3c4e5f6a7b"},
		{"00000000-0000-0000-0000-000000000000", "00000000-0000-0000-0000-000000000000"},
		{"9b2d6a3e1c4f4e8a9f0b2d3c4e5f6a7b", ""},
		{"9b2d6a3e-1c4f-4e8a-9f0b-2d3c4e5f6a7g", ""},
		{"9b2d6a3e-1c4f-4e8a-9f0b_2d3c4e5f6a7b", ""},
		{"", ""},
	} {
		got, err := rest.ParseUUID(tc.in)
		if tc.want == "" {
			require.Error(t, err, tc.in)
			continue
		}
		require.NoError(t, err)
		require.Equal(t, tc.want, got)
	}
}
