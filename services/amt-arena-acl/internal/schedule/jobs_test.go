package schedule_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/pg"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/metrics"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/schedule"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/schedule/scheduletest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/store"
	"github.com/navikt/kafkapg/services/amt-arena-acl/migrations"
)

// seed stores a row of table for arenaID at position p with status,
// ingested at the store's now.
func seed(t *testing.T, s *store.Store, db *sqlx.DB, table arena.Table, arenaID string, p int, status ingest.Status) store.ArenaData {
	t.Helper()
	row, err := s.UpsertArenaData(context.Background(), db, store.NewArenaData{
		Table: table, ArenaID: arenaID, Operation: arena.Modified, Pos: fmt.Sprintf("%020d", p),
		OperationTimestamp: civil.DateTimeOf(2026, 3, 1, 10, 0, 0, 0), Status: status, After: []byte(`{}`),
	})
	require.NoError(t, err)
	return row
}

func statusOf(t *testing.T, s *store.Store, db *sqlx.DB, id int64) store.ArenaData {
	t.Helper()
	row, ok, err := s.GetArenaData(context.Background(), db, id)
	require.NoError(t, err)
	require.True(t, ok)
	return row
}

// succeeding handles every row: HANDLED, in the handler's transaction
// shape, counting its calls.
type succeeding struct {
	db    *sqlx.DB
	store *store.Store
	calls chan store.ArenaData
}

func (h *succeeding) Handle(ctx context.Context, row store.ArenaData, path ingest.Path) (ingest.Decision, error) {
	err := pg.InTx(ctx, h.db, nil, func(tx *sqlx.Tx) error {
		if err := h.store.LockArenaID(ctx, tx, row.Table, row.ArenaID); err != nil {
			return err
		}
		return h.store.SetStatus(ctx, tx, row.ID, ingest.Handled, "")
	})
	if err == nil && h.calls != nil {
		h.calls <- row
	}
	return ingest.Decision{Status: ingest.Handled}, err
}

func TestIgnoredCleanupDeletesTheIgnoredRowsOnly(t *testing.T) {
	t.Parallel()
	db := server.NewDB(t, migrations.FS, ".")
	s := store.New(nil)
	var kept []int64
	for i, st := range ingest.Statuses() {
		r := seed(t, s, db, arena.TableDeltaker, "1", i+1, st)
		if st != ingest.Ignored {
			kept = append(kept, r.ID)
		}
	}
	seed(t, s, db, arena.TableHistDeltaker, "2", 100, ingest.Ignored)

	jobs := schedule.Jobs(schedule.DefaultConfig(), schedule.Deps{DB: db, Store: s})
	cleanup := job(t, jobs, schedule.JobIgnoredCleanup)
	require.Equal(t, schedule.DefaultIgnoredCleanupSchedule, cleanup.Spec)
	require.NoError(t, cleanup.Run(context.Background(), time.Now()))

	var left []int64
	require.NoError(t, db.Select(&left, `SELECT id FROM arena_data ORDER BY id`))
	require.Equal(t, kept, left)
}

// The original's FAILED gauge, amt_arena_acl_ingest_status{status},
// counted on the leader; and the per-table counts and ages.
func TestStatusGaugesAreTheLeadersCountsAndZeroElsewhere(t *testing.T) {
	t.Parallel()
	db := server.NewDB(t, migrations.FS, ".")
	ingested := time.Date(2026, 3, 15, 13, 0, 0, 0, civil.Oslo)
	s := store.New(func() time.Time { return ingested })
	seed(t, s, db, arena.TableDeltaker, "1", 1, ingest.Failed)
	seed(t, s, db, arena.TableDeltaker, "2", 2, ingest.Failed)
	seed(t, s, db, arena.TableHistDeltaker, "3", 3, ingest.Failed)
	seed(t, s, db, arena.TableDeltaker, "4", 4, ingest.Retry)
	seed(t, s, db, arena.TableDeltaker, "5", 5, ingest.Handled)

	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	l := newLeader(true)
	now := ingested.Add(90 * time.Minute)
	backlog := schedule.NewBacklog(l, m, func() time.Time { return now })
	reg.MustRegister(backlog)
	gauges := job(t, schedule.Jobs(schedule.DefaultConfig(), schedule.Deps{DB: db, Store: s, Backlog: backlog, Leader: l}), schedule.JobStatusMetrics)
	require.Equal(t, "*/5 * * * *", gauges.Spec)
	require.True(t, gauges.EveryReplica)

	require.NoError(t, gauges.Run(context.Background(), now))
	require.Equal(t, 3.0, gathered(t, reg, "amt_arena_acl_ingest_status", "FAILED"))
	require.Equal(t, 1.0, gathered(t, reg, "amt_arena_acl_ingest_status", "RETRY"))
	require.Equal(t, 0.0, gathered(t, reg, "amt_arena_acl_ingest_status", "WAITING"), "every status has a series")
	require.Equal(t, 2.0, gathered(t, reg, "amt_arena_acl_ingest_rows", "FAILED", "SIAMO.TILTAKDELTAKER"))
	require.Equal(t, 1.0, gathered(t, reg, "amt_arena_acl_ingest_rows", "FAILED", "SIAMO.HIST_TILTAKDELTAKER"))
	require.Equal(t, 0.0, gathered(t, reg, "amt_arena_acl_ingest_rows", "FAILED", "SIAMO.TILTAKGJENNOMFORING"))
	require.Equal(t, 5400.0, gathered(t, reg, "amt_arena_acl_ingest_oldest_age_seconds", "RETRY", "SIAMO.TILTAKDELTAKER"))
	require.Equal(t, 0.0, gathered(t, reg, "amt_arena_acl_ingest_oldest_age_seconds", "RETRY", "SIAMO.HIST_TILTAKDELTAKER"))
	now = now.Add(time.Minute)
	require.Equal(t, 5460.0, gathered(t, reg, "amt_arena_acl_ingest_oldest_age_seconds", "FAILED", "SIAMO.TILTAKDELTAKER"), "ages grow between refreshes")

	// Leadership moves away: the per-table series go at once, and the
	// next activation zeroes the per-status gauge.
	l.leading.Store(false)
	require.Zero(t, count(t, reg, "amt_arena_acl_ingest_rows"))
	require.Equal(t, 3.0, gathered(t, reg, "amt_arena_acl_ingest_status", "FAILED"))
	require.NoError(t, gauges.Run(context.Background(), now))
	require.Equal(t, 0.0, gathered(t, reg, "amt_arena_acl_ingest_status", "FAILED"))
}

