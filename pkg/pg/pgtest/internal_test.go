package pgtest

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
)

func TestNoBinariesMessage(t *testing.T) {
	t.Parallel()
	_, err := firstWithInitdb([]string{t.TempDir()})
	require.EqualError(t, err, "pgtest: no PostgreSQL server binaries found; install them (apt-get install postgresql) or set TEST_DATABASE_URL")

	_, err = binDir("/nonexistent")
	require.EqualError(t, err, "pgtest: Options.BinDir=/nonexistent has no initdb")
}

func TestNewestFirst(t *testing.T) {
	t.Parallel()
	got := newestFirst([]string{"/usr/lib/postgresql/9.6/bin", "/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/15/bin"})
	require.Equal(t, []string{"/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/9.6/bin"}, got)
}

func TestSweepStale(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	live, owner, err := makeTempDir(base, "")
	require.NoError(t, err)
	defer owner.Close()
	// A directory whose process died: its owner file is no longer locked.
	dead, deadOwner, err := makeTempDir(base, "")
	require.NoError(t, err)
	require.NoError(t, deadOwner.Close())
	// Someone else's directory that happens to match the pattern.
	foreign := filepath.Join(base, "pgtest-foreign")
	require.NoError(t, os.Mkdir(foreign, 0o700))

	sweepStale(base)
	require.DirExists(t, live)
	require.NoDirExists(t, dead)
	require.DirExists(t, foreign)
}

func TestStopRemovesTheCluster(t *testing.T) {
	t.Parallel()
	if os.Getenv("TEST_DATABASE_URL") != "" {
		t.Skip("needs a throwaway cluster; TEST_DATABASE_URL is set")
	}
	s, err := Start(Options{})
	require.NoError(t, err)
	dir, proc := s.cluster.dir, s.cluster.cmd

	require.NoError(t, s.Stop())
	require.NoDirExists(t, dir)
	require.NotNil(t, proc.ProcessState, "postgres still running")
	require.NoError(t, s.Stop(), "a second Stop does nothing")
}

// TestHalfBuiltTemplateIsRebuilt plays a test process killed while it
// migrated a template: the database exists but was never marked complete.
func TestHalfBuiltTemplateIsRebuilt(t *testing.T) {
	t.Parallel()
	s, err := Start(Options{})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Stop()) })

	// Unique contents give a template name no other test has built.
	fsys := fstest.MapFS{"m/000001_t.up.sql": {Data: []byte("CREATE TABLE t (id int); -- " + t.Name() + strconv.Itoa(os.Getpid()) + rand.Text())}}
	hash, err := hashMigrations(fsys, "m")
	require.NoError(t, err)
	admin, err := s.adminDB()
	require.NoError(t, err)
	_, err = admin.ExecContext(t.Context(), `CREATE DATABASE pgtest_tpl_`+hash)
	require.NoError(t, err)

	db := s.NewDB(t, fsys, "m")
	var n int
	require.NoError(t, db.GetContext(t.Context(), &n, `SELECT count(*) FROM t`), "template was not rebuilt")
}
