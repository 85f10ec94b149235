package nais

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAddrFrom(t *testing.T) {
	t.Parallel()
	tests := []struct {
		port, want string
	}{
		{"", ":8080"},
		{"9090", ":9090"},
	}
	for _, tt := range tests {
		got := addrFrom(func(k string) string {
			if k == "PORT" {
				return tt.port
			}
			return ""
		})
		require.Equal(t, tt.want, got)
	}
}

func TestEndpointFromEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, value, want, wantErr string
	}{
		{"unset", "", "", "NAIS_TOKEN_ENDPOINT is not set"},
		{"not a URL", "texas:7164/api", "", `NAIS_TOKEN_ENDPOINT: "texas:7164/api" is not an http(s) URL`},
		{"no host", "http:///api/v1/token", "", `NAIS_TOKEN_ENDPOINT: "http:///api/v1/token" is not an http(s) URL`},
		{"fine", "http://127.0.0.1:7164/api/v1/token", "http://127.0.0.1:7164/api/v1/token", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := endpointFromEnv(func(string) string { return tt.value }, "NAIS_TOKEN_ENDPOINT")
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestAllowAnonymousRefusedOnNAIS(t *testing.T) {
	t.Parallel()
	getenv := func(k string) string {
		if k == "NAIS_CLUSTER_NAME" {
			return "prod-gcp"
		}
		return ""
	}
	require.PanicsWithValue(t, `nais: AllowAnonymous is for local stacks, and this is NAIS cluster "prod-gcp"`, func() {
		requireToken(nil, nil, authConfig{getenv: getenv}, []AuthOption{AllowAnonymous()})
	})
}
