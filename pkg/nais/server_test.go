package nais_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/nais"
)

type health struct {
	Status  string   `json:"status"`
	Failing []string `json:"failing"`
}

// get calls path on a real HTTP server in front of s.
func get(t *testing.T, s http.Handler, path string) (int, health) {
	t.Helper()
	ts := httptest.NewServer(s)
	defer ts.Close()
	resp, err := http.Get(ts.URL + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	var h health
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&h))
	require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	return resp.StatusCode, h
}

func pass(context.Context) error { return nil }

func fail(msg string) nais.Check {
	return func(context.Context) error { return errors.New(msg) }
}

func TestReadiness(t *testing.T) {
	t.Parallel()
	// stuck ignores its context until the test is over.
	stuck := make(chan struct{})
	t.Cleanup(func() { close(stuck) })

	tests := []struct {
		name        string
		checks      map[string]nais.Check
		wantStatus  int
		wantFailing []string
	}{
		{"no checks", nil, http.StatusOK, nil},
		{"all pass", map[string]nais.Check{"db": pass, "kafka": pass}, http.StatusOK, nil},
		{"one fails", map[string]nais.Check{"db": fail("connection refused"), "kafka": pass}, http.StatusServiceUnavailable, []string{"db"}},
		{"failures sorted", map[string]nais.Check{"kafka": fail("x"), "db": fail("y"), "cache": pass}, http.StatusServiceUnavailable, []string{"db", "kafka"}},
		{"honours the timeout", map[string]nais.Check{"slow": func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }}, http.StatusServiceUnavailable, []string{"slow"}},
		{"does not wait for a stuck check", map[string]nais.Check{"stuck": func(context.Context) error { <-stuck; return nil }, "db": pass}, http.StatusServiceUnavailable, []string{"stuck"}},
		{"a panic is a failure", map[string]nais.Check{"bad": func(context.Context) error { panic("boom") }}, http.StatusServiceUnavailable, []string{"bad"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			log, logs := newLogger(t)
			s := nais.NewServer("", log, nil, nais.WithCheckTimeout(50*time.Millisecond))
			for name, c := range tt.checks {
				s.AddReadiness(name, c)
			}

			status, body := get(t, s, "/internal/isReady")
			require.Equal(t, tt.wantStatus, status)
			require.Equal(t, tt.wantFailing, body.Failing)
			if tt.wantFailing == nil {
				require.Equal(t, "ok", body.Status)
			} else {
				require.Equal(t, "failing", body.Status)
				require.Len(t, logs.lines(t), len(tt.wantFailing), "each failure is logged")
			}

			// Readiness checks are not liveness checks.
			status, _ = get(t, s, "/internal/isAlive")
			require.Equal(t, http.StatusOK, status)
		})
	}
}

func TestLivenessWithHeartbeat(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	hb := nais.NewHeartbeat(clock.Now)
	s := nais.NewServer("", nil, nil)
	s.AddLiveness("consumer", hb.Check(time.Minute))

	steps := []struct {
		name       string
		do         func()
		wantStatus int
	}{
		{"fresh", func() {}, http.StatusOK},
		{"at the limit", func() { clock.Advance(time.Minute) }, http.StatusOK},
		{"stale", func() { clock.Advance(time.Millisecond) }, http.StatusServiceUnavailable},
		{"beats again", hb.Beat, http.StatusOK},
	}
	for _, st := range steps {
		st.do()
		status, body := get(t, s, "/internal/isAlive")
		require.Equal(t, st.wantStatus, status, st.name)
		if st.wantStatus != http.StatusOK {
			require.Equal(t, []string{"consumer"}, body.Failing, st.name)
		}
	}
	// Liveness checks are not readiness checks.
	clock.Advance(time.Hour)
	status, _ := get(t, s, "/internal/isReady")
	require.Equal(t, http.StatusOK, status)
}

func TestHeartbeatCheck(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	hb := nais.NewHeartbeat(clock.Now)
	require.Equal(t, clock.Now(), hb.Last())

	clock.Advance(90 * time.Second)
	err := hb.Check(time.Minute)(context.Background())
	require.ErrorIs(t, err, nais.ErrStale)
	require.EqualError(t, err, "heartbeat is stale: last beat 1m30s ago, limit 1m0s")

	require.NotNil(t, nais.NewHeartbeat(nil).Last(), "nil means the real clock")
}

