package schedule_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/schedule"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/schedule/scheduletest"
)

var start = time.Date(2026, 3, 15, 13, 45, 0, 0, civil.Oslo)

// runScheduler runs s until the test ends.
func runScheduler(t *testing.T, s *schedule.Scheduler) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
}

// settle waits until n waits are pending on the clock: every scheduler
// loop has computed its next activation.
func settle(t *testing.T, c *scheduletest.Clock, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	require.NoError(t, c.BlockUntil(ctx, n))
}

func TestJobsRunOnlyOnTheLeader(t *testing.T) {
	t.Parallel()
	clock := scheduletest.NewClock(start)
	runs := make(chan schedule.Run, 16)
	ran := map[string]int{}
	var mu sync.Mutex
	newReplica := func(name string, l schedule.Leader) {
		s := schedule.New(l, schedule.WithClock(clock), schedule.WithRunHook(func(r schedule.Run) { runs <- r }))
		require.NoError(t, s.Add(schedule.Job{Name: name + "/retry", Spec: "*/10 * * * *", Run: func(context.Context, time.Time) error {
			mu.Lock()
			defer mu.Unlock()
			ran[name]++
			return nil
		}}))
		require.NoError(t, s.Add(schedule.Job{Name: name + "/gauges", Spec: "*/10 * * * *", EveryReplica: true,
			Run: func(context.Context, time.Time) error { return nil }}))
		runScheduler(t, s)
	}
	a, b := newLeader(true), newLeader(false)
	newReplica("a", a)
	newReplica("b", b)
	settle(t, clock, 4)

	clock.Advance(5 * time.Minute) // 13:50
	got := map[string]schedule.Run{}
	for range 4 {
		r := wait(t, runs, "the first activations")
		got[r.Job] = r
	}
	require.False(t, got["a/retry"].Skipped)
	require.True(t, got["a/retry"].Leader)
	require.True(t, got["b/retry"].Skipped, "a follower does not run the job")
	require.False(t, got["b/gauges"].Skipped, "an every-replica job runs on followers too")
	require.False(t, got["b/gauges"].Leader)

	// Leadership moves: the next activation runs on b only.
	a.leading.Store(false)
	b.leading.Store(true)
	settle(t, clock, 4)
	clock.Advance(10 * time.Minute) // 14:00
	for range 4 {
		r := wait(t, runs, "the second activations")
		got[r.Job] = r
	}
	require.True(t, got["a/retry"].Skipped)
	require.False(t, got["b/retry"].Skipped)
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, map[string]int{"a": 1, "b": 1}, ran)
}

// A run is told its scheduled time, and a job never overlaps itself: the
// activations that pass while it runs are skipped, as with a fixed delay.
func TestARunGetsItsScheduledTimeAndNeverOverlapsItself(t *testing.T) {
	t.Parallel()
	clock := scheduletest.NewClock(start)
	runs := make(chan schedule.Run, 16)
	entered := make(chan time.Time, 16)
	release := make(chan struct{})
	s := schedule.New(newLeader(true), schedule.WithClock(clock), schedule.WithRunHook(func(r schedule.Run) { runs <- r }))
	require.NoError(t, s.Add(schedule.Job{Name: "retry", Spec: "*/10 * * * *", Run: func(_ context.Context, at time.Time) error {
		entered <- at
		<-release
		return nil
	}}))
	runScheduler(t, s)
	settle(t, clock, 1)

	clock.Advance(7 * time.Minute) // 13:52, past 13:50
	at := wait(t, entered, "the run")
	require.True(t, at.Equal(time.Date(2026, 3, 15, 13, 50, 0, 0, civil.Oslo)), "scheduled time, not the clock's: %s", at)
	require.Equal(t, civil.Oslo, at.Location())

	clock.Advance(25 * time.Minute) // 14:17: 14:00 and 14:10 pass while it runs
	require.Zero(t, clock.Waiting(), "no next activation while the run lasts")
	release <- struct{}{}
	wait(t, runs, "the end of the run")

	settle(t, clock, 1)
	clock.Advance(3 * time.Minute) // 14:20
	at = wait(t, entered, "the next run")
	require.True(t, at.Equal(time.Date(2026, 3, 15, 14, 20, 0, 0, civil.Oslo)), "missed activations are skipped: %s", at)
	close(release)
}

func TestAFailedOrPanickingRunIsCountedAndTheScheduleGoesOn(t *testing.T) {
	t.Parallel()
	clock := scheduletest.NewClock(start)
	reg := prometheus.NewRegistry()
	runs := make(chan schedule.Run, 16)
	s := schedule.New(newLeader(true), schedule.WithClock(clock), schedule.WithRegisterer(reg),
		schedule.WithRunHook(func(r schedule.Run) { runs <- r }))
	n := 0
	require.NoError(t, s.Add(schedule.Job{Name: "flaky", Spec: "@every 1m", Run: func(context.Context, time.Time) error {
		n++
		switch n {
		case 1:
			return errors.New("database is down")
		case 2:
			panic("a bug")
		}
		return nil
	}}))
	runScheduler(t, s)

	for i, want := range []string{"database is down", "panicked: a bug", ""} {
		settle(t, clock, 1)
		clock.Advance(time.Minute)
		r := wait(t, runs, "a run")
		if want == "" {
			require.NoError(t, r.Err, "run %d", i)
		} else {
			require.ErrorContains(t, r.Err, want, "run %d", i)
		}
	}
	require.Equal(t, 2.0, gathered(t, reg, "amt_arena_acl_job_runs_total", "flaky", "failed"))
	require.Equal(t, 1.0, gathered(t, reg, "amt_arena_acl_job_runs_total", "flaky", "succeeded"))
}

func TestAddRefusesBadJobs(t *testing.T) {
	t.Parallel()
	s := schedule.New(newLeader(true))
	noop := func(context.Context, time.Time) error { return nil }
	require.ErrorContains(t, s.Add(schedule.Job{Name: "x", Spec: "every ten minutes", Run: noop}), "job x")
	require.ErrorContains(t, s.Add(schedule.Job{Name: "", Spec: "@hourly", Run: noop}), "needs a name")
	require.NoError(t, s.Add(schedule.Job{Name: "x", Spec: "@hourly", Run: noop}))
	require.ErrorContains(t, s.Add(schedule.Job{Name: "x", Spec: "@daily", Run: noop}), "added twice")
	require.ErrorContains(t, schedule.New(newLeader(true)).Run(context.Background()), "no jobs")
}

// gathered is the value of the series of the counter or gauge name in
// reg whose label values are labels, in label-name order.
func gathered(t *testing.T, reg prometheus.Gatherer, name string, labels ...string) float64 {
	t.Helper()
	families, err := reg.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			var values []string
			for _, l := range m.GetLabel() {
				values = append(values, l.GetValue())
			}
			if slices.Equal(values, labels) {
				if m.GetCounter() != nil {
					return m.GetCounter().GetValue()
				}
				return m.GetGauge().GetValue()
			}
		}
	}
	t.Fatalf("no series %s%v", name, labels)
	return 0
}
