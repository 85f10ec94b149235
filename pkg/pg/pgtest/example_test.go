package pgtest_test

// This file is the pattern to copy into a package whose tests need
// PostgreSQL: one server per test binary, started by TestMain, and a fresh
// migrated database per test.

import (
	"embed"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/pg/pgtest"
)

//go:embed testdata/migrations/*.sql
var migrations embed.FS

var server *pgtest.Server

func TestMain(m *testing.M) { pgtest.Main(m, &server) }

func TestExampleNotes(t *testing.T) {
	t.Parallel()
	db := server.NewDB(t, migrations, "testdata/migrations")

	_, err := db.ExecContext(t.Context(), `INSERT INTO notes (body) VALUES ('hello')`)
	require.NoError(t, err)
	var body string
	require.NoError(t, db.GetContext(t.Context(), &body, `SELECT body FROM notes`))
	require.Equal(t, "hello", body)
}
