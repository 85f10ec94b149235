package pg_test

import (
	"context"
	"embed"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/pg"
	"github.com/navikt/kafkapg/pkg/pg/pgtest"
)

var server *pgtest.Server

func TestMain(m *testing.M) { pgtest.Main(m, &server) }

//go:embed testdata
var testdata embed.FS

// open opens a pool of its own on dsn, as a separate process would.
func open(t *testing.T, dsn string) *sqlx.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	db, err := pg.Open(ctx, pg.Config{URL: dsn})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}
