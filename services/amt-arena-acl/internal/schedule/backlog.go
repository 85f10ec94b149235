package schedule

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/metrics"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/store"
)

// Backlog is the status gauges: how many arena_data rows each table has in
// each status, and how long the oldest RETRY and FAILED row of each table
// has waited. The status-metrics job refreshes it on the leader and clears
// it on the other replicas, so that summing a series over the pods gives
// the database's count, as with the original's gauge, also after the
// leader has moved. Every series is reported, zeros included, so an alert
// on FAILED > 0 always has a series to look at.
//
// It feeds the original's amt_arena_acl_ingest_status{status} (rows per
// status, all tables) in package metrics, and reports per table itself:
//
//	amt_arena_acl_ingest_rows{table,status}
//	amt_arena_acl_ingest_oldest_age_seconds{table,status}   RETRY and FAILED
type Backlog struct {
	leader  Leader
	metrics *metrics.Metrics
	now     func() time.Time

	rows   *prometheus.Desc
	oldest *prometheus.Desc

	mu     sync.Mutex
	counts map[tableStatus]int64 // nil until refreshed, and when cleared
	since  map[tableStatus]civil.DateTime
}

type tableStatus struct {
	table  arena.Table
	status ingest.Status
}

// NewBacklog returns the gauges, feeding m (which may be nil) and ageing
// rows by now (time.Now when nil). They report only while leader leads.
// Register the Backlog with the Prometheus registry m is in.
func NewBacklog(leader Leader, m *metrics.Metrics, now func() time.Time) *Backlog {
	if now == nil {
		now = time.Now
	}
	return &Backlog{
		leader:  leader,
		metrics: m,
		now:     now,
		rows: prometheus.NewDesc("amt_arena_acl_ingest_rows",
			"arena_data rows per table and ingest status, as of the last refresh (every 5 minutes); reported by the leader only.",
			[]string{"table", "status"}, nil),
		oldest: prometheus.NewDesc("amt_arena_acl_ingest_oldest_age_seconds",
			"How long the oldest RETRY or FAILED row of a table has been in that status (since its status was last written by handling); 0 when there is none. Reported by the leader only.",
			[]string{"table", "status"}, nil),
	}
}

// Refresh counts the rows and finds the oldest RETRY and FAILED ones.
func (b *Backlog) Refresh(ctx context.Context, q store.Querier, s *store.Store) error {
	counts, err := s.CountByTableAndStatus(ctx, q)
	if err != nil {
		return fmt.Errorf("schedule: refresh the status gauges: %w", err)
	}
	oldest, err := s.OldestPending(ctx, q)
	if err != nil {
		return fmt.Errorf("schedule: refresh the status gauges: %w", err)
	}
	c := map[tableStatus]int64{}
	perStatus := map[ingest.Status]int64{}
	for _, n := range counts {
		c[tableStatus{n.Table, n.Status}] = n.Count
		perStatus[n.Status] += n.Count
	}
	since := map[tableStatus]civil.DateTime{}
	for _, o := range oldest {
		if o.Ingested != nil {
			since[tableStatus{o.Table, o.Status}] = *o.Ingested
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.counts, b.since = c, since
	if b.metrics != nil {
		for _, st := range ingest.Statuses() {
			b.metrics.IngestStatus.WithLabelValues(string(st)).Set(float64(perStatus[st]))
		}
	}
	return nil
}

// Clear forgets the counts and zeroes the per-status gauge: what a replica
// that does not lead reports.
func (b *Backlog) Clear() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.counts, b.since = nil, nil
	if b.metrics != nil {
		for _, st := range ingest.Statuses() {
			b.metrics.IngestStatus.WithLabelValues(string(st)).Set(0)
		}
	}
}

// Describe is prometheus.Collector's.
func (b *Backlog) Describe(ch chan<- *prometheus.Desc) {
	ch <- b.rows
	ch <- b.oldest
}

// Collect is prometheus.Collector's. The ages are computed now, so they
// grow between refreshes.
func (b *Backlog) Collect(ch chan<- prometheus.Metric) {
	if !b.leader.IsLeader() {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.counts == nil {
		return
	}
	now := civil.FromTime(b.now())
	for _, t := range arena.Tables() {
		for _, s := range ingest.Statuses() {
			ch <- prometheus.MustNewConstMetric(b.rows, prometheus.GaugeValue,
				float64(b.counts[tableStatus{t, s}]), string(t), string(s))
		}
		for _, s := range []ingest.Status{ingest.Retry, ingest.Failed} {
			age := 0.0
			if since, ok := b.since[tableStatus{t, s}]; ok {
				// Both are Oslo wall-clock times; their difference in UTC
				// is the elapsed time except across a daylight-saving
				// change, which is good enough for an alert threshold.
				age = max(0, now.In(time.UTC).Sub(since.In(time.UTC)).Seconds())
			}
			ch <- prometheus.MustNewConstMetric(b.oldest, prometheus.GaugeValue, age, string(t), string(s))
		}
	}
}
