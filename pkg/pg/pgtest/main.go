package pgtest

import (
	"fmt"
	"os"
	"testing"
)

// Main is a whole TestMain: it starts a Server with zero Options (so
// TEST_DATABASE_URL, PG_BINDIR and PGTEST_TMPDIR apply), stores it in *dst,
// runs the tests, stops the server and exits with the tests' status.
//
// When no server can be had it prints the one-line reason and exits 1:
// database tests that silently skip look green while testing nothing.
//
//	var server *pgtest.Server
//
//	func TestMain(m *testing.M) { pgtest.Main(m, &server) }
func Main(m *testing.M, dst **Server) {
	os.Exit(runMain(m, dst))
}

func runMain(m *testing.M, dst **Server) int {
	s, err := Start(Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	*dst = s
	code := m.Run()
	if err := s.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if code == 0 {
			code = 1
		}
	}
	return code
}
