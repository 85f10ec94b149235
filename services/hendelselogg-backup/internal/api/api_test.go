package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/logging"
	"github.com/navikt/kafkapg/pkg/nais"
	"github.com/navikt/kafkapg/pkg/pg/pgtest"
	"github.com/navikt/kafkapg/services/hendelselogg-backup/internal/api"
	"github.com/navikt/kafkapg/services/hendelselogg-backup/migrations"
)

var server *pgtest.Server

func TestMain(m *testing.M) { pgtest.Main(m, &server) }

// texas is a stand-in for the NAIS token sidecar's introspection endpoint:
// "good" is an active token of a NAV employee, anything else is not active.
func texas(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Token string `json:"token"`
		}
		require.NoError(t, json.NewDecoder(r.Body).Decode(&req))
		w.Header().Set("Content-Type", "application/json")
		if req.Token == "good" {
			_, _ = w.Write([]byte(`{"active":true,"NAVident":"Z990001","azp_name":"dev-gcp:paw:paw-brukerstotte","oid":"o-1"}`))
			return
		}
		_, _ = w.Write([]byte(`{"active":false,"error":"token is expired"}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

type logLine struct {
	Logger string `json:"logger_name"`
	Msg    string `json:"message"`
	Navid  string `json:"caller_navident"`
	App    string `json:"caller_app"`
	ID     *int64 `json:"arbeidssoekerId"`
}

func lines(t *testing.T, buf *bytes.Buffer) (audit, other []logLine, raw []string) {
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if l == "" {
			continue
		}
		var ll logLine
		require.NoError(t, json.Unmarshal([]byte(l), &ll), l)
		if strings.HasSuffix(ll.Logger, ".audit") {
			audit = append(audit, ll)
		} else {
			other = append(other, ll)
			raw = append(raw, l)
		}
	}
	return audit, other, raw
}

// The support API needs a valid bearer token (401 without), answers 404
// when the person has no hendelser and 200 with them in (partition, offset)
// order for the configured version; every call naming a person writes one
// audit line with the caller and the arbeidssoekerId, and the id appears in
// no other log line.
func TestSupportAPI(t *testing.T) {
	t.Parallel()
	db := server.NewDB(t, migrations.FS, migrations.Dir)
	for _, r := range []struct {
		version   int16
		partition int32
		offset    int64
		id        int64
	}{{1, 1, 5, 424242}, {1, 0, 9, 424242}, {1, 0, 2, 424242}, {2, 0, 1, 424242}, {1, 0, 3, 7}} {
		_, err := db.Exec(`INSERT INTO bekreftelse_hendelser (version, kafka_partition, kafka_offset, record_key, arbeidssoeker_id, traceparent, data)
			VALUES ($1, $2, $3, 99, $4, 'tp', '{"hendelseType":"bekreftelse.periode_avsluttet","hendelseTidspunkt":1742810000.500000000}')`,
			r.version, r.partition, r.offset, r.id)
		require.NoError(t, err)
	}
	var buf bytes.Buffer
	log, err := logging.NewTo(logging.Config{Format: logging.FormatJSON, Name: "test"}, &buf)
	require.NoError(t, err)
	srv := nais.NewServer(":0", log, nil)
	api.New(db, 1, log).Register(srv, nais.RequireToken(nais.NewIntrospector(texas(t).URL), log))

	call := func(token, id string) (int, string) {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/arbeidssoeker/"+id+"/bekreftelse-hendelser", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}

	cases := []struct {
		name, token, id string
		status          int
		audited         bool
	}{
		{"no token", "", "424242", http.StatusUnauthorized, false},
		{"inactive token", "expired", "424242", http.StatusUnauthorized, false},
		{"not a number", "good", "abc", http.StatusBadRequest, false},
		{"nobody", "good", "1", http.StatusNotFound, true},
		{"found", "good", "424242", http.StatusOK, true},
	}
	for _, c := range cases {
		buf.Reset()
		status, body := call(c.token, c.id)
		require.Equal(t, c.status, status, c.name)
		audit, other, raw := lines(t, &buf)
		if c.audited {
			require.Len(t, audit, 1, "%s: one audit line", c.name)
			require.Equal(t, "Z990001", audit[0].Navid)
			require.Equal(t, "dev-gcp:paw:paw-brukerstotte", audit[0].App)
			require.NotNil(t, audit[0].ID)
			require.Equal(t, c.id, jsonNumber(*audit[0].ID))
		} else {
			require.Empty(t, audit, c.name)
		}
		for i := range other {
			require.NotContains(t, raw[i], "424242", "%s: ordinary logs carry no arbeidssoekerId", c.name)
		}
		switch c.status {
		case http.StatusNotFound:
			require.JSONEq(t, `{"melding":"Ingen hendelser for bruker","feilKode":"ikke funnet"}`, body)
		case http.StatusOK:
			var got []api.Hendelse
			require.NoError(t, json.Unmarshal([]byte(body), &got))
			require.Len(t, got, 3, "version 1 only")
			for i, want := range [][2]int64{{0, 2}, {0, 9}, {1, 5}} {
				require.Equal(t, int32(want[0]), got[i].Partition)
				require.Equal(t, want[1], got[i].Offset)
				require.EqualValues(t, 424242, got[i].ArbeidssoekerID)
				require.EqualValues(t, 99, got[i].RecordKey)
				require.Equal(t, "tp", *got[i].Traceparent)
				require.JSONEq(t, `{"hendelseType":"bekreftelse.periode_avsluttet","hendelseTidspunkt":1742810000.500000000}`, string(got[i].Data))
			}
		}
	}
}

func jsonNumber(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
