package api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/nais"
	"github.com/navikt/kafkapg/pkg/pg/pgtest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/api"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/fakenav"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/store"
	"github.com/navikt/kafkapg/services/amt-arena-acl/migrations"
)

var server *pgtest.Server

func TestMain(m *testing.M) { pgtest.Main(m, &server) }

// The ids the tests look up.
var (
	deltakerID   = uuid.MustParse("1f0e6c43-1f4d-4b47-9a34-2b8d4d4f7a01") // a deltaker
	historisedID = uuid.MustParse("2a6f3f0c-5d3b-4a8e-8d9c-0c7e3b1d2f02") // a deltaker that was historised
	histOnlyID   = uuid.MustParse("3b7a4e1d-6e4c-4b9f-9ead-1d8f4c2e3a03") // a hist deltaker only
	unknownID    = uuid.MustParse("4c8b5f2e-7f5d-4cae-afbe-2e9a5d3f4b04")
)

// setup serves the API on a NAIS server behind a fake Texas, with the
// translations above stored.
func setup(t *testing.T) (*httptest.Server, *fakenav.Texas) {
	t.Helper()
	ctx := context.Background()
	db := server.NewDB(t, migrations.FS, ".")
	s := store.New(nil)
	for _, tr := range []store.Translation{
		{AmtID: deltakerID, Table: arena.TableDeltaker, ArenaID: "123456"},
		{AmtID: historisedID, Table: arena.TableDeltaker, ArenaID: "654321"},
	} {
		_, err := s.InsertTranslation(ctx, db, tr)
		require.NoError(t, err)
	}
	arenaID := "654321"
	for _, h := range []store.HistTranslation{
		{AmtID: historisedID, ArenaHistID: "777", ArenaID: &arenaID},
		{AmtID: histOnlyID, ArenaHistID: "888"},
	} {
		_, err := s.InsertHistTranslation(ctx, db, h)
		require.NoError(t, err)
	}

	texas := fakenav.NewTexas()
	texasSrv := httptest.NewServer(texas)
	t.Cleanup(texasSrv.Close)
	srv := nais.NewServer("", nil, nil)
	api.New(db, s, nil).Register(srv, nais.RequireToken(nais.NewIntrospector(texasSrv.URL+fakenav.IntrospectPath), nil))
	h := httptest.NewServer(srv)
	t.Cleanup(h.Close)
	return h, texas
}

func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, strings.TrimSpace(string(body))
}

func TestTranslation(t *testing.T) {
	t.Parallel()
	h, texas := setup(t)
	token := texas.TokenFrom("local:dab:amt-aktivitetskort-publisher")
	cases := []struct {
		name, path string
		status     int
		body       string
	}{
		{"v1: a deltaker's Arena id", "/api/translation/" + deltakerID.String(), 200, `{"arenaId":"123456"}`},
		{"v1: upper-case UUID", "/api/translation/" + strings.ToUpper(deltakerID.String()), 200, `{"arenaId":"123456"}`},
		{"v1: a historised deltaker's own Arena id", "/api/translation/" + historisedID.String(), 200, `{"arenaId":"654321"}`},
		{"v1: never a hist id", "/api/translation/" + histOnlyID.String(), 404, "Fant ikke arena id for " + histOnlyID.String()},
		{"v1: unknown", "/api/translation/" + unknownID.String(), 404, "Fant ikke arena id for " + unknownID.String()},
		{"v1: not a UUID", "/api/translation/123456", 400, "id er ikke en gyldig UUID"},
		{"v1: a UUID without dashes", "/api/translation/" + strings.ReplaceAll(deltakerID.String(), "-", ""), 400, "id er ikke en gyldig UUID"},
		{"v2: a deltaker's Arena id first", "/api/v2/translation/" + historisedID.String(), 200, `{"arenaId":"654321","arenaHistId":null}`},
		{"v2: a hist deltaker's hist id", "/api/v2/translation/" + histOnlyID.String(), 200, `{"arenaId":null,"arenaHistId":"888"}`},
		{"v2: unknown is both null", "/api/v2/translation/" + unknownID.String(), 200, `{"arenaId":null,"arenaHistId":null}`},
		{"v2: not a UUID", "/api/v2/translation/x", 400, "id er ikke en gyldig UUID"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			status, body := get(t, h.URL+c.path, token)
			require.Equal(t, c.status, status)
			if strings.HasPrefix(c.body, "{") {
				require.JSONEq(t, c.body, body)
			} else {
				require.Equal(t, c.body, body)
			}
		})
	}
}

func TestTranslationDemandsAnActiveTokenForThisApp(t *testing.T) {
	t.Parallel()
	h, texas := setup(t)
	expired := fakenav.NewTexas(fakenav.WithClock(func() time.Time { return time.Now().Add(-2 * time.Hour) }))
	cases := []struct {
		name, token string
	}{
		{"no token", ""},
		{"a token for another app", texas.Token("api://local.amt.amt-tiltak/.default")},
		{"a token from another issuer", expired.TokenFrom("local:dab:amt-aktivitetskort-publisher")},
		{"not a token", "not-a-jwt"},
	}
	for _, c := range cases {
		for _, path := range []string{"/api/translation/", "/api/v2/translation/"} {
			t.Run(c.name+" "+path, func(t *testing.T) {
				t.Parallel()
				status, _ := get(t, h.URL+path+deltakerID.String(), c.token)
				require.Equal(t, http.StatusUnauthorized, status)
				status, _ = get(t, h.URL+path+"not-a-uuid", c.token)
				require.Equal(t, http.StatusUnauthorized, status, "authentication comes before validation")
			})
		}
	}
}

// The original's /internal/api routes (re-load, tombstone) were guarded
// only by the caller's address; here they are subcommands of the binary
// and not served at all.
func TestNoInternalAPIIsServed(t *testing.T) {
	t.Parallel()
	h, texas := setup(t)
	token := texas.TokenFrom("local:dab:amt-aktivitetskort-publisher")
	for _, path := range []string{"/internal/api/relast-deltakere/ENKELAMO", "/internal/api/tombstone-enkeltplass-deltaker"} {
		resp, err := http.Post(h.URL+path, "application/json", strings.NewReader(`{"deltakere":[]}`))
		require.NoError(t, err)
		_ = resp.Body.Close()
		require.Equal(t, http.StatusNotFound, resp.StatusCode, path)
		status, _ := get(t, h.URL+path, token)
		require.Equal(t, http.StatusNotFound, status, path)
	}
}
