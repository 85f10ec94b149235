package fakenav

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Seeding over HTTP, for a fake running in another process (the local
// stack's simulator seeds the fakes it produces traffic for). Every fake
// answers these paths besides its own, without a token: the fakes only
// ever run locally, and these paths exist only in them.
//
//	ORDS             PUT  /fakenav/fnr/{personId}   {"fnr": "…"}
//	                 POST /fakenav/arbeidsgivere    {"id", "virksomhetsnummer"?, "organisasjonsnummerMorselskap"?}
//	                                                → the arbeidsgiver with its defaults
//	Mulighetsrommet  POST /fakenav/gjennomforinger  {"id"?, "arenaId", "tiltakskode"?, "oppstart"?, "organisasjonsnummer"?, "navn"?,
//	                                                 "startDato"?, "sluttDato"?, "status"?}
//	                                                → the gjennomføring with its defaults and id
//	amt-tiltak       POST /fakenav/deltakelser      {"personIdent", "id", "gjennomforingId", "startDato"?, "sluttDato"?, "status"}
const SeedPrefix = "/fakenav/"

func (o *ORDS) serveSeed(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == SeedPrefix+"arbeidsgivere" {
		o.serveSeedArbeidsgiver(w, r)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, SeedPrefix+"fnr/")
	personID, err := strconv.ParseInt(rest, 10, 64)
	if !ok || err != nil || r.Method != http.MethodPut {
		writeError(w, http.StatusNotFound, "seed with PUT "+SeedPrefix+"fnr/{personId}")
		return
	}
	var body struct {
		Fnr string `json:"fnr"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&body); err != nil || body.Fnr == "" {
		writeError(w, http.StatusBadRequest, `body must be {"fnr": string}`)
		return
	}
	o.SetFnr(personID, body.Fnr)
	w.WriteHeader(http.StatusNoContent)
}

// seedArbeidsgiver is Arbeidsgiver as JSON.
type seedArbeidsgiver struct {
	ID                            int64  `json:"id"`
	Virksomhetsnummer             string `json:"virksomhetsnummer,omitempty"`
	OrganisasjonsnummerMorselskap string `json:"organisasjonsnummerMorselskap,omitempty"`
}

func (o *ORDS) serveSeedArbeidsgiver(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeError(w, http.StatusNotFound, "seed with POST "+SeedPrefix+"arbeidsgivere")
		return
	}
	var b seedArbeidsgiver
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&b); err != nil {
		writeError(w, http.StatusBadRequest, "body must be an arbeidsgiver")
		return
	}
	writeJSON(w, http.StatusOK, seedArbeidsgiver(o.AddArbeidsgiver(Arbeidsgiver(b))))
}

// seedGjennomforing is Gjennomforing as JSON.
type seedGjennomforing struct {
	ID                  string `json:"id,omitempty"`
	ArenaID             int64  `json:"arenaId"`
	Tiltakskode         string `json:"tiltakskode,omitempty"`
	Organisasjonsnummer string `json:"organisasjonsnummer,omitempty"`
	Oppstart            string `json:"oppstart,omitempty"`
	Navn                string `json:"navn,omitempty"`
	StartDato           string `json:"startDato,omitempty"`
	SluttDato           string `json:"sluttDato,omitempty"`
	Status              string `json:"status,omitempty"`
}

func toSeedGjennomforing(g Gjennomforing) seedGjennomforing {
	b := seedGjennomforing{
		ID: g.ID, ArenaID: g.ArenaID, Tiltakskode: g.Tiltakskode, Organisasjonsnummer: g.Organisasjonsnummer,
		Oppstart: g.Oppstart, Navn: g.Navn, Status: g.Status,
	}
	if !g.StartDato.IsZero() {
		b.StartDato = g.StartDato.Format(time.DateOnly)
	}
	if !g.SluttDato.IsZero() {
		b.SluttDato = g.SluttDato.Format(time.DateOnly)
	}
	return b
}

func (b seedGjennomforing) gjennomforing() (Gjennomforing, error) {
	g := Gjennomforing{
		ID: b.ID, ArenaID: b.ArenaID, Tiltakskode: b.Tiltakskode, Organisasjonsnummer: b.Organisasjonsnummer,
		Oppstart: b.Oppstart, Navn: b.Navn, Status: b.Status,
	}
	var err error
	if g.StartDato, err = parseOptionalDate(b.StartDato); err == nil {
		g.SluttDato, err = parseOptionalDate(b.SluttDato)
	}
	return g, err
}

func (m *Mulighetsrommet) serveSeed(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != SeedPrefix+"gjennomforinger" || r.Method != http.MethodPost {
		writeError(w, http.StatusNotFound, "seed with POST "+SeedPrefix+"gjennomforinger")
		return
	}
	var b seedGjennomforing
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&b); err != nil {
		writeError(w, http.StatusBadRequest, "body must be a gjennomføring")
		return
	}
	g, err := b.gjennomforing()
	if err != nil {
		writeError(w, http.StatusBadRequest, "dates are yyyy-mm-dd")
		return
	}
	writeJSON(w, http.StatusOK, toSeedGjennomforing(m.AddGjennomforing(g)))
}

// seedDeltakelse is Deltakelse as JSON, for a person.
type seedDeltakelse struct {
	PersonIdent     string `json:"personIdent"`
	ID              string `json:"id"`
	GjennomforingID string `json:"gjennomforingId"`
	StartDato       string `json:"startDato,omitempty"`
	SluttDato       string `json:"sluttDato,omitempty"`
	Status          string `json:"status"`
}

func (a *AmtTiltak) serveSeed(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != SeedPrefix+"deltakelser" || r.Method != http.MethodPost {
		writeError(w, http.StatusNotFound, "seed with POST "+SeedPrefix+"deltakelser")
		return
	}
	var b seedDeltakelse
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&b); err != nil ||
		b.PersonIdent == "" || b.ID == "" || b.Status == "" {
		writeError(w, http.StatusBadRequest, "body must be a deltakelse with personIdent, id and status")
		return
	}
	d := Deltakelse{ID: b.ID, GjennomforingID: b.GjennomforingID, Status: b.Status}
	var err error
	if d.StartDato, err = parseOptionalDate(b.StartDato); err == nil {
		d.SluttDato, err = parseOptionalDate(b.SluttDato)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "dates are yyyy-mm-dd")
		return
	}
	a.AddDeltakelse(b.PersonIdent, d)
	w.WriteHeader(http.StatusNoContent)
}

func parseOptionalDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.DateOnly, s)
}

// Seeder seeds fakes running elsewhere through their seeding paths.
type Seeder struct {
	// ORDSURL, MulighetsrommetURL and AmtTiltakURL are the fakes' base
	// URLs; a seeding call to one left empty fails.
	ORDSURL, MulighetsrommetURL, AmtTiltakURL string
	// HTTP is the client used; nil means one with a 10 s timeout.
	HTTP *http.Client
}

// SetFnr makes the remote ORDS answer fnr for personID.
func (s Seeder) SetFnr(ctx context.Context, personID int64, fnr string) error {
	return s.call(ctx, http.MethodPut, s.ORDSURL, SeedPrefix+"fnr/"+strconv.FormatInt(personID, 10), map[string]string{"fnr": fnr}, nil)
}

// AddArbeidsgiver adds a to the remote ORDS and returns it with its
// defaults.
func (s Seeder) AddArbeidsgiver(ctx context.Context, a Arbeidsgiver) (Arbeidsgiver, error) {
	var out seedArbeidsgiver
	err := s.call(ctx, http.MethodPost, s.ORDSURL, SeedPrefix+"arbeidsgivere", seedArbeidsgiver(a), &out)
	return Arbeidsgiver(out), err
}

// AddGjennomforing adds g to the remote Mulighetsrommet and returns it with
// its defaults and id.
func (s Seeder) AddGjennomforing(ctx context.Context, g Gjennomforing) (Gjennomforing, error) {
	var out seedGjennomforing
	if err := s.call(ctx, http.MethodPost, s.MulighetsrommetURL, SeedPrefix+"gjennomforinger", toSeedGjennomforing(g), &out); err != nil {
		return Gjennomforing{}, err
	}
	return out.gjennomforing()
}

// AddDeltakelse adds d to personIdent's deltakelser in the remote
// amt-tiltak.
func (s Seeder) AddDeltakelse(ctx context.Context, personIdent string, d Deltakelse) error {
	body := seedDeltakelse{PersonIdent: personIdent, ID: d.ID, GjennomforingID: d.GjennomforingID, Status: d.Status}
	if !d.StartDato.IsZero() {
		body.StartDato = d.StartDato.Format(time.DateOnly)
	}
	if !d.SluttDato.IsZero() {
		body.SluttDato = d.SluttDato.Format(time.DateOnly)
	}
	return s.call(ctx, http.MethodPost, s.AmtTiltakURL, SeedPrefix+"deltakelser", body, nil)
}

func (s Seeder) call(ctx context.Context, method, base, path string, in, out any) error {
	if base == "" {
		return fmt.Errorf("fakenav: seed %s: no base URL", path)
	}
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(base, "/")+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	hc := s.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("fakenav: seed %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("fakenav: seed %s: status %d: %s", path, resp.StatusCode, bytes.TrimSpace(body))
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			return fmt.Errorf("fakenav: seed %s: answer: %w", path, err)
		}
	}
	return nil
}
