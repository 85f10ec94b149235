package fakenav

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Gjennomforing is a gjennomføring in the fake Mulighetsrommet.
type Gjennomforing struct {
	// ID is its UUID; AddGjennomforing makes one up when empty.
	ID string
	// ArenaID, when not 0, makes the v1 id lookup of that Arena id answer ID.
	ArenaID int64
	// Tiltakskode is Mulighetsrommet's code; default "OPPFOLGING".
	Tiltakskode string
	// Organisasjonsnummer is the arrangør's; default "999888777".
	Organisasjonsnummer string
	// Oppstart is "LOPENDE" (default) or "FELLES".
	Oppstart string
	// Navn is its name; default "Gjennomføring <ArenaID>".
	Navn string
}

// Mulighetsrommet fakes mulighetsrommet-api:
//
//   - GET /api/v1/tiltaksgjennomforinger/id/{arenaId} answers {"id": "<uuid>"}
//     for an Arena id it knows and 404 otherwise;
//   - GET /api/v2/tiltaksgjennomforinger/{id} answers the gjennomføring
//     ({"id", "tiltakskode", "navn", "arrangor": {"organisasjonsnummer",
//     "navn"}, "oppstart"}) or 404.
type Mulighetsrommet struct {
	Faults

	guard Guard

	mu      sync.RWMutex
	byArena map[int64]string // Arena id → UUID
	answers map[string][]byte
}

// NewMulighetsrommet returns a Mulighetsrommet that knows no gjennomføring
// and lets requests through guard.
func NewMulighetsrommet(guard Guard) *Mulighetsrommet {
	return &Mulighetsrommet{guard: guard, byArena: map[int64]string{}, answers: map[string][]byte{}}
}

// AddGjennomforing adds g, or replaces the gjennomføring with its ID, and
// returns it with the defaults filled in.
func (m *Mulighetsrommet) AddGjennomforing(g Gjennomforing) Gjennomforing {
	if g.ID == "" {
		g.ID = NewUUID()
	}
	g.ID = strings.ToLower(g.ID)
	if g.Tiltakskode == "" {
		g.Tiltakskode = "OPPFOLGING"
	}
	if g.Organisasjonsnummer == "" {
		g.Organisasjonsnummer = "999888777"
	}
	if g.Oppstart == "" {
		g.Oppstart = "LOPENDE"
	}
	if g.Navn == "" {
		g.Navn = fmt.Sprintf("Gjennomføring %d", g.ArenaID)
	}
	answer, err := json.Marshal(map[string]any{
		"id":          g.ID,
		"tiltakskode": g.Tiltakskode,
		"navn":        g.Navn,
		"arrangor":    map[string]any{"organisasjonsnummer": g.Organisasjonsnummer, "navn": "Arrangør " + g.Organisasjonsnummer},
		"oppstart":    g.Oppstart,
	})
	if err != nil {
		panic(err) // strings only
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.answers[g.ID] = answer
	if g.ArenaID != 0 {
		m.byArena[g.ArenaID] = g.ID
	}
	return g
}

// SetGjennomforingJSON makes the v2 fetch of id answer body as it is, for
// answers AddGjennomforing cannot make: fields missing or null, unknown
// codes, extra fields.
func (m *Mulighetsrommet) SetGjennomforingJSON(id, body string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.answers[strings.ToLower(id)] = []byte(body)
}

// RemoveGjennomforing makes the v2 fetch of id answer 404. Arena ids mapped
// to it still are.
func (m *Mulighetsrommet) RemoveGjennomforing(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.answers, strings.ToLower(id))
}

// MapArenaID makes the v1 lookup of arenaID answer id.
func (m *Mulighetsrommet) MapArenaID(arenaID int64, id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.byArena[arenaID] = strings.ToLower(id)
}

// UnmapArenaID makes the v1 lookup of arenaID answer 404.
func (m *Mulighetsrommet) UnmapArenaID(arenaID int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.byArena, arenaID)
}

const (
	mrIDPrefix = "/api/v1/tiltaksgjennomforinger/id/"
	mrV2Prefix = "/api/v2/tiltaksgjennomforinger/"
)

// ServeHTTP serves the v1 id lookup and the v2 fetch.
func (m *Mulighetsrommet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, SeedPrefix) {
		m.serveSeed(w, r)
		return
	}
	var ep Endpoint
	var rest string
	switch {
	case strings.HasPrefix(r.URL.Path, mrIDPrefix):
		ep, rest = EndpointGjennomforingID, strings.TrimPrefix(r.URL.Path, mrIDPrefix)
	case strings.HasPrefix(r.URL.Path, mrV2Prefix):
		ep, rest = EndpointGjennomforing, strings.TrimPrefix(r.URL.Path, mrV2Prefix)
	default:
		http.NotFound(w, r)
		return
	}
	if m.intercept(w, r, ep) || !m.guard.allow(w, r) {
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeError(w, http.StatusMethodNotAllowed, "use GET")
		return
	}

	if ep == EndpointGjennomforingID {
		arenaID, err := strconv.ParseInt(rest, 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, "arenaId is not an integer")
			return
		}
		m.mu.RLock()
		id, ok := m.byArena[arenaID]
		m.mu.RUnlock()
		if !ok {
			writeError(w, http.StatusNotFound, fmt.Sprintf("no gjennomføring with Arena id %d", arenaID))
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"id": id})
		return
	}
	if !isUUID(rest) {
		writeError(w, http.StatusBadRequest, "id is not a UUID")
		return
	}
	m.mu.RLock()
	answer, ok := m.answers[strings.ToLower(rest)] // never modified, only replaced
	m.mu.RUnlock()
	if !ok {
		writeError(w, http.StatusNotFound, "no gjennomføring with id "+rest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(answer)
}

// NewUUID returns a random UUID (version 4), lower case.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
