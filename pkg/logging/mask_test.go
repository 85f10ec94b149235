package logging_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/navikt/kafkapg/pkg/logging"
)

// A syntactically plausible fødselsnummer, used throughout.
const fnr = "01019012345"

type stringer string

func (s stringer) String() string { return string(s) }

func TestMaskFnr(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		msg   string
		field zap.Field
		want  map[string]any // expected values of "message" and the field
	}{
		{
			name:  "message",
			msg:   "looking up " + fnr + " now",
			field: zap.Skip(),
			want:  map[string]any{"message": "looking up *********** now"},
		},
		{
			name:  "string field",
			msg:   "lookup",
			field: zap.String("person", fnr),
			want:  map[string]any{"message": "lookup", "person": "***********"},
		},
		{
			name:  "embedded in a string",
			msg:   "lookup",
			field: zap.String("url", "/api/person/"+fnr+"/saker?fnr="+fnr),
			want:  map[string]any{"message": "lookup", "url": "/api/person/***********/saker?fnr=***********"},
		},
		{
			name:  "error field",
			msg:   "lookup failed",
			field: zap.Error(fmt.Errorf("fetch person %s: %w", fnr, errors.New("404"))),
			want:  map[string]any{"message": "lookup failed", "error": "fetch person ***********: 404"},
		},
		{
			name:  "stringer field",
			msg:   "lookup",
			field: zap.Stringer("who", stringer("person "+fnr)),
			want:  map[string]any{"message": "lookup", "who": "person ***********"},
		},
		{
			name:  "byte string field",
			msg:   "lookup",
			field: zap.ByteString("raw", []byte(`{"fnr":"`+fnr+`"}`)),
			want:  map[string]any{"message": "lookup", "raw": `{"fnr":"***********"}`},
		},
		{
			name:  "ten digits are not a fødselsnummer",
			msg:   "offset 1234567890",
			field: zap.String("id", "1234567890"),
			want:  map[string]any{"message": "offset 1234567890", "id": "1234567890"},
		},
		{
			name:  "twelve digits are not either",
			msg:   "at 171467253012",
			field: zap.String("ts", "1714672530123"),
			want:  map[string]any{"message": "at 171467253012", "ts": "1714672530123"},
		},
		{
			name:  "numbers are not masked",
			msg:   "count",
			field: zap.Int64("n", 12345678901),
			want:  map[string]any{"message": "count", "n": float64(12345678901)},
		},
		{
			name:  "error without digits keeps its value",
			msg:   "failed",
			field: zap.Error(errors.New("timeout")),
			want:  map[string]any{"message": "failed", "error": "timeout"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l, lines := capture(t, logging.Config{})
			l.Info(tt.msg, tt.field)
			got := lines()
			require.Len(t, got, 1)
			for k, v := range tt.want {
				require.Equal(t, v, got[0][k], "key %q", k)
			}
		})
	}
}

func TestMaskFnrInContextFields(t *testing.T) {
	t.Parallel()
	l, lines := capture(t, logging.Config{Name: "app"})
	l.With(zap.String("person", fnr)).Named("svc").Warn("x", zap.String("also", fnr))
	got := lines()
	require.Len(t, got, 1)
	require.Equal(t, "***********", got[0]["person"])
	require.Equal(t, "***********", got[0]["also"])
}

func TestMaskFnrNilValues(t *testing.T) {
	t.Parallel()
	l, lines := capture(t, logging.Config{})
	var s *ptrStringer
	l.Info("nil stringer", zap.Stringer("s", s))
	require.Equal(t, "<nil>", lines()[0]["s"], "zap's own nil handling still applies")
}

type ptrStringer struct{ v string }

func (p *ptrStringer) String() string { return p.v }

func TestMaskFnrOption(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	core := zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(&buf), zapcore.InfoLevel)
	l := zap.New(core, logging.MaskFnr())

	l.Debug("dropped " + fnr)
	l.Info("hello "+fnr, zap.String("f", fnr))
	var m map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &m))
	require.Equal(t, "hello ***********", m["msg"])
	require.Equal(t, "***********", m["f"])
	require.Equal(t, zapcore.InfoLevel, l.Level())
}

func TestAuditDoesNotMask(t *testing.T) {
	t.Parallel()
	l, lines := capture(t, logging.Config{Name: "my-app"})
	l = l.With(zap.String("context", fnr)) // attached before Audit: stays masked

	audit := logging.Audit(l)
	audit.Info("person looked up", zap.String("caller", "Z990000"), zap.String("subject", fnr))
	l.Info("ordinary line", zap.String("subject", fnr))

	got := lines()
	require.Len(t, got, 2)

	require.Equal(t, "my-app.audit", got[0]["logger_name"])
	require.Equal(t, fnr, got[0]["subject"], "the audit line records the subject")
	require.Equal(t, "Z990000", got[0]["caller"])
	require.Equal(t, "***********", got[0]["context"])
	require.NotContains(t, got[0], "", "the audit marker is not written")

	require.Equal(t, "my-app", got[1]["logger_name"])
	require.Equal(t, "***********", got[1]["subject"], "the logger Audit came from still masks")
}

func TestAuditWritesAtInfoWhateverTheLevel(t *testing.T) {
	t.Parallel()
	l, lines := capture(t, logging.Config{Level: zapcore.ErrorLevel})
	l.Info("dropped")
	logging.Audit(l).Info("kept", zap.String("subject", fnr))
	got := lines()
	require.Len(t, got, 1)
	require.Equal(t, "kept", got[0]["message"])
	require.Equal(t, "audit", got[0]["logger_name"])
}

func TestAuditOnLoggerWithoutMask(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	core := zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(&buf), zapcore.InfoLevel)
	logging.Audit(zap.New(core)).Info("x", zap.String("subject", fnr))
	var m map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &m))
	require.Equal(t, fnr, m["subject"])
	require.Equal(t, "audit", m["logger"])
	require.Len(t, m, 5, "level, ts, logger, msg, subject: nothing from the marker: %v", m)
}
