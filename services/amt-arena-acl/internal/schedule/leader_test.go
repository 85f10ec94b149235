package schedule_test

import (
	"context"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/pg"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/schedule"
	"github.com/navikt/kafkapg/services/amt-arena-acl/migrations"
)

// replica is one instance of the service as far as the schedules go: its
// own pool (named, so the test can cut its sessions), leader election on
// the service's key, and a scheduler with the real clock.
type replica struct {
	name   string
	leader *pg.Leader
	cancel context.CancelFunc
	done   chan struct{}
}

func startReplica(t *testing.T, dsn, name string, leaderInterval time.Duration, spec string, runs chan<- string) *replica {
	t.Helper()
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	db, err := sqlx.Open("postgres", u.String())
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })

	r := &replica{name: name, leader: pg.NewLeader(db, schedule.LeaderLockKey, pg.WithLeaderInterval(leaderInterval)), done: make(chan struct{})}
	s := schedule.New(r.leader)
	require.NoError(t, s.Add(schedule.Job{Name: "retry", Spec: spec, Run: func(context.Context, time.Time) error {
		runs <- name
		return nil
	}}))
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	var wg sync.WaitGroup
	wg.Go(func() { _ = r.leader.Run(ctx) })
	wg.Go(func() { _ = s.Run(ctx) })
	go func() { wg.Wait(); close(r.done) }()
	t.Cleanup(func() { cancel(); <-r.done })
	return r
}

// When the leader dies, its session ends and PostgreSQL frees the lock at
// once; a follower polling every leader interval takes it, within one tick
// interval, and runs the next tick.
func TestTheLeaderLockMovesToAnotherReplicaWithinOneTickWhenTheLeaderDies(t *testing.T) {
	t.Parallel()
	dsn := server.NewDBURL(t, migrations.FS, ".")
	admin, err := sqlx.Open("postgres", dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = admin.Close() })

	// Ticks every second. The replica that leads first polls slowly, so
	// that after its "death" it cannot come back in the test's time; the
	// other polls every 200 ms, as a replica does every 5 s against ten
	// minutes in production.
	const tick = time.Second
	runs := make(chan string, 64)
	a := startReplica(t, dsn, "replica-a", time.Minute, "* * * * * *", runs)
	require.True(t, wait(t, a.leader.Changes(), "a to lead"))
	b := startReplica(t, dsn, "replica-b", 200*time.Millisecond, "* * * * * *", runs)
	require.Equal(t, "replica-a", wait(t, runs, "a tick on the leader"))
	require.False(t, b.leader.IsLeader())

	// a dies: its process stops and its connections drop, as when the pod
	// is killed. (Stopping it cleanly would unlock; this does not.)
	a.cancelWithoutRelease(t, admin)
	died := time.Now()
	require.True(t, wait(t, b.leader.Changes(), "b to lead"))
	moved := time.Since(died)
	t.Logf("the lock moved in %s", moved)
	require.Less(t, moved, tick, "the lock moved in %s", moved)

	// Drain what a ran before it died; then every tick is b's.
	for {
		if name := wait(t, runs, "a tick on the new leader"); name == "replica-b" {
			break
		}
	}
}

// cancelWithoutRelease ends the replica the way a crash does: the server
// ends its sessions, and its goroutines stop, without the unlock a clean
// shutdown sends.
func (r *replica) cancelWithoutRelease(t *testing.T, admin *sqlx.DB) {
	t.Helper()
	var n int
	require.NoError(t, admin.Get(&n, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`, r.name))
	require.Positive(t, n)
	r.cancel()
	<-r.done
}
