package pgtest_test

import (
	"bytes"
	"database/sql"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/pg/pgtest"
)

// start runs a cluster of the test's own, for tests that change its state.
func start(t *testing.T, o pgtest.Options) *pgtest.Server {
	t.Helper()
	if os.Getenv("TEST_DATABASE_URL") != "" {
		t.Skip("needs a throwaway cluster; TEST_DATABASE_URL is set")
	}
	s, err := pgtest.Start(o)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Stop()) })
	return s
}

func TestStartOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    pgtest.Options
		setting string
		want    string
	}{
		{"fast by default", pgtest.Options{}, "fsync", "off"},
		{"durable", pgtest.Options{Durable: true}, "fsync", "on"},
		{"extra settings", pgtest.Options{Settings: []string{"work_mem=7MB"}}, "work_mem", "7MB"},
		{"loopback only", pgtest.Options{}, "listen_addresses", "127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := start(t, tt.opts).NewDB(t, nil, "")
			var got string
			require.NoError(t, db.GetContext(t.Context(), &got, `SELECT current_setting($1)`, tt.setting))
			require.Equal(t, tt.want, got)
		})
	}
}

func TestHaltResumeKeepsData(t *testing.T) {
	t.Parallel()
	s := start(t, pgtest.Options{})
	db := s.NewDB(t, migrations, "testdata/migrations")
	dsn := s.DSN()
	_, err := db.ExecContext(t.Context(), `INSERT INTO notes (body) VALUES ('survives')`)
	require.NoError(t, err)

	require.NoError(t, s.Halt())
	require.Error(t, db.PingContext(t.Context()), "server still answers while halted")
	require.NoError(t, s.Resume())

	require.Equal(t, dsn, s.DSN(), "same port after Resume")
	var body string
	require.NoError(t, db.GetContext(t.Context(), &body, `SELECT body FROM notes`))
	require.Equal(t, "survives", body)
}

// TestFromURL uses the package's cluster the way TEST_DATABASE_URL would.
func TestFromURL(t *testing.T) {
	t.Parallel()
	s, err := pgtest.FromURL(server.DSN())
	require.NoError(t, err)
	// Registered first, so it runs after NewDB's cleanup has dropped the database.
	t.Cleanup(func() {
		require.NoError(t, s.Stop())
		admin, err := sql.Open("postgres", server.DSN())
		require.NoError(t, err)
		defer admin.Close()
		require.NoError(t, admin.Ping(), "Stop must leave a server given by URL running")
	})
	require.Equal(t, server.DSN(), s.DSN())

	db := s.NewDB(t, migrations, "testdata/migrations")
	var n int
	require.NoError(t, db.GetContext(t.Context(), &n, `SELECT count(*) FROM notes`))
	require.Zero(t, n)

	const needsCluster = "pgtest: Halt and Resume need a throwaway cluster, not a server given by TEST_DATABASE_URL"
	require.EqualError(t, s.Halt(), needsCluster)
	require.EqualError(t, s.Resume(), needsCluster)
}

func TestStartUsesTestDatabaseURL(t *testing.T) {
	t.Setenv("TEST_DATABASE_URL", server.DSN()) // not parallel: it sets the environment
	s, err := pgtest.Start(pgtest.Options{})
	require.NoError(t, err)
	defer s.Stop()
	require.Equal(t, server.DSN(), s.DSN())
	require.Error(t, s.Halt())
}

func TestFromURLErrors(t *testing.T) {
	t.Parallel()
	_, err := pgtest.FromURL("postgres://u:secret@127.0.0.1:x/db")
	require.EqualError(t, err, "pgtest: the server URL is not a valid URL")

	_, err = pgtest.FromURL("postgres://u:secret@127.0.0.1:1/db?sslmode=disable")
	require.ErrorContains(t, err, "pgtest: connect to postgres://u:xxxxx@127.0.0.1:1/db?sslmode=disable: ")
}

// TestMainFailsLoudly runs this test binary again, so its TestMain (which
// is pgtest.Main) cannot start a server.
func TestMainFailsLoudly(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "TEST_DATABASE_URL=", "PG_BINDIR=/nonexistent")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()

	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	require.Equal(t, 1, exit.ExitCode())
	require.Equal(t, "pgtest: PG_BINDIR=/nonexistent has no initdb\n", stderr.String())
}
