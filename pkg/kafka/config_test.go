package kafka_test

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"testing"

	"github.com/IBM/sarama"
	"github.com/rcrowley/go-metrics"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/kafka"
)

func getenv(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

func TestConfigFromEnvPlaintext(t *testing.T) {
	t.Parallel()
	c, err := kafka.ConfigFromGetenv(getenv(map[string]string{
		"KAFKA_BROKERS": " b1:9092, b2:9093 ,",
		"NAIS_APP_NAME": "amt-arena-acl",
	}))
	require.NoError(t, err)
	assert.Equal(t, []string{"b1:9092", "b2:9093"}, c.Brokers)
	assert.Equal(t, "amt-arena-acl", c.ClientID)
	assert.False(t, c.TLSEnabled())
	assert.Equal(t, "brokers=b1:9092,b2:9093 security=plaintext client_id=amt-arena-acl version=3.6.0", c.String())
}

func TestConfigFromEnvClientIDFallback(t *testing.T) {
	t.Parallel()
	c, err := kafka.ConfigFromGetenv(getenv(map[string]string{"KAFKA_BROKERS": "b:1"}))
	require.NoError(t, err)
	assert.NotEmpty(t, c.ClientID)
	assert.Regexp(t, `^[A-Za-z0-9._-]+$`, c.ClientID)
}

func TestConfigFromEnvMTLS(t *testing.T) {
	t.Parallel()
	pki := newPKI(t)
	files := pki.clientFiles(t)
	c, err := kafka.ConfigFromGetenv(getenv(map[string]string{
		"KAFKA_BROKERS":          "broker.example:26484",
		"KAFKA_CA_PATH":          files.ca,
		"KAFKA_CERTIFICATE_PATH": files.cert,
		"KAFKA_PRIVATE_KEY_PATH": files.key,
		"NAIS_APP_NAME":          "app",
	}))
	require.NoError(t, err)
	assert.True(t, c.TLSEnabled())
	s := c.String()
	assert.Contains(t, s, "security=mtls(ca="+files.ca)
	assert.NotContains(t, s, "BEGIN", "String must never print key or certificate material")
}

// TestConfigFromEnvReal runs the os.Getenv path once; t.Setenv rules out
// t.Parallel here.
func TestConfigFromEnvReal(t *testing.T) {
	t.Setenv("KAFKA_BROKERS", "localhost:9092")
	t.Setenv("KAFKA_CA_PATH", "")
	t.Setenv("KAFKA_CERTIFICATE_PATH", "")
	t.Setenv("KAFKA_PRIVATE_KEY_PATH", "")
	t.Setenv("NAIS_APP_NAME", "from-env")
	c, err := kafka.ConfigFromEnv()
	require.NoError(t, err)
	assert.Equal(t, kafka.Config{Brokers: []string{"localhost:9092"}, ClientID: "from-env"}, c)

	t.Setenv("KAFKA_BROKERS", "")
	_, err = kafka.ConfigFromEnv()
	require.EqualError(t, err, "KAFKA_BROKERS: required (comma-separated host:port list)")
}

func TestConfigValidateNamesTheVariable(t *testing.T) {
	t.Parallel()
	pki := newPKI(t)
	files := pki.clientFiles(t)
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.pem")
	require.NoError(t, os.WriteFile(garbage, []byte("not pem at all\n"), 0o600))
	otherKey := newPKI(t).clientFiles(t).key // a key that belongs to another certificate

	tests := []struct {
		name string
		env  map[string]string
		want string // the whole error
	}{
		{
			name: "no brokers",
			env:  map[string]string{},
			want: "KAFKA_BROKERS: required (comma-separated host:port list)",
		},
		{
			name: "broker without port",
			env:  map[string]string{"KAFKA_BROKERS": "b1:9092,b2"},
			want: `KAFKA_BROKERS: "b2": missing port in address`,
		},
		{
			name: "broker with bad port",
			env:  map[string]string{"KAFKA_BROKERS": "b1:http"},
			want: `KAFKA_BROKERS: "b1:http": invalid port "http"`,
		},
		{
			name: "CA without certificate and key",
			env:  map[string]string{"KAFKA_BROKERS": "b:1", "KAFKA_CA_PATH": files.ca},
			want: "KAFKA_CERTIFICATE_PATH: required when KAFKA_CA_PATH is set; KAFKA_PRIVATE_KEY_PATH: required when KAFKA_CA_PATH is set",
		},
		{
			name: "certificate without CA",
			env:  map[string]string{"KAFKA_BROKERS": "b:1", "KAFKA_CERTIFICATE_PATH": files.cert, "KAFKA_PRIVATE_KEY_PATH": files.key},
			want: "KAFKA_CA_PATH: required when KAFKA_CERTIFICATE_PATH is set",
		},
		{
			name: "missing CA file",
			env:  map[string]string{"KAFKA_BROKERS": "b:1", "KAFKA_CA_PATH": "/x", "KAFKA_CERTIFICATE_PATH": files.cert, "KAFKA_PRIVATE_KEY_PATH": files.key},
			want: "KAFKA_CA_PATH: /x: no such file",
		},
		{
			name: "certificate path is a directory",
			env:  map[string]string{"KAFKA_BROKERS": "b:1", "KAFKA_CA_PATH": files.ca, "KAFKA_CERTIFICATE_PATH": dir, "KAFKA_PRIVATE_KEY_PATH": files.key},
			want: "KAFKA_CERTIFICATE_PATH: " + dir + ": is a directory",
		},
		{
			name: "missing key file",
			env:  map[string]string{"KAFKA_BROKERS": "b:1", "KAFKA_CA_PATH": files.ca, "KAFKA_CERTIFICATE_PATH": files.cert, "KAFKA_PRIVATE_KEY_PATH": "/nope/key.pem"},
			want: "KAFKA_PRIVATE_KEY_PATH: /nope/key.pem: no such file",
		},
		{
			name: "CA file is not PEM",
			env:  map[string]string{"KAFKA_BROKERS": "b:1", "KAFKA_CA_PATH": garbage, "KAFKA_CERTIFICATE_PATH": files.cert, "KAFKA_PRIVATE_KEY_PATH": files.key},
			want: "KAFKA_CA_PATH: " + garbage + ": no PEM certificate found",
		},
		{
			name: "certificate file is not PEM",
			env:  map[string]string{"KAFKA_BROKERS": "b:1", "KAFKA_CA_PATH": files.ca, "KAFKA_CERTIFICATE_PATH": garbage, "KAFKA_PRIVATE_KEY_PATH": files.key},
			want: "KAFKA_CERTIFICATE_PATH: " + garbage + ": no PEM certificate found",
		},
		{
			name: "key file holds a certificate",
			env:  map[string]string{"KAFKA_BROKERS": "b:1", "KAFKA_CA_PATH": files.ca, "KAFKA_CERTIFICATE_PATH": files.cert, "KAFKA_PRIVATE_KEY_PATH": files.cert},
			want: "KAFKA_PRIVATE_KEY_PATH: " + files.cert + ": no PEM private key found",
		},
		{
			name: "key does not match certificate",
			env:  map[string]string{"KAFKA_BROKERS": "b:1", "KAFKA_CA_PATH": files.ca, "KAFKA_CERTIFICATE_PATH": files.cert, "KAFKA_PRIVATE_KEY_PATH": otherKey},
			want: "KAFKA_PRIVATE_KEY_PATH: " + otherKey + " does not fit KAFKA_CERTIFICATE_PATH: tls: private key does not match public key",
		},
		{
			name: "several problems on one line",
			env:  map[string]string{"KAFKA_BROKERS": "nope", "KAFKA_PRIVATE_KEY_PATH": files.key},
			want: `KAFKA_BROKERS: "nope": missing port in address; KAFKA_CA_PATH: required when KAFKA_PRIVATE_KEY_PATH is set; KAFKA_CERTIFICATE_PATH: required when KAFKA_PRIVATE_KEY_PATH is set`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := kafka.ConfigFromGetenv(getenv(tt.env))
			require.EqualError(t, err, tt.want)
			assert.NotContains(t, err.Error(), "\n")
		})
	}
}

