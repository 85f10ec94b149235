package client_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client"
)

func fullEnv() map[string]string {
	return map[string]string{
		"AMT_ARENA_ORDS_PROXY_URL":    "https://ords.example",
		"AMT_ARENA_ORDS_PROXY_SCOPE":  "api://local.amt.amt-arena-ords-proxy/.default",
		"MULIGHETSROMMET_API_URL":     "http://mr.example/",
		"MULIGHETSROMMET_API_SCOPE":   "api://local.team-mulighetsrommet.mulighetsrommet-api/.default",
		"AMTTILTAK_URL":               "http://amt-tiltak",
		"AMTTILTAK_SCOPE":             "api://local.amt.amt-tiltak/.default",
		"AMTTILTAK_TIMEOUT":           "2s",
		"NAIS_APP_NAME":               "amt-arena-acl",
		"UNRELATED_VARIABLE_TO_CHECK": "x",
	}
}

func TestFromEnv(t *testing.T) {
	t.Parallel()

	c, err := client.FromEnv(getenv(fullEnv()))
	require.NoError(t, err)
	require.Equal(t, client.Configs{
		ORDS: client.Config{
			URL: "https://ords.example", Scope: "api://local.amt.amt-arena-ords-proxy/.default",
			Timeout: client.DefaultTimeout, ConsumerID: "amt-arena-acl",
		},
		Mulighetsrommet: client.Config{
			URL: "http://mr.example", Scope: "api://local.team-mulighetsrommet.mulighetsrommet-api/.default",
			Timeout: client.DefaultTimeout, ConsumerID: "amt-arena-acl",
		},
		AmtTiltak: client.Config{
			URL: "http://amt-tiltak", Scope: "api://local.amt.amt-tiltak/.default",
			Timeout: 2 * time.Second, ConsumerID: "amt-arena-acl",
		},
	}, c)
	require.NoError(t, c.Validate())
}

func TestFromEnvClusterDefaults(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		cluster, ordsURL, ordsScope, mrScope, amtTiltakScope string
	}{
		{"dev-gcp", "https://amt-arena-ords-proxy.dev-fss-pub.nais.io", "api://dev-fss.amt.amt-arena-ords-proxy/.default",
			"api://dev-gcp.team-mulighetsrommet.mulighetsrommet-api/.default", "api://dev-gcp.amt.amt-tiltak/.default"},
		{"prod-gcp", "https://amt-arena-ords-proxy.prod-fss-pub.nais.io", "api://prod-fss.amt.amt-arena-ords-proxy/.default",
			"api://prod-gcp.team-mulighetsrommet.mulighetsrommet-api/.default", "api://prod-gcp.amt.amt-tiltak/.default"},
	} {
		t.Run(tc.cluster, func(t *testing.T) {
			t.Parallel()
			c, err := client.FromEnv(getenv(map[string]string{"NAIS_CLUSTER_NAME": tc.cluster}))
			require.NoError(t, err)
			require.Equal(t, tc.ordsURL, c.ORDS.URL)
			require.Equal(t, tc.ordsScope, c.ORDS.Scope)
			require.Equal(t, "http://mulighetsrommet-api.team-mulighetsrommet.svc.cluster.local", c.Mulighetsrommet.URL)
			require.Equal(t, tc.mrScope, c.Mulighetsrommet.Scope)
			require.Equal(t, "http://amt-tiltak", c.AmtTiltak.URL)
			require.Equal(t, tc.amtTiltakScope, c.AmtTiltak.Scope)
			require.Equal(t, client.DefaultConsumerID, c.AmtTiltak.ConsumerID)
		})
	}

	t.Run("environment wins", func(t *testing.T) {
		t.Parallel()
		c, err := client.FromEnv(getenv(map[string]string{"NAIS_CLUSTER_NAME": "dev-gcp", "AMTTILTAK_URL": "http://other"}))
		require.NoError(t, err)
		require.Equal(t, "http://other", c.AmtTiltak.URL)
	})
}

