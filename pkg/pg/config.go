package pg

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Defaults applied to zero fields of a Config. Two replicas with ten
// connections each fit the smallest Cloud SQL tier (25 connections).
// Recycling connections picks up a failed-over server without waiting for
// an error.
const (
	DefaultPort            = 5432
	DefaultSSLMode         = "require"
	DefaultMaxOpenConns    = 10
	DefaultConnMaxLifetime = 30 * time.Minute
	DefaultConnMaxIdleTime = 5 * time.Minute
)

// sslModes are the sslmode values lib/pq understands.
var sslModes = []string{"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}

// Config says where the database is and how the connection pool behaves.
//
// Set either URL or the Host form (Host, Port, Database, Username, Password),
// never both. Each field is fed by the environment variable named in its
// comment (see ConfigFromEnv), and Validate names that variable when the field
// is wrong, because that is what an operator has to fix.
//
// Zero fields take defaults: Port 5432, SSLMode "require", MaxOpenConns 10,
// MaxIdleConns = MaxOpenConns, ConnMaxLifetime 30m, ConnMaxIdleTime 5m.
type Config struct {
	URL string // DB_URL: postgres:// or postgresql:// URL, as NAIS provides it

	Host     string // DB_HOST: host name, IP address, or unix socket directory
	Port     int    // DB_PORT
	Database string // DB_DATABASE
	Username string // DB_USERNAME
	Password string // DB_PASSWORD

	// TLS settings. With URL they fill in what the URL does not say and must
	// agree with what it does say.
	SSLMode     string // DB_SSLMODE: disable, allow, prefer, require, verify-ca or verify-full
	SSLRootCert string // DB_SSLROOTCERT: path of the CA certificate
	SSLCert     string // DB_SSLCERT: path of the client certificate
	SSLKey      string // DB_SSLKEY: path of the client key

	MaxOpenConns    int           // DB_MAX_OPEN_CONNS
	MaxIdleConns    int           // DB_MAX_IDLE_CONNS
	ConnMaxLifetime time.Duration // DB_CONN_MAX_LIFETIME, e.g. "30m"
	ConnMaxIdleTime time.Duration // DB_CONN_MAX_IDLE_TIME, e.g. "5m"
}

// ConfigFromEnv reads a Config from the environment variables NAIS sets for
// a Cloud SQL database with envVarPrefix DB, and validates it.
//
// DB_URL wins when set: DB_HOST, DB_PORT, DB_DATABASE, DB_USERNAME and
// DB_PASSWORD are then not read, because NAIS sets them to the same values.
// DB_SSLMODE, DB_SSLROOTCERT, DB_SSLCERT and DB_SSLKEY are always read; the
// pool variables are optional. Empty variables count as unset.
func ConfigFromEnv() (Config, error) {
	var (
		c        Config
		problems []string
	)
	intVar := func(name string, dst *int, what string) {
		v := os.Getenv(name)
		if v == "" {
			return
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %q is not %s", name, v, what))
			return
		}
		*dst = n
	}
	durationVar := func(name string, dst *time.Duration) {
		v := os.Getenv(name)
		if v == "" {
			return
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %q is not a duration such as 30m", name, v))
			return
		}
		*dst = d
	}

	c.URL = os.Getenv("DB_URL")
	if c.URL == "" {
		c.Host = os.Getenv("DB_HOST")
		intVar("DB_PORT", &c.Port, "a port number")
		c.Database = os.Getenv("DB_DATABASE")
		c.Username = os.Getenv("DB_USERNAME")
		c.Password = os.Getenv("DB_PASSWORD")
	}
	c.SSLMode = os.Getenv("DB_SSLMODE")
	c.SSLRootCert = os.Getenv("DB_SSLROOTCERT")
	c.SSLCert = os.Getenv("DB_SSLCERT")
	c.SSLKey = os.Getenv("DB_SSLKEY")
	intVar("DB_MAX_OPEN_CONNS", &c.MaxOpenConns, "an integer")
	intVar("DB_MAX_IDLE_CONNS", &c.MaxIdleConns, "an integer")
	durationVar("DB_CONN_MAX_LIFETIME", &c.ConnMaxLifetime)
	durationVar("DB_CONN_MAX_IDLE_TIME", &c.ConnMaxIdleTime)

	if len(problems) > 0 {
		// Validate would only add consequences of these, such as a
		// missing port.
		return Config{}, errors.New(strings.Join(problems, "; "))
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Validate reports every problem in c on a single line, each naming the
// environment variable behind the field, e.g.
//
//	DB_PORT: 70000 is not a port number; DB_DATABASE: required when DB_URL is not set
//
// It never echoes a password or the URL (which may carry one).
func (c Config) Validate() error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	if c.URL != "" {
		problems = append(problems, c.validateURL()...)
	} else {
		for _, f := range []struct{ name, value string }{
			{"DB_HOST", c.Host}, {"DB_DATABASE", c.Database}, {"DB_USERNAME", c.Username},
		} {
			if f.value == "" {
				add("%s: required when DB_URL is not set", f.name)
			}
		}
		if c.Port < 0 || c.Port > 65535 {
			add("DB_PORT: %d is not a port number", c.Port)
		}
	}

	if c.SSLMode != "" && !slices.Contains(sslModes, c.SSLMode) {
		add("DB_SSLMODE: %q is not one of %s", c.SSLMode, strings.Join(sslModes, ", "))
	}
	if c.SSLCert != "" && c.SSLKey == "" {
		add("DB_SSLKEY: required when DB_SSLCERT is set")
	}
	if c.SSLKey != "" && c.SSLCert == "" {
		add("DB_SSLCERT: required when DB_SSLKEY is set")
	}

	if c.MaxOpenConns < 0 {
		add("DB_MAX_OPEN_CONNS: %d is negative", c.MaxOpenConns)
	}
	if c.MaxIdleConns < 0 {
		add("DB_MAX_IDLE_CONNS: %d is negative", c.MaxIdleConns)
	}
	if d := c.withDefaults(); c.MaxOpenConns >= 0 && d.MaxIdleConns > d.MaxOpenConns {
		add("DB_MAX_IDLE_CONNS: %d is more than DB_MAX_OPEN_CONNS (%d)", d.MaxIdleConns, d.MaxOpenConns)
	}
	if c.ConnMaxLifetime < 0 {
		add("DB_CONN_MAX_LIFETIME: %s is negative", c.ConnMaxLifetime)
	}
	if c.ConnMaxIdleTime < 0 {
		add("DB_CONN_MAX_IDLE_TIME: %s is negative", c.ConnMaxIdleTime)
	}

	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// validateURL checks the URL form. url.Parse errors quote the whole URL,
// password included, so only their inner error is reported.
func (c Config) validateURL() []string {
	var problems []string
	for _, f := range []struct {
		name  string
		isSet bool
	}{
		{"DB_HOST", c.Host != ""}, {"DB_PORT", c.Port != 0}, {"DB_DATABASE", c.Database != ""},
		{"DB_USERNAME", c.Username != ""}, {"DB_PASSWORD", c.Password != ""},
	} {
		if f.isSet {
			problems = append(problems, fmt.Sprintf("%s: must not be set together with DB_URL", f.name))
		}
	}

	u, err := url.Parse(c.URL)
	if err != nil {
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return append(problems, fmt.Sprintf("DB_URL: not a valid URL: %v", err))
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return append(problems, fmt.Sprintf("DB_URL: scheme is %q, want postgres or postgresql", u.Scheme))
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			problems = append(problems, fmt.Sprintf("DB_URL: %q is not a port number", p))
		}
	}
	q := u.Query()
	if m := q.Get("sslmode"); m != "" && !slices.Contains(sslModes, m) {
		problems = append(problems, fmt.Sprintf("DB_URL: sslmode %q is not one of %s", m, strings.Join(sslModes, ", ")))
	}
	for _, p := range c.sslParams() {
		if inURL := q.Get(p.key); inURL != "" && p.value != "" && inURL != p.value {
			problems = append(problems, fmt.Sprintf("%s: %q disagrees with %s=%q in DB_URL", p.env, p.value, p.key, inURL))
		}
	}
	return problems
}

type sslParam struct{ key, env, value string }

// sslParams lists the TLS fields with their lib/pq keys and variable names.
func (c Config) sslParams() []sslParam {
	return []sslParam{
		{"sslmode", "DB_SSLMODE", c.SSLMode},
		{"sslrootcert", "DB_SSLROOTCERT", c.SSLRootCert},
		{"sslcert", "DB_SSLCERT", c.SSLCert},
		{"sslkey", "DB_SSLKEY", c.SSLKey},
	}
}

// withDefaults fills zero fields. The port is left alone in the URL form,
// where the URL decides it.
func (c Config) withDefaults() Config {
	if c.URL == "" && c.Port == 0 {
		c.Port = DefaultPort
	}
	if c.SSLMode == "" {
		c.SSLMode = DefaultSSLMode // in the URL form only if the URL is silent too
	}
	if c.MaxOpenConns == 0 {
		c.MaxOpenConns = DefaultMaxOpenConns
	}
	if c.MaxIdleConns == 0 {
		c.MaxIdleConns = c.MaxOpenConns
	}
	if c.ConnMaxLifetime == 0 {
		c.ConnMaxLifetime = DefaultConnMaxLifetime
	}
	if c.ConnMaxIdleTime == 0 {
		c.ConnMaxIdleTime = DefaultConnMaxIdleTime
	}
	return c
}

// DSN returns the connection string for lib/pq. It is a URL in the URL form
// and a keyword/value string in the Host form (which also allows a unix
// socket directory as Host). sslmode is always explicit: lib/pq's own
// default has changed before and may change again. DSN assumes c is valid.
func (c Config) DSN() string {
	c = c.withDefaults()
	if c.URL != "" {
		u, err := url.Parse(c.URL)
		if err != nil {
			return c.URL // Validate reports this; lib/pq will refuse it too
		}
		// Append only what is missing, so the URL's own parameters stay as
		// written (and readable in logs).
		have, missing := u.Query(), url.Values{}
		for _, p := range c.sslParams() {
			if have.Get(p.key) == "" && p.value != "" {
				missing.Set(p.key, p.value)
			}
		}
		if len(missing) > 0 {
			if u.RawQuery != "" {
				u.RawQuery += "&"
			}
			u.RawQuery += missing.Encode()
		}
		return u.String()
	}

	kv := []string{
		"host=" + quoteDSN(c.Host),
		"port=" + strconv.Itoa(c.Port),
		"dbname=" + quoteDSN(c.Database),
		"user=" + quoteDSN(c.Username),
	}
	if c.Password != "" {
		kv = append(kv, "password="+quoteDSN(c.Password))
	}
	for _, p := range c.sslParams() {
		if p.value != "" {
			kv = append(kv, p.key+"="+quoteDSN(p.value))
		}
	}
	return strings.Join(kv, " ")
}

// dsnEscaper escapes a keyword/value DSN value the way lib/pq reads it back.
var dsnEscaper = strings.NewReplacer(`\`, `\\`, `'`, `\'`)

func quoteDSN(v string) string { return "'" + dsnEscaper.Replace(v) + "'" }

// String describes the effective configuration for a start-up log line.
// Passwords are replaced by xxxxx, also a password= parameter in the URL.
func (c Config) String() string {
	c = c.withDefaults()
	var b strings.Builder
	if c.URL != "" {
		fmt.Fprintf(&b, "url=%s", redactURL(c.DSN()))
	} else {
		pw := ""
		if c.Password != "" {
			pw = "xxxxx"
		}
		fmt.Fprintf(&b, "host=%s port=%d database=%s user=%s password=%s",
			c.Host, c.Port, c.Database, c.Username, pw)
		for _, p := range c.sslParams() {
			if p.value != "" {
				fmt.Fprintf(&b, " %s=%s", p.key, p.value)
			}
		}
	}
	fmt.Fprintf(&b, " max_open_conns=%d max_idle_conns=%d conn_max_lifetime=%s conn_max_idle_time=%s",
		c.MaxOpenConns, c.MaxIdleConns, c.ConnMaxLifetime, c.ConnMaxIdleTime)
	return b.String()
}

// redactURL masks the password in the user info and in query parameters.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<invalid URL>"
	}
	q, masked := u.Query(), false
	for k := range q {
		if strings.Contains(strings.ToLower(k), "password") {
			q.Set(k, "xxxxx")
			masked = true
		}
	}
	if masked {
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// target names the server and database for error messages, without secrets.
func (c Config) target() string {
	if c.URL != "" {
		u, err := url.Parse(c.URL)
		if err != nil {
			return "<invalid DB_URL>"
		}
		return u.User.Username() + "@" + u.Host + u.Path
	}
	host := c.Host
	if !strings.HasPrefix(host, "/") {
		host = net.JoinHostPort(host, strconv.Itoa(c.withDefaults().Port))
	}
	return c.Username + "@" + host + "/" + c.Database
}
