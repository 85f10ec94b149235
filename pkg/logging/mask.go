package logging

import (
	"fmt"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// fnrMask replaces an 11-digit run. It has the run's length, so the line
// still shows that something was there.
const fnrMask = "***********"

// MaskFnr returns an option that wraps a logger's core so that every run of
// exactly 11 digits in the message and in string, byte-string, error and
// fmt.Stringer fields is written as "***********". Loggers from New and NewTo
// already have it; use MaskFnr for a logger built some other way.
//
// Shorter and longer runs of digits (an offset, a millisecond timestamp) are
// left alone, as are numbers, arrays, objects and reflected values. The mask
// is a cheap safety net for the identifier that slips into an error message,
// not a way to make logging personal data acceptable.
//
// MaskFnr should be the last core option applied: the mask decides from the
// level alone whether to write, so sampling wrapped inside it would be
// bypassed.
func MaskFnr() zap.Option {
	return zap.WrapCore(func(c zapcore.Core) zapcore.Core {
		return &maskCore{Core: c, audit: c}
	})
}

// Audit returns the logger for audit lines: one per personal-data access,
// naming the caller and the subject. It is l named "audit" (so logger_name
// ends in ".audit") with the personal-data mask switched off, because the
// subject is what an audit line exists to record; and for a logger from New
// it writes INFO even when the configured level is higher.
//
// Fields attached to l before the call stay masked; only what is logged
// through the audit logger is written as given. Never use the audit logger
// for anything but audit lines.
func Audit(l *zap.Logger) *zap.Logger {
	// The marker travels down the core chain through With, which every core
	// wrapper forwards, until the mask core sees it and hands back its
	// unmasked core. Without a mask core in the chain it reaches the encoder
	// as a SkipType field, which encoders ignore.
	return l.With(zapcore.Field{Type: zapcore.SkipType, Interface: auditMarker{}}).Named("audit")
}

type auditMarker struct{}

// maskCore masks 11-digit runs before handing entries to Core. audit is the
// core Audit switches to: the same sink without the mask (and, for loggers
// from New, without the level raised above INFO).
type maskCore struct {
	zapcore.Core
	audit zapcore.Core
}

func (c *maskCore) Level() zapcore.Level { return zapcore.LevelOf(c.Core) }

func (c *maskCore) With(fields []zapcore.Field) zapcore.Core {
	for i, f := range fields {
		if _, ok := f.Interface.(auditMarker); ok && f.Type == zapcore.SkipType {
			rest := append(append([]zapcore.Field(nil), fields[:i]...), fields[i+1:]...)
			return c.audit.With(maskFields(rest))
		}
	}
	m := maskFields(fields)
	return &maskCore{Core: c.Core.With(m), audit: c.audit.With(m)}
}

// Check adds this core, not the wrapped one, to the checked entry: were the
// wrapped core to add itself, Write would go straight to it, unmasked.
func (c *maskCore) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(e.Level) {
		return ce.AddCore(e, c)
	}
	return ce
}

func (c *maskCore) Write(e zapcore.Entry, fields []zapcore.Field) error {
	e.Message = maskString(e.Message)
	return c.Core.Write(e, maskFields(fields))
}

// maskFields returns fields with 11-digit runs masked. It returns the slice it
// was given when nothing needed masking, so the common case allocates
// nothing.
func maskFields(fields []zapcore.Field) []zapcore.Field {
	var out []zapcore.Field
	for i, f := range fields {
		m, changed := maskField(f)
		if !changed {
			if out != nil {
				out[i] = f
			}
			continue
		}
		if out == nil {
			out = make([]zapcore.Field, len(fields))
			copy(out, fields[:i])
		}
		out[i] = m
	}
	if out == nil {
		return fields
	}
	return out
}

func maskField(f zapcore.Field) (zapcore.Field, bool) {
	var s string
	switch f.Type {
	case zapcore.StringType:
		s = f.String
	case zapcore.ByteStringType:
		b, _ := f.Interface.([]byte)
		s = string(b)
	case zapcore.ErrorType:
		err, _ := f.Interface.(error)
		if err == nil {
			return f, false
		}
		var ok bool
		if s, ok = safeString(err.Error); !ok {
			return f, false // let zap report the panic as it always does
		}
	case zapcore.StringerType:
		st, _ := f.Interface.(fmt.Stringer)
		if st == nil {
			return f, false
		}
		var ok bool
		if s, ok = safeString(st.String); !ok {
			return f, false
		}
	default:
		return f, false
	}
	if !hasFnrRun(s) {
		return f, false
	}
	// A masked error or Stringer becomes a plain string field. For an error
	// that loses zap's "errorVerbose" key, which is the point: a verbose
	// form would repeat the number.
	return zap.String(f.Key, maskString(s)), true
}

// safeString calls fn, reporting false if it panics (a nil pointer behind an
// interface, typically).
func safeString(fn func() string) (s string, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return fn(), true
}

// maskString replaces every maximal run of exactly 11 ASCII digits in s. It
// returns s itself when there is none.
func maskString(s string) string {
	if !hasFnrRun(s) {
		return s
	}
	b := []byte(s)
	forEachRun(s, func(start int) bool { copy(b[start:start+11], fnrMask); return true })
	return string(b)
}

func hasFnrRun(s string) bool {
	found := false
	forEachRun(s, func(int) bool { found = true; return false })
	return found
}

// forEachRun calls fn with the start of every maximal run of exactly 11
// digits in s, until fn returns false. It is one pass over s with no
// allocation, which is what lets the mask sit on every log line.
func forEachRun(s string, fn func(start int) bool) {
	run := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] >= '0' && s[i] <= '9' {
			run++
			continue
		}
		if run == 11 && !fn(i-11) {
			return
		}
		run = 0
	}
}
