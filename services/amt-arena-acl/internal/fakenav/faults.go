package fakenav

import (
	"encoding/json"
	"net/http"
	"sync"
)

// Endpoint names one endpoint of a fake, for counting calls and aiming
// faults.
type Endpoint string

// The endpoints of the fakes.
const (
	EndpointToken           Endpoint = "texas token"
	EndpointIntrospect      Endpoint = "texas introspect"
	EndpointFnr             Endpoint = "ords fnr"
	EndpointArbeidsgiver    Endpoint = "ords arbeidsgiver"
	EndpointGjennomforingID Endpoint = "mulighetsrommet gjennomforing id"
	EndpointGjennomforing   Endpoint = "mulighetsrommet gjennomforing"
	EndpointGjennomforingV1 Endpoint = "mulighetsrommet gjennomforing v1"
	EndpointDeltakelser     Endpoint = "amt-tiltak deltakelser"
)

// Faults counts the calls to a fake and makes the next ones fail or hang
// when told to. Every fake has one; its methods are the fake's. Faults act
// before the token is checked, as an outage would. The zero Faults counts
// and does nothing else.
type Faults struct {
	mu       sync.Mutex
	total    int
	calls    map[Endpoint]int
	rules    []*rule
	released chan struct{} // closed by Release
}

// rule answers the next n calls to ep (any endpoint if "") with status, or
// hangs them when status is 0.
type rule struct {
	ep     Endpoint
	n      int
	status int
}

// FailNext answers the next n calls to any endpoint of the fake with status
// (such as 500 or 503) and an error body.
func (f *Faults) FailNext(n, status int) { f.add("", n, status) }

// FailNextOn is FailNext for the endpoint ep only.
func (f *Faults) FailNextOn(ep Endpoint, n, status int) { f.add(ep, n, status) }

// BlockNext makes the next n calls to any endpoint of the fake hang until
// the caller gives up (its request is cancelled) or Release is called. It is
// how tests make a client time out without sleeping.
func (f *Faults) BlockNext(n int) { f.add("", n, 0) }

// BlockNextOn is BlockNext for the endpoint ep only.
func (f *Faults) BlockNextOn(ep Endpoint, n int) { f.add(ep, n, 0) }

func (f *Faults) add(ep Endpoint, n, status int) {
	if n <= 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = append(f.rules, &rule{ep: ep, n: n, status: status})
}

// ClearFaults drops every fault not yet used up; calls are answered normally
// again. Counts are kept.
func (f *Faults) ClearFaults() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = nil
}

// Calls is the number of calls to the fake so far, rejected ones included.
func (f *Faults) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.total
}

// CallsOn is the number of calls to ep so far, rejected ones included.
func (f *Faults) CallsOn(ep Endpoint) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[ep]
}

// ResetCalls sets the counts back to zero.
func (f *Faults) ResetCalls() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.total = 0
	f.calls = nil
}

// Release answers every call hanging now, and every call that would hang
// from now on, with 503. Stack.Close uses it, so that the servers can close.
func (f *Faults) Release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.released == nil {
		f.released = make(chan struct{})
	}
	select {
	case <-f.released:
	default:
		close(f.released)
	}
}

// intercept counts a call to ep and applies the first fault aimed at it. It
// reports whether it answered the call.
func (f *Faults) intercept(w http.ResponseWriter, r *http.Request, ep Endpoint) bool {
	f.mu.Lock()
	f.total++
	if f.calls == nil {
		f.calls = map[Endpoint]int{}
	}
	f.calls[ep]++
	var hit *rule
	for i, ru := range f.rules {
		if ru.ep == "" || ru.ep == ep {
			hit = &rule{ep: ru.ep, n: 1, status: ru.status}
			ru.n--
			if ru.n == 0 {
				f.rules = append(f.rules[:i:i], f.rules[i+1:]...)
			}
			break
		}
	}
	if f.released == nil {
		f.released = make(chan struct{})
	}
	released := f.released
	f.mu.Unlock()

	if hit == nil {
		return false
	}
	if hit.status == 0 {
		select {
		case <-r.Context().Done():
			return true
		case <-released:
			writeError(w, http.StatusServiceUnavailable, "released")
			return true
		}
	}
	writeError(w, hit.status, "injected failure")
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"status": status, "message": "fakenav: " + msg})
}
