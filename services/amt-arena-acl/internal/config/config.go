// Package config reads the service's configuration from the environment.
//
// Invariants: every setting has a default that is right in production
// except what NAIS injects (KAFKA_*, DB_*, NAIS_TOKEN_ENDPOINT, and the
// peers' URLs and scopes outside dev-gcp and prod-gcp); Validate reports
// every problem on one line, each starting with the variable to fix; the
// config as logged never shows a secret.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap/zapcore"

	"github.com/navikt/kafkapg/pkg/kafka"
	"github.com/navikt/kafkapg/pkg/logging"
	"github.com/navikt/kafkapg/pkg/pg"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/consumer"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/handler"
)

// The environment variables this package reads itself; pkg/kafka, pkg/pg,
// pkg/logging and the client package read theirs (see FromEnv).
const (
	EnvGjennomforingTopic = "ARENA_TILTAKGJENNOMFORING_TOPIC"
	EnvDeltakerTopic      = "ARENA_TILTAK_DELTAKER_TOPIC"
	EnvHistDeltakerTopic  = "ARENA_HIST_TILTAK_DELTAKER_TOPIC"
	EnvAmtTopic           = "AMT_TOPIC"
	EnvEnkeltplassTopic   = "AMT_ENKELTPLASS_TOPIC"
	EnvConsumerGroup      = "KAFKA_CONSUMER_GROUP"
	EnvWorkers            = "CONSUMER_WORKERS"
	EnvSpacing            = "DELTAKER_SPACING"
	EnvHandleTimeout      = "HANDLE_TIMEOUT"
	EnvTokenEndpoint      = "NAIS_TOKEN_ENDPOINT"
	EnvPort               = "PORT"
	EnvAppName            = "NAIS_APP_NAME"
)

// Defaults: the production topics, and the consumer group the original
// used, so that the service continues where it left off.
const (
	DefaultGjennomforingTopic = "teamarenanais.aapen-arena-tiltakgjennomforingendret-v1-p"
	DefaultDeltakerTopic      = "teamarenanais.aapen-arena-tiltakdeltakerendret-v1-p"
	DefaultHistDeltakerTopic  = "teamarenanais.aapen-arena-histtiltakdeltakerendret-v1-p"
	DefaultAmtTopic           = "amt.amt-tiltak-v1"
	DefaultEnkeltplassTopic   = "amt.arena-enkeltplass-deltaker-v1"
	DefaultConsumerGroup      = "amt-arena-acl-consumer-v3"
	DefaultPort               = "8080"
	DefaultAppName            = "amt-arena-acl"
)

// Topics are the topics the service reads and writes.
type Topics struct {
	Gjennomforing string // SIAMO.TILTAKGJENNOMFORING changes
	Deltaker      string // SIAMO.TILTAKDELTAKER changes
	HistDeltaker  string // SIAMO.HIST_TILTAKDELTAKER changes
	Amt           string // AMT deltaker envelopes
	Enkeltplass   string // AMT enkeltplass deltakere, bare
}

// Arena lists the three topics consumed.
func (t Topics) Arena() []string { return []string{t.Gjennomforing, t.Deltaker, t.HistDeltaker} }

// TopicsFromEnv reads the five topic names, with their defaults. Tools that
// produce to or read from the service's topics (the simulator) use it too.
func TopicsFromEnv(getenv func(string) string) Topics {
	str := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	return Topics{
		Gjennomforing: str(EnvGjennomforingTopic, DefaultGjennomforingTopic),
		Deltaker:      str(EnvDeltakerTopic, DefaultDeltakerTopic),
		HistDeltaker:  str(EnvHistDeltakerTopic, DefaultHistDeltakerTopic),
		Amt:           str(EnvAmtTopic, DefaultAmtTopic),
		Enkeltplass:   str(EnvEnkeltplassTopic, DefaultEnkeltplassTopic),
	}
}

// Config is everything serve needs.
type Config struct {
	Topics        Topics
	ConsumerGroup string
	// Workers is how many messages are handled at once; each may hold two
	// database connections for a moment, so it must stay below the pool.
	Workers int
	// Spacing is the least time between two handled messages of one
	// deltaker; 0 turns it off.
	Spacing time.Duration
	// HandleTimeout bounds the handling of one message.
	HandleTimeout time.Duration
	// Port serves health, metrics and the API.
	Port string
	// TokenEndpoint is Texas's token endpoint, for the peers' tokens.
	TokenEndpoint string
	// AppName names the service in logs and the Nav-Consumer-Id header.
	AppName string

	Clients client.Configs
	Kafka   kafka.Config
	DB      pg.Config
	Log     logging.Config
}

// FromEnv reads and validates the configuration. The Kafka, database,
// logging and peer settings are read and checked by their packages; every
// problem found anywhere is reported in the one error, one line.
func FromEnv() (Config, error) {
	c, problems := from(os.Getenv)
	var err error
	if c.Kafka, err = kafka.ConfigFromEnv(); err != nil {
		problems = append(problems, err.Error())
	}
	if c.DB, err = pg.ConfigFromEnv(); err != nil {
		problems = append(problems, err.Error())
	}
	c.DB = OneRoundTrip(c.DB)
	if c.Log, err = logging.ConfigFromEnv(); err != nil {
		problems = append(problems, err.Error())
	}
	if c.Log.Name == "" {
		c.Log.Name = c.AppName
	}
	if c.Clients, err = client.FromEnv(os.Getenv); err != nil {
		problems = append(problems, err.Error())
	}
	if err := c.Validate(); err != nil {
		problems = append(problems, err.Error())
	}
	if len(problems) > 0 {
		return Config{}, errors.New(strings.Join(problems, "; "))
	}
	return c, nil
}

