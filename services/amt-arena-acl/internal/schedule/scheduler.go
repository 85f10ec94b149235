package schedule

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/robfig/cron/v3"
	"go.uber.org/zap"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
)

// Leader says whether this process leads; *pg.Leader is one.
type Leader interface {
	IsLeader() bool
}

// Job is work to run on a schedule.
type Job struct {
	// Name names the job in logs and metrics, e.g. "retry".
	Name string
	// Spec is its robfig/cron spec (see Parse).
	Spec string
	// Run does the work. at is the scheduled time of this run, in
	// Europe/Oslo. An error is logged; the next run happens anyway.
	Run func(ctx context.Context, at time.Time) error
	// EveryReplica runs the job on every replica, leader or not; it asks
	// the Leader itself what to do. For work that must also be undone
	// when a replica stops leading.
	EveryReplica bool
}

// Run is what happened when a job's time came.
type Run struct {
	Job string
	// At is the scheduled time.
	At time.Time
	// Skipped: this process did not lead, so the job did not run.
	Skipped bool
	// Leader is whether this process led when the job's time came.
	Leader bool
	// Err is what the job returned.
	Err      error
	Duration time.Duration
}

// parser accepts five fields, six with seconds first, and descriptors.
var parser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Parse parses a robfig/cron spec: "*/10 * * * *", "0 0 0 * * *" (with
// seconds), "@hourly", "@every 30s", optionally prefixed "CRON_TZ=Zone ".
// Without a zone the spec is Europe/Oslo time.
func Parse(spec string) (cron.Schedule, error) {
	s, err := parser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("schedule %q: %w", spec, err)
	}
	return s, nil
}

// Scheduler runs jobs on their schedules while this process leads. Add
// the jobs, then call Run once.
type Scheduler struct {
	leader  Leader
	clock   Clock
	log     *zap.Logger
	onRun   func(Run)
	metrics *schedulerMetrics

	mu   sync.Mutex
	jobs []scheduled
}

type scheduled struct {
	Job
	schedule cron.Schedule
}

// Option configures a Scheduler.
type Option func(*Scheduler)

// WithClock reads and waits for the time on c (default SystemClock).
func WithClock(c Clock) Option { return func(s *Scheduler) { s.clock = c } }

// WithLogger logs job runs to l (default: nowhere).
func WithLogger(l *zap.Logger) Option { return func(s *Scheduler) { s.log = l } }

// WithRegisterer registers the scheduler's metrics with r.
func WithRegisterer(r prometheus.Registerer) Option {
	return func(s *Scheduler) { s.metrics = newSchedulerMetrics(r) }
}

// WithRunHook calls fn after each activation of a job, run or skipped,
// from the job's goroutine. Tests wait on it instead of sleeping.
func WithRunHook(fn func(Run)) Option { return func(s *Scheduler) { s.onRun = fn } }

// New returns a Scheduler that runs jobs only while leader leads.
func New(leader Leader, opts ...Option) *Scheduler {
	s := &Scheduler{leader: leader, clock: SystemClock{}, log: zap.NewNop(), onRun: func(Run) {}}
	for _, o := range opts {
		o(s)
	}
	if s.metrics == nil {
		s.metrics = newSchedulerMetrics(nil)
	}
	return s
}

// Add adds a job. Its spec must parse and its name be unique.
func (s *Scheduler) Add(j Job) error {
	sched, err := Parse(j.Spec)
	if err != nil {
		return fmt.Errorf("schedule: job %s: %w", j.Name, err)
	}
	if j.Name == "" || j.Run == nil {
		return errors.New("schedule: a job needs a name and a Run")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.jobs {
		if o.Name == j.Name {
			return fmt.Errorf("schedule: job %s added twice", j.Name)
		}
	}
	s.jobs = append(s.jobs, scheduled{Job: j, schedule: sched})
	return nil
}

// Run runs every job on its schedule until ctx ends, and returns when the
// runs in progress have returned. Jobs run concurrently with each other;
// a job's Run gets ctx, so a shutdown cuts it short.
func (s *Scheduler) Run(ctx context.Context) error {
	s.mu.Lock()
	jobs := append([]scheduled(nil), s.jobs...)
	s.mu.Unlock()
	if len(jobs) == 0 {
		return errors.New("schedule: no jobs")
	}
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Go(func() { s.loop(ctx, j) })
	}
	wg.Wait()
	return nil
}

func (s *Scheduler) loop(ctx context.Context, j scheduled) {
	log := s.log.With(zap.String("jobName", j.Name))
	for {
		next := j.schedule.Next(s.clock.Now().In(civil.Oslo))
		if next.IsZero() {
			log.Error("schedule: the job's spec has no next activation; it will not run again", zap.String("spec", j.Spec))
			return
		}
		fire, stop := s.clock.At(next)
		select {
		case <-ctx.Done():
			stop()
			return
		case <-fire:
		}
		s.onRun(s.activate(ctx, j, next, log))
	}
}

// activate runs the job if this process leads. A panic in the job is
// turned into an error: one broken run must not stop the schedule.
func (s *Scheduler) activate(ctx context.Context, j scheduled, at time.Time, log *zap.Logger) (r Run) {
	r = Run{Job: j.Name, At: at, Leader: s.leader.IsLeader()}
	if !r.Leader && !j.EveryReplica {
		r.Skipped = true
		s.metrics.runs.WithLabelValues(j.Name, "skipped").Inc()
		log.Debug("schedule: not the leader; job not run", zap.Time("at", at))
		return r
	}
	log = log.With(zap.Time("scheduledAt", at))
	log.Info("Job started")
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			r.Err = fmt.Errorf("schedule: job %s panicked: %v", j.Name, p)
		}
		r.Duration = time.Since(start)
		s.metrics.duration.WithLabelValues(j.Name).Observe(r.Duration.Seconds())
		switch {
		case r.Err != nil && ctx.Err() != nil:
			s.metrics.runs.WithLabelValues(j.Name, "stopped").Inc()
			log.Info("Job stopped for shutdown", zap.Error(r.Err))
		case r.Err != nil:
			s.metrics.runs.WithLabelValues(j.Name, "failed").Inc()
			log.Error("Job failed", zap.Error(r.Err), zap.Duration("duration", r.Duration))
		default:
			s.metrics.runs.WithLabelValues(j.Name, "succeeded").Inc()
			s.metrics.lastSuccess.WithLabelValues(j.Name).Set(float64(s.clock.Now().Unix()))
			log.Info("Job finished", zap.Duration("duration", r.Duration))
		}
	}()
	r.Err = j.Run(ctx, at)
	return r
}

type schedulerMetrics struct {
	runs        *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	lastSuccess *prometheus.GaugeVec
}

// The label is job_name, not job: Prometheus sets job to the scrape job,
// and would rename ours.
func newSchedulerMetrics(r prometheus.Registerer) *schedulerMetrics {
	m := &schedulerMetrics{
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "amt_arena_acl_job_runs_total",
			Help: "Activations of scheduled jobs by outcome: succeeded, failed, stopped (shutdown), or skipped (not the leader).",
		}, []string{"job_name", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "amt_arena_acl_job_duration_seconds",
			Help:    "How long scheduled job runs took.",
			Buckets: []float64{0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 900},
		}, []string{"job_name"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "amt_arena_acl_job_last_success_timestamp_seconds",
			Help: "When a scheduled job last finished without error, as a Unix time; absent until it has.",
		}, []string{"job_name"}),
	}
	if r != nil {
		r.MustRegister(m.runs, m.duration, m.lastSuccess)
	}
	return m
}
