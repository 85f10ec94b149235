// Package config reads the service's configuration from the environment.
//
// Invariants: every setting has a default that is right for NAIS except the
// ones NAIS injects (KAFKA_*, DB_*, NAIS_TOKEN_INTROSPECTION_ENDPOINT);
// Validate reports every problem on one line, each starting with the
// variable to fix; String never shows a secret.
package config

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/navikt/kafkapg/pkg/kafka"
	"github.com/navikt/kafkapg/pkg/pg"
)

// CurrentVersion is the backup version this build writes. Raising it makes
// the service read every topic again from the start into new rows (see the
// README); BACKUP_VERSION overrides it.
const CurrentVersion = 1

// The environment variables this package reads, besides those of pkg/kafka
// (KAFKA_BROKERS, KAFKA_CA_PATH, KAFKA_CERTIFICATE_PATH,
// KAFKA_PRIVATE_KEY_PATH) and pkg/pg (DB_*).
const (
	EnvHendelseTopic     = "KAFKA_PAW_ARBEIDSSOKER_BEKREFTELSE_HENDELSESLOGG_TOPIC"
	EnvBekreftelseTopic  = "KAFKA_PAW_ARBEIDSSOKER_BEKREFTELSE_TOPIC"
	EnvPaaVegneAvTopic   = "KAFKA_PAW_ARBEIDSSOKER_BEKREFTELSE_PAAVEGNEAV_TOPIC"
	EnvVersion           = "BACKUP_VERSION"
	EnvStrict            = "BACKUP_STRICT"
	EnvMaxBatch          = "BACKUP_MAX_BATCH"
	EnvMaxWait           = "BACKUP_MAX_WAIT"
	EnvRetryBackoff      = "BACKUP_RETRY_BACKOFF"
	EnvMaxRetryBackoff   = "BACKUP_MAX_RETRY_BACKOFF"
	EnvSessionTimeout    = "BACKUP_SESSION_TIMEOUT"
	EnvRebalanceTimeout  = "BACKUP_REBALANCE_TIMEOUT"
	EnvFetchBytes        = "BACKUP_FETCH_BYTES"
	EnvPort              = "PORT"
	EnvIntrospection     = "NAIS_TOKEN_INTROSPECTION_ENDPOINT"
	EnvAuthDisabledLocal = "AUTH_DISABLED_LOCAL_ONLY"
	EnvNaisCluster       = "NAIS_CLUSTER_NAME"
)

// The production topic names, the defaults.
const (
	DefaultHendelseTopic    = "paw.arbeidssoker-bekreftelse-hendelseslogg-v2"
	DefaultBekreftelseTopic = "paw.arbeidssoker-bekreftelse-v1"
	DefaultPaaVegneAvTopic  = "paw.arbeidssoker-bekreftelse-paavegneav-v2"
)

// Topics names the three topics that are backed up.
type Topics struct {
	Hendelse    string // JSON hendelser → bekreftelse_hendelser
	Bekreftelse string // Avro bytes → bekreftelser
	PaaVegneAv  string // Avro bytes → bekreftelse_paa_vegne_av
}

// All returns the three names in a fixed order.
func (t Topics) All() []string { return []string{t.Hendelse, t.Bekreftelse, t.PaaVegneAv} }

// Config is everything the service and its commands need.
type Config struct {
	Topics  Topics
	Version int16
	// Strict makes a record that cannot be stored in its table stop the
	// service (exit non-zero) instead of going to backup_quarantine.
	Strict bool

	MaxBatch         int           // records per transaction
	MaxWait          time.Duration // how long a partial batch waits for more
	RetryBackoff     time.Duration // first wait after a failed batch
	MaxRetryBackoff  time.Duration // longest wait between retries
	SessionTimeout   time.Duration // consumer group session; heartbeats at a third of it
	RebalanceTimeout time.Duration // how long a rebalance waits for members to rejoin
	FetchBytes       int32         // bytes fetched per partition per request

	Port string
	// IntrospectionEndpoint validates the support API's bearer tokens.
	IntrospectionEndpoint string
	// AuthDisabled lets every API request through. Local use only: it is
	// refused when NaisCluster is set.
	AuthDisabled bool
	// NaisCluster is NAIS_CLUSTER_NAME, set by the platform on every pod.
	NaisCluster string

	Kafka kafka.Config
	DB    pg.Config
}