func TestSaramaBaseConfig(t *testing.T) {
	t.Parallel()
	files := newPKI(t).clientFiles(t)
	c := kafka.Config{Brokers: []string{"b:1"}, CAPath: files.ca, CertificatePath: files.cert, PrivateKeyPath: files.key, ClientID: "svc"}
	sc, err := c.Sarama()
	require.NoError(t, err)

	assert.Equal(t, kafka.DefaultVersion, sc.Version)
	assert.Equal(t, sarama.V3_6_0_0, kafka.DefaultVersion)
	assert.Equal(t, "svc", sc.ClientID)

	require.True(t, sc.Net.TLS.Enable)
	tc := sc.Net.TLS.Config
	require.NotNil(t, tc)
	assert.GreaterOrEqual(t, tc.MinVersion, uint16(tls.VersionTLS12))
	assert.False(t, tc.InsecureSkipVerify)
	assert.Empty(t, tc.ServerName, "sarama must derive ServerName from each broker's host")
	assert.NotNil(t, tc.RootCAs)
	assert.Len(t, tc.Certificates, 1)

	assert.False(t, sc.Metadata.Full)
	assert.NotZero(t, sc.Net.DialTimeout)
	assert.NotZero(t, sc.Net.ReadTimeout)
	assert.NotNil(t, sc.Metadata.Retry.BackoffFunc)
	assert.Less(t, sc.Metadata.Retry.BackoffFunc(0, 6), sc.Metadata.Retry.BackoffFunc(3, 6), "metadata backoff grows")
	assert.Equal(t, sarama.OffsetOldest, sc.Consumer.Offsets.Initial)
	assert.Equal(t, sarama.WaitForAll, sc.Producer.RequiredAcks)

	// The metric registry builds no real metrics: a real meter would start
	// go-metrics' ticker goroutine, which is never stopped.
	assert.IsType(t, metrics.NilMeter{}, metrics.GetOrRegisterMeter("m", sc.MetricRegistry))
	assert.IsType(t, metrics.NilCounter{}, metrics.GetOrRegisterCounter("c", sc.MetricRegistry))
	h := sc.MetricRegistry.GetOrRegister("h", func() metrics.Histogram {
		return metrics.NewHistogram(metrics.NewUniformSample(10))
	})
	assert.IsType(t, metrics.NilHistogram{}, h)
}

func TestSaramaVersionOverride(t *testing.T) {
	t.Parallel()
	sc, err := kafka.Config{Brokers: []string{"b:1"}, Version: sarama.V2_8_0_0}.Sarama()
	require.NoError(t, err)
	assert.Equal(t, sarama.V2_8_0_0, sc.Version)
	assert.False(t, sc.Net.TLS.Enable)
}

func TestSaramaRejectsInvalidConfig(t *testing.T) {
	t.Parallel()
	_, err := kafka.Config{}.Sarama()
	require.EqualError(t, err, "KAFKA_BROKERS: required (comma-separated host:port list)")
	_, err = kafka.NewProducer(kafka.Config{Brokers: []string{"b:1"}, CAPath: "/missing"})
	require.EqualError(t, err, "KAFKA_CA_PATH: /missing: no such file; "+
		"KAFKA_CERTIFICATE_PATH: required when KAFKA_CA_PATH is set; "+
		"KAFKA_PRIVATE_KEY_PATH: required when KAFKA_CA_PATH is set")
}
