package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/navikt/kafkapg/pkg/pg"
)

// templateLockKey serialises template builds across test processes that
// share one server through TEST_DATABASE_URL.
const templateLockKey = 0x7067746573745f74 // "pgtest_t"

// NewDB returns a pool on a new database of its own, migrated with the
// golang-migrate migrations in dir of fsys (an empty database when fsys is
// nil). The database is a clone of a template migrated once per set of
// migrations, so it costs ~20 ms on tmpfs. It is dropped when the test ends.
// Like t.Fatal, NewDB must be called from the test's goroutine.
func (s *Server) NewDB(t testing.TB, fsys fs.FS, dir string) *sqlx.DB {
	t.Helper()
	dsn := s.NewDBURL(t, fsys, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db, err := pg.Open(ctx, pg.Config{URL: dsn})
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	// Registered after NewDBURL's drop, so it runs before it.
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// NewDBURL is NewDB for code that needs a connection string, such as a
// subprocess under test; it returns the new database's URL. The database is
// dropped, with any sessions still on it, when the test ends.
func (s *Server) NewDBURL(t testing.TB, fsys fs.FS, dir string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name, err := s.createDB(ctx, fsys, dir)
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(func() {
		if err := s.dropDB(name); err != nil {
			t.Errorf("%v", err)
		}
	})
	return s.DSNFor(name)
}

func (s *Server) createDB(ctx context.Context, fsys fs.FS, dir string) (string, error) {
	admin, err := s.adminDB()
	if err != nil {
		return "", err
	}
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	name := "pgtest_" + hex.EncodeToString(rnd[:])

	q := `CREATE DATABASE ` + pq.QuoteIdentifier(name)
	if fsys != nil {
		tpl, err := s.template(ctx, admin, fsys, dir)
		if err != nil {
			return "", err
		}
		q += ` TEMPLATE ` + pq.QuoteIdentifier(tpl)
	}
	if _, err := admin.ExecContext(ctx, q+s.strategy); err != nil {
		return "", fmt.Errorf("pgtest: create database %s: %w", name, err)
	}
	return name, nil
}

func (s *Server) dropDB(name string) error {
	s.mu.Lock()
	gone := s.cluster != nil && (s.stopped || s.halted) // goes with the cluster
	s.mu.Unlock()
	if gone {
		return nil
	}
	admin, err := s.adminDB()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+pq.QuoteIdentifier(name)+` WITH (FORCE)`); err != nil {
		return fmt.Errorf("pgtest: drop database %s: %w", name, err)
	}
	return nil
}

// template returns the name of a complete template database for the
// migrations, building it if needed. The name carries a hash of the
// migrations, so a changed migration gets a new template. ALTER DATABASE
// … IS_TEMPLATE is the last step, and so marks a template as complete; one
// without it was left half-built by a killed process and is rebuilt.
func (s *Server) template(ctx context.Context, admin *sql.DB, fsys fs.FS, dir string) (string, error) {
	hash, err := hashMigrations(fsys, dir)
	if err != nil {
		return "", err
	}
	name := "pgtest_tpl_" + hash

	s.tplMu.Lock()
	defer s.tplMu.Unlock()
	if s.templates[name] {
		return name, nil
	}

	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", fmt.Errorf("pgtest: template: get connection: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, templateLockKey); err != nil {
		return "", fmt.Errorf("pgtest: template: wait for lock: %w", err)
	}
	defer func() {
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, templateLockKey); err != nil {
			// Throw the session away rather than pool it with the lock held.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()

	var complete bool
	err = conn.QueryRowContext(ctx, `SELECT datistemplate FROM pg_database WHERE datname = $1`, name).Scan(&complete)
	switch {
	case err == nil && complete:
		s.templates[name] = true
		return name, nil
	case err == nil:
		if _, err := conn.ExecContext(ctx, `DROP DATABASE `+pq.QuoteIdentifier(name)+` WITH (FORCE)`); err != nil {
			return "", fmt.Errorf("pgtest: drop half-built template %s: %w", name, err)
		}
	case !errors.Is(err, sql.ErrNoRows):
		return "", fmt.Errorf("pgtest: look up template %s: %w", name, err)
	}

	if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(name)); err != nil {
		return "", fmt.Errorf("pgtest: create template %s: %w", name, err)
	}
	if err := s.migrate(ctx, name, fsys, dir); err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, `ALTER DATABASE `+pq.QuoteIdentifier(name)+` WITH IS_TEMPLATE true`); err != nil {
		return "", fmt.Errorf("pgtest: mark %s as template: %w", name, err)
	}
	s.templates[name] = true
	return name, nil
}

// migrate applies the migrations to database name and closes every
// connection to it, since CREATE DATABASE … TEMPLATE refuses a template
// with sessions.
func (s *Server) migrate(ctx context.Context, name string, fsys fs.FS, dir string) error {
	db, err := pg.Open(ctx, pg.Config{URL: s.DSNFor(name), MaxOpenConns: 1})
	if err != nil {
		return fmt.Errorf("pgtest: template: %w", err)
	}
	defer db.Close()
	if err := pg.Migrate(ctx, db, fsys, dir); err != nil {
		return fmt.Errorf("pgtest: template: %w", err)
	}
	return nil
}

// hashMigrations fingerprints the files directly in dir, the ones
// golang-migrate reads: names (they carry the versions) and contents.
func hashMigrations(fsys fs.FS, dir string) (string, error) {
	entries, err := fs.ReadDir(fsys, dir) // sorted by name
	if err != nil {
		return "", fmt.Errorf("pgtest: read migrations in %s: %w", dir, err)
	}
	h := sha256.New()
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return "", fmt.Errorf("pgtest: read migration %s: %w", e.Name(), err)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", e.Name(), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}