// The service as serve runs it: leader election, the four jobs on their
// schedules from the environment, driven by an injected clock.
func TestServiceRunsTheJobsOnTheirSchedulesOnTheLeader(t *testing.T) {
	t.Parallel()
	db := server.NewDB(t, migrations.FS, ".")
	clock := scheduletest.NewClock(time.Date(2026, 3, 15, 23, 42, 0, 0, civil.Oslo))
	s := store.New(clock.Now)
	retryRows := []store.ArenaData{
		seed(t, s, db, arena.TableDeltaker, "1", 10, ingest.Retry),
		seed(t, s, db, arena.TableDeltaker, "2", 11, ingest.Retry),
		seed(t, s, db, arena.TableGjennomforing, "3", 12, ingest.Retry),
	}
	failed := seed(t, s, db, arena.TableDeltaker, "4", 13, ingest.Failed)
	ignored := seed(t, s, db, arena.TableDeltaker, "5", 14, ingest.Ignored)

	cfg, err := schedule.ConfigFromEnv(func(k string) string {
		return map[string]string{"RETRY_BATCH_SIZE": "2", "IGNORED_CLEANUP_SCHEDULE": "@hourly"}[k]
	})
	require.NoError(t, err)
	reg := prometheus.NewRegistry()
	runs := make(chan schedule.Run, 16)
	h := &succeeding{db: db, store: s, calls: make(chan store.ArenaData, 16)}
	svc, err := schedule.NewService(schedule.Setup{
		DB: db, Store: s, Handler: h, Config: cfg, Metrics: metrics.New(reg), Registerer: reg,
		LeaderInterval: 50 * time.Millisecond, Clock: clock,
		OnRun: func(r schedule.Run) { runs <- r },
	})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	t.Cleanup(func() { cancel(); require.NoError(t, <-done) })
	require.True(t, wait(t, svc.Leader.Changes(), "leadership"))
	require.Equal(t, 1.0, gathered(t, reg, "amt_arena_acl_leader"))
	settle(t, clock, 4)

	// 23:45: the status gauges; 23:50: the RETRY rows, two at a time.
	clock.Advance(3 * time.Minute)
	require.Equal(t, schedule.JobStatusMetrics, wait(t, runs, "the gauges").Job)
	require.Equal(t, 3.0, gathered(t, reg, "amt_arena_acl_ingest_status", "RETRY"))
	settle(t, clock, 4)
	clock.Advance(5 * time.Minute)
	for range 2 {
		r := wait(t, runs, "the retry tick and the gauges")
		require.NoError(t, r.Err)
	}
	for _, r := range retryRows {
		require.Equal(t, ingest.Handled, statusOf(t, s, db, r.ID).Status)
	}
	require.Equal(t, ingest.Failed, statusOf(t, s, db, failed.ID).Status, "FAILED waits for midnight")

	// 00:00: FAILED rows, the hourly cleanup, RETRY and the gauges.
	settle(t, clock, 4)
	clock.Set(time.Date(2026, 3, 16, 0, 0, 0, 0, civil.Oslo))
	seen := map[string]bool{}
	for range 4 {
		r := wait(t, runs, "the midnight jobs")
		require.NoError(t, r.Err, r.Job)
		require.True(t, r.Leader)
		seen[r.Job] = true
	}
	require.Len(t, seen, 4)
	require.Equal(t, ingest.Handled, statusOf(t, s, db, failed.ID).Status)
	_, ok, err := s.GetArenaData(ctx, db, ignored.ID)
	require.NoError(t, err)
	require.False(t, ok, "IGNORED rows are deleted")
	require.Positive(t, gathered(t, reg, "amt_arena_acl_job_last_success_timestamp_seconds", schedule.JobFailed))
	require.Equal(t, 4, len(h.calls))
}

func job(t *testing.T, jobs []schedule.Job, name string) schedule.Job {
	t.Helper()
	for _, j := range jobs {
		if j.Name == name {
			return j
		}
	}
	t.Fatalf("no job %s", name)
	return schedule.Job{}
}

func count(t *testing.T, reg prometheus.Gatherer, name string) int {
	t.Helper()
	families, err := reg.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() == name {
			return len(f.GetMetric())
		}
	}
	return 0
}
