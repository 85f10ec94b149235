package kafka

import (
	"reflect"

	"github.com/rcrowley/go-metrics"
)

// Importing this package turns go-metrics off for the whole process.
//
// A nil registry in Config.MetricRegistry is not enough on its own: sarama
// v1.61 sizes every Fetch request with an encoder pass that carries no
// registry, and FetchRequest.encode then registers a per-topic
// "consumer-fetch-rate" meter in go-metrics' DefaultRegistry, which starts
// the ticker goroutine anyway. The flag only affects go-metrics, which NAV
// services do not use for anything else (they export Prometheus metrics), and
// setting it in init, before any goroutine exists, cannot race.
func init() {
	metrics.UseNilMetrics = true
}

// nilRegistry is a go-metrics registry that stores nothing and hands out
// no-op metrics, which is what metrics.UseNilMetrics does, without flipping
// that process-wide switch under the feet of other code.
//
// The default registry is not just wasteful: every meter sarama registers
// through it (several per broker and topic) joins a ticker goroutine that is
// never stopped, so a process that creates and closes clients leaks
// (sarama issue #1321).
type nilRegistry struct{}

var _ metrics.Registry = nilRegistry{}

func (nilRegistry) Each(func(string, any)) {}
func (nilRegistry) Get(string) any         { return nil }
func (nilRegistry) GetAll() map[string]map[string]any {
	return nil
}
func (nilRegistry) Register(string, any) error { return nil }
func (nilRegistry) RunHealthchecks()           {}
func (nilRegistry) Unregister(string)          {}
func (nilRegistry) UnregisterAll()             {}

// GetOrRegister returns the no-op metric of the type the constructor would
// have built, without calling the constructor: building a meter is what
// starts the ticker goroutine.
func (nilRegistry) GetOrRegister(_ string, metric any) any {
	v := reflect.ValueOf(metric)
	if v.Kind() != reflect.Func {
		return metric // an already built metric: hand it back
	}
	t := v.Type()
	if t.NumIn() == 0 && t.NumOut() == 1 {
		if m, ok := nilMetrics[t.Out(0)]; ok {
			return m
		}
	}
	// A metric type we do not know: build it, correctness first.
	return v.Call(nil)[0].Interface()
}

var nilMetrics = map[reflect.Type]any{
	reflect.TypeFor[metrics.Meter]():        metrics.NilMeter{},
	reflect.TypeFor[metrics.Counter]():      metrics.NilCounter{},
	reflect.TypeFor[metrics.Histogram]():    metrics.NilHistogram{},
	reflect.TypeFor[metrics.Timer]():        metrics.NilTimer{},
	reflect.TypeFor[metrics.Gauge]():        metrics.NilGauge{},
	reflect.TypeFor[metrics.GaugeFloat64](): metrics.NilGaugeFloat64{},
	reflect.TypeFor[metrics.EWMA]():         metrics.NilEWMA{},
}
