package schedule

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/navikt/kafkapg/pkg/pg"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/metrics"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/retry"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/store"
)

// LeaderLockKey is the advisory lock the replicas campaign for: the bytes
// of "amt-acl". It shares the database's 64-bit advisory lock space with
// the migrations' lock (a hash of the database name) and with nothing
// else; the per-Arena-id locks use the two-int4 space.
const LeaderLockKey int64 = 0x616d742d61636c

// Setup is what NewService needs from the serve command.
type Setup struct {
	// DB is the pool the jobs work on. Leader election keeps one of its
	// connections for itself, and a retry tick uses up to three at a time
	// (its claim, and the handler's transaction with its id creation).
	DB    *sqlx.DB
	Store *store.Store
	// Handler is the live path's message handler (*handler.Processor).
	Handler retry.Handler
	Config  Config
	// Metrics is the service's metrics, for the per-status gauge; nil
	// leaves it alone. Registerer gets this package's metrics; nil
	// registers none.
	Metrics    *metrics.Metrics
	Registerer prometheus.Registerer
	Log        *zap.Logger

	// LeaderInterval is how often followers try for the lock and the
	// leader checks it holds it (default pg.DefaultLeaderInterval, 5 s).
	// It bounds how long the jobs stand still after the leader dies, so
	// keep it well below the shortest schedule interval.
	LeaderInterval time.Duration
	// Clock drives the schedules (default SystemClock).
	Clock Clock
	// OnRun is called after every job activation (see WithRunHook).
	OnRun func(Run)
}

// Service is the leader election and the scheduler of one replica.
type Service struct {
	Leader    *pg.Leader
	Scheduler *Scheduler
	Processor *retry.Processor
	Backlog   *Backlog
}

// NewService builds the replica's leader election, retry processor, gauges and
// scheduled jobs, registering their metrics. Run it with Run.
func NewService(s Setup) (*Service, error) {
	switch {
	case s.DB == nil || s.Store == nil || s.Handler == nil:
		return nil, errors.New("schedule: Setup needs DB, Store and Handler")
	case s.Config.RetryBatchSize < 1 || s.Config.FailedBatchSize < 1:
		return nil, fmt.Errorf("schedule: batch sizes must be at least 1 (retry %d, failed %d)", s.Config.RetryBatchSize, s.Config.FailedBatchSize)
	}
	log := s.Log
	if log == nil {
		log = zap.NewNop()
	}
	leaderOpts := []pg.LeaderOption{pg.WithLeaderLogger(log)}
	if s.LeaderInterval > 0 {
		leaderOpts = append(leaderOpts, pg.WithLeaderInterval(s.LeaderInterval))
	}
	leader := pg.NewLeader(s.DB, LeaderLockKey, leaderOpts...)

	procOpts := []retry.Option{retry.WithLogger(log)}
	schedOpts := []Option{WithLogger(log)}
	if s.Registerer != nil {
		procOpts = append(procOpts, retry.WithRegisterer(s.Registerer))
		schedOpts = append(schedOpts, WithRegisterer(s.Registerer))
	}
	if s.Clock != nil {
		schedOpts = append(schedOpts, WithClock(s.Clock))
	}
	if s.OnRun != nil {
		schedOpts = append(schedOpts, WithRunHook(s.OnRun))
	}
	now := time.Now
	if s.Clock != nil {
		now = s.Clock.Now
	}
	svc := &Service{
		Leader:    leader,
		Processor: retry.New(s.DB, s.Store, s.Handler, procOpts...),
		Backlog:   NewBacklog(leader, s.Metrics, now),
		Scheduler: New(leader, schedOpts...),
	}
	if s.Registerer != nil {
		if err := s.Registerer.Register(svc.Backlog); err != nil {
			return nil, fmt.Errorf("schedule: register the status gauges: %w", err)
		}
		if err := s.Registerer.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "amt_arena_acl_leader",
			Help: "1 while this replica leads (and runs the scheduled jobs), else 0.",
		}, func() float64 {
			if leader.IsLeader() {
				return 1
			}
			return 0
		})); err != nil {
			return nil, fmt.Errorf("schedule: register the leader gauge: %w", err)
		}
	}
	for _, j := range Jobs(s.Config, Deps{
		DB: s.DB, Store: s.Store, Processor: svc.Processor, Backlog: svc.Backlog, Leader: leader, Log: log,
	}) {
		if err := svc.Scheduler.Add(j); err != nil {
			return nil, err
		}
	}
	return svc, nil
}

// Run campaigns for leadership and runs the jobs until ctx ends; then it
// lets go of the lock and returns once both have stopped.
func (s *Service) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	var leaderErr, schedErr error
	wg.Go(func() { leaderErr = s.Leader.Run(ctx) })
	wg.Go(func() { schedErr = s.Scheduler.Run(ctx) })
	wg.Wait()
	return errors.Join(leaderErr, schedErr)
}
