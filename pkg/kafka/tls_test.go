package kafka_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/navikt/kafkapg/pkg/kafka"
	"github.com/navikt/kafkapg/pkg/kafka/kafkatest"
)

// pki is a throwaway certificate authority.
type pki struct {
	caCert *x509.Certificate
	caKey  *ecdsa.PrivateKey
	caPEM  []byte
	serial int64
}

func newPKI(t testing.TB) *pki {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "kafkatest CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return &pki{
		caCert: cert,
		caKey:  key,
		caPEM:  pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		serial: 1,
	}
}

// issue signs a leaf certificate for the given DNS names and IPs.
func (p *pki) issue(t testing.TB, cn string, usage x509.ExtKeyUsage, dns []string, ips []net.IP) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	p.serial++
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(p.serial),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
		DNSNames:     dns,
		IPAddresses:  ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.caCert, &key.PublicKey, p.caKey)
	require.NoError(t, err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key) // PKCS#8 "PRIVATE KEY", as NAIS/Aiven delivers it
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
}

type pemFiles struct{ ca, cert, key string }

// clientFiles writes a CA, client certificate and key to a temp dir, the way
// NAIS mounts them.
func (p *pki) clientFiles(t testing.TB) pemFiles {
	t.Helper()
	certPEM, keyPEM := p.issue(t, "kafkatest-client", x509.ExtKeyUsageClientAuth, nil, nil)
	dir := t.TempDir()
	f := pemFiles{
		ca:   filepath.Join(dir, "ca.pem"),
		cert: filepath.Join(dir, "kafka.crt"),
		key:  filepath.Join(dir, "kafka.key"),
	}
	require.NoError(t, os.WriteFile(f.ca, p.caPEM, 0o600))
	require.NoError(t, os.WriteFile(f.cert, certPEM, 0o600))
	require.NoError(t, os.WriteFile(f.key, keyPEM, 0o600))
	return f
}

// tlsCluster starts kfake behind TLS with a server certificate for the given
// names, requiring a client certificate signed by the same CA.
func (p *pki) tlsCluster(t testing.TB, dns []string, ips []net.IP, opts ...kfake.Opt) *kafkatest.Cluster {
	t.Helper()
	certPEM, keyPEM := p.issue(t, "kafkatest-broker", x509.ExtKeyUsageServerAuth, dns, ips)
	serverCert, err := tls.X509KeyPair(certPEM, keyPEM)
	require.NoError(t, err)
	clientCAs := x509.NewCertPool()
	clientCAs.AddCert(p.caCert)
	return kafkatest.New(t, append(opts, kfake.TLS(&tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{serverCert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    clientCAs,
	}))...)
}

func TestTLSProducerConnectsAndSends(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	c := p.tlsCluster(t, []string{"localhost"}, []net.IP{net.ParseIP("127.0.0.1")}, kfake.SeedTopics(1, "secure"))
	files := p.clientFiles(t)
	_, port, err := net.SplitHostPort(c.Addrs()[0])
	require.NoError(t, err)

	for _, host := range []string{"127.0.0.1", "localhost"} { // an IP SAN and a DNS SAN
		t.Run(host, func(t *testing.T) {
			cfg, err := kafka.ConfigFromGetenv(getenv(map[string]string{
				"KAFKA_BROKERS":          net.JoinHostPort(host, port),
				"KAFKA_CA_PATH":          files.ca,
				"KAFKA_CERTIFICATE_PATH": files.cert,
				"KAFKA_PRIVATE_KEY_PATH": files.key,
				"NAIS_APP_NAME":          "tls-test",
			}))
			require.NoError(t, err)
			prod, err := kafka.NewProducer(cfg)
			require.NoError(t, err)
			t.Cleanup(func() { _ = prod.Close() })
			msg := &sarama.ProducerMessage{Topic: "secure", Key: sarama.StringEncoder("k"), Value: sarama.StringEncoder("over mTLS")}
			require.NoError(t, prod.Send(t.Context(), msg))
			assert.Equal(t, int32(0), msg.Partition)
		})
	}
	assert.Equal(t, int64(2), c.Fake().PartitionInfo("secure", 0).HighWatermark)
}

func TestTLSHostnameVerification(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	// A certificate from the trusted CA, but for another name than the ones
	// the client dials.
	c := p.tlsCluster(t, []string{"kafka.other.example"}, nil)
	files := p.clientFiles(t)
	_, port, err := net.SplitHostPort(c.Addrs()[0])
	require.NoError(t, err)

	for host, want := range map[string]string{
		"localhost": "x509: certificate is valid for kafka.other.example, not localhost",
		"127.0.0.1": "x509: cannot validate certificate for 127.0.0.1 because it doesn't contain any IP SANs",
	} {
		t.Run(host, func(t *testing.T) {
			t.Parallel()
			cfg := kafka.Config{
				Brokers: []string{net.JoinHostPort(host, port)},
				CAPath:  files.ca, CertificatePath: files.cert, PrivateKeyPath: files.key,
			}
			_, err := kafka.NewProducer(cfg, kafka.WithProducerConfig(func(sc *sarama.Config) {
				sc.Metadata.Retry.Max = 0
				sc.Producer.Transaction.Retry.Max = 0 // InitProducerID is the first request
			}))
			require.Error(t, err)
			assert.Contains(t, err.Error(), want)
		})
	}
}

func TestTLSUntrustedBroker(t *testing.T) {
	t.Parallel()
	c := newPKI(t).tlsCluster(t, []string{"localhost"}, []net.IP{net.ParseIP("127.0.0.1")})
	files := newPKI(t).clientFiles(t) // another CA: the broker is not trusted
	cfg := kafka.Config{Brokers: c.Addrs(), CAPath: files.ca, CertificatePath: files.cert, PrivateKeyPath: files.key}

	_, err := kafka.NewProducer(cfg, kafka.WithProducerConfig(func(sc *sarama.Config) {
		sc.Metadata.Retry.Max = 0
		sc.Producer.Transaction.Retry.Max = 0
	}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "certificate signed by unknown authority")
}

// A group against a broker whose certificate does not verify gives up
// instead of retrying forever: only new credentials can fix it.
func TestTLSVerificationFailureIsFatalForGroup(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	c := p.tlsCluster(t, []string{"kafka.other.example"}, nil, kfake.SeedTopics(1, "secure"))
	files := p.clientFiles(t)
	cfg := kafka.Config{Brokers: c.Addrs(), CAPath: files.ca, CertificatePath: files.cert, PrivateKeyPath: files.key}

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	err := kafka.RunGroup(ctx, cfg, "g", []string{"secure"}, nopHandler{},
		kafka.WithGroupConfig(func(sc *sarama.Config) { sc.Metadata.Retry.Max = 0 }))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "x509: cannot validate certificate for 127.0.0.1")
	assert.NoError(t, ctx.Err(), "returned on its own")
}

type nopHandler struct{}

func (nopHandler) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (nopHandler) Cleanup(sarama.ConsumerGroupSession) error { return nil }
func (nopHandler) ConsumeClaim(sarama.ConsumerGroupSession, sarama.ConsumerGroupClaim) error {
	return nil
}