// Defaults for the tuning settings.
const (
	DefaultMaxBatch         = 2000
	DefaultMaxWait          = 50 * time.Millisecond
	DefaultRetryBackoff     = 200 * time.Millisecond
	DefaultMaxRetryBackoff  = 10 * time.Second
	DefaultSessionTimeout   = 10 * time.Second
	DefaultRebalanceTimeout = 30 * time.Second
	DefaultFetchBytes       = 256 << 10
	DefaultPort             = "8080"
)

// GroupID is the consumer group of a backup version. It only scopes
// membership: nothing is committed to it, positions live in bekreftelse_hwm.
func GroupID(version int16) string {
	return fmt.Sprintf("arbeidssoekerregisteret-bekreftelse-backup-%d", version)
}

// GroupID is the consumer group of this configuration's version.
func (c Config) GroupID() string { return GroupID(c.Version) }

// FromEnv reads the configuration. The Kafka and database settings are read
// and checked by their packages; every problem found anywhere is reported in
// the one error.
func FromEnv() (Config, error) { return from(os.Getenv, true) }

// FromEnvWithoutKafka is FromEnv for commands that do not talk to Kafka
// (migrate): the KAFKA_ variables are not required.
func FromEnvWithoutKafka() (Config, error) { return from(os.Getenv, false) }

func from(getenv func(string) string, needKafka bool) (Config, error) {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	str := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	integer := func(name string, def, lo, hi int64) int64 {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return def
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < lo || n > hi {
			add("%s: %q is not an integer from %d to %d", name, v, lo, hi)
			return def
		}
		return n
	}
	duration := func(name string, def time.Duration) time.Duration {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return def
		}
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			add("%s: %q is not a positive duration such as 500ms or 10s", name, v)
			return def
		}
		return d
	}
	boolean := func(name string) bool {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return false
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			add("%s: %q is not true or false", name, v)
		}
		return b
	}

	c := Config{
		Topics: Topics{
			Hendelse:    str(EnvHendelseTopic, DefaultHendelseTopic),
			Bekreftelse: str(EnvBekreftelseTopic, DefaultBekreftelseTopic),
			PaaVegneAv:  str(EnvPaaVegneAvTopic, DefaultPaaVegneAvTopic),
		},
		Version:               int16(integer(EnvVersion, CurrentVersion, 1, math.MaxInt16)),
		Strict:                boolean(EnvStrict),
		MaxBatch:              int(integer(EnvMaxBatch, DefaultMaxBatch, 1, 100_000)),
		MaxWait:               duration(EnvMaxWait, DefaultMaxWait),
		RetryBackoff:          duration(EnvRetryBackoff, DefaultRetryBackoff),
		MaxRetryBackoff:       duration(EnvMaxRetryBackoff, DefaultMaxRetryBackoff),
		SessionTimeout:        duration(EnvSessionTimeout, DefaultSessionTimeout),
		RebalanceTimeout:      duration(EnvRebalanceTimeout, DefaultRebalanceTimeout),
		FetchBytes:            int32(integer(EnvFetchBytes, DefaultFetchBytes, 1<<10, 64<<20)),
		Port:                  str(EnvPort, DefaultPort),
		IntrospectionEndpoint: strings.TrimSpace(getenv(EnvIntrospection)),
		AuthDisabled:          boolean(EnvAuthDisabledLocal),
		NaisCluster:           strings.TrimSpace(getenv(EnvNaisCluster)),
	}

	if needKafka {
		kc, err := kafkaFromEnv(getenv)
		if err != nil {
			problems = append(problems, err.Error())
		}
		c.Kafka = kc
	}
	dc, err := pg.ConfigFromEnv()
	if err != nil {
		problems = append(problems, err.Error())
	}
	c.DB = dc

	if err := c.validateOwn(); err != nil {
		problems = append(problems, err.Error())
	}
	if len(problems) > 0 {
		return Config{}, errors.New(strings.Join(problems, "; "))
	}
	return c, nil
}

