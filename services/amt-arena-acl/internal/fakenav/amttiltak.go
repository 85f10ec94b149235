package fakenav

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Deltakelse is a deltakelse in the fake amt-tiltak.
type Deltakelse struct {
	// ID is the deltaker's AMT UUID.
	ID string
	// GjennomforingID is the gjennomføring's UUID.
	GjennomforingID string
	// StartDato and SluttDato are dates; the zero time is null.
	StartDato time.Time
	SluttDato time.Time
	// Status is amt-tiltak's status, such as "FULLFORT" or
	// "FEILREGISTRERT".
	Status string
}

// AmtTiltak fakes amt-tiltak: POST /api/external/deltakelser
// {"personIdent": "…"} answers the person's deltakelser, [] for a person it
// does not know.
type AmtTiltak struct {
	Faults

	guard Guard

	mu       sync.RWMutex
	byPerson map[string][]Deltakelse
}

// NewAmtTiltak returns an AmtTiltak that knows no deltakelse and lets
// requests through guard.
func NewAmtTiltak(guard Guard) *AmtTiltak {
	return &AmtTiltak{guard: guard, byPerson: map[string][]Deltakelse{}}
}

// SetDeltakelser makes personIdent's deltakelser exactly d.
func (a *AmtTiltak) SetDeltakelser(personIdent string, d ...Deltakelse) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.byPerson[personIdent] = append([]Deltakelse(nil), d...)
}

// AddDeltakelse adds d to personIdent's deltakelser, or replaces the one
// with its ID.
func (a *AmtTiltak) AddDeltakelse(personIdent string, d Deltakelse) {
	a.mu.Lock()
	defer a.mu.Unlock()
	list := a.byPerson[personIdent]
	for i := range list {
		if strings.EqualFold(list[i].ID, d.ID) {
			list[i] = d
			return
		}
	}
	a.byPerson[personIdent] = append(list, d)
}

// SetStatus sets the status of the deltakelse with the AMT UUID id, whoever
// it belongs to, and reports whether there was one.
func (a *AmtTiltak) SetStatus(id, status string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	found := false
	for _, list := range a.byPerson {
		for i := range list {
			if strings.EqualFold(list[i].ID, id) {
				list[i].Status = status
				found = true
			}
		}
	}
	return found
}

// Deltakelser returns a copy of personIdent's deltakelser.
func (a *AmtTiltak) Deltakelser(personIdent string) []Deltakelse {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return append([]Deltakelse(nil), a.byPerson[personIdent]...)
}

// ServeHTTP serves the deltakelser lookup.
func (a *AmtTiltak) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, SeedPrefix) {
		a.serveSeed(w, r)
		return
	}
	if r.URL.Path != "/api/external/deltakelser" {
		http.NotFound(w, r)
		return
	}
	if a.intercept(w, r, EndpointDeltakelser) || !a.guard.allow(w, r) {
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, "use POST")
		return
	}
	var req struct {
		PersonIdent *string `json:"personIdent"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req); err != nil || req.PersonIdent == nil || *req.PersonIdent == "" {
		writeError(w, http.StatusBadRequest, `body must be {"personIdent": string}`)
		return
	}

	list := a.Deltakelser(*req.PersonIdent)
	out := make([]map[string]any, 0, len(list))
	for _, d := range list {
		out = append(out, map[string]any{
			"id":            d.ID,
			"gjennomforing": map[string]any{"id": d.GjennomforingID},
			"startDato":     date(d.StartDato),
			"sluttDato":     date(d.SluttDato),
			"status":        d.Status,
		})
	}
	writeJSON(w, http.StatusOK, out)
}

func date(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Format(time.DateOnly)
}

// Learn records the deltaker of a message this service published, as the
// real amt-tiltak does when it consumes it: value is an envelope (the AMT
// topic) or a bare deltaker (the enkeltplass topic); a null value (a
// tombstone) is ignored. The local stack feeds it the AMT topics, so that
// hist deltakere find the deltakere they archive.
func (a *AmtTiltak) Learn(value []byte) error {
	if len(value) == 0 || string(value) == "null" {
		return nil
	}
	var msg struct {
		Payload *json.RawMessage `json:"payload"`
	}
	if err := json.Unmarshal(value, &msg); err != nil {
		return fmt.Errorf("fakenav: learn: %w", err)
	}
	if msg.Payload != nil {
		value = *msg.Payload
	}
	var d struct {
		ID              string  `json:"id"`
		GjennomforingID string  `json:"gjennomforingId"`
		PersonIdent     string  `json:"personIdent"`
		StartDato       *string `json:"startDato"`
		SluttDato       *string `json:"sluttDato"`
		Status          string  `json:"status"`
	}
	if err := json.Unmarshal(value, &d); err != nil {
		return fmt.Errorf("fakenav: learn: %w", err)
	}
	if d.ID == "" || d.PersonIdent == "" || d.Status == "" {
		return errors.New("fakenav: learn: not a deltaker")
	}
	dl := Deltakelse{ID: d.ID, GjennomforingID: d.GjennomforingID, Status: d.Status}
	for _, f := range []struct {
		s   *string
		dst *time.Time
	}{{d.StartDato, &dl.StartDato}, {d.SluttDato, &dl.SluttDato}} {
		if f.s == nil {
			continue
		}
		t, err := time.Parse(time.DateOnly, *f.s)
		if err != nil {
			return fmt.Errorf("fakenav: learn: %w", err)
		}
		*f.dst = t
	}
	a.AddDeltakelse(d.PersonIdent, dl)
	return nil
}
