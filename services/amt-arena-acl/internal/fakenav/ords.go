package fakenav

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// ORDS fakes amt-arena-ords-proxy:
//
//   - GET /api/ords/fnr?personId=N answers {"fnr": "…"} for a person it
//     knows and 404 for one it does not;
//   - GET /api/ords/arbeidsgiver?arbeidsgiverId=N answers
//     {"virksomhetsnummer": "…", "organisasjonsnummerMorselskap": "…"} for
//     an arbeidsgiver it knows and 404 for one it does not.
type ORDS struct {
	Faults

	guard Guard

	mu            sync.RWMutex
	fnr           map[int64]string
	failing       map[int64]int // personID → status to answer
	generate      bool
	arbeidsgivere map[int64]Arbeidsgiver
}

// Arbeidsgiver is an arbeidsgiver in the fake ORDS.
type Arbeidsgiver struct {
	// ID is its Arena arbeidsgiver id.
	ID int64
	// Virksomhetsnummer is its organisation number; default "999888777".
	Virksomhetsnummer string
	// OrganisasjonsnummerMorselskap is its parent's organisation number;
	// default Virksomhetsnummer.
	OrganisasjonsnummerMorselskap string
}

// NewORDS returns an ORDS that knows nobody and lets requests through
// guard.
func NewORDS(guard Guard) *ORDS {
	return &ORDS{guard: guard, fnr: map[int64]string{}, failing: map[int64]int{}, arbeidsgivere: map[int64]Arbeidsgiver{}}
}

// AddArbeidsgiver adds a, or replaces the arbeidsgiver with its ID, and
// returns it with the defaults filled in.
func (o *ORDS) AddArbeidsgiver(a Arbeidsgiver) Arbeidsgiver {
	if a.Virksomhetsnummer == "" {
		a.Virksomhetsnummer = "999888777"
	}
	if a.OrganisasjonsnummerMorselskap == "" {
		a.OrganisasjonsnummerMorselskap = a.Virksomhetsnummer
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.arbeidsgivere[a.ID] = a
	return a
}

// RemoveArbeidsgiver forgets the arbeidsgiver id: the lookup answers 404.
func (o *ORDS) RemoveArbeidsgiver(id int64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.arbeidsgivere, id)
}

// SetFnr makes personID's fnr fnr.
func (o *ORDS) SetFnr(personID int64, fnr string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.fnr[personID] = fnr
}

// RemoveFnr forgets personID: the lookup answers 404, unless GenerateFnrs
// is on.
func (o *ORDS) RemoveFnr(personID int64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.fnr, personID)
}

// FailPerson makes every lookup of personID answer status (such as 500)
// until HealPerson; lookups of other persons are not affected. Tests that
// share one fake use it where FailNext would hit someone else's call.
func (o *ORDS) FailPerson(personID int64, status int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.failing[personID] = status
}

// HealPerson ends FailPerson for personID.
func (o *ORDS) HealPerson(personID int64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.failing, personID)
}

// GenerateFnrs, when on, answers for every person not set with
// SyntheticFnr(personID), so that a load test needs no seeding.
func (o *ORDS) GenerateFnrs(on bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.generate = on
}

// Fnr returns what the lookup would answer for personID.
func (o *ORDS) Fnr(personID int64) (string, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	if f, ok := o.fnr[personID]; ok {
		return f, true
	}
	if o.generate {
		return SyntheticFnr(personID), true
	}
	return "", false
}

// ServeHTTP serves the fnr and the arbeidsgiver lookup.
func (o *ORDS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, SeedPrefix) {
		o.serveSeed(w, r)
		return
	}
	var ep Endpoint
	switch r.URL.Path {
	case "/api/ords/fnr":
		ep = EndpointFnr
	case "/api/ords/arbeidsgiver":
		ep = EndpointArbeidsgiver
	default:
		http.NotFound(w, r)
		return
	}
	if o.intercept(w, r, ep) || !o.guard.allow(w, r) {
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeError(w, http.StatusMethodNotAllowed, "use GET")
		return
	}
	if ep == EndpointArbeidsgiver {
		o.serveArbeidsgiver(w, r)
		return
	}
	personID, err := strconv.ParseInt(r.URL.Query().Get("personId"), 10, 64)
	if err != nil {
		writeError(w, http.StatusBadRequest, "personId is not an integer")
		return
	}
	o.mu.RLock()
	status, failing := o.failing[personID]
	o.mu.RUnlock()
	if failing {
		writeError(w, status, fmt.Sprintf("injected failure for personId %d", personID))
		return
	}
	fnr, ok := o.Fnr(personID)
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no fnr for personId %d", personID))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"fnr": fnr})
}

func (o *ORDS) serveArbeidsgiver(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.URL.Query().Get("arbeidsgiverId"), 10, 64)
	if err != nil {
		writeError(w, http.StatusBadRequest, "arbeidsgiverId is not an integer")
		return
	}
	o.mu.RLock()
	a, ok := o.arbeidsgivere[id]
	o.mu.RUnlock()
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no arbeidsgiver with arbeidsgiverId %d", id))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{
		"virksomhetsnummer":             a.Virksomhetsnummer,
		"organisasjonsnummerMorselskap": a.OrganisasjonsnummerMorselskap,
	})
}

// SyntheticFnr returns a made-up fødselsnummer for an Arena person id: the
// same every time, and different for every personID from 0 to 3 359 999 999.
// Its month is the real month plus 80, as in NAV's synthetic test data, so it
// is no real person's; its check digits are not valid.
func SyntheticFnr(personID int64) string {
	n := personID % 3_360_000_000
	if n < 0 {
		n = -n
	}
	day := 1 + n%28
	month := 81 + (n/28)%12
	year := (n / 336) % 100
	rest := n / 33_600
	return fmt.Sprintf("%02d%02d%02d%05d", day, month, year, rest)
}
