package config

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func setenv(t *testing.T, kv map[string]string) {
	for k, v := range kv {
		t.Setenv(k, v)
	}
}

var minimal = map[string]string{
	"KAFKA_BROKERS": "127.0.0.1:9092",
	"DB_URL":        "postgres://backup:hemmelig@db:5432/backup?sslmode=disable",
}

// As the original: the topic names come from the three environment variables
// NAIS sets, defaulting to the production names; the version defaults to
// CurrentVersion and names the group.
func TestDefaults(t *testing.T) {
	setenv(t, minimal)
	c, err := FromEnv()
	require.NoError(t, err)
	require.Equal(t, Topics{
		Hendelse:    "paw.arbeidssoker-bekreftelse-hendelseslogg-v2",
		Bekreftelse: "paw.arbeidssoker-bekreftelse-v1",
		PaaVegneAv:  "paw.arbeidssoker-bekreftelse-paavegneav-v2",
	}, c.Topics)
	require.EqualValues(t, CurrentVersion, c.Version)
	require.Equal(t, "arbeidssoekerregisteret-bekreftelse-backup-1", c.GroupID())
	require.False(t, c.Strict)
	require.Equal(t, "8080", c.Port)
	require.Equal(t, DefaultMaxBatch, c.MaxBatch)
	require.Equal(t, []string{"127.0.0.1:9092"}, c.Kafka.Brokers)
	require.NoError(t, c.Validate())
	require.ErrorContains(t, c.ValidateServe(), "NAIS_TOKEN_INTROSPECTION_ENDPOINT")
}

func TestEverySettingIsRead(t *testing.T) {
	setenv(t, minimal)
	setenv(t, map[string]string{
		EnvHendelseTopic: "h", EnvBekreftelseTopic: "b", EnvPaaVegneAvTopic: "p",
		EnvVersion: "3", EnvStrict: "true", EnvMaxBatch: "10", EnvMaxWait: "1s",
		EnvRetryBackoff: "2s", EnvMaxRetryBackoff: "3s", EnvSessionTimeout: "4s", EnvRebalanceTimeout: "5s",
		EnvFetchBytes: "2048", EnvPort: "9000", EnvIntrospection: "http://texas/introspect",
	})
	c, err := FromEnv()
	require.NoError(t, err)
	require.Equal(t, Topics{"h", "b", "p"}, c.Topics)
	require.EqualValues(t, 3, c.Version)
	require.Equal(t, "arbeidssoekerregisteret-bekreftelse-backup-3", c.GroupID())
	require.True(t, c.Strict)
	require.Equal(t, 10, c.MaxBatch)
	require.Equal(t, time.Second, c.MaxWait)
	require.Equal(t, 2*time.Second, c.RetryBackoff)
	require.Equal(t, 3*time.Second, c.MaxRetryBackoff)
	require.Equal(t, 4*time.Second, c.SessionTimeout)
	require.Equal(t, 5*time.Second, c.RebalanceTimeout)
	require.EqualValues(t, 2048, c.FetchBytes)
	require.Equal(t, "9000", c.Port)
	require.NoError(t, c.ValidateServe())
}

// A bad value is reported on one line that starts with the variable.
func TestBadValuesNameTheVariable(t *testing.T) {
	cases := map[string]map[string]string{
		EnvVersion:          {EnvVersion: "0"},
		EnvStrict:           {EnvStrict: "kanskje"},
		EnvMaxBatch:         {EnvMaxBatch: "-1"},
		EnvMaxWait:          {EnvMaxWait: "soon"},
		EnvMaxRetryBackoff:  {EnvRetryBackoff: "5s", EnvMaxRetryBackoff: "1s"},
		EnvRebalanceTimeout: {EnvSessionTimeout: "20s", EnvRebalanceTimeout: "10s"},
		EnvPort:             {EnvPort: "http"},
		EnvFetchBytes:       {EnvFetchBytes: "1"},
		EnvPaaVegneAvTopic:  {EnvPaaVegneAvTopic: DefaultBekreftelseTopic},
		EnvBekreftelseTopic: {EnvBekreftelseTopic: "has space"},
		"KAFKA_BROKERS":     {"KAFKA_BROKERS": "nohost"},
		"DB_URL":            {"DB_URL": "mysql://x"},
	}
	for want, env := range cases {
		t.Run(want, func(t *testing.T) {
			setenv(t, minimal)
			setenv(t, env)
			_, err := FromEnv()
			require.Error(t, err)
			require.NotContains(t, err.Error(), "\n")
			require.True(t, strings.HasPrefix(err.Error(), want+":") || strings.Contains(err.Error(), "; "+want+":"), err.Error())
		})
	}
}

func TestAuthCanOnlyBeTurnedOffOutsideNAIS(t *testing.T) {
	setenv(t, minimal)
	t.Setenv(EnvAuthDisabledLocal, "true")
	c, err := FromEnv()
	require.NoError(t, err)
	require.NoError(t, c.ValidateServe())
	t.Setenv(EnvNaisCluster, "prod-gcp")
	c, err = FromEnv()
	require.NoError(t, err)
	require.ErrorContains(t, c.ValidateServe(), EnvAuthDisabledLocal+": authentication can only be turned off outside NAIS")
}

// The start-up line shows the effective configuration without secrets.
func TestStringMasksSecrets(t *testing.T) {
	setenv(t, minimal)
	t.Setenv(EnvIntrospection, "http://texas/introspect?secret=1")
	c, err := FromEnv()
	require.NoError(t, err)
	s := c.String()
	require.NotContains(t, s, "hemmelig")
	require.NotContains(t, s, "secret=1")
	require.Contains(t, s, "group=arbeidssoekerregisteret-bekreftelse-backup-1")
	require.Contains(t, s, "brokers=127.0.0.1:9092")
}

func TestMigrateNeedsNoKafka(t *testing.T) {
	t.Setenv("DB_URL", minimal["DB_URL"])
	t.Setenv("KAFKA_BROKERS", "")
	_, err := FromEnvWithoutKafka()
	require.NoError(t, err)
	_, err = FromEnv()
	require.ErrorContains(t, err, "KAFKA_BROKERS: required")
}
