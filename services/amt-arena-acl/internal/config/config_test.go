package config

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/navikt/kafkapg/pkg/pg"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	t.Parallel()
	c, problems := from(env(map[string]string{EnvTokenEndpoint: "http://texas/api/v1/token"}))
	require.Empty(t, problems)
	require.Equal(t, Topics{
		Gjennomforing: "teamarenanais.aapen-arena-tiltakgjennomforingendret-v1-p",
		Deltaker:      "teamarenanais.aapen-arena-tiltakdeltakerendret-v1-p",
		HistDeltaker:  "teamarenanais.aapen-arena-histtiltakdeltakerendret-v1-p",
		Amt:           "amt.amt-tiltak-v1",
		Enkeltplass:   "amt.arena-enkeltplass-deltaker-v1",
	}, c.Topics)
	require.Equal(t, "amt-arena-acl-consumer-v3", c.ConsumerGroup)
	require.Equal(t, 4, c.Workers)
	require.Equal(t, 500*time.Millisecond, c.Spacing)
	require.Equal(t, 2*time.Minute, c.HandleTimeout)
	require.Equal(t, "8080", c.Port)
	require.NoError(t, c.Validate())
}

func TestOverrides(t *testing.T) {
	t.Parallel()
	c, problems := from(env(map[string]string{
		EnvGjennomforingTopic: "g", EnvDeltakerTopic: "d", EnvHistDeltakerTopic: "h", EnvAmtTopic: "a", EnvEnkeltplassTopic: "e",
		EnvConsumerGroup: "grp", EnvWorkers: "6", EnvSpacing: "0", EnvHandleTimeout: "30s", EnvPort: "9000",
		EnvTokenEndpoint: "http://texas/api/v1/token",
	}))
	require.Empty(t, problems)
	require.Equal(t, []string{"g", "d", "h"}, c.Topics.Arena())
	require.Equal(t, 6, c.Workers)
	require.Zero(t, c.Spacing, "0 turns the spacing off")
	require.Equal(t, 30*time.Second, c.HandleTimeout)
	require.NoError(t, c.Validate())
}

// Every problem is on one line, starting with the variable to fix.
func TestProblemsNameTheirVariable(t *testing.T) {
	t.Parallel()
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{}, "NAIS_TOKEN_ENDPOINT: required"},
		{map[string]string{EnvTokenEndpoint: "texas:8080"}, `NAIS_TOKEN_ENDPOINT: "texas:8080" is not an absolute http(s) URL`},
		{map[string]string{EnvWorkers: "many"}, `CONSUMER_WORKERS: "many" is not an integer`},
		{map[string]string{EnvWorkers: "0"}, "CONSUMER_WORKERS: 0 is less than 1"},
		{map[string]string{EnvWorkers: "10"}, "CONSUMER_WORKERS: 10 leaves no room in the database pool of 10 (DB_MAX_OPEN_CONNS)"},
		{map[string]string{EnvSpacing: "soon"}, `DELTAKER_SPACING: "soon" is not a duration`},
		{map[string]string{EnvSpacing: "-1s"}, "DELTAKER_SPACING: -1s is negative"},
		{map[string]string{EnvHandleTimeout: "0s"}, "HANDLE_TIMEOUT: 0s is not positive"},
		{map[string]string{EnvPort: "http"}, `PORT: "http" is not a port number`},
		{map[string]string{EnvAmtTopic: DefaultDeltakerTopic}, `AMT_TOPIC: "teamarenanais.aapen-arena-tiltakdeltakerendret-v1-p" is also another of the service's topics`},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			t.Parallel()
			cfg, problems := from(env(c.env))
			err := cfg.Validate()
			if err != nil {
				problems = append(problems, err.Error())
			}
			msg := strings.Join(problems, "; ")
			require.Contains(t, msg, c.want)
			require.NotContains(t, msg, "\n")
		})
	}
}

func TestWorkersFitABiggerPool(t *testing.T) {
	t.Parallel()
	c, _ := from(env(map[string]string{EnvWorkers: "10", EnvTokenEndpoint: "http://texas/token"}))
	c.DB = pg.Config{MaxOpenConns: 20}
	require.NoError(t, c.Validate())
}

// FromEnv reports the problems of every package in one line.
func TestFromEnvReportsEveryProblemOnOneLine(t *testing.T) {
	for _, k := range []string{"DB_URL", "DB_HOST", "DB_PORT", "DB_DATABASE", "DB_USERNAME", "DB_PASSWORD", "NAIS_CLUSTER_NAME",
		"AMT_ARENA_ORDS_PROXY_URL", "MULIGHETSROMMET_API_URL", "AMTTILTAK_URL"} {
		t.Setenv(k, "")
	}
	t.Setenv("KAFKA_BROKERS", "")
	t.Setenv(EnvWorkers, "x")
	_, err := FromEnv()
	require.Error(t, err)
	msg := err.Error()
	require.NotContains(t, msg, "\n")
	for _, v := range []string{"CONSUMER_WORKERS", "KAFKA_BROKERS", "DB_", "AMT_ARENA_ORDS_PROXY_URL"} {
		require.Contains(t, msg, v)
	}
}

func TestLoggedConfigMasksTheDatabasePassword(t *testing.T) {
	t.Parallel()
	c, _ := from(env(map[string]string{EnvTokenEndpoint: "http://texas/token"}))
	c.DB = pg.Config{Host: "db", Database: "acl", Username: "acl", Password: "hemmelig-passord"}
	core, logs := observer.New(zapcore.InfoLevel)
	zap.New(core).Info("config", zap.Object("config", c))
	require.Equal(t, 1, logs.Len())
	line := logs.All()[0].ContextMap()
	require.NotContains(t, line["config"].(map[string]any)["db"], "hemmelig-passord")
	require.Equal(t, "amt.amt-tiltak-v1", line["config"].(map[string]any)["topic_amt"])
}

func TestOneRoundTripAddsBinaryParametersToTheURL(t *testing.T) {
	t.Parallel()
	c := OneRoundTrip(pg.Config{URL: "postgres://u:p@db:5432/acl?sslmode=verify-ca"})
	require.Equal(t, "postgres://u:p@db:5432/acl?sslmode=verify-ca&binary_parameters=yes", c.URL)
	require.Equal(t, c, OneRoundTrip(c), "once")
	off := pg.Config{URL: "postgres://db/acl?binary_parameters=no"}
	require.Equal(t, off, OneRoundTrip(off), "the URL decides")
	host := pg.Config{Host: "db", Database: "acl"}
	require.Equal(t, host, OneRoundTrip(host))
}
