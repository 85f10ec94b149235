package nais

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// A Check reports whether one part of the service is healthy. It must
// return promptly when ctx is done; a check that ignores ctx is reported as
// timed out, but its goroutine runs on until it returns.
type Check func(ctx context.Context) error

type namedCheck struct {
	name  string
	check Check
}

// AddReadiness adds a check to isReady. Readiness says whether the pod should
// get traffic now: a failing readiness check takes the pod out of the
// service's endpoints but does not restart it. Use it for dependencies the
// pod cannot serve without, such as its database.
//
// It panics if name is empty or already used by a readiness or liveness
// check, or if check is nil: those are programming errors.
func (s *Server) AddReadiness(name string, check Check) {
	s.add(&s.readiness, name, check)
}

// AddLiveness adds a check to isAlive. Liveness says whether the process is
// stuck beyond repair: when it fails for long enough the kubelet restarts the
// pod. Use it only for what a restart fixes, such as a poll loop that has
// stopped (see Heartbeat); a database outage is a readiness matter, because
// restarting every pod does not bring the database back.
//
// It panics like AddReadiness.
func (s *Server) AddLiveness(name string, check Check) {
	s.add(&s.liveness, name, check)
}

func (s *Server) add(list *[]namedCheck, name string, check Check) {
	if name == "" || check == nil {
		panic("nais: a health check needs a name and a function")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.names[name] {
		panic(fmt.Sprintf("nais: health check %q added twice", name))
	}
	s.names[name] = true
	*list = append(*list, namedCheck{name, check})
}

// healthBody is what isAlive and isReady answer: small, and naming the
// failing checks but not their errors, which go to the log instead. The
// routes are internal, but an error text can still carry a host name or a
// query that has no business in a response.
type healthBody struct {
	Status  string   `json:"status"`            // "ok", "failing" or "stopping"
	Failing []string `json:"failing,omitempty"` // names of failing checks, sorted
}

func (s *Server) handleAlive(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	checks := slices.Clone(s.liveness)
	s.mu.Unlock()
	s.answer(w, r, "liveness", checks)
}

func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	if s.stopping.Load() {
		writeJSON(w, http.StatusServiceUnavailable, healthBody{Status: "stopping"})
		return
	}
	s.mu.Lock()
	checks := slices.Clone(s.readiness)
	s.mu.Unlock()
	s.answer(w, r, "readiness", checks)
}

func (s *Server) answer(w http.ResponseWriter, r *http.Request, kind string, checks []namedCheck) {
	failed := runChecks(r.Context(), s.checkTimeout, checks)
	if len(failed) == 0 {
		writeJSON(w, http.StatusOK, healthBody{Status: "ok"})
		return
	}
	body := healthBody{Status: "failing"}
	for _, f := range failed {
		body.Failing = append(body.Failing, f.name)
		s.log.Warn("health check failed", zap.String("kind", kind), zap.String("check", f.name), zap.Error(f.err))
	}
	writeJSON(w, http.StatusServiceUnavailable, body)
}

type failure struct {
	name string
	err  error
}

// runChecks runs the checks concurrently, so one slow check does not eat
// the others' time, and returns the failures sorted by name. A check still
// running at the timeout counts as failed.
func runChecks(ctx context.Context, timeout time.Duration, checks []namedCheck) []failure {
	if len(checks) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	type result struct {
		i   int
		err error
	}
	// Buffered, so a check that returns after we stopped waiting does not
	// block forever.
	results := make(chan result, len(checks))
	for i, c := range checks {
		go func() { results <- result{i, runCheck(ctx, c.check)} }()
	}

	errs := make([]error, len(checks))
	for i := range errs {
		errs[i] = fmt.Errorf("no answer within %s", timeout)
	}
wait:
	for range checks {
		select {
		case r := <-results:
			errs[r.i] = r.err
		case <-ctx.Done():
			break wait
		}
	}

	var failed []failure
	for i, err := range errs {
		if err != nil {
			failed = append(failed, failure{checks[i].name, err})
		}
	}
	slices.SortFunc(failed, func(a, b failure) int { return cmp.Compare(a.name, b.name) })
	return failed
}

// runCheck turns a panicking check into a failed one: a health route that
// panics answers nothing, which the kubelet reads as a failure anyway, but
// without any hint of which check it was.
func runCheck(ctx context.Context, c Check) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return c(ctx)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Heartbeat lets a loop prove it is still turning. The loop calls Beat once
// per iteration; Check gives a liveness check that fails when the last beat
// is older than maxAge.
//
//	hb := nais.NewHeartbeat(nil)
//	srv.AddLiveness("consumer", hb.Check(2*time.Minute))
//	for { poll(); hb.Beat() }
//
// Make one with NewHeartbeat; the zero value is not ready for use. A
// Heartbeat is safe for concurrent use.
type Heartbeat struct {
	now  func() time.Time
	last atomic.Pointer[time.Time]
}

// NewHeartbeat returns a Heartbeat that counts as having beaten just now, so
// a loop gets maxAge to start. now is the clock; nil means time.Now, and
// tests pass a fake one.
func NewHeartbeat(now func() time.Time) *Heartbeat {
	if now == nil {
		now = time.Now
	}
	h := &Heartbeat{now: now}
	h.Beat()
	return h
}

// Beat records that the loop is alive.
func (h *Heartbeat) Beat() {
	t := h.now()
	h.last.Store(&t)
}

// Last returns the time of the last beat.
func (h *Heartbeat) Last() time.Time { return *h.last.Load() }

// ErrStale is returned, wrapped, by a Heartbeat's check when the last beat is
// too old.
var ErrStale = errors.New("heartbeat is stale")

// Check returns a check that fails when the last beat is older than maxAge.
// Choose maxAge well above the loop's longest normal iteration: a liveness
// failure restarts the pod.
func (h *Heartbeat) Check(maxAge time.Duration) Check {
	return func(context.Context) error {
		// Sub uses the monotonic clock readings when both times have them,
		// so a wall-clock jump does not restart the pod.
		if age := h.now().Sub(h.Last()); age > maxAge {
			return fmt.Errorf("%w: last beat %s ago, limit %s", ErrStale, age.Round(time.Millisecond), maxAge)
		}
		return nil
	}
}
