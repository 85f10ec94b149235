package nais

import (
	"context"
	"errors"
	"fmt"
	stdlog "log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Defaults for the ServerOptions.
const (
	// DefaultShutdownTimeout bounds how long Run waits for in-flight
	// requests after its context is done. It must stay below the pod's
	// terminationGracePeriodSeconds (30 s unless the app says otherwise),
	// or the kubelet's SIGKILL ends the wait instead.
	DefaultShutdownTimeout = 10 * time.Second

	// DefaultCheckTimeout bounds one round of health checks. The kubelet
	// gives a probe 1 s by default and counts a slower answer as a failure,
	// so the checks must be done, and the answer written, before that.
	DefaultCheckTimeout = 800 * time.Millisecond
)

// Server is the HTTP server of a NAIS app: the health and metrics routes the
// platform calls, and the routes the service adds with Handle. Build it with
// NewServer, add routes and checks, then call Run. Routes and checks may be
// added while it runs.
type Server struct {
	addr            string
	log             *zap.Logger
	reg             *prometheus.Registry
	mux             *http.ServeMux
	shutdownTimeout time.Duration
	checkTimeout    time.Duration

	mu        sync.Mutex
	names     map[string]bool
	readiness []namedCheck
	liveness  []namedCheck

	// stopping is set when shutdown begins, so isReady fails and no new
	// traffic is routed to a server on its way out.
	stopping atomic.Bool
}

// ServerOption configures a Server.
type ServerOption func(*Server)

// WithShutdownTimeout sets how long Run waits for in-flight requests once its
// context is done (DefaultShutdownTimeout by default; a d of zero or less
// keeps the default).
func WithShutdownTimeout(d time.Duration) ServerOption {
	return func(s *Server) {
		if d > 0 {
			s.shutdownTimeout = d
		}
	}
}

// WithCheckTimeout sets how long isAlive and isReady wait for their checks
// (DefaultCheckTimeout by default; a d of zero or less keeps the default).
func WithCheckTimeout(d time.Duration) ServerOption {
	return func(s *Server) {
		if d > 0 {
			s.checkTimeout = d
		}
	}
}

// NewServer returns a server that will listen on addr (empty means Addr())
// and log to log (nil means no logging). It serves:
//
//	GET /internal/isAlive   200 unless a liveness check fails
//	GET /internal/isReady   200 when every readiness check passes, else 503
//	GET /internal/metrics   reg in the Prometheus text format
//
// If reg is nil the server makes its own registry with the Go runtime and
// process collectors in it, available from Registry. A registry passed in is
// served as it is: the caller decides what is in it, and NewRegistry gives
// one with those two collectors.
func NewServer(addr string, log *zap.Logger, reg *prometheus.Registry, opts ...ServerOption) *Server {
	if addr == "" {
		addr = Addr()
	}
	if log == nil {
		log = zap.NewNop()
	}
	if reg == nil {
		reg = NewRegistry()
	}
	s := &Server{
		addr:            addr,
		log:             log,
		reg:             reg,
		mux:             http.NewServeMux(),
		shutdownTimeout: DefaultShutdownTimeout,
		checkTimeout:    DefaultCheckTimeout,
		names:           map[string]bool{},
	}
	for _, o := range opts {
		o(s)
	}

	s.mux.HandleFunc("GET /internal/isAlive", s.handleAlive)
	s.mux.HandleFunc("GET /internal/isReady", s.handleReady)
	s.mux.Handle("GET /internal/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorLog: stdLog(log.Named("metrics")),
		// Serve what could be gathered rather than nothing: one broken
		// collector should not blank every dashboard.
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      reg,
	}))
	return s
}

// NewRegistry returns a registry with the Go runtime and process collectors
// registered, the metrics every NAIS dashboard expects.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return reg
}

// Registry returns the registry served on /internal/metrics, for the
// service to register its own metrics in.
func (s *Server) Registry() *prometheus.Registry { return s.reg }

// Handle registers h for pattern, a net/http.ServeMux pattern such as
// "GET /api/v1/sak/{id}". It panics on an invalid or conflicting pattern,
// as ServeMux does.
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// HandleFunc is Handle for a function.
func (s *Server) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	s.mux.HandleFunc(pattern, h)
}

// ServeHTTP routes r like the running server would, so tests can call the
// server without a network.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Run listens on the server's address and serves until ctx is done, then
// shuts down gracefully: it stops accepting connections, fails isReady and
// waits up to the shutdown timeout for in-flight requests. It returns nil
// after a clean shutdown, and an error if it could not listen, serving
// failed, or in-flight requests outlasted the timeout.
func (s *Server) Run(ctx context.Context) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.addr)
	if err != nil {
		return fmt.Errorf("nais: listen on %s: %w", s.addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve is Run on a listener the caller has opened; it closes ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler: s.mux,
		// Slow clients must not hold connections open forever. There is no
		// WriteTimeout: it would cut off long responses and streams, and
		// handlers are better bounded by their own contexts.
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          stdLog(s.log.Named("http")),
		// Requests get a fresh base context, not ctx: cancelling ctx starts
		// a graceful shutdown, which must let in-flight requests finish.
	}

	s.stopping.Store(false)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.log.Info("http server listening", zap.String("addr", ln.Addr().String()))

	select {
	case err := <-errc:
		return fmt.Errorf("nais: serve on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}

	s.stopping.Store(true)
	s.log.Info("http server shutting down", zap.Duration("timeout", s.shutdownTimeout))
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		// Whatever is still running is cut off now; the process is about
		// to exit anyway.
		_ = srv.Close()
		return fmt.Errorf("nais: graceful shutdown within %s: %w", s.shutdownTimeout, err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("nais: serve on %s: %w", ln.Addr(), err)
	}
	s.log.Info("http server stopped")
	return nil
}

// stdLog adapts log for net/http and promhttp, which report only what went
// wrong (a handler's panic, a failed scrape): hence ERROR.
func stdLog(log *zap.Logger) *stdlog.Logger {
	l, err := zap.NewStdLogAt(log, zapcore.ErrorLevel)
	if err != nil {
		panic(err) // unreachable: ErrorLevel is a valid level
	}
	return l
}

// Addr returns the address a NAIS app listens on: ":" and the PORT
// environment variable, or ":8080" (the NAIS default) when PORT is unset.
func Addr() string {
	return addrFrom(os.Getenv)
}

func addrFrom(getenv func(string) string) string {
	if p := getenv("PORT"); p != "" {
		return ":" + p
	}
	return ":8080"
}

// SignalContext returns a context that is cancelled on SIGTERM or SIGINT,
// for passing to Run. NAIS stops a pod by sending SIGTERM and waiting
// terminationGracePeriodSeconds before SIGKILL; the shutdown timeout must
// fit inside that wait. Call stop (usually deferred) to release the signal
// handling; after it, a second signal ends the process at once.
func SignalContext(parent context.Context) (ctx context.Context, stop context.CancelFunc) {
	return signal.NotifyContext(parent, syscall.SIGTERM, os.Interrupt)
}