// kafkaFromEnv reads KAFKA_* through pkg/kafka. That package reads the process
// environment, so getenv only decides whether the variable is there at all,
// which keeps the "required" message in this package's words.
func kafkaFromEnv(getenv func(string) string) (kafka.Config, error) {
	if strings.TrimSpace(getenv(kafka.EnvBrokers)) == "" {
		return kafka.Config{}, fmt.Errorf("%s: required (comma-separated host:port list)", kafka.EnvBrokers)
	}
	return kafka.ConfigFromEnv()
}

// Validate checks the whole configuration, the Kafka and database parts
// included. The error is one line; each problem in it starts with the
// environment variable to fix.
func (c Config) Validate() error {
	var problems []string
	if len(c.Kafka.Brokers) > 0 {
		if err := c.Kafka.Validate(); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if err := c.DB.Validate(); err != nil {
		problems = append(problems, err.Error())
	}
	if err := c.validateOwn(); err != nil {
		problems = append(problems, err.Error())
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// validateOwn checks the settings this package reads itself.
func (c Config) validateOwn() error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if p, err := strconv.Atoi(c.Port); err != nil || p < 1 || p > 65535 {
		add("%s: %q is not a port number", EnvPort, c.Port)
	}
	if c.Version < 1 {
		add("%s: %d is not a version from 1 to %d", EnvVersion, c.Version, math.MaxInt16)
	}
	if c.MaxBatch < 1 {
		add("%s: %d is not a positive number", EnvMaxBatch, c.MaxBatch)
	}
	seen := map[string]string{}
	for _, t := range []struct{ env, name string }{
		{EnvHendelseTopic, c.Topics.Hendelse}, {EnvBekreftelseTopic, c.Topics.Bekreftelse}, {EnvPaaVegneAvTopic, c.Topics.PaaVegneAv},
	} {
		if t.name == "" || len(t.name) > 249 || strings.ContainsAny(t.name, " /\\,") {
			add("%s: %q is not a Kafka topic name", t.env, t.name)
		}
		if other, dup := seen[t.name]; dup {
			add("%s: %q is also the value of %s; the three topics must differ", t.env, t.name, other)
		}
		seen[t.name] = t.env
	}
	if c.MaxRetryBackoff < c.RetryBackoff {
		add("%s: %s is shorter than %s (%s)", EnvMaxRetryBackoff, c.MaxRetryBackoff, EnvRetryBackoff, c.RetryBackoff)
	}
	if c.RebalanceTimeout < c.SessionTimeout {
		add("%s: %s is shorter than %s (%s)", EnvRebalanceTimeout, c.RebalanceTimeout, EnvSessionTimeout, c.SessionTimeout)
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// ValidateServe checks what only the serve command needs: the support API
// must either validate tokens or, outside NAIS, be explicitly open.
func (c Config) ValidateServe() error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	switch {
	case c.AuthDisabled && c.NaisCluster != "":
		add("%s: authentication can only be turned off outside NAIS, and %s is set", EnvAuthDisabledLocal, EnvNaisCluster)
	case !c.AuthDisabled && c.IntrospectionEndpoint == "":
		add("%s: required for the support API (or, on a developer machine only, %s=true)", EnvIntrospection, EnvAuthDisabledLocal)
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// String describes the effective configuration for the start-up log line.
// The database password and any credentials in URLs are masked by pg.Config
// and kafka.Config; file paths are not secrets.
func (c Config) String() string {
	return fmt.Sprintf("topics=[%s %s %s] version=%d group=%s strict=%t max_batch=%d max_wait=%s "+
		"retry_backoff=%s..%s session_timeout=%s rebalance_timeout=%s fetch_bytes=%d port=%s "+
		"introspection=%s auth_disabled=%t kafka={%s} db={%s}",
		c.Topics.Hendelse, c.Topics.Bekreftelse, c.Topics.PaaVegneAv, c.Version, c.GroupID(), c.Strict,
		c.MaxBatch, c.MaxWait, c.RetryBackoff, c.MaxRetryBackoff, c.SessionTimeout, c.RebalanceTimeout,
		c.FetchBytes, c.Port, redactURL(c.IntrospectionEndpoint), c.AuthDisabled, c.Kafka, c.DB)
}

// redactURL drops anything after the host, in case a query carries a secret.
func redactURL(u string) string {
	if i := strings.Index(u, "?"); i >= 0 {
		return u[:i] + "?xxxxx"
	}
	return u
}
