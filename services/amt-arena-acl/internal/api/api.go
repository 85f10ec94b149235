// Package api serves the Arena id translation to other NAV services:
//
//	GET /api/translation/{id}      200 {"arenaId": "<TILTAKDELTAKER_ID>"}, or 404
//	GET /api/v2/translation/{id}   200 {"arenaId": …, "arenaHistId": …}, always
//
// id is a deltaker's AMT UUID. Version 1 answers only ids of Arena
// deltakere, never of hist deltakere: its one consumer cannot tell the two
// apart. Version 2 answers the deltaker's id when there is one, else the
// hist deltaker's, else both null.
//
// Every route demands a bearer token that Texas's introspection endpoint
// says is active for this app (pkg/nais RequireToken): 401 without one.
// Who may call is decided by the app's inbound access policy. A malformed
// UUID is 400. The operators' re-load and tombstone are not here: they are
// subcommands of the service binary (package ops), with no network
// endpoint at all.
package api

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"go.uber.org/zap"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/store"
)

// Router is where the routes go; *nais.Server and *http.ServeMux are one.
type Router interface {
	Handle(pattern string, h http.Handler)
}

// API is the translation API.
type API struct {
	db    *sqlx.DB
	store *store.Store
	log   *zap.Logger
}

// New returns the API reading from db through s, logging to log (nil:
// nowhere).
func New(db *sqlx.DB, s *store.Store, log *zap.Logger) *API {
	if log == nil {
		log = zap.NewNop()
	}
	return &API{db: db, store: s, log: log}
}

// Register adds the routes to r, each behind auth (nais.RequireToken).
func (a *API) Register(r Router, auth func(http.Handler) http.Handler) {
	r.Handle("GET /api/translation/{id}", auth(http.HandlerFunc(a.translation)))
	r.Handle("GET /api/v2/translation/{id}", auth(http.HandlerFunc(a.translationV2)))
}

// translation answers the Arena deltaker id of an AMT UUID, or 404.
func (a *API) translation(w http.ResponseWriter, r *http.Request) {
	id, ok := a.id(w, r)
	if !ok {
		return
	}
	t, found, err := a.store.GetTranslation(r.Context(), a.db, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if !found {
		http.Error(w, fmt.Sprintf("Fant ikke arena id for %s", id), http.StatusNotFound)
		return
	}
	writeJSON(w, struct {
		ArenaID string `json:"arenaId"`
	}{t.ArenaID})
}

// translationV2 answers the Arena deltaker id of an AMT UUID, else its
// hist deltaker id, else neither.
func (a *API) translationV2(w http.ResponseWriter, r *http.Request) {
	id, ok := a.id(w, r)
	if !ok {
		return
	}
	var answer struct {
		ArenaID     *string `json:"arenaId"`
		ArenaHistID *string `json:"arenaHistId"`
	}
	t, found, err := a.store.GetTranslation(r.Context(), a.db, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if found {
		answer.ArenaID = &t.ArenaID
	} else {
		h, found, err := a.store.GetHistTranslation(r.Context(), a.db, id)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		if found {
			answer.ArenaHistID = &h.ArenaHistID
		}
	}
	writeJSON(w, answer)
}

// id reads the path's UUID, answering 400 when it is not one in the
// canonical 8-4-4-4-12 form.
func (a *API) id(w http.ResponseWriter, r *http.Request) (uuid.UUID, bool) {
	raw := r.PathValue("id")
	id, err := uuid.Parse(raw)
	if err != nil || len(raw) != 36 {
		http.Error(w, "id er ikke en gyldig UUID", http.StatusBadRequest)
		return uuid.Nil, false
	}
	return id, true
}

func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	a.log.Error("translation lookup failed", zap.String("path", r.URL.Path), zap.Error(err))
	http.Error(w, "internal error", http.StatusInternalServerError)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
