package kafka_test

import (
	"runtime"
	"strings"
	"testing"

	"github.com/IBM/sarama"
	"github.com/rcrowley/go-metrics"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/navikt/kafkapg/pkg/kafka"
	"github.com/navikt/kafkapg/pkg/kafka/kafkatest"
)

// go-metrics starts one process-wide ticker goroutine the first time a real
// meter is built, and never stops it. Once this package is imported, no
// sarama client may start it, neither through Config.MetricRegistry nor
// through the meter sarama registers in go-metrics' DefaultRegistry.
func TestNoGoMetricsGoroutine(t *testing.T) {
	t.Parallel()
	c := kafkatest.New(t, kfake.SeedTopics(1, "orders"))
	p, err := kafka.NewProducer(c.Config())
	require.NoError(t, err)
	require.NoError(t, p.Send(t.Context(), &sarama.ProducerMessage{Topic: "orders", Value: sarama.StringEncoder("v")}))
	c.Consume(t, "orders", 0, sarama.OffsetOldest, 1)
	require.NoError(t, p.Close())

	buf := make([]byte, 1<<22)
	stacks := string(buf[:runtime.Stack(buf, true)])
	assert.False(t, strings.Contains(stacks, "meterArbiter"), "go-metrics meter goroutine is running")
}

// The registry must not even build the metrics: building a meter is what
// starts the goroutine.
func TestNilRegistryNeverBuildsMetrics(t *testing.T) {
	t.Parallel()
	assert.True(t, metrics.UseNilMetrics, "importing kafka turns go-metrics off")
	sc, err := kafka.Config{Brokers: []string{"b:1"}}.Sarama()
	require.NoError(t, err)
	r := sc.MetricRegistry
	built := func() metrics.Meter { t.Error("meter constructor called"); return metrics.NilMeter{} }
	assert.Equal(t, metrics.NilMeter{}, r.GetOrRegister("m", built))
	assert.Equal(t, metrics.NilHistogram{}, r.GetOrRegister("h", func() metrics.Histogram {
		t.Error("histogram constructor called")
		return nil
	}))
	assert.Equal(t, metrics.NilCounter{}, metrics.GetOrRegisterCounter("c", r))
	assert.Nil(t, r.Get("m"))
	r.Each(func(string, any) { t.Error("the registry keeps nothing") })
}
