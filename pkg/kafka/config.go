package kafka

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/IBM/sarama"
	"go.uber.org/zap/zapcore"
)

// The environment variables ConfigFromEnv reads. NAIS sets the KAFKA_ ones
// for an application with spec.kafka.pool.
const (
	EnvBrokers         = "KAFKA_BROKERS"
	EnvCAPath          = "KAFKA_CA_PATH"
	EnvCertificatePath = "KAFKA_CERTIFICATE_PATH"
	EnvPrivateKeyPath  = "KAFKA_PRIVATE_KEY_PATH"
	EnvAppName         = "NAIS_APP_NAME"
)

// DefaultVersion is the Kafka protocol version clients are pinned to when
// Config.Version is zero.
//
// 3.6 is a conservative floor for the Aiven clusters behind NAIS, and new
// enough that sarama uses current request versions for everything it does
// (Produce v9, Fetch v12, OffsetFetch v8). The pin is a ceiling, not a
// requirement: sarama negotiates each request down to what the broker
// advertises through ApiVersions, which the tests check against a broker
// that claims to be 2.8. Set Config.Version to the production broker's
// version to be exact. Treat DefaultVersion as a constant.
var DefaultVersion = sarama.V3_6_0_0

// defaultClientIDFallback names the client when NAIS_APP_NAME is unset and
// the program name is unusable.
const defaultClientIDFallback = "kafkapg"

// Config says where the brokers are and how to authenticate to them.
type Config struct {
	// Brokers are the bootstrap brokers, host:port.
	Brokers []string

	// CAPath, CertificatePath and PrivateKeyPath are PEM files: the CA that
	// signed the brokers' certificates, and the client certificate and key
	// presented to them. All three or none: with none, the connection is
	// plaintext, which only a local broker accepts.
	CAPath, CertificatePath, PrivateKeyPath string

	// ClientID is sent with every request and shows up in broker logs and
	// quotas. Empty means the program name.
	ClientID string

	// Version is the protocol version clients are pinned to. The zero value
	// means DefaultVersion.
	Version sarama.KafkaVersion
}

// ConfigFromEnv reads the configuration NAIS injects (KAFKA_BROKERS,
// KAFKA_CA_PATH, KAFKA_CERTIFICATE_PATH, KAFKA_PRIVATE_KEY_PATH) and names
// the client after NAIS_APP_NAME, or the program when that is unset. The
// result is validated; see Config.Validate.
func ConfigFromEnv() (Config, error) {
	return configFromEnv(os.Getenv)
}

func configFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		Brokers:         splitList(getenv(EnvBrokers)),
		CAPath:          strings.TrimSpace(getenv(EnvCAPath)),
		CertificatePath: strings.TrimSpace(getenv(EnvCertificatePath)),
		PrivateKeyPath:  strings.TrimSpace(getenv(EnvPrivateKeyPath)),
		ClientID:        strings.TrimSpace(getenv(EnvAppName)),
	}
	if c.ClientID == "" {
		c.ClientID = programName()
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// splitList splits a comma-separated list, trimming blanks and dropping
// empty entries (a trailing comma is harmless).
func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// programName is the base name of the running binary, reduced to the
// characters every Kafka version accepts in a client id.
func programName() string {
	if len(os.Args) == 0 {
		return defaultClientIDFallback
	}
	name := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			return r
		}
		return -1
	}, filepath.Base(os.Args[0]))
	if name == "" || name == "." {
		return defaultClientIDFallback
	}
	return name
}

// TLSEnabled reports whether the config asks for mTLS, that is whether any of
// the three certificate paths is set.
func (c Config) TLSEnabled() bool {
	return c.CAPath != "" || c.CertificatePath != "" || c.PrivateKeyPath != ""
}

func (c Config) version() sarama.KafkaVersion {
	if c.Version == (sarama.KafkaVersion{}) {
		return DefaultVersion
	}
	return c.Version
}

func (c Config) clientID() string {
	if c.ClientID == "" {
		return programName()
	}
	return c.ClientID
}

