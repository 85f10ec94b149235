package logging

import (
	"fmt"
	"os"
	"strings"

	"go.uber.org/zap/zapcore"
)

// The values Config.Format accepts.
const (
	FormatJSON    = "json"    // one JSON object per line, for NAIS
	FormatConsole = "console" // zap's human-readable format, for a terminal
)

// Config says how New builds a logger. The zero value logs at INFO as JSON
// without a logger name.
type Config struct {
	// Level is the lowest level written. Audit lines are written at INFO
	// whatever Level says (see Audit).
	Level zapcore.Level
	// Format is FormatJSON or FormatConsole; empty means FormatJSON.
	Format string
	// Name is the root logger name, written as logger_name. Empty leaves
	// logger_name out until a child logger is named.
	Name string
}

// ConfigFromEnv reads a Config from the environment:
//
//   - LOG_LEVEL: debug, info, warn or error (any case); default info.
//   - LOG_FORMAT: json or console; default json when NAIS_CLUSTER_NAME is set
//     (that is, on NAIS), console otherwise.
//   - NAIS_APP_NAME, which NAIS sets, becomes the logger name.
//
// A bad value gives a one-line error naming the variable.
func ConfigFromEnv() (Config, error) {
	return configFrom(os.Getenv)
}

// configFrom is ConfigFromEnv with the environment passed in, so tests need
// not change the process environment.
func configFrom(getenv func(string) string) (Config, error) {
	c := Config{Level: zapcore.InfoLevel, Format: FormatConsole, Name: getenv("NAIS_APP_NAME")}
	if getenv("NAIS_CLUSTER_NAME") != "" {
		c.Format = FormatJSON
	}

	if v := strings.TrimSpace(getenv("LOG_LEVEL")); v != "" {
		l, err := parseLevel(v)
		if err != nil {
			return Config{}, fmt.Errorf("LOG_LEVEL: %w", err)
		}
		c.Level = l
	}

	if v := strings.TrimSpace(getenv("LOG_FORMAT")); v != "" {
		f := strings.ToLower(v)
		if f != FormatJSON && f != FormatConsole {
			return Config{}, fmt.Errorf("LOG_FORMAT: unknown format %q (want json or console)", v)
		}
		c.Format = f
	}
	return c, nil
}

// parseLevel accepts only the four levels a service should be run at; zap's
// own parser would also take dpanic, panic and fatal, which would hide
// errors.
func parseLevel(s string) (zapcore.Level, error) {
	switch strings.ToLower(s) {
	case "debug":
		return zapcore.DebugLevel, nil
	case "info":
		return zapcore.InfoLevel, nil
	case "warn":
		return zapcore.WarnLevel, nil
	case "error":
		return zapcore.ErrorLevel, nil
	}
	return 0, fmt.Errorf("unknown level %q (want debug, info, warn or error)", s)
}

func (c Config) validate() error {
	if c.Level < zapcore.DebugLevel || c.Level > zapcore.FatalLevel {
		return fmt.Errorf("logging: invalid level %d", int8(c.Level))
	}
	switch c.Format {
	case "", FormatJSON, FormatConsole:
		return nil
	}
	return fmt.Errorf("logging: unknown format %q (want json or console)", c.Format)
}
