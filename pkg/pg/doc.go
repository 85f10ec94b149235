// Package pg connects NAV services to PostgreSQL (lib/pq and sqlx): config
// from the NAIS environment, pool setup, migrations, retried transactions and
// leader election.
//
// A service starts like this:
//
//	cfg, err := pg.ConfigFromEnv() // DB_URL or DB_HOST, DB_PORT, ...
//	if err != nil {
//		return err // one line naming the bad variable
//	}
//	log.Info("database", zap.Stringer("config", cfg)) // password masked
//	db, err := pg.Open(ctx, cfg)
//	...
//	err = pg.Migrate(ctx, db, migrations, "migrations")
//
// # Config
//
// sslmode is always explicit in the connection string and defaults to
// "require". NAIS Cloud SQL instances with private IP (all since April 2024)
// get sslmode=verify-ca in DB_URL and DB_SSLMODE, plus certificate paths,
// and that is used as given. Legacy instances reached through the Cloud SQL
// proxy on 127.0.0.1 need DB_SSLMODE=disable (the proxy encrypts); local runs
// and tests pass sslmode=disable too. A password never appears in String,
// in errors from Validate or Open, or in anything this package logs.
//
// # Migrate
//
// Migrations run under the advisory lock golang-migrate's postgres driver
// uses, so replicas starting at once, and the migrate CLI, apply each
// migration exactly once; the others wait and then find nothing to do. The
// caller's pool is never closed.
//
// # InTx
//
// The function passed to InTx may run more than once: after a serialization
// failure (40001) or a deadlock (40P01) the whole transaction is retried, at
// most 5 attempts in all. Anything it does outside the transaction must be
// safe to repeat. A transaction is always committed or rolled back, also
// when the function panics.
//
// # Leader
//
// A Leader holds a session advisory lock on a connection of its own. The
// lock lives exactly as long as that session, so at most one process holds
// it at any time. IsLeader, however, is a belief checked once per interval
// (default 5s) on that connection: if the session dies (network loss, server
// restart, pg_terminate_backend), PostgreSQL frees the lock at once and
// another process may lead, while the old leader only notices at its next
// check. Each check is bounded by the interval too, so a stale leader steps
// down within about two intervals. During that trust window two processes
// may both believe they lead. Leader election is therefore an optimisation
// that keeps replicas from competing; it is not a lock on the work. Claim
// work so that it stays correct with two leaders, e.g.
//
//	SELECT ... FOR UPDATE SKIP LOCKED
//
// in the same transaction that does the work, or a conditional UPDATE.
package pg
