package client

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Peer names, as they appear in errors.
const (
	PeerORDS            = "amt-arena-ords-proxy"
	PeerMulighetsrommet = "mulighetsrommet-api"
	PeerAmtTiltak       = "amt-tiltak"
)

// Environment variables FromEnv reads. Each peer has a base URL, a token
// scope and an optional timeout (a Go duration such as "15s").
const (
	EnvORDSURL     = "AMT_ARENA_ORDS_PROXY_URL"
	EnvORDSScope   = "AMT_ARENA_ORDS_PROXY_SCOPE"
	EnvORDSTimeout = "AMT_ARENA_ORDS_PROXY_TIMEOUT"

	EnvMulighetsrommetURL     = "MULIGHETSROMMET_API_URL"
	EnvMulighetsrommetScope   = "MULIGHETSROMMET_API_SCOPE"
	EnvMulighetsrommetTimeout = "MULIGHETSROMMET_API_TIMEOUT"

	EnvAmtTiltakURL     = "AMTTILTAK_URL"
	EnvAmtTiltakScope   = "AMTTILTAK_SCOPE"
	EnvAmtTiltakTimeout = "AMTTILTAK_TIMEOUT"

	// EnvAppName names the service in the Nav-Consumer-Id header.
	EnvAppName = "NAIS_APP_NAME"
	// EnvCluster picks the defaults for the URLs and scopes.
	EnvCluster = "NAIS_CLUSTER_NAME"
)

const (
	// DefaultTimeout bounds a whole call, token included, when
	// Config.Timeout is zero: the connect (10 s) and read (15 s) timeouts of
	// the service this one replaces, rolled into one.
	DefaultTimeout = 15 * time.Second

	// DefaultConsumerID is sent as Nav-Consumer-Id when Config.ConsumerID is
	// empty.
	DefaultConsumerID = "amt-arena-acl"
)

// Config is how to reach one peer.
type Config struct {
	// URL is the peer's base URL, such as "http://amt-tiltak"; paths are
	// appended to it.
	URL string
	// Scope is the token target for the peer, such as
	// "api://prod-gcp.amt.amt-tiltak/.default".
	Scope string
	// Timeout bounds each call, token included. Zero means DefaultTimeout.
	Timeout time.Duration
	// ConsumerID is sent as Nav-Consumer-Id. Empty means DefaultConsumerID.
	ConsumerID string
}

// Validate reports the first thing wrong with c, in one line.
func (c Config) Validate() error {
	return c.validate(labels{url: "URL", scope: "Scope", timeout: "Timeout"})
}

// WithDefaults returns c with the zero Timeout and ConsumerID replaced by
// their defaults and a trailing slash cut from URL.
func (c Config) WithDefaults() Config {
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.ConsumerID == "" {
		c.ConsumerID = DefaultConsumerID
	}
	c.URL = strings.TrimRight(c.URL, "/")
	return c
}

type labels struct{ url, scope, timeout string }

func (c Config) validate(l labels) error {
	if c.URL == "" {
		return fmt.Errorf("%s is not set", l.url)
	}
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s: %q is not an absolute http(s) URL", l.url, c.URL)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("%s: %q must have no user, query or fragment", l.url, c.URL)
	}
	if c.Scope == "" {
		return fmt.Errorf("%s is not set", l.scope)
	}
	if strings.ContainsFunc(c.Scope, isSpace) {
		return fmt.Errorf("%s: %q contains white space", l.scope, c.Scope)
	}
	if c.Timeout < 0 {
		return fmt.Errorf("%s: %s is negative", l.timeout, c.Timeout)
	}
	return nil
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

// Configs are the configurations of all three peers.
type Configs struct {
	ORDS            Config
	Mulighetsrommet Config
	AmtTiltak       Config
}

// Validate reports the first thing wrong with any of the three.
func (c Configs) Validate() error {
	for _, p := range []struct {
		name string
		cfg  Config
	}{{PeerORDS, c.ORDS}, {PeerMulighetsrommet, c.Mulighetsrommet}, {PeerAmtTiltak, c.AmtTiltak}} {
		if err := p.cfg.Validate(); err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
	}
	return nil
}

// clusterDefaults are the URLs and scopes of the peers in the NAIS clusters
// the service runs in. The environment overrides each of them.
var clusterDefaults = map[string]Configs{
	"dev-gcp": {
		ORDS:            Config{URL: "https://amt-arena-ords-proxy.dev-fss-pub.nais.io", Scope: "api://dev-fss.amt.amt-arena-ords-proxy/.default"},
		Mulighetsrommet: Config{URL: "http://mulighetsrommet-api.team-mulighetsrommet.svc.cluster.local", Scope: "api://dev-gcp.team-mulighetsrommet.mulighetsrommet-api/.default"},
		AmtTiltak:       Config{URL: "http://amt-tiltak", Scope: "api://dev-gcp.amt.amt-tiltak/.default"},
	},
	"prod-gcp": {
		ORDS:            Config{URL: "https://amt-arena-ords-proxy.prod-fss-pub.nais.io", Scope: "api://prod-fss.amt.amt-arena-ords-proxy/.default"},
		Mulighetsrommet: Config{URL: "http://mulighetsrommet-api.team-mulighetsrommet.svc.cluster.local", Scope: "api://prod-gcp.team-mulighetsrommet.mulighetsrommet-api/.default"},
		AmtTiltak:       Config{URL: "http://amt-tiltak", Scope: "api://prod-gcp.amt.amt-tiltak/.default"},
	},
}

// FromEnv reads the three peers' configurations from the environment
// through getenv (os.Getenv in production). In the NAIS clusters dev-gcp
// and prod-gcp (NAIS_CLUSTER_NAME) a URL or scope left unset gets that
// cluster's value; elsewhere, such as in a local stack, all six must be set.
// Timeouts default to DefaultTimeout and Nav-Consumer-Id to NAIS_APP_NAME,
// or DefaultConsumerID. The error names the variable at fault, in one line.
func FromEnv(getenv func(string) string) (Configs, error) {
	defaults := clusterDefaults[getenv(EnvCluster)]
	consumer := getenv(EnvAppName)

	read := func(def Config, urlVar, scopeVar, timeoutVar string) (Config, error) {
		c := Config{URL: getenv(urlVar), Scope: getenv(scopeVar), ConsumerID: consumer}
		if c.URL == "" {
			c.URL = def.URL
		}
		if c.Scope == "" {
			c.Scope = def.Scope
		}
		if v := getenv(timeoutVar); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				return Config{}, fmt.Errorf("%s: %q is not a duration such as 15s", timeoutVar, v)
			}
			if d <= 0 {
				return Config{}, fmt.Errorf("%s: %q is not positive", timeoutVar, v)
			}
			c.Timeout = d
		}
		if err := c.validate(labels{url: urlVar, scope: scopeVar, timeout: timeoutVar}); err != nil {
			return Config{}, err
		}
		return c.WithDefaults(), nil
	}

	var (
		c   Configs
		err error
	)
	if c.ORDS, err = read(defaults.ORDS, EnvORDSURL, EnvORDSScope, EnvORDSTimeout); err != nil {
		return Configs{}, err
	}
	if c.Mulighetsrommet, err = read(defaults.Mulighetsrommet, EnvMulighetsrommetURL, EnvMulighetsrommetScope, EnvMulighetsrommetTimeout); err != nil {
		return Configs{}, err
	}
	if c.AmtTiltak, err = read(defaults.AmtTiltak, EnvAmtTiltakURL, EnvAmtTiltakScope, EnvAmtTiltakTimeout); err != nil {
		return Configs{}, err
	}
	return c, nil
}