// from reads the variables of this package through getenv.
func from(getenv func(string) string) (Config, []string) {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	str := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	integer := func(name string, def int) int {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			add("%s: %q is not an integer", name, v)
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
		if err != nil {
			add("%s: %q is not a duration such as 500ms or 2m", name, v)
			return def
		}
		return d
	}
	return Config{
		Topics:        TopicsFromEnv(getenv),
		ConsumerGroup: str(EnvConsumerGroup, DefaultConsumerGroup),
		Workers:       integer(EnvWorkers, consumer.DefaultWorkers),
		Spacing:       duration(EnvSpacing, handler.DefaultSpacing),
		HandleTimeout: duration(EnvHandleTimeout, consumer.DefaultHandleTimeout),
		Port:          str(EnvPort, DefaultPort),
		TokenEndpoint: strings.TrimSpace(getenv(EnvTokenEndpoint)),
		AppName:       str(EnvAppName, DefaultAppName),
	}, problems
}

// Validate checks the settings of this package against each other and the
// pool size; its error is one line, each problem naming its variable.
func (c Config) Validate() error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	topics := []struct{ env, name string }{
		{EnvGjennomforingTopic, c.Topics.Gjennomforing}, {EnvDeltakerTopic, c.Topics.Deltaker},
		{EnvHistDeltakerTopic, c.Topics.HistDeltaker}, {EnvAmtTopic, c.Topics.Amt}, {EnvEnkeltplassTopic, c.Topics.Enkeltplass},
	}
	var seen []string
	for _, t := range topics {
		switch {
		case t.name == "":
			add("%s: is empty", t.env)
		case slices.Contains(seen, t.name):
			add("%s: %q is also another of the service's topics", t.env, t.name)
		}
		seen = append(seen, t.name)
	}
	if c.ConsumerGroup == "" {
		add("%s: is empty", EnvConsumerGroup)
	}
	pool := c.DB.MaxOpenConns
	if pool == 0 {
		pool = pg.DefaultMaxOpenConns
	}
	switch {
	case c.Workers < 1:
		add("%s: %d is less than 1", EnvWorkers, c.Workers)
	case c.Workers >= pool:
		add("%s: %d leaves no room in the database pool of %d (DB_MAX_OPEN_CONNS); use fewer workers or a bigger pool", EnvWorkers, c.Workers, pool)
	}
	if c.Spacing < 0 {
		add("%s: %s is negative", EnvSpacing, c.Spacing)
	}
	if c.HandleTimeout <= 0 {
		add("%s: %s is not positive", EnvHandleTimeout, c.HandleTimeout)
	}
	if n, err := strconv.Atoi(c.Port); err != nil || n < 1 || n > 65535 {
		add("%s: %q is not a port number", EnvPort, c.Port)
	}
	if c.TokenEndpoint == "" {
		add("%s: required (the token endpoint of the NAIS token sidecar)", EnvTokenEndpoint)
	} else if u, err := url.Parse(c.TokenEndpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		add("%s: %q is not an absolute http(s) URL", EnvTokenEndpoint, c.TokenEndpoint)
	}
	if len(problems) == 0 {
		return nil
	}
	return errors.New(strings.Join(problems, "; "))
}

// MarshalLogObject logs the effective configuration. The database password
// is masked (pg.Config's String); nothing else here is secret, and tokens
// are never part of the config.
func (c Config) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("topic_gjennomforing", c.Topics.Gjennomforing)
	enc.AddString("topic_deltaker", c.Topics.Deltaker)
	enc.AddString("topic_hist_deltaker", c.Topics.HistDeltaker)
	enc.AddString("topic_amt", c.Topics.Amt)
	enc.AddString("topic_enkeltplass", c.Topics.Enkeltplass)
	enc.AddString("consumer_group", c.ConsumerGroup)
	enc.AddInt("workers", c.Workers)
	enc.AddDuration("deltaker_spacing", c.Spacing)
	enc.AddDuration("handle_timeout", c.HandleTimeout)
	enc.AddString("port", c.Port)
	enc.AddString("token_endpoint", c.TokenEndpoint)
	enc.AddString("app_name", c.AppName)
	for _, p := range []struct {
		name string
		cfg  client.Config
	}{{"ords", c.Clients.ORDS}, {"mulighetsrommet", c.Clients.Mulighetsrommet}, {"amt_tiltak", c.Clients.AmtTiltak}} {
		enc.AddString(p.name, fmt.Sprintf("url=%s scope=%s timeout=%s", p.cfg.URL, p.cfg.Scope, p.cfg.Timeout))
	}
	if err := enc.AddObject("kafka", c.Kafka); err != nil {
		return err
	}
	enc.AddString("db", c.DB.String())
	enc.AddString("log_level", c.Log.Level.String())
	enc.AddString("log_format", c.Log.Format)
	return nil
}

// OneRoundTrip makes lib/pq send a query with arguments in one round trip
// (binary_parameters=yes) instead of two (prepare, then execute): handling
// a message runs about ten such queries, so this halves the time spent
// waiting for the database. The only other effect, []byte arguments going
// as binary, does not touch this service, which passes none (JSON goes as
// text). It applies to the URL form (DB_URL, as NAIS sets it) unless the URL
// says otherwise; the DB_HOST form has no place for it.
func OneRoundTrip(c pg.Config) pg.Config {
	if c.URL == "" {
		return c
	}
	u, err := url.Parse(c.URL)
	if err != nil || u.Query().Has("binary_parameters") {
		return c // Validate reports a bad URL
	}
	q := u.RawQuery
	if q != "" {
		q += "&"
	}
	u.RawQuery = q + "binary_parameters=yes"
	c.URL = u.String()
	return c
}