func TestAddCheckPanicsOnMisuse(t *testing.T) {
	t.Parallel()
	s := nais.NewServer("", nil, nil)
	s.AddReadiness("db", pass)
	require.PanicsWithValue(t, `nais: health check "db" added twice`, func() { s.AddLiveness("db", pass) })
	require.Panics(t, func() { s.AddReadiness("", pass) })
	require.Panics(t, func() { s.AddLiveness("x", nil) })
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	scrape := func(t *testing.T, s *nais.Server) string {
		ts := httptest.NewServer(s)
		defer ts.Close()
		resp, err := http.Get(ts.URL + "/internal/metrics")
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return string(b)
	}

	t.Run("given registry is served as is", func(t *testing.T) {
		t.Parallel()
		reg := prometheus.NewRegistry()
		c := prometheus.NewCounter(prometheus.CounterOpts{Name: "myapp_records_total", Help: "Records consumed."})
		reg.MustRegister(c)
		c.Add(3)

		body := scrape(t, nais.NewServer("", nil, reg))
		require.Contains(t, body, "myapp_records_total 3\n")
		require.NotContains(t, body, "go_goroutines")
	})
	t.Run("nil registry gets runtime collectors", func(t *testing.T) {
		t.Parallel()
		s := nais.NewServer("", nil, nil)
		c := prometheus.NewCounter(prometheus.CounterOpts{Name: "myapp_records_total", Help: "Records consumed."})
		s.Registry().MustRegister(c)
		c.Inc()

		body := scrape(t, s)
		require.Contains(t, body, "myapp_records_total 1\n")
		require.Contains(t, body, "go_goroutines")
		require.Contains(t, body, "process_cpu_seconds_total")
	})
}

func TestHandle(t *testing.T) {
	t.Parallel()
	s := nais.NewServer("", nil, nil)
	s.Handle("GET /api/v1/sak/{id}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "sak "+r.PathValue("id"))
	}))
	ts := httptest.NewServer(s)
	defer ts.Close()

	resp, err := http.Get(ts.URL + "/api/v1/sak/42")
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, "sak 42", string(b))

	resp, err = http.Post(ts.URL+"/api/v1/sak/42", "text/plain", nil)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
}

// notifyingListener closes closed when the server closes it, which
// http.Server.Shutdown does first of all.
type notifyingListener struct {
	net.Listener
	once   sync.Once
	closed chan struct{}
}

func (l *notifyingListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

func listen(t *testing.T) *notifyingListener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	return &notifyingListener{Listener: ln, closed: make(chan struct{})}
}

func TestServeShutsDownGracefully(t *testing.T) {
	t.Parallel()
	started, release := make(chan struct{}), make(chan struct{})
	s := nais.NewServer("", nil, nil)
	s.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		_, _ = io.WriteString(w, "done")
	})
	ln := listen(t)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()

	type answer struct {
		resp *http.Response
		body string
		err  error
	}
	answered := make(chan answer, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/slow")
		if err != nil {
			answered <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		answered <- answer{resp: resp, body: string(b), err: err}
	}()

	<-started // the request is in flight
	cancel()
	<-ln.closed // shutdown has begun
	// A server on its way out is not ready.
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/internal/isReady", nil))
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	require.JSONEq(t, `{"status":"stopping"}`, rec.Body.String())

	close(release)
	a := <-answered
	require.NoError(t, a.err)
	require.Equal(t, http.StatusOK, a.resp.StatusCode)
	require.Equal(t, "done", a.body)
	require.True(t, a.resp.Close, "the answer was written during shutdown")
	require.NoError(t, <-served)
}

func TestServeShutdownTimeout(t *testing.T) {
	t.Parallel()
	started, release := make(chan struct{}), make(chan struct{})
	t.Cleanup(func() { close(release) })
	s := nais.NewServer("", nil, nil, nais.WithShutdownTimeout(20*time.Millisecond))
	s.HandleFunc("GET /stuck", func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
	})
	ln := listen(t)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/stuck")
		if err == nil {
			resp.Body.Close()
		}
	}()

	<-started
	cancel()
	err := <-served
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorContains(t, err, "nais: graceful shutdown within 20ms")
}

func TestRun(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.NoError(t, nais.NewServer("127.0.0.1:0", nil, nil).Run(ctx), "a clean shutdown is nil")

	err := nais.NewServer("127.0.0.1:-1", nil, nil).Run(context.Background())
	require.ErrorContains(t, err, "nais: listen on 127.0.0.1:-1")
}

func TestSignalContext(t *testing.T) {
	t.Parallel()
	ctx, stop := nais.SignalContext(context.Background())
	defer stop()
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGTERM))
	<-ctx.Done()
	require.True(t, strings.Contains(context.Cause(ctx).Error(), "terminated"), context.Cause(ctx).Error())
}
