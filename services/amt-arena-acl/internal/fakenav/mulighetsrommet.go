package fakenav

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client/mulighetsrommet"
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
	// StartDato and SluttDato are dates in the v1 fetch; the zero time is
	// null.
	StartDato time.Time
	SluttDato time.Time
	// Status is the v1 fetch's status: "GJENNOMFORES" (default),
	// "AVBRUTT", "AVLYST" or "AVSLUTTET".
	Status string
}

// Mulighetsrommet fakes mulighetsrommet-api:
//
//   - GET /api/v1/tiltaksgjennomforinger/id/{arenaId} answers {"id": "<uuid>"}
//     for an Arena id it knows and 404 otherwise;
//   - GET /api/v2/tiltaksgjennomforinger/{id} answers the gjennomføring
//     ({"id", "tiltakskode", "navn", "arrangor": {"organisasjonsnummer",
//     "navn"}, "oppstart"}) or 404;
//   - GET /api/v1/tiltaksgjennomforinger/{id} answers the v1 view of the
//     same gjennomføring ({"id", "tiltakstype": {"navn", "arenaKode"},
//     "navn", "startDato", "sluttDato", "status", "virksomhetsnummer",
//     "oppstart"}) or 404. arenaKode is the Arena code of the tiltakskode,
//     null for one without.
type Mulighetsrommet struct {
	Faults

	guard Guard

	mu        sync.RWMutex
	byArena   map[int64]string // Arena id → UUID
	answers   map[string][]byte
	answersV1 map[string][]byte
}

// NewMulighetsrommet returns a Mulighetsrommet that knows no gjennomføring
// and lets requests through guard.
func NewMulighetsrommet(guard Guard) *Mulighetsrommet {
	return &Mulighetsrommet{
		guard:     guard,
		byArena:   map[int64]string{},
		answers:   map[string][]byte{},
		answersV1: map[string][]byte{},
	}
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
	if g.Status == "" {
		g.Status = "GJENNOMFORES"
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
	var arenaKode *string
	if k, err := mulighetsrommet.ArenaKode(mulighetsrommet.Tiltakskode(g.Tiltakskode)); err == nil {
		arenaKode = &k
	}
	answerV1, err := json.Marshal(map[string]any{
		"id":                g.ID,
		"tiltakstype":       map[string]any{"navn": g.Tiltakskode, "arenaKode": arenaKode},
		"navn":              g.Navn,
		"startDato":         jsonDate(g.StartDato),
		"sluttDato":         jsonDate(g.SluttDato),
		"status":            g.Status,
		"virksomhetsnummer": g.Organisasjonsnummer,
		"oppstart":          g.Oppstart,
	})
	if err != nil {
		panic(err) // strings only
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.answers[g.ID] = answer
	m.answersV1[g.ID] = answerV1
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

// SetGjennomforingV1JSON is SetGjennomforingJSON for the v1 fetch.
func (m *Mulighetsrommet) SetGjennomforingV1JSON(id, body string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.answersV1[strings.ToLower(id)] = []byte(body)
}

// RemoveGjennomforing makes the v2 and the v1 fetch of id answer 404. Arena
// ids mapped to it still are.
func (m *Mulighetsrommet) RemoveGjennomforing(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.answers, strings.ToLower(id))
	delete(m.answersV1, strings.ToLower(id))
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
	mrV1Prefix = "/api/v1/tiltaksgjennomforinger/"
)

// ServeHTTP serves the v1 id lookup, the v2 fetch and the v1 fetch.
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
	case strings.HasPrefix(r.URL.Path, mrV1Prefix):
		ep, rest = EndpointGjennomforingV1, strings.TrimPrefix(r.URL.Path, mrV1Prefix)
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
	answers := m.answers
	if ep == EndpointGjennomforingV1 {
		answers = m.answersV1
	}
	m.mu.RLock()
	answer, ok := answers[strings.ToLower(rest)] // never modified, only replaced
	m.mu.RUnlock()
	if !ok {
		writeError(w, http.StatusNotFound, "no gjennomføring with id "+rest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(answer)
}

// jsonDate is t as a JSON date, nil (null) for the zero time.
func jsonDate(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Format(time.DateOnly)
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
