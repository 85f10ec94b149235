// Package metrics holds the service's Prometheus metrics, all named
// amt_arena_acl_…
//
// The first five keep the names the original's Micrometer meters had in
// Prometheus, so its dashboards and alerts carry over:
//
//	amt_arena_acl_ingestStatus_seconds{processor}        every live message, whatever the outcome
//	                                                     (_count, _sum, _bucket, and _max over the last minutes)
//	amt_arena_acl_ingest_status{status}                  rows per status, refreshed by whoever counts them
//	amt_arena_acl_deltaker_status_total{arena,amt_tiltak} deltakere handled, by Arena status code
//	amt_arena_acl_deltaker_ny_total                      new deltakere handled (op I)
//	amt_arena_acl_deltaker_oppdatering_total{field}      updates that moved startDato or sluttDato
//
// amt_tiltak carries the Arena code too, as it did in the original.
//
// The others are new:
//
//	amt_arena_acl_outcomes_total{processor,status,path}  every status written by handling, live or retry
//	amt_arena_acl_published_total{topic,operation}       AMT messages acknowledged by Kafka
//	amt_arena_acl_received_total{topic}                  records read from the Arena topics
//	amt_arena_acl_consumer_offset{topic,partition}       the last offset handled and marked for commit
//	amt_arena_acl_consumer_lag{topic,partition}          records in the partition after that offset
//
// Every metric is registered once, by New; labels are low-cardinality
// (tables, statuses, topics, partitions — never an id).
package metrics

import (
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Processor labels, by Arena table, as the original named its processors.
const (
	ProcessorGjennomforing = "gjennomforing"
	ProcessorDeltaker      = "deltaker"
	ProcessorHistDeltaker  = "histdeltaker"
	ProcessorUnknown       = "unknown"
)

// Processor is the processor label of an Arena table name.
func Processor(table string) string {
	switch table {
	case "SIAMO.TILTAKGJENNOMFORING":
		return ProcessorGjennomforing
	case "SIAMO.TILTAKDELTAKER":
		return ProcessorDeltaker
	case "SIAMO.HIST_TILTAKDELTAKER":
		return ProcessorHistDeltaker
	}
	return ProcessorUnknown
}

// Metrics is the service's metrics. The zero value is not usable; make one
// with New. A nil *Metrics is a valid receiver for every method and records
// nothing, for tools that run without metrics.
type Metrics struct {
	ingest         *prometheus.HistogramVec
	ingestMax      *windowMax
	IngestStatus   *prometheus.GaugeVec
	deltakerStatus *prometheus.CounterVec
	deltakerNy     prometheus.Counter
	oppdatering    *prometheus.CounterVec
	outcomes       *prometheus.CounterVec
	published      *prometheus.CounterVec
	received       *prometheus.CounterVec
	offset         *prometheus.GaugeVec
	lag            *prometheus.GaugeVec
}

// New registers the metrics in reg.
func New(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		ingest: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "amt_arena_acl_ingestStatus_seconds",
			Help: "Time to handle a message from Kafka, by processor, whatever the outcome.",
			// Handling is a few milliseconds; the spacing of one deltaker's
			// messages adds half a second, a slow peer up to its timeout.
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 15, 60},
		}, []string{"processor"}),
		ingestMax: newWindowMax("amt_arena_acl_ingestStatus_seconds_max",
			"Longest handling of a message from Kafka in the last two minutes, by processor.", "processor", time.Now),
		IngestStatus: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "amt_arena_acl_ingest_status",
			Help: "arena_data rows in a status, as last counted.",
		}, []string{"status"}),
		deltakerStatus: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "amt_arena_acl_deltaker_status_total",
			Help: "Deltaker messages handled, by Arena status code (amt_tiltak holds the Arena code too, as in the original).",
		}, []string{"arena", "amt_tiltak"}),
		deltakerNy: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "amt_arena_acl_deltaker_ny_total",
			Help: "New deltakere (Arena insert) handled.",
		}),
		oppdatering: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "amt_arena_acl_deltaker_oppdatering_total",
			Help: "Deltaker updates handled that changed a date, by field.",
		}, []string{"field"}),
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "amt_arena_acl_outcomes_total",
			Help: "Statuses written by handling a message, by processor, status and path (live or retry).",
		}, []string{"processor", "status", "path"}),
		published: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "amt_arena_acl_published_total",
			Help: "AMT messages acknowledged by Kafka, by topic and operation (\"\" on the enkeltplass topic).",
		}, []string{"topic", "operation"}),
		received: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "amt_arena_acl_received_total",
			Help: "Records read from the Arena topics.",
		}, []string{"topic"}),
		offset: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "amt_arena_acl_consumer_offset",
			Help: "Offset of the last record handled and marked for commit.",
		}, []string{"topic", "partition"}),
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "amt_arena_acl_consumer_lag",
			Help: "Records in the partition after the last one handled.",
		}, []string{"topic", "partition"}),
	}
	reg.MustRegister(m.ingest, m.ingestMax, m.IngestStatus, m.deltakerStatus, m.deltakerNy,
		m.oppdatering, m.outcomes, m.published, m.received, m.offset, m.lag)
	return m
}