// Validate checks the config, including that the certificate files exist and
// hold a usable CA, certificate and matching key. The error is one line; each
// problem in it starts with the environment variable that feeds the field,
// for example "KAFKA_CERTIFICATE_PATH: required when KAFKA_CA_PATH is set".
// Several problems are separated by "; ".
func (c Config) Validate() error {
	problems := c.shallowProblems()
	if len(problems) == 0 && c.TLSEnabled() {
		if _, err := c.TLSConfig(); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return errors.New(strings.Join(problems, "; "))
}

// shallowProblems checks everything but the contents of the PEM files.
func (c Config) shallowProblems() []string {
	var problems []string
	add := func(env, format string, args ...any) {
		problems = append(problems, env+": "+fmt.Sprintf(format, args...))
	}

	if len(c.Brokers) == 0 {
		add(EnvBrokers, "required (comma-separated host:port list)")
	}
	for _, b := range c.Brokers {
		if err := checkHostPort(b); err != nil {
			add(EnvBrokers, "%q: %v", b, err)
		}
	}

	if !c.TLSEnabled() {
		return problems
	}
	paths := []struct{ env, path string }{
		{EnvCAPath, c.CAPath},
		{EnvCertificatePath, c.CertificatePath},
		{EnvPrivateKeyPath, c.PrivateKeyPath},
	}
	var firstSet string
	for _, p := range paths {
		if p.path != "" {
			firstSet = p.env
			break
		}
	}
	for _, p := range paths {
		if p.path == "" {
			add(p.env, "required when %s is set", firstSet)
			continue
		}
		if err := checkFile(p.path); err != nil {
			add(p.env, "%v", err)
		}
	}
	return problems
}

func checkHostPort(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		var ae *net.AddrError
		if errors.As(err, &ae) {
			return errors.New(ae.Err)
		}
		return err
	}
	if host == "" {
		return errors.New("missing host")
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("invalid port %q", port)
	}
	return nil
}

func checkFile(path string) error {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s: no such file", path)
	case err != nil:
		return err // *PathError, names the path
	case st.IsDir():
		return fmt.Errorf("%s: is a directory", path)
	}
	return nil
}

// TLSConfig loads the CA and the client certificate into a TLS config for
// the brokers: TLS 1.2 or newer, server certificates verified against the CA
// pool, hostname verification on. ServerName is left empty on purpose: sarama
// sets it per connection from the broker address. It returns nil and no error
// when the config is plaintext.
func (c Config) TLSConfig() (*tls.Config, error) {
	if !c.TLSEnabled() {
		return nil, nil
	}
	if problems := c.shallowProblems(); len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "; "))
	}

	caPEM, err := os.ReadFile(c.CAPath)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvCAPath, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("%s: %s: no PEM certificate found", EnvCAPath, c.CAPath)
	}

	certPEM, err := os.ReadFile(c.CertificatePath)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvCertificatePath, err)
	}
	if !hasPEMBlock(certPEM, func(typ string) bool { return typ == "CERTIFICATE" }) {
		return nil, fmt.Errorf("%s: %s: no PEM certificate found", EnvCertificatePath, c.CertificatePath)
	}
	keyPEM, err := os.ReadFile(c.PrivateKeyPath)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvPrivateKeyPath, err)
	}
	if !hasPEMBlock(keyPEM, func(typ string) bool { return strings.HasSuffix(typ, "PRIVATE KEY") }) {
		return nil, fmt.Errorf("%s: %s: no PEM private key found", EnvPrivateKeyPath, c.PrivateKeyPath)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("%s: %s does not fit %s: %v", EnvPrivateKeyPath, c.PrivateKeyPath, EnvCertificatePath, err)
	}

	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		RootCAs:      pool,
		Certificates: []tls.Certificate{cert},
	}, nil
}

func hasPEMBlock(data []byte, want func(typ string) bool) bool {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return false
		}
		if want(b.Type) {
			return true
		}
	}
}

