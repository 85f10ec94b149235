package logging

import (
	"fmt"
	"io"
	"testing"
	"time"

	"go.uber.org/zap"
)

// BenchmarkMask measures what the personal-data mask costs per log line,
// against its floor: the same encoder and sink with no mask, in the same run.
// Lines carry no 11-digit run, the common case the mask must keep cheap.
func BenchmarkMask(b *testing.B) {
	const lines = 200_000
	masked, err := NewTo(Config{}, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	// The floor is the very core the mask wraps: same encoder, level filter
	// and locked sink.
	plain := zap.New(masked.Core().(*maskCore).Core)

	perLine := func(l *zap.Logger) float64 {
		start := time.Now()
		for i := range lines {
			l.Info("consumed record", zap.String("topic", "teamx.events"), zap.Int("offset", i), zap.Error(errNoDigits))
		}
		return float64(time.Since(start).Nanoseconds()) / lines
	}

	b.ReportAllocs()
	for b.Loop() {
		plainNs := perLine(plain)
		maskedNs := perLine(masked)
		b.ReportMetric(maskedNs, "masked_ns/line")
		b.ReportMetric(plainNs, "plain_ns/line")
		fmt.Printf("masked_ns_per_line=%.0f\nplain_ns_per_line=%.0f\nmasked_vs_plain_ratio=%.2f\n", maskedNs, plainNs, maskedNs/plainNs)
	}
}

var errNoDigits = fmt.Errorf("broker not available")
