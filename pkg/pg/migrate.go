package pg

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/golang-migrate/migrate/v4"
	"github.com/golang-migrate/migrate/v4/database"
	migratepg "github.com/golang-migrate/migrate/v4/database/postgres"
	"github.com/golang-migrate/migrate/v4/source"
	"github.com/golang-migrate/migrate/v4/source/iofs"
	"github.com/jmoiron/sqlx"
)

// Migrate applies the golang-migrate migrations in directory dir of fsys
// (NNN_name.up.sql / NNN_name.down.sql) that db has not seen yet. Nothing to
// do is success.
//
// Replicas starting together may all call Migrate: it holds the advisory
// lock golang-migrate's postgres driver uses, so the migrate CLI is excluded
// too, and the others wait, then find nothing to do. Unlike golang-migrate's
// fixed 15 s lock timeout, the wait is bounded by ctx. ctx also stops
// Migrate between migrations; a statement already running is not cut off.
//
// Migrate works on one connection of db and gives it back; it never closes db.
func Migrate(ctx context.Context, db *sqlx.DB, fsys fs.FS, dir string) error {
	src, err := iofs.New(fsys, dir)
	if err != nil {
		return fmt.Errorf("pg: migrate: read migrations in %s: %w", dir, err)
	}
	// A dedicated connection, because migratepg.WithInstance would close the
	// whole pool when the migrate instance is closed.
	conn, err := db.Conn(ctx)
	if err != nil {
		_ = src.Close()
		return fmt.Errorf("pg: migrate: get connection: %w", err)
	}

	cfg := &migratepg.Config{}
	lockID, err := migrationLock(ctx, conn, cfg)
	if err != nil {
		_ = src.Close()
		_ = conn.Close()
		return fmt.Errorf("pg: migrate: %w", err)
	}
	err = migrateLocked(ctx, conn, cfg, src, dir)
	_ = src.Close()

	// Session advisory locks survive the connection's return to the pool,
	// so the lock is released here, or the connection thrown away.
	unlockCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, uerr := conn.ExecContext(unlockCtx, `SELECT pg_advisory_unlock($1)`, lockID); uerr != nil {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	_ = conn.Close() // ErrConnDone when discarded above
	return err
}

// migrationLock waits, within ctx, for the advisory lock golang-migrate takes
// for this database and schema, and fills in cfg so the driver agrees.
// Advisory locks are re-entrant per session, so the driver's own blocking
// pg_advisory_lock on the same connection returns at once.
func migrationLock(ctx context.Context, conn *sql.Conn, cfg *migratepg.Config) (string, error) {
	if err := conn.QueryRowContext(ctx, `SELECT current_database(), current_schema()`).
		Scan(&cfg.DatabaseName, &cfg.SchemaName); err != nil {
		return "", fmt.Errorf("find database and schema: %w", err)
	}
	cfg.MigrationsTable = migratepg.DefaultMigrationsTable
	id, err := database.GenerateAdvisoryLockId(cfg.DatabaseName, cfg.SchemaName, cfg.MigrationsTable)
	if err != nil {
		return "", fmt.Errorf("derive advisory lock id: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, id); err != nil {
		return "", fmt.Errorf("wait for migration lock %s: %w", id, err)
	}
	return id, nil
}

// migrateLocked runs the migrations while the caller holds the migration
// lock. The migrate instance is never closed: that would close conn, which
// the caller still needs for unlocking.
func migrateLocked(ctx context.Context, conn *sql.Conn, cfg *migratepg.Config, src source.Driver, dir string) error {
	drv, err := migratepg.WithConnection(ctx, conn, cfg)
	if err != nil {
		return fmt.Errorf("pg: migrate: prepare %s table: %w", cfg.MigrationsTable, err)
	}
	m, err := migrate.NewWithInstance("iofs", src, "postgres", drv)
	if err != nil {
		return fmt.Errorf("pg: migrate: %w", err)
	}
	stop := context.AfterFunc(ctx, func() { m.GracefulStop <- true })
	defer stop()
	if err := m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("pg: migrate %s: %w", dir, err)
	}
	// A graceful stop makes Up return nil with migrations left undone.
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("pg: migrate %s: stopped: %w", dir, err)
	}
	return nil
}
