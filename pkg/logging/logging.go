package logging

import (
	"io"
	"os"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// New returns a logger that writes to stdout as c says, with stack traces on
// ERROR and above and the personal-data mask described in the package
// documentation. opts are applied after those defaults; pass zap.AddCaller()
// to get a caller key.
func New(c Config, opts ...zap.Option) (*zap.Logger, error) {
	// Colour only when a person is watching: escape codes in a file or a
	// pipe are noise.
	color := isTerminal(os.Stdout)
	// os.Stdout's Sync fails on pipes and terminals ("invalid argument"),
	// and stdout is not buffered by Go anyway, so syncing it is a no-op
	// rather than an error every service has to learn to ignore.
	return build(c, zapcore.Lock(nopSync{os.Stdout}), color, opts)
}

// NewTo is New writing to w instead of stdout, for tests and for capturing
// output. Writes to w are serialised, so w need not be safe for concurrent
// use.
func NewTo(c Config, w io.Writer, opts ...zap.Option) (*zap.Logger, error) {
	return build(c, zapcore.Lock(zapcore.AddSync(w)), false, opts)
}

func build(c Config, ws zapcore.WriteSyncer, color bool, opts []zap.Option) (*zap.Logger, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}

	var enc zapcore.Encoder
	if c.Format == FormatConsole {
		enc = zapcore.NewConsoleEncoder(consoleEncoderConfig(color))
	} else {
		enc = zapcore.NewJSONEncoder(jsonEncoderConfig())
	}

	// Two cores share one encoder and one sink. The base core lets INFO
	// through even when c.Level is higher; it is what the audit logger
	// writes to. The application's core filters it up to c.Level.
	base := zapcore.NewCore(enc, ws, min(c.Level, zapcore.InfoLevel))
	app, err := zapcore.NewIncreaseLevelCore(base, c.Level)
	if err != nil {
		// Unreachable: c.Level is never below the base core's level.
		return nil, err
	}

	all := append([]zap.Option{zap.AddStacktrace(zapcore.ErrorLevel)}, opts...)
	l := zap.New(&maskCore{Core: app, audit: base}, all...)
	if c.Name != "" {
		l = l.Named(c.Name)
	}
	return l, nil
}

// jsonEncoderConfig gives the keys and value formats of logback's logstash
// encoder, which is what NAV's log pipeline indexes on.
func jsonEncoderConfig() zapcore.EncoderConfig {
	return zapcore.EncoderConfig{
		TimeKey:        "@timestamp",
		LevelKey:       "level",
		NameKey:        "logger_name",
		CallerKey:      "caller",
		FunctionKey:    zapcore.OmitKey,
		MessageKey:     "message",
		StacktraceKey:  "stack_trace",
		LineEnding:     zapcore.DefaultLineEnding,
		EncodeLevel:    logbackLevel,
		EncodeTime:     utcMillis,
		EncodeDuration: zapcore.StringDurationEncoder,
		EncodeCaller:   zapcore.ShortCallerEncoder,
		EncodeName:     zapcore.FullNameEncoder,
	}
}

func consoleEncoderConfig(color bool) zapcore.EncoderConfig {
	c := jsonEncoderConfig()
	c.EncodeTime = zapcore.TimeEncoderOfLayout("15:04:05.000")
	c.EncodeLevel = zapcore.CapitalLevelEncoder
	if color {
		c.EncodeLevel = zapcore.CapitalColorLevelEncoder
	}
	return c
}

// logbackLevel writes the level names logback uses. zap's DPANIC, PANIC and
// FATAL have no logback counterpart and become ERROR, so that they are
// counted and alerted on like every other error.
func logbackLevel(l zapcore.Level, enc zapcore.PrimitiveArrayEncoder) {
	switch {
	case l <= zapcore.DebugLevel:
		enc.AppendString("DEBUG")
	case l == zapcore.InfoLevel:
		enc.AppendString("INFO")
	case l == zapcore.WarnLevel:
		enc.AppendString("WARN")
	default:
		enc.AppendString("ERROR")
	}
}

// utcMillis writes RFC 3339 in UTC with exactly three fractional digits,
// the form the pipeline parses @timestamp with.
func utcMillis(t time.Time, enc zapcore.PrimitiveArrayEncoder) {
	enc.AppendString(t.UTC().Format("2006-01-02T15:04:05.000Z"))
}

type nopSync struct{ io.Writer }

func (nopSync) Sync() error { return nil }

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
