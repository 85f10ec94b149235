package acltest

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"sync"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Logs captures an Env's log lines as JSON, exactly as written: without the
// fødselsnummer mask the service's production logger has, so that the check
// sees what the code logs, not what the mask hides.
//
// When the test ends, Logs fails it if any line holds a fnr the Env handed
// out (Env.Person) or any other run of exactly eleven digits that is not
// part of a UUID.
type Logs struct {
	// Logger writes to the capture.
	Logger *zap.Logger

	mu  sync.Mutex
	buf bytes.Buffer
}

// elevenDigits is an eleven-digit run standing alone: not part of a longer
// number (GoldenGate positions have twenty) nor of a UUID, whose last group
// of twelve hex digits may happen to be all digits.
var elevenDigits = regexp.MustCompile(`(^|[^0-9A-Fa-f-])[0-9]{11}($|[^0-9A-Fa-f-])`)

func newLogs(t testing.TB, quiet bool, fnrs func() []string) *Logs {
	l := &Logs{}
	enc := zapcore.NewJSONEncoder(zapcore.EncoderConfig{
		TimeKey: "@timestamp", LevelKey: "level", NameKey: "logger_name", MessageKey: "message",
		StacktraceKey: "stack_trace", LineEnding: "\n",
		EncodeLevel: zapcore.CapitalLevelEncoder, EncodeTime: zapcore.ISO8601TimeEncoder,
		EncodeDuration: zapcore.StringDurationEncoder, EncodeName: zapcore.FullNameEncoder,
	})
	level := zapcore.DebugLevel
	if quiet {
		level = zapcore.WarnLevel
	}
	l.Logger = zap.New(zapcore.NewCore(enc, zapcore.AddSync(l), level), zap.AddStacktrace(zapcore.ErrorLevel))
	t.Cleanup(func() {
		known := fnrs()
		for _, line := range l.Lines() {
			for _, fnr := range known {
				if strings.Contains(line.Raw, fnr) {
					t.Errorf("a log line holds a fødselsnummer: %s", line.Raw)
				}
			}
			if elevenDigits.MatchString(line.Raw) {
				t.Errorf("a log line holds an eleven-digit number: %s", line.Raw)
			}
		}
	})
	return l
}

// Write is the capture's sink; zap serialises its calls per core, the
// mutex guards against readers.
func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// Line is one captured line.
type Line struct {
	Raw     string
	Level   string
	Message string
	Fields  map[string]any
}

// Lines returns the lines captured so far.
func (l *Logs) Lines() []Line {
	l.mu.Lock()
	text := l.buf.String()
	l.mu.Unlock()
	var out []Line
	for _, raw := range strings.Split(strings.TrimSpace(text), "\n") {
		if raw == "" {
			continue
		}
		line := Line{Raw: raw, Fields: map[string]any{}}
		_ = json.Unmarshal([]byte(raw), &line.Fields)
		line.Level, _ = line.Fields["level"].(string)
		line.Message, _ = line.Fields["message"].(string)
		out = append(out, line)
	}
	return out
}

// AtLevel returns the lines of one level ("INFO", "WARN", "ERROR").
func (l *Logs) AtLevel(level string) []Line {
	var out []Line
	for _, line := range l.Lines() {
		if line.Level == level {
			out = append(out, line)
		}
	}
	return out
}
