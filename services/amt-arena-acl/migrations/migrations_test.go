package migrations_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/pg/pgtest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/migrations"
)

var server *pgtest.Server

func TestMain(m *testing.M) { pgtest.Main(m, &server) }

func tables(t *testing.T, q interface {
	SelectContext(context.Context, any, string, ...any) error
}) []string {
	t.Helper()
	var names []string
	require.NoError(t, q.SelectContext(context.Background(), &names,
		`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`))
	return names
}

func TestUpCreatesTheSchemaAndDownRemovesIt(t *testing.T) {
	t.Parallel()
	db := server.NewDB(t, migrations.FS, ".")
	require.Equal(t, []string{
		"arena_data", "arena_data_hist_id_translation", "arena_data_id_translation",
		"deltaker", "gjennomforing", "schema_migrations",
	}, tables(t, db))

	down, err := migrations.FS.ReadFile("000001_schema.down.sql")
	require.NoError(t, err)
	_, err = db.ExecContext(context.Background(), string(down))
	require.NoError(t, err)
	require.Equal(t, []string{"schema_migrations"}, tables(t, db))
}
