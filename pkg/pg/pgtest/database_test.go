package pgtest_test

import (
	"database/sql"
	"net/url"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
)

func TestNewDBIsolation(t *testing.T) {
	t.Parallel()
	a := server.NewDB(t, migrations, "testdata/migrations")
	b := server.NewDB(t, migrations, "testdata/migrations")

	_, err := a.ExecContext(t.Context(), `INSERT INTO notes (body) VALUES ('only in a')`)
	require.NoError(t, err)
	var n int
	require.NoError(t, b.GetContext(t.Context(), &n, `SELECT count(*) FROM notes`))
	require.Zero(t, n)

	// Both are clones of one template, migrated once.
	var stampA, stampB string
	require.NoError(t, a.GetContext(t.Context(), &stampA, `SELECT id FROM stamp`))
	require.NoError(t, b.GetContext(t.Context(), &stampB, `SELECT id FROM stamp`))
	require.Equal(t, stampA, stampB)
}

func TestNewDBTemplatePerMigrationSet(t *testing.T) {
	t.Parallel()
	templates := func() []string {
		var names []string
		require.NoError(t, server.NewDB(t, nil, "").SelectContext(t.Context(), &names,
			`SELECT datname FROM pg_database WHERE datistemplate AND datname LIKE 'pgtest_tpl_%' ORDER BY datname`))
		return names
	}

	server.NewDB(t, migrations, "testdata/migrations")
	before := templates()
	server.NewDB(t, migrations, "testdata/migrations")
	require.Equal(t, before, templates(), "same migrations, same template")

	// An edited migration must not be served from the old template.
	edited := fstest.MapFS{
		"m/000001_notes.up.sql": {Data: []byte(`CREATE TABLE notes (id int, body text, edited bool)`)},
	}
	db := server.NewDB(t, edited, "m")
	var cols int
	require.NoError(t, db.GetContext(t.Context(), &cols,
		`SELECT count(*) FROM information_schema.columns WHERE table_name = 'notes'`))
	require.Equal(t, 3, cols)
}

func TestNewDBWithoutMigrationsIsEmpty(t *testing.T) {
	t.Parallel()
	db := server.NewDB(t, nil, "")
	var tables int
	require.NoError(t, db.GetContext(t.Context(), &tables,
		`SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'`))
	require.Zero(t, tables)
}

func TestNewDBURLIsDroppedAfterTheTest(t *testing.T) {
	t.Parallel()
	var name string
	t.Run("uses it", func(t *testing.T) {
		dsn := server.NewDBURL(t, migrations, "testdata/migrations")
		u, err := url.Parse(dsn)
		require.NoError(t, err)
		name = u.Path[1:]

		// A subprocess would get dsn; a plain pool that stays open is
		// what the cleanup's WITH (FORCE) is for.
		db, err := sql.Open("postgres", dsn)
		require.NoError(t, err)
		t.Cleanup(func() { _ = db.Close() })
		_, err = db.ExecContext(t.Context(), `INSERT INTO notes (body) VALUES ('x')`)
		require.NoError(t, err)
	})

	var exists bool
	require.NoError(t, server.NewDB(t, nil, "").GetContext(t.Context(), &exists,
		`SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name))
	require.False(t, exists)
}
