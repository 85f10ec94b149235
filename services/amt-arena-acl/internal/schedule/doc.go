// Package schedule runs the service's periodic jobs, on the leader only:
//
//	retry            RETRY rows through the retry processor   RETRY_SCHEDULE           */10 * * * *
//	failed           FAILED rows through the retry processor  FAILED_SCHEDULE          0 0 * * *   (00:00)
//	ignored-cleanup  delete IGNORED rows                      IGNORED_CLEANUP_SCHEDULE 5 * * * *   (hourly)
//	status-metrics   refresh the backlog gauges               STATUS_METRICS_SCHEDULE  */5 * * * *
//
// Specs are robfig/cron specs in Europe/Oslo time: five fields, or six
// with seconds first, or a descriptor such as @hourly or @every 30s.
// RETRY_BATCH_SIZE (default 5000) and FAILED_BATCH_SIZE (default 500) set
// the retry processor's page size.
//
// Leadership is a PostgreSQL advisory lock (pg.Leader) that every replica
// campaigns for; a job fires on every replica and runs only where
// IsLeader is true at that moment. When the leader dies its session ends,
// PostgreSQL frees the lock at once, and a follower takes it within one
// leader poll interval (5 s), far inside a tick interval. Leader election
// keeps replicas from competing, but it is not what keeps the work
// correct: two replicas may both believe they lead for a moment, and the
// retry processor's claims keep that safe (see package retry).
//
// Invariants:
//
//   - A job never overlaps itself in one process: its next activation is
//     computed after its run returns, and activations missed meanwhile are
//     skipped, as with a fixed delay.
//   - A run is told its scheduled time, not the time it happened to start.
//     Replicas firing the same clock-aligned spec therefore agree on it,
//     which is what lets two retry processors share a tick.
//   - The clock is injected (Clock), so tests drive schedules without
//     sleeping (package scheduletest).
package schedule