// Timeouts and backoffs shared by every client built from a Config.
const (
	dialTimeout           = 10 * time.Second
	readWriteTimeout      = 30 * time.Second
	metadataRetryMax      = 6
	metadataBackoffMin    = 100 * time.Millisecond
	metadataBackoffMax    = 5 * time.Second
	metadataRefresh       = 2 * time.Minute
	producerRetryMax      = 10
	producerBackoffMin    = 100 * time.Millisecond
	producerBackoffMax    = 2 * time.Second
	consumerRetryBackoff  = 500 * time.Millisecond
	rebalanceRetryBackoff = time.Second
)

// Sarama returns the base sarama configuration every client in this package
// starts from; see the package documentation for what it guarantees. The
// consumer and producer sections hold this package's defaults (oldest offset
// for new groups, acks=all, murmur2 partitioner, a retry budget that outlasts
// a broker restart); NewProducer and NewGroup add what their client needs on
// top.
//
// Metadata.Full is off. A sarama.ClusterAdmin built from this config must
// turn it back on: the admin client finds the controller with a metadata
// refresh that, with no topic known yet, fails with
// sarama.ErrNoTopicsToUpdateMetadata.
func (c Config) Sarama() (*sarama.Config, error) {
	if problems := c.shallowProblems(); len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "; "))
	}
	tlsCfg, err := c.TLSConfig()
	if err != nil {
		return nil, err
	}

	sc := sarama.NewConfig()
	sc.ClientID = c.clientID()
	sc.Version = c.version()
	sc.MetricRegistry = nilRegistry{}

	sc.Net.DialTimeout = dialTimeout
	sc.Net.ReadTimeout = readWriteTimeout
	sc.Net.WriteTimeout = readWriteTimeout
	if tlsCfg != nil {
		sc.Net.TLS.Enable = true
		sc.Net.TLS.Config = tlsCfg
	}

	sc.Metadata.Full = false
	sc.Metadata.RefreshFrequency = metadataRefresh
	sc.Metadata.Retry.Max = metadataRetryMax
	sc.Metadata.Retry.BackoffFunc = exponentialBackoff(metadataBackoffMin, metadataBackoffMax)

	sc.Producer.RequiredAcks = sarama.WaitForAll
	sc.Producer.Partitioner = sarama.NewMurmur2Partitioner
	sc.Producer.Retry.Max = producerRetryMax
	sc.Producer.Retry.BackoffFunc = exponentialBackoff(producerBackoffMin, producerBackoffMax)
	sc.Producer.Return.Errors = true

	sc.Consumer.Return.Errors = true
	sc.Consumer.Offsets.Initial = sarama.OffsetOldest
	sc.Consumer.Retry.Backoff = consumerRetryBackoff
	sc.Consumer.Group.Rebalance.Retry.Backoff = rebalanceRetryBackoff

	if err := sc.Validate(); err != nil {
		return nil, fmt.Errorf("kafka: sarama config: %w", err)
	}
	return sc, nil
}

// exponentialBackoff doubles from lo for every retry, capped at hi.
func exponentialBackoff(lo, hi time.Duration) func(retries, maxRetries int) time.Duration {
	return func(retries, _ int) time.Duration {
		d := lo
		for i := 0; i < retries && d < hi; i++ {
			d *= 2
		}
		return min(d, hi)
	}
}

// String describes the effective config for a log line. It holds file paths,
// never certificate or key material.
func (c Config) String() string {
	return fmt.Sprintf("brokers=%s security=%s client_id=%s version=%s",
		strings.Join(c.Brokers, ","), c.security(), c.clientID(), c.version())
}

func (c Config) security() string {
	if !c.TLSEnabled() {
		return "plaintext"
	}
	return fmt.Sprintf("mtls(ca=%s cert=%s key=%s)", c.CAPath, c.CertificatePath, c.PrivateKeyPath)
}

// MarshalLogObject lets zap log the config as structured fields:
// zap.Object("kafka", cfg).
func (c Config) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("brokers", strings.Join(c.Brokers, ","))
	enc.AddString("security", c.security())
	enc.AddString("client_id", c.clientID())
	enc.AddString("version", c.version().String())
	return nil
}
