package backup

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Namespace prefixes every metric of the service, the consumer's included, so
// names stay those of the original (…_records_written_total and so on).
const Namespace = "paw_arbeidssoekerregisteret_bekreftelse_backup"

// metrics are the Writer's own; the consumer (pkg/kafka/hwm) registers the
// position, lag, written, duplicate, gap and batch-duration metrics under the
// same namespace.
type metrics struct {
	quarantined    *prometheus.CounterVec
	traceparent    *prometheus.CounterVec
	notCanonical   prometheus.Counter
	quarantineRows *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer, version int16) (*metrics, error) {
	constLabels := prometheus.Labels{"version": itoa(int64(version))}
	m := &metrics{
		quarantined: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "records_quarantined_total", ConstLabels: constLabels,
			Help: "Records stored in backup_quarantine because they cannot go into their topic's table.",
		}, []string{"topic"}),
		traceparent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "traceparent_not_stored_total", ConstLabels: constLabels,
			Help: "Records whose traceparent header could not go into the traceparent column (null, too long, NUL); the header is kept.",
		}, []string{"topic", "reason"}),
		notCanonical: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: Namespace, Name: "hendelser_not_canonical_total", ConstLabels: constLabels,
			Help: "Hendelser that did not decode as a known event and were stored as received, with decode_error set.",
		}),
		quarantineRows: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: Namespace, Name: "quarantine_rows", ConstLabels: constLabels,
			Help: "Rows in backup_quarantine for this version, as last counted.",
		}, []string{"topic"}),
	}
	for _, c := range []prometheus.Collector{m.quarantined, m.traceparent, m.notCanonical, m.quarantineRows} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}