// Ingested records how long handling a live message took.
func (m *Metrics) Ingested(processor string, d time.Duration) {
	if m == nil {
		return
	}
	m.ingest.WithLabelValues(processor).Observe(d.Seconds())
	m.ingestMax.observe(processor, d.Seconds())
}

// Outcome counts a status written by handling.
func (m *Metrics) Outcome(processor, status, path string) {
	if m == nil {
		return
	}
	m.outcomes.WithLabelValues(processor, status, path).Inc()
}

// DeltakerStatus counts a deltaker handled with Arena status code.
func (m *Metrics) DeltakerStatus(code string) {
	if m == nil {
		return
	}
	m.deltakerStatus.WithLabelValues(code, code).Inc()
}

// DeltakerNy counts a new deltaker handled.
func (m *Metrics) DeltakerNy() {
	if m == nil {
		return
	}
	m.deltakerNy.Inc()
}

// DeltakerOppdatering counts an update that changed field ("startDato" or
// "sluttDato").
func (m *Metrics) DeltakerOppdatering(field string) {
	if m == nil {
		return
	}
	m.oppdatering.WithLabelValues(field).Inc()
}

// Published counts an acknowledged AMT message.
func (m *Metrics) Published(topic, operation string) {
	if m == nil {
		return
	}
	m.published.WithLabelValues(topic, operation).Inc()
}

// Received counts a record read from an Arena topic.
func (m *Metrics) Received(topic string) {
	if m == nil {
		return
	}
	m.received.WithLabelValues(topic).Inc()
}

// Progress records that a partition is handled up to offset, with
// highWaterMark the offset the next record will get.
func (m *Metrics) Progress(topic string, partition int32, offset, highWaterMark int64) {
	if m == nil {
		return
	}
	p := strconv.Itoa(int(partition))
	m.offset.WithLabelValues(topic, p).Set(float64(offset))
	m.lag.WithLabelValues(topic, p).Set(float64(max(highWaterMark-offset-1, 0)))
}

// windowMax is a gauge of the largest value observed per label in the last
// two rotations of a one-minute window, like Micrometer's timer max: a
// spike shows for one to two minutes, then decays to what is current.
type windowMax struct {
	desc   *prometheus.Desc
	now    func() time.Time
	window time.Duration

	mu      sync.Mutex
	seen    map[string]bool    // every label observed: reported, as 0 once quiet
	started time.Time          // start of the current window
	cur     map[string]float64 // max per label in the current window
	prev    map[string]float64 // and in the one before
}

func newWindowMax(name, help, label string, now func() time.Time) *windowMax {
	return &windowMax{
		desc:    prometheus.NewDesc(name, help, []string{label}, nil),
		now:     now,
		window:  time.Minute,
		seen:    map[string]bool{},
		started: now(),
		cur:     map[string]float64{},
		prev:    map[string]float64{},
	}
}

// rotate moves to the window now is in; the caller holds mu.
func (w *windowMax) rotate() {
	elapsed := w.now().Sub(w.started)
	switch {
	case elapsed < w.window:
		return
	case elapsed < 2*w.window:
		w.prev, w.cur = w.cur, map[string]float64{}
	default:
		w.prev, w.cur = map[string]float64{}, map[string]float64{}
	}
	w.started = w.now()
}

func (w *windowMax) observe(label string, v float64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.rotate()
	w.seen[label] = true
	if v > w.cur[label] {
		w.cur[label] = v
	}
}

func (w *windowMax) Describe(ch chan<- *prometheus.Desc) { ch <- w.desc }

func (w *windowMax) Collect(ch chan<- prometheus.Metric) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.rotate()
	labels := map[string]float64{}
	for l := range w.seen {
		labels[l] = 0
	}
	for _, m := range []map[string]float64{w.prev, w.cur} {
		for l, v := range m {
			labels[l] = max(labels[l], v)
		}
	}
	for l, v := range labels {
		ch <- prometheus.MustNewConstMetric(w.desc, prometheus.GaugeValue, v, l)
	}
}
