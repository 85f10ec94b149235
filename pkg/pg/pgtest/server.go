package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"
	"syscall"
	"time"

	_ "github.com/lib/pq" // registers the "postgres" driver
)

// Options configure a throwaway cluster. The zero value is what tests want.
type Options struct {
	BinDir   string   // directory of initdb and postgres; default: see Start
	RunAs    string   // OS user to run postgres as when we are root; default "postgres"
	BaseDir  string   // where the cluster directory goes; default: see Start
	Settings []string // extra server settings as name=value, e.g. "log_min_duration_statement=0"
	Durable  bool     // keep fsync, synchronous_commit and full_page_writes on
}

// Server is a PostgreSQL server that hands out test databases: a throwaway
// cluster made by Start, or an existing server given by URL.
type Server struct {
	url      *url.URL // the maintenance database; DSN() and DSNFor derive from it
	cluster  *cluster // nil for a server given by URL
	strategy string   // " STRATEGY FILE_COPY" on PostgreSQL 15+, else ""

	mu      sync.Mutex
	admin   *sql.DB // nil while halted or after Stop
	halted  bool
	stopped bool

	tplMu     sync.Mutex
	templates map[string]bool // template databases known to be complete
}

var errNeedsCluster = errors.New("pgtest: Halt and Resume need a throwaway cluster, not a server given by TEST_DATABASE_URL")

// Start returns a Server for tests.
//
// When TEST_DATABASE_URL is set, no cluster is started: the Server creates
// its databases on that server (see FromURL).
//
// Otherwise Start runs a throwaway cluster from the local PostgreSQL
// binaries: Options.BinDir, $PG_BINDIR, `pg_config --bindir`, or the newest
// /usr/lib/postgresql/*/bin. It lives in a temp dir under Options.BaseDir,
// $PGTEST_TMPDIR, /dev/shm when writable, or os.TempDir(); listens on a free
// 127.0.0.1 port and a unix socket in that dir; trusts every local
// connection as superuser "postgres"; and runs with fsync off unless
// Options.Durable. Run as root, it runs postgres as Options.RunAs. If the
// test process dies, postgres is sent SIGQUIT, and the next Start in any
// process removes the orphaned directory.
//
// Without TEST_DATABASE_URL and binaries the error is one line saying how to
// get either.
func Start(o Options) (*Server, error) {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return FromURL(u)
	}
	c, err := newCluster(o)
	if err != nil {
		return nil, err
	}
	s, err := newServer(c.adminURL(), c)
	if err != nil {
		c.stop(syscall.SIGINT)
		_ = c.remove()
		releaseInitdb()
		return nil, err
	}
	return s, nil
}

// FromURL returns a Server that creates its databases on the existing
// server at rawURL (e.g. postgres://user:pw@localhost:5432/postgres?sslmode=disable).
// The user needs CREATEDB, and superuser for marking template databases.
// Template databases (pgtest_tpl_<hash>) are kept for the next run; test
// databases are dropped by their tests' cleanup. Stop leaves the server
// running.
func FromURL(rawURL string) (*Server, error) { return newServer(rawURL, nil) }

func newServer(rawURL string, c *cluster) (*Server, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Parse's error quotes the URL, password and all.
		return nil, errors.New("pgtest: the server URL is not a valid URL")
	}
	s := &Server{url: u, cluster: c, templates: map[string]bool{}}
	if s.admin, err = s.openAdmin(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var version int
	if err := s.admin.QueryRowContext(ctx, `SELECT current_setting('server_version_num')::int`).Scan(&version); err != nil {
		_ = s.admin.Close()
		return nil, fmt.Errorf("pgtest: ask %s for its version: %w", u.Redacted(), err)
	}
	// FILE_COPY clones a small template faster than 15's default WAL_LOG.
	if version >= 150000 {
		s.strategy = " STRATEGY FILE_COPY"
	}
	return s, nil
}

func (s *Server) openAdmin() (*sql.DB, error) {
	db, err := sql.Open("postgres", s.url.String())
	if err != nil {
		return nil, fmt.Errorf("pgtest: open %s: %w", s.url.Redacted(), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("pgtest: connect to %s: %w", s.url.Redacted(), err)
	}
	return db, nil
}

// adminDB returns the pool on the maintenance database, or an error while
// the server is halted or stopped.
func (s *Server) adminDB() (*sql.DB, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.stopped:
		return nil, errors.New("pgtest: server is stopped")
	case s.halted:
		return nil, errors.New("pgtest: server is halted")
	}
	return s.admin, nil
}

// DSN returns the URL of the server's maintenance database ("postgres" on
// a throwaway cluster), for connecting as its superuser.
func (s *Server) DSN() string { return s.url.String() }

// DSNFor returns the URL of database name on this server.
func (s *Server) DSNFor(name string) string {
	u := *s.url
	u.Path, u.RawPath = "/"+name, ""
	return u.String()
}

// Halt shuts the cluster down fast, as an outage would look to clients
// (connections are cut; transactions in flight roll back), and keeps its
// data and port for Resume. It halts every database on this Server, so
// outage tests should Start a Server of their own.
func (s *Server) Halt() error {
	if s.cluster == nil {
		return errNeedsCluster
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return errors.New("pgtest: Halt: server is stopped")
	}
	if s.halted {
		return nil
	}
	_ = s.admin.Close()
	s.admin = nil
	s.cluster.stop(syscall.SIGINT)
	s.halted = true
	return nil
}

// Resume starts a halted cluster again on the same port with the same
// data, and returns once it accepts connections.
func (s *Server) Resume() error {
	if s.cluster == nil {
		return errNeedsCluster
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return errors.New("pgtest: Resume: server is stopped")
	}
	if !s.halted {
		return nil
	}
	if err := s.cluster.start(); err != nil {
		return err
	}
	admin, err := s.openAdmin()
	if err != nil {
		return err
	}
	s.admin, s.halted = admin, false
	return nil
}

// Stop shuts a throwaway cluster down and removes its directory; for a
// server given by URL it only closes connections. Further calls do nothing.
func (s *Server) Stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return nil
	}
	s.stopped = true
	if s.admin != nil {
		_ = s.admin.Close()
		s.admin = nil
	}
	if s.cluster == nil {
		return nil
	}
	if !s.halted {
		s.cluster.stop(syscall.SIGINT)
	}
	defer releaseInitdb()
	if err := s.cluster.remove(); err != nil {
		return fmt.Errorf("pgtest: remove cluster directory: %w", err)
	}
	return nil
}
