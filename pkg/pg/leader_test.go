package pg_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/navikt/kafkapg/pkg/pg"
	"github.com/navikt/kafkapg/pkg/pg/pgtest"
)

const leaderInterval = 100 * time.Millisecond

// candidate is a Leader running in the background on a pool of its own, as
// in a replica of a service.
type candidate struct {
	*pg.Leader
	logs *observer.ObservedLogs
	stop func() error // cancels Run and returns its result
}

func campaign(t *testing.T, dsn string, key int64) candidate {
	t.Helper()
	core, logs := observer.New(zap.InfoLevel)
	l := pg.NewLeader(open(t, dsn), key, pg.WithLeaderInterval(leaderInterval), pg.WithLeaderLogger(zap.New(core)))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	stop := sync.OnceValue(func() error { cancel(); return <-done })
	t.Cleanup(func() { _ = stop() })
	return candidate{Leader: l, logs: logs, stop: stop}
}

func (c candidate) lost() int {
	return c.logs.FilterMessage("leader election: lost leadership").Len()
}

// oneLeader waits until exactly one of a and b leads and returns it first.
func oneLeader(t *testing.T, a, b candidate) (leader, follower candidate) {
	t.Helper()
	require.Eventually(t, func() bool { return a.IsLeader() != b.IsLeader() }, 10*time.Second, time.Millisecond)
	if a.IsLeader() {
		return a, b
	}
	return b, a
}

// lockHolder returns the backend pid holding the advisory lock key, or 0.
func lockHolder(t *testing.T, db *sqlx.DB, key int64) int {
	t.Helper()
	var pids []int
	require.NoError(t, db.SelectContext(t.Context(), &pids, `
		SELECT pid FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND objsubid = 1
		  AND classid = $1::bigint::oid AND objid = $2::bigint::oid AND `+inThisDB,
		int64(uint64(key)>>32), int64(uint32(key))))
	require.LessOrEqual(t, len(pids), 1)
	if len(pids) == 0 {
		return 0
	}
	return pids[0]
}

func receive(t *testing.T, ch <-chan bool) bool {
	t.Helper()
	select {
	case v, ok := <-ch:
		require.True(t, ok, "Changes closed")
		return v
	case <-time.After(10 * time.Second):
		require.FailNow(t, "no leadership change within 10s")
		return false
	}
}

// TestLeaderOneAtATime runs two candidates. Keys with high bits set check
// that the leader finds its own lock in pg_locks, where the key is split.
func TestLeaderOneAtATime(t *testing.T) {
	t.Parallel()
	for _, key := range []int64{0x1234_5678_9abc_def0, -2} {
		t.Run(fmt.Sprintf("key %#x", key), func(t *testing.T) {
			t.Parallel()
			dsn := server.NewDBURL(t, nil, "")
			leader, follower := oneLeader(t, campaign(t, dsn, key), campaign(t, dsn, key))
			require.True(t, receive(t, leader.Changes()))

			// Several check intervals pass without a change of mind.
			require.Never(t, func() bool { return !leader.IsLeader() || follower.IsLeader() }, 6*leaderInterval, time.Millisecond)
			require.Zero(t, leader.lost())
			require.NotZero(t, lockHolder(t, open(t, dsn), key))

			// Shutdown releases the lock, and the follower takes over.
			require.NoError(t, leader.stop())
			require.False(t, leader.IsLeader())
			require.False(t, receive(t, leader.Changes()))
			_, ok := <-leader.Changes()
			require.False(t, ok, "Changes not closed after Run returned")
			require.True(t, receive(t, follower.Changes()))
		})
	}
}

// TestLeaderStepsDownWhenItsSessionDies kills the leader's backend, as a
// failover or an idle-session reaper would, and checks that it notices and
// that leadership is taken up again, by either candidate on a new session.
func TestLeaderStepsDownWhenItsSessionDies(t *testing.T) {
	t.Parallel()
	const key = 7
	dsn := server.NewDBURL(t, nil, "")
	db := open(t, dsn)
	leader, follower := oneLeader(t, campaign(t, dsn, key), campaign(t, dsn, key))
	pid := lockHolder(t, db, key)
	require.NotZero(t, pid)

	var killed bool
	require.NoError(t, db.GetContext(t.Context(), &killed, `SELECT pg_terminate_backend($1)`, pid))
	require.True(t, killed)

	require.Eventually(t, func() bool { return leader.lost() == 1 }, 10*time.Second, time.Millisecond)
	require.Eventually(t, func() bool {
		holder := lockHolder(t, db, key)
		return holder != 0 && holder != pid && leader.IsLeader() != follower.IsLeader()
	}, 10*time.Second, time.Millisecond)
	require.Zero(t, follower.lost())
}

// TestLeaderStepsDownWhenItsSessionHangs freezes the leader's backend, as a
// network partition would look: no error, just no answer. The session, and
// with it the lock, lives on, but the leader must stop trusting it within
// about two intervals.
func TestLeaderStepsDownWhenItsSessionHangs(t *testing.T) {
	t.Parallel()
	if os.Getenv("TEST_DATABASE_URL") != "" {
		t.Skip("stopping a backend needs a local throwaway cluster; TEST_DATABASE_URL is set")
	}
	const key = 8
	dsn := server.NewDBURL(t, nil, "")
	a := campaign(t, dsn, key)
	require.True(t, receive(t, a.Changes()))
	pid := lockHolder(t, open(t, dsn), key)
	require.NotZero(t, pid)

	require.NoError(t, syscall.Kill(pid, syscall.SIGSTOP))
	resume := sync.OnceFunc(func() { require.NoError(t, syscall.Kill(pid, syscall.SIGCONT)) })
	t.Cleanup(resume)
	require.False(t, receive(t, a.Changes()))

	// Once the backend runs again, the abandoned session is closed, which
	// frees the lock.
	resume()
	require.True(t, receive(t, a.Changes()))
}

// TestLeaderSurvivesOutage halts the whole server under a leader.
func TestLeaderSurvivesOutage(t *testing.T) {
	t.Parallel()
	if os.Getenv("TEST_DATABASE_URL") != "" {
		t.Skip("halting the server needs a throwaway cluster; TEST_DATABASE_URL is set")
	}
	srv, err := pgtest.Start(pgtest.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, srv.Stop()) })
	a := campaign(t, srv.NewDBURL(t, nil, ""), 1)
	require.True(t, receive(t, a.Changes()))

	require.NoError(t, srv.Halt())
	require.False(t, receive(t, a.Changes()))
	require.NoError(t, srv.Resume())
	require.True(t, receive(t, a.Changes()))
}

func TestLeaderRunTwice(t *testing.T) {
	t.Parallel()
	l := pg.NewLeader(open(t, server.NewDBURL(t, nil, "")), 1)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.NoError(t, l.Run(ctx))
	require.EqualError(t, l.Run(ctx), "pg: Leader.Run called twice")
}
