package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/stretchr/testify/require"
)

func TestNamesKeepTheOriginalsPrometheusNames(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	m := New(reg)
	m.Ingested(ProcessorDeltaker, 3*time.Millisecond)
	m.DeltakerStatus("GJENN")
	m.DeltakerNy()
	m.DeltakerOppdatering("startDato")
	m.IngestStatus.WithLabelValues("FAILED").Set(2)
	m.Outcome(ProcessorDeltaker, "HANDLED", "live")
	m.Published("amt.amt-tiltak-v1", "CREATED")
	m.Received("t")
	m.Progress("t", 1, 41, 50)

	for _, want := range []string{
		`amt_arena_acl_ingestStatus_seconds_count{processor="deltaker"} 1`,
		`amt_arena_acl_ingestStatus_seconds_max{processor="deltaker"} 0.003`,
		`amt_arena_acl_ingest_status{status="FAILED"} 2`,
		`amt_arena_acl_deltaker_status_total{amt_tiltak="GJENN",arena="GJENN"} 1`,
		`amt_arena_acl_deltaker_ny_total 1`,
		`amt_arena_acl_deltaker_oppdatering_total{field="startDato"} 1`,
		`amt_arena_acl_outcomes_total{path="live",processor="deltaker",status="HANDLED"} 1`,
		`amt_arena_acl_published_total{operation="CREATED",topic="amt.amt-tiltak-v1"} 1`,
		`amt_arena_acl_received_total{topic="t"} 1`,
		`amt_arena_acl_consumer_offset{partition="1",topic="t"} 41`,
		`amt_arena_acl_consumer_lag{partition="1",topic="t"} 8`,
	} {
		require.Contains(t, gather(t, reg), want)
	}
}

func gather(t *testing.T, reg *prometheus.Registry) string {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	var b strings.Builder
	for _, mf := range mfs {
		_, err := expfmt.MetricFamilyToText(&b, mf)
		require.NoError(t, err)
	}
	return b.String()
}

func TestWindowMaxDecays(t *testing.T) {
	t.Parallel()
	now := time.Unix(0, 0)
	w := newWindowMax("m", "h", "l", func() time.Time { return now })
	w.observe("a", 5)
	w.observe("a", 2)
	require.Equal(t, 5.0, collect(t, w)["a"])
	now = now.Add(90 * time.Second) // one window later: still shown
	w.observe("a", 1)
	require.Equal(t, 5.0, collect(t, w)["a"])
	now = now.Add(61 * time.Second) // the spike's window has passed
	require.Equal(t, 1.0, collect(t, w)["a"])
	now = now.Add(5 * time.Minute)
	require.Equal(t, 0.0, collect(t, w)["a"], "quiet: 0, still reported")
}

func collect(t *testing.T, w *windowMax) map[string]float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(w)
	out := map[string]float64{}
	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			out[m.GetLabel()[0].GetValue()] = m.GetGauge().GetValue()
		}
	}
	return out
}

func TestProcessor(t *testing.T) {
	t.Parallel()
	require.Equal(t, ProcessorGjennomforing, Processor("SIAMO.TILTAKGJENNOMFORING"))
	require.Equal(t, ProcessorDeltaker, Processor("SIAMO.TILTAKDELTAKER"))
	require.Equal(t, ProcessorHistDeltaker, Processor("SIAMO.HIST_TILTAKDELTAKER"))
	require.Equal(t, ProcessorUnknown, Processor("UNKNOWN"))
}

func TestNilMetricsRecordNothing(t *testing.T) {
	t.Parallel()
	var m *Metrics
	m.Ingested(ProcessorDeltaker, time.Second)
	m.Outcome("a", "b", "c")
	m.Progress("t", 0, 1, 2)
	m.Published("t", "CREATED")
}
