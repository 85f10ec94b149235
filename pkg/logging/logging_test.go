package logging_test

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/navikt/kafkapg/pkg/logging"
)

// fixedClock makes timestamps predictable.
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time                         { return c.t }
func (c fixedClock) NewTicker(d time.Duration) *time.Ticker { return time.NewTicker(d) }

// capture returns a logger writing into a buffer, and a function decoding
// what was written, one map per line.
func capture(t *testing.T, c logging.Config, opts ...zap.Option) (*zap.Logger, func() []map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	l, err := logging.NewTo(c, &buf, opts...)
	require.NoError(t, err)
	return l, func() []map[string]any {
		t.Helper()
		var out []map[string]any
		for _, line := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
			if line == "" {
				continue
			}
			var m map[string]any
			require.NoError(t, json.Unmarshal([]byte(line), &m), "line %q", line)
			out = append(out, m)
		}
		return out
	}
}

func TestJSONShape(t *testing.T) {
	t.Parallel()
	oslo, err := time.LoadLocation("Europe/Oslo")
	require.NoError(t, err)
	at := time.Date(2024, 5, 2, 10, 15, 30, 123456789, oslo)

	l, lines := capture(t, logging.Config{Name: "my-app"}, zap.WithClock(fixedClock{at}))
	l.Info("started", zap.String("topic", "teamx.events"), zap.Int("partitions", 3))
	l.Named("consumer").Error("poll failed", zap.Error(errString("broker down")))

	got := lines()
	require.Len(t, got, 2)

	info := got[0]
	require.Equal(t, map[string]any{
		"@timestamp":  "2024-05-02T08:15:30.123Z",
		"level":       "INFO",
		"logger_name": "my-app",
		"message":     "started",
		"topic":       "teamx.events",
		"partitions":  float64(3),
	}, info)

	errLine := got[1]
	require.Equal(t, "ERROR", errLine["level"])
	require.Equal(t, "my-app.consumer", errLine["logger_name"])
	require.Equal(t, "broker down", errLine["error"])
	require.Contains(t, errLine["stack_trace"], "TestJSONShape")
	require.NotContains(t, errLine, "caller", "caller is opt-in")
}

func TestTimestampIsUTCMillis(t *testing.T) {
	t.Parallel()
	l, lines := capture(t, logging.Config{})
	l.Info("now")
	ts, ok := lines()[0]["@timestamp"].(string)
	require.True(t, ok)
	require.Regexp(t, regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`), ts)
	_, err := time.Parse(time.RFC3339, ts)
	require.NoError(t, err)
}

func TestCallerIsOptional(t *testing.T) {
	t.Parallel()
	l, lines := capture(t, logging.Config{}, zap.AddCaller())
	l.Info("here")
	require.Regexp(t, `^logging/logging_test\.go:\d+$`, lines()[0]["caller"])
}

func TestLevels(t *testing.T) {
	t.Parallel()
	log := func(l *zap.Logger) {
		l.Debug("d")
		l.Info("i")
		l.Warn("w")
		l.Error("e")
		l.DPanic("dp") // not a development logger, so it does not panic
	}
	tests := []struct {
		level zapcore.Level
		want  []string // levels written, in order
	}{
		{zapcore.DebugLevel, []string{"DEBUG", "INFO", "WARN", "ERROR", "ERROR"}},
		{zapcore.InfoLevel, []string{"INFO", "WARN", "ERROR", "ERROR"}},
		{zapcore.WarnLevel, []string{"WARN", "ERROR", "ERROR"}},
		{zapcore.ErrorLevel, []string{"ERROR", "ERROR"}},
	}
	for _, tt := range tests {
		t.Run(tt.level.String(), func(t *testing.T) {
			t.Parallel()
			l, lines := capture(t, logging.Config{Level: tt.level})
			log(l)
			var got []string
			for _, m := range lines() {
				got = append(got, m["level"].(string))
			}
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.level, l.Level())
		})
	}
}

func TestConsoleFormat(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l, err := logging.NewTo(logging.Config{Format: logging.FormatConsole, Name: "my-app"}, &buf)
	require.NoError(t, err)
	l.Info("started", zap.String("topic", "teamx.events"))

	line := buf.String()
	require.False(t, json.Valid([]byte(line)), "console output is not JSON: %q", line)
	require.Regexp(t, `^\d\d:\d\d:\d\d\.\d{3}\tINFO\tmy-app\tstarted\t\{"topic": "teamx.events"\}\n$`, line)
	require.NotContains(t, line, "\x1b[", "no colour when not writing to a terminal")
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		c    logging.Config
		want string
	}{
		{"format", logging.Config{Format: "xml"}, `logging: unknown format "xml" (want json or console)`},
		{"level", logging.Config{Level: 42}, "logging: invalid level 42"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := logging.NewTo(tt.c, &bytes.Buffer{})
			require.EqualError(t, err, tt.want)
			_, err = logging.New(tt.c)
			require.EqualError(t, err, tt.want)
		})
	}
}

func TestNewWritesToStdout(t *testing.T) {
	t.Parallel()
	// Only that it builds and that Sync on stdout is not an error; what it
	// writes is covered through NewTo.
	l, err := logging.New(logging.Config{Level: zapcore.ErrorLevel})
	require.NoError(t, err)
	require.NoError(t, l.Sync())
}

type errString string

func (e errString) Error() string { return string(e) }
