package schedule

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"go.uber.org/zap"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/retry"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/store"
)

// Deps is what the jobs work with.
type Deps struct {
	DB        *sqlx.DB
	Store     *store.Store
	Processor *retry.Processor
	Backlog   *Backlog
	// Leader is the one the scheduler runs the jobs by.
	Leader Leader
	Log    *zap.Logger
}

// Job names.
const (
	JobRetry          = "retry"
	JobFailed         = "failed"
	JobIgnoredCleanup = "ignored-cleanup"
	JobStatusMetrics  = "status-metrics"
)

// Jobs returns the service's four jobs with c's schedules.
func Jobs(c Config, d Deps) []Job {
	log := d.Log
	if log == nil {
		log = zap.NewNop()
	}
	return []Job{
		{Name: JobRetry, Spec: c.RetrySchedule, Run: func(ctx context.Context, at time.Time) error {
			_, err := d.Processor.Tick(ctx, ingest.Retry, at, c.RetryBatchSize)
			return err
		}},
		{Name: JobFailed, Spec: c.FailedSchedule, Run: func(ctx context.Context, at time.Time) error {
			_, err := d.Processor.Tick(ctx, ingest.Failed, at, c.FailedBatchSize)
			return err
		}},
		{Name: JobIgnoredCleanup, Spec: c.IgnoredCleanupSchedule, Run: func(ctx context.Context, _ time.Time) error {
			n, err := d.Store.DeleteIgnored(ctx, d.DB)
			if err != nil {
				return err
			}
			// The original's line.
			log.Info(fmt.Sprintf("Slettet ignorert data fra arena_data rows=%d", n), zap.Int64("rows", n))
			return nil
		}},
		// On every replica: the leader counts, the others stop reporting
		// what they counted when they led.
		{Name: JobStatusMetrics, Spec: c.StatusMetricsSchedule, EveryReplica: true, Run: func(ctx context.Context, _ time.Time) error {
			if !d.Leader.IsLeader() {
				d.Backlog.Clear()
				return nil
			}
			return d.Backlog.Refresh(ctx, d.DB, d.Store)
		}},
	}
}
