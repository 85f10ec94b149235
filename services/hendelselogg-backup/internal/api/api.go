// Package api is the support API ("brukerstøtte"): it lets NAV's support
// staff read the backed-up bekreftelse hendelser of one person.
//
// Invariants:
//   - Every route requires a valid bearer token (pkg/nais introspection); the
//     middleware is applied by the caller of Register, and a request without
//     one is answered 401 before this package sees it.
//   - Every request that names a person writes exactly one audit line, naming
//     the caller and the arbeidssoekerId, before the database is read.
//     Ordinary log lines never carry the arbeidssoekerId.
//   - Reads are of the configured version only, ordered by (partition, offset).
package api

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/jmoiron/sqlx"
	"go.uber.org/zap"

	"github.com/navikt/kafkapg/pkg/logging"
	"github.com/navikt/kafkapg/pkg/nais"
)

// Route is the one route of the API.
const Route = "GET /api/v1/arbeidssoeker/{arbeidssoekerId}/bekreftelse-hendelser"

// API serves the support routes.
type API struct {
	db      *sqlx.DB
	version int16
	log     *zap.Logger
	audit   *zap.Logger
}

// New returns the API for version's rows. log gets ordinary lines; the audit
// lines go to logging.Audit(log).
func New(db *sqlx.DB, version int16, log *zap.Logger) *API {
	return &API{db: db, version: version, log: log, audit: logging.Audit(log)}
}

// Register adds the routes to srv behind auth (nais.RequireToken).
func (a *API) Register(srv *nais.Server, auth func(http.Handler) http.Handler) {
	// The token middleware logs a rejected request's route pattern, never its
	// path, which holds the arbeidssoekerId.
	srv.Handle(Route, auth(http.HandlerFunc(a.hendelser)))
}

// Hendelse is one stored hendelse in a response.
type Hendelse struct {
	Partition       int32           `json:"partition"`
	Offset          int64           `json:"offset"`
	RecordKey       int64           `json:"recordKey"`
	ArbeidssoekerID int64           `json:"arbeidssoekerId"`
	Traceparent     *string         `json:"traceparent"`
	Data            json.RawMessage `json:"data"`
}

// Feil is the body of an error response, as the original API answered.
type Feil struct {
	Melding  string `json:"melding"`
	FeilKode string `json:"feilKode"`
}

var (
	ikkeFunnet = Feil{Melding: "Ingen hendelser for bruker", FeilKode: "ikke funnet"}
	internFeil = Feil{Melding: "Feil ved henting av bekreftelse hendelser", FeilKode: "intern feil"}
	ugyldigId  = Feil{Melding: "arbeidssoekerId må være et heltall", FeilKode: "ugyldig forespørsel"}
)

func (a *API) hendelser(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("arbeidssoekerId"), 10, 64)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, ugyldigId)
		return
	}
	a.auditLine(r, id)

	var rows []struct {
		Partition       int32   `db:"kafka_partition"`
		Offset          int64   `db:"kafka_offset"`
		RecordKey       int64   `db:"record_key"`
		ArbeidssoekerID int64   `db:"arbeidssoeker_id"`
		Traceparent     *string `db:"traceparent"`
		Data            []byte  `db:"data"`
	}
	err = a.db.SelectContext(r.Context(), &rows, `SELECT kafka_partition, kafka_offset, record_key, arbeidssoeker_id, traceparent, data
		FROM bekreftelse_hendelser WHERE arbeidssoeker_id = $1 AND version = $2
		ORDER BY kafka_partition, kafka_offset`, id, a.version)
	if err != nil {
		// The error holds no parameter values; the id stays out of the log.
		a.log.Error("cannot read bekreftelse hendelser for the support API", zap.Error(err))
		writeJSON(w, http.StatusInternalServerError, internFeil)
		return
	}
	if len(rows) == 0 {
		writeJSON(w, http.StatusNotFound, ikkeFunnet)
		return
	}
	out := make([]Hendelse, len(rows))
	for i, row := range rows {
		out[i] = Hendelse{Partition: row.Partition, Offset: row.Offset, RecordKey: row.RecordKey,
			ArbeidssoekerID: row.ArbeidssoekerID, Traceparent: row.Traceparent, Data: row.Data}
	}
	writeJSON(w, http.StatusOK, out)
}

// auditLine records who asked about whom. The caller is the NAV employee
// when the token was issued on behalf of one, and the calling application
// in any case.
func (a *API) auditLine(r *http.Request, id int64) {
	claims, _ := nais.ClaimsFrom(r.Context())
	navIdent, app := claims.NAVident(), claims.AzpName()
	if claims == nil {
		app = "anonymous (authentication is off)"
	}
	a.audit.Info("support lookup of bekreftelse hendelser",
		zap.String("caller_navident", navIdent),
		zap.String("caller_app", app),
		zap.String("caller_oid", claims.String("oid")),
		zap.Int64("arbeidssoekerId", id),
		zap.String("action", r.Method+" "+r.Pattern),
	)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
