// Package pgtest gives tests real PostgreSQL databases: a throwaway cluster
// per test binary, and per test an isolated, migrated database of its own.
//
// Typical use, in the package under test:
//
//	//go:embed migrations/*.sql
//	var migrations embed.FS
//
//	var server *pgtest.Server
//
//	func TestMain(m *testing.M) { pgtest.Main(m, &server) }
//
//	func TestStore(t *testing.T) {
//		t.Parallel()
//		db := server.NewDB(t, migrations, "migrations")
//		// db is a *sqlx.DB on a fresh database, dropped when the test ends.
//	}
//
// Invariants:
//
//   - A test database is never shared: each NewDB creates one, and its
//     test's cleanup drops it, terminating sessions still on it.
//   - A template is migrated once per set of migration files per server, and
//     only a fully migrated template is ever cloned; its name carries a hash
//     of the files, so editing a migration makes a new one.
//   - Template builds are serialised by an advisory lock, so test processes
//     sharing a server (TEST_DATABASE_URL) do not race.
//   - A throwaway cluster dies with the test process (SIGQUIT on parent
//     death), and its directory is removed by Stop or, after a crash, by the
//     next Start.
//
// Environment:
//
//	TEST_DATABASE_URL  use this server instead of starting a cluster
//	                   (include sslmode=disable for a local server without TLS)
//	PG_BINDIR          directory of initdb and postgres
//	PGTEST_TMPDIR      where clusters live (default /dev/shm, which is fast)
package pgtest
