package logging

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap/zapcore"
)

func TestConfigFromEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		want    Config
		wantErr string
	}{
		{
			name: "defaults locally",
			want: Config{Level: zapcore.InfoLevel, Format: FormatConsole},
		},
		{
			name: "defaults on NAIS",
			env:  map[string]string{"NAIS_CLUSTER_NAME": "prod-gcp", "NAIS_APP_NAME": "my-app"},
			want: Config{Level: zapcore.InfoLevel, Format: FormatJSON, Name: "my-app"},
		},
		{
			name: "explicit values win, in any case",
			env:  map[string]string{"NAIS_CLUSTER_NAME": "dev-gcp", "LOG_LEVEL": "DEBUG", "LOG_FORMAT": "Console"},
			want: Config{Level: zapcore.DebugLevel, Format: FormatConsole},
		},
		{
			name: "warn and error",
			env:  map[string]string{"LOG_LEVEL": "warn", "LOG_FORMAT": "json"},
			want: Config{Level: zapcore.WarnLevel, Format: FormatJSON},
		},
		{
			name:    "unknown level",
			env:     map[string]string{"LOG_LEVEL": "verbose"},
			wantErr: `LOG_LEVEL: unknown level "verbose" (want debug, info, warn or error)`,
		},
		{
			name:    "levels that would hide errors are refused",
			env:     map[string]string{"LOG_LEVEL": "fatal"},
			wantErr: `LOG_LEVEL: unknown level "fatal" (want debug, info, warn or error)`,
		},
		{
			name:    "unknown format",
			env:     map[string]string{"LOG_FORMAT": "logfmt"},
			wantErr: `LOG_FORMAT: unknown format "logfmt" (want json or console)`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := configFrom(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				require.NotContains(t, err.Error(), "\n")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}
