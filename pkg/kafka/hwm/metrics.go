package hwm

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are labelled by topic and partition; the version is a constant label
// because one Consumer serves exactly one version.
type metrics struct {
	hwm        *prometheus.GaugeVec
	logEnd     *prometheus.GaugeVec
	lag        *prometheus.GaugeVec
	written    *prometheus.CounterVec
	duplicates *prometheus.CounterVec
	gapRecords *prometheus.CounterVec
	stopped    *prometheus.GaugeVec
	failures   *prometheus.CounterVec
	lastBatch  *prometheus.GaugeVec
	duration   *prometheus.HistogramVec
	assigned   prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer, namespace string, version int16) (*metrics, error) {
	tp := []string{"topic", "partition"}
	opts := func(name, help string) (string, string, prometheus.Labels) {
		return name, help, prometheus.Labels{"version": strconv.Itoa(int(version))}
	}
	gauge := func(name, help string) *prometheus.GaugeVec {
		n, h, l := opts(name, help)
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: n, Help: h, ConstLabels: l}, tp)
	}
	counter := func(name, help string) *prometheus.CounterVec {
		n, h, l := opts(name, help)
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: n, Help: h, ConstLabels: l}, tp)
	}
	m := &metrics{
		hwm:        gauge("hwm_offset", "Offset of the last record stored for the partition (-1: none yet)."),
		logEnd:     gauge("log_end_offset", "Log-end offset of the partition as last seen by the consumer (the next offset Kafka will write)."),
		lag:        gauge("lag_records", "Records in Kafka after the high-water mark: log-end offset - (hwm + 1)."),
		written:    counter("records_written_total", "Records handed to the handler in committed transactions."),
		duplicates: counter("duplicates_skipped_total", "Re-delivered records at or below the high-water mark that were dropped."),
		gapRecords: counter("gap_records_total", "Offsets that were gone from Kafka (retention) before they could be read."),
		stopped:    gauge("partition_stopped", "1 when the partition is stopped because its high-water mark is above the log end."),
		failures:   counter("batch_failures_total", "Batches rolled back because the handler or the database failed; they are retried."),
		lastBatch:  gauge("last_batch_timestamp_seconds", "Unix time of the last committed batch."),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "batch_duration_seconds",
			Help:        "Time from BEGIN to COMMIT of one batch.",
			ConstLabels: prometheus.Labels{"version": strconv.Itoa(int(version))},
			Buckets:     prometheus.ExponentialBuckets(0.001, 2.5, 12),
		}, []string{"topic"}),
		assigned: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Name: "assigned_partitions",
			Help:        "Partitions this member currently owns.",
			ConstLabels: prometheus.Labels{"version": strconv.Itoa(int(version))},
		}),
	}
	for _, c := range []prometheus.Collector{m.hwm, m.logEnd, m.lag, m.written, m.duplicates, m.gapRecords,
		m.stopped, m.failures, m.lastBatch, m.duration, m.assigned} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// partitionMetrics caches the label lookups of one partition: the hot path then
// touches no maps.
type partitionMetrics struct {
	hwm, logEnd, lag, stopped, lastBatch prometheus.Gauge
	written, duplicates, gapRecords      prometheus.Counter
	failures                             prometheus.Counter
	duration                             prometheus.Observer
}

func (m *metrics) partition(topic string, partition int32) partitionMetrics {
	l := []string{topic, strconv.Itoa(int(partition))}
	return partitionMetrics{
		hwm:        m.hwm.WithLabelValues(l...),
		logEnd:     m.logEnd.WithLabelValues(l...),
		lag:        m.lag.WithLabelValues(l...),
		stopped:    m.stopped.WithLabelValues(l...),
		lastBatch:  m.lastBatch.WithLabelValues(l...),
		written:    m.written.WithLabelValues(l...),
		duplicates: m.duplicates.WithLabelValues(l...),
		gapRecords: m.gapRecords.WithLabelValues(l...),
		failures:   m.failures.WithLabelValues(l...),
		duration:   m.duration.WithLabelValues(topic),
	}
}

// observe sets the position gauges after the HWM or the log end moved.
func (p partitionMetrics) observe(hwm, logEnd int64) {
	p.hwm.Set(float64(hwm))
	if logEnd >= 0 {
		p.logEnd.Set(float64(logEnd))
		lag := logEnd - (hwm + 1)
		if lag < 0 {
			lag = 0
		}
		p.lag.Set(float64(lag))
	}
}

// forget drops the position gauges of a partition this member no longer owns,
// so that only the owner reports its lag (a stale series would keep lag alerts
// firing after a rebalance). Counters stay: they are this member's history.
func (m *metrics) forget(tp TopicPartition) {
	l := prometheus.Labels{"topic": tp.Topic, "partition": strconv.Itoa(int(tp.Partition))}
	for _, g := range []*prometheus.GaugeVec{m.hwm, m.logEnd, m.lag, m.stopped} {
		g.Delete(l)
	}
}