func TestFromEnvErrors(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name   string
		change map[string]string
		want   string
	}{
		{"ords url missing", map[string]string{"AMT_ARENA_ORDS_PROXY_URL": ""}, "AMT_ARENA_ORDS_PROXY_URL is not set"},
		{"ords scope missing", map[string]string{"AMT_ARENA_ORDS_PROXY_SCOPE": ""}, "AMT_ARENA_ORDS_PROXY_SCOPE is not set"},
		{"mr url missing", map[string]string{"MULIGHETSROMMET_API_URL": ""}, "MULIGHETSROMMET_API_URL is not set"},
		{"mr scope missing", map[string]string{"MULIGHETSROMMET_API_SCOPE": ""}, "MULIGHETSROMMET_API_SCOPE is not set"},
		{"amt-tiltak url missing", map[string]string{"AMTTILTAK_URL": ""}, "AMTTILTAK_URL is not set"},
		{"amt-tiltak scope missing", map[string]string{"AMTTILTAK_SCOPE": ""}, "AMTTILTAK_SCOPE is not set"},
		{"not a URL", map[string]string{"AMTTILTAK_URL": "amt-tiltak"}, `AMTTILTAK_URL: "amt-tiltak" is not an absolute http(s) URL`},
		{"wrong scheme", map[string]string{"MULIGHETSROMMET_API_URL": "ftp://mr"}, `MULIGHETSROMMET_API_URL: "ftp://mr" is not an absolute http(s) URL`},
		{"query", map[string]string{"AMTTILTAK_URL": "http://amt-tiltak?x=1"}, `AMTTILTAK_URL: "http://amt-tiltak?x=1" must have no user, query or fragment`},
		{"scope with space", map[string]string{"AMTTILTAK_SCOPE": "api://x /.default"}, `AMTTILTAK_SCOPE: "api://x /.default" contains white space`},
		{"bad timeout", map[string]string{"AMT_ARENA_ORDS_PROXY_TIMEOUT": "15"}, `AMT_ARENA_ORDS_PROXY_TIMEOUT: "15" is not a duration such as 15s`},
		{"zero timeout", map[string]string{"MULIGHETSROMMET_API_TIMEOUT": "0s"}, `MULIGHETSROMMET_API_TIMEOUT: "0s" is not positive`},
		{"unknown cluster has no defaults", map[string]string{"NAIS_CLUSTER_NAME": "dev-fss", "AMTTILTAK_SCOPE": ""}, "AMTTILTAK_SCOPE is not set"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := fullEnv()
			for k, v := range tc.change {
				env[k] = v
			}
			_, err := client.FromEnv(getenv(env))
			require.EqualError(t, err, tc.want)
		})
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()

	good := client.Config{URL: "http://x", Scope: "api://x/.default"}
	for _, tc := range []struct {
		name   string
		change func(*client.Config)
		want   string
	}{
		{"good", func(*client.Config) {}, ""},
		{"no URL", func(c *client.Config) { c.URL = "" }, "URL is not set"},
		{"bad URL", func(c *client.Config) { c.URL = "::" }, `URL: "::" is not an absolute http(s) URL`},
		{"no scope", func(c *client.Config) { c.Scope = "" }, "Scope is not set"},
		{"negative timeout", func(c *client.Config) { c.Timeout = -time.Second }, "Timeout: -1s is negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := good
			tc.change(&c)
			if tc.want == "" {
				require.NoError(t, c.Validate())
				return
			}
			require.EqualError(t, c.Validate(), tc.want)
		})
	}

	require.EqualError(t, client.Configs{ORDS: good, Mulighetsrommet: good}.Validate(), "amt-tiltak: URL is not set")
}

func TestWithDefaults(t *testing.T) {
	t.Parallel()

	c := client.Config{URL: "http://x/", Scope: "s"}.WithDefaults()
	require.Equal(t, client.Config{URL: "http://x", Scope: "s", Timeout: client.DefaultTimeout, ConsumerID: client.DefaultConsumerID}, c)
	c = client.Config{URL: "http://x", Scope: "s", Timeout: time.Second, ConsumerID: "me"}.WithDefaults()
	require.Equal(t, time.Second, c.Timeout)
	require.Equal(t, "me", c.ConsumerID)
}

func getenv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}
