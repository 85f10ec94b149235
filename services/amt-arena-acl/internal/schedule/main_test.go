package schedule_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/navikt/kafkapg/pkg/pg/pgtest"
)

var server *pgtest.Server

func TestMain(m *testing.M) { pgtest.Main(m, &server) }

// leader is a Leader a test flips by hand.
type leader struct{ leading atomic.Bool }

func newLeader(leading bool) *leader {
	l := &leader{}
	l.leading.Store(leading)
	return l
}

func (l *leader) IsLeader() bool { return l.leading.Load() }

// wait receives from ch or fails the test after a generous timeout: the
// signal is what the test waits for, the timeout only stops a hang.
func wait[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(20 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}
