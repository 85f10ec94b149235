package pg_test

import (
	"testing"
	"time"

	"github.com/lib/pq"
	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/pg"
)

var dbVars = []string{
	"DB_URL", "DB_HOST", "DB_PORT", "DB_DATABASE", "DB_USERNAME", "DB_PASSWORD",
	"DB_SSLMODE", "DB_SSLROOTCERT", "DB_SSLCERT", "DB_SSLKEY",
	"DB_MAX_OPEN_CONNS", "DB_MAX_IDLE_CONNS", "DB_CONN_MAX_LIFETIME", "DB_CONN_MAX_IDLE_TIME",
}

// setEnv makes env the whole DB_* environment. t.Setenv rules out
// t.Parallel for these tests; they take microseconds.
func setEnv(t *testing.T, env map[string]string) {
	t.Helper()
	for _, k := range dbVars {
		t.Setenv(k, env[k])
	}
}

// naisURL is shaped like the DB_URL NAIS gives a Cloud SQL instance with
// private IP; the password has characters that need escaping.
const naisURL = "postgresql://app:s3cr%40t%2Fpw@10.1.2.3:5432/appdb?sslcert=/var/run/secrets/nais.io/sqlcertificate/cert.pem&sslkey=/var/run/secrets/nais.io/sqlcertificate/key.pem&sslmode=verify-ca&sslrootcert=/var/run/secrets/nais.io/sqlcertificate/root-cert.pem"

func TestConfigFromEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want pg.Config
	}{
		{
			name: "NAIS sets DB_URL and the parts",
			env: map[string]string{
				"DB_URL": naisURL, "DB_HOST": "10.1.2.3", "DB_PORT": "5432", "DB_DATABASE": "appdb",
				"DB_USERNAME": "app", "DB_PASSWORD": "s3cr@t/pw", "DB_SSLMODE": "verify-ca",
				"DB_SSLROOTCERT": "/var/run/secrets/nais.io/sqlcertificate/root-cert.pem",
				"DB_SSLCERT":     "/var/run/secrets/nais.io/sqlcertificate/cert.pem",
				"DB_SSLKEY":      "/var/run/secrets/nais.io/sqlcertificate/key.pem",
			},
			want: pg.Config{
				URL: naisURL, SSLMode: "verify-ca",
				SSLRootCert: "/var/run/secrets/nais.io/sqlcertificate/root-cert.pem",
				SSLCert:     "/var/run/secrets/nais.io/sqlcertificate/cert.pem",
				SSLKey:      "/var/run/secrets/nais.io/sqlcertificate/key.pem",
			},
		},
		{
			name: "host form with pool settings",
			env: map[string]string{
				"DB_HOST": "localhost", "DB_PORT": "5433", "DB_DATABASE": "app", "DB_USERNAME": "u",
				"DB_PASSWORD": "pw", "DB_SSLMODE": "disable", "DB_MAX_OPEN_CONNS": "4",
				"DB_MAX_IDLE_CONNS": "2", "DB_CONN_MAX_LIFETIME": "1h", "DB_CONN_MAX_IDLE_TIME": "90s",
			},
			want: pg.Config{
				Host: "localhost", Port: 5433, Database: "app", Username: "u", Password: "pw",
				SSLMode: "disable", MaxOpenConns: 4, MaxIdleConns: 2,
				ConnMaxLifetime: time.Hour, ConnMaxIdleTime: 90 * time.Second,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setEnv(t, tt.env)
			got, err := pg.ConfigFromEnv()
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestConfigFromEnvErrors(t *testing.T) {
	hostForm := func(extra map[string]string) map[string]string {
		env := map[string]string{"DB_HOST": "h", "DB_DATABASE": "d", "DB_USERNAME": "u", "DB_PASSWORD": "secret"}
		for k, v := range extra {
			env[k] = v
		}
		return env
	}
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"nothing set", nil,
			"DB_HOST: required when DB_URL is not set; DB_DATABASE: required when DB_URL is not set; DB_USERNAME: required when DB_URL is not set"},
		{"port not a number", hostForm(map[string]string{"DB_PORT": "abc"}),
			`DB_PORT: "abc" is not a port number`},
		{"port out of range", hostForm(map[string]string{"DB_PORT": "70000"}),
			`DB_PORT: 70000 is not a port number`},
		{"unknown sslmode", hostForm(map[string]string{"DB_SSLMODE": "on"}),
			`DB_SSLMODE: "on" is not one of disable, allow, prefer, require, verify-ca, verify-full`},
		{"client cert without key", hostForm(map[string]string{"DB_SSLCERT": "/c.pem"}),
			`DB_SSLKEY: required when DB_SSLCERT is set`},
		{"pool size not a number", hostForm(map[string]string{"DB_MAX_OPEN_CONNS": "many"}),
			`DB_MAX_OPEN_CONNS: "many" is not an integer`},
		{"negative pool size", hostForm(map[string]string{"DB_MAX_OPEN_CONNS": "-1"}),
			`DB_MAX_OPEN_CONNS: -1 is negative`},
		{"more idle than open", hostForm(map[string]string{"DB_MAX_OPEN_CONNS": "5", "DB_MAX_IDLE_CONNS": "20"}),
			`DB_MAX_IDLE_CONNS: 20 is more than DB_MAX_OPEN_CONNS (5)`},
		{"lifetime without unit", hostForm(map[string]string{"DB_CONN_MAX_LIFETIME": "5"}),
			`DB_CONN_MAX_LIFETIME: "5" is not a duration such as 30m`},
		{"URL of another database", map[string]string{"DB_URL": "mysql://u:secret@h/d"},
			`DB_URL: scheme is "mysql", want postgres or postgresql`},
		{"URL that does not parse", map[string]string{"DB_URL": "postgres://u:secret@h:x/d"},
			`DB_URL: not a valid URL: invalid port ":x" after host`},
		{"URL port out of range", map[string]string{"DB_URL": "postgres://u:secret@h:99999/d"},
			`DB_URL: "99999" is not a port number`},
		{"DB_SSLMODE contradicts DB_URL", map[string]string{"DB_URL": "postgres://u:secret@h/d?sslmode=verify-ca", "DB_SSLMODE": "disable"},
			`DB_SSLMODE: "disable" disagrees with sslmode="verify-ca" in DB_URL`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setEnv(t, tt.env)
			_, err := pg.ConfigFromEnv()
			require.EqualError(t, err, tt.want)
			require.NotContains(t, err.Error(), "secret")
			require.NotContains(t, err.Error(), "\n")
		})
	}
}

func TestValidateURLAndHostTogether(t *testing.T) {
	t.Parallel()
	err := pg.Config{URL: "postgres://u@h/d", Host: "h", Password: "secret"}.Validate()
	require.EqualError(t, err, "DB_HOST: must not be set together with DB_URL; DB_PASSWORD: must not be set together with DB_URL")
}

func TestConfigString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  pg.Config
		want string
	}{
		{
			name: "host form",
			cfg:  pg.Config{Host: "db", Database: "app", Username: "u", Password: "secret"},
			want: "host=db port=5432 database=app user=u password=xxxxx sslmode=require max_open_conns=10 max_idle_conns=10 conn_max_lifetime=30m0s conn_max_idle_time=5m0s",
		},
		{
			name: "NAIS URL",
			cfg:  pg.Config{URL: naisURL, MaxOpenConns: 3},
			want: "url=postgresql://app:xxxxx@10.1.2.3:5432/appdb?sslcert=/var/run/secrets/nais.io/sqlcertificate/cert.pem&sslkey=/var/run/secrets/nais.io/sqlcertificate/key.pem&sslmode=verify-ca&sslrootcert=/var/run/secrets/nais.io/sqlcertificate/root-cert.pem max_open_conns=3 max_idle_conns=3 conn_max_lifetime=30m0s conn_max_idle_time=5m0s",
		},
		{
			name: "password as URL parameter",
			cfg:  pg.Config{URL: "postgres://h/d?user=u&password=secret&sslmode=disable"},
			want: "url=postgres://h/d?password=xxxxx&sslmode=disable&user=u max_open_conns=10 max_idle_conns=10 conn_max_lifetime=30m0s conn_max_idle_time=5m0s",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, tt.cfg.String())
			require.NotContains(t, tt.cfg.String(), "s3cr")
		})
	}
}

// TestDSN checks the DSN with lib/pq's own parser, the one Open uses.
func TestDSN(t *testing.T) {
	t.Parallel()
	const password = `p@ss w'o\rd/?&=#%`
	tests := []struct {
		name string
		cfg  pg.Config
		want func(*testing.T, pq.Config)
	}{
		{
			name: "host form escapes every value",
			cfg:  pg.Config{Host: "db.local", Port: 6543, Database: "my db", Username: "o'brien", Password: password},
			want: func(t *testing.T, c pq.Config) {
				require.Equal(t, "db.local", c.Host)
				require.EqualValues(t, 6543, c.Port)
				require.Equal(t, "my db", c.Database)
				require.Equal(t, "o'brien", c.User)
				require.Equal(t, password, c.Password)
				require.EqualValues(t, "require", c.SSLMode)
			},
		},
		{
			name: "host form with a unix socket directory",
			cfg:  pg.Config{Host: "/var/run/postgresql", Database: "d", Username: "u", SSLMode: "disable"},
			want: func(t *testing.T, c pq.Config) {
				require.Equal(t, "/var/run/postgresql", c.Host)
				require.EqualValues(t, "disable", c.SSLMode)
			},
		},
		{
			name: "NAIS URL is used as given",
			cfg:  pg.Config{URL: naisURL, SSLMode: "verify-ca"},
			want: func(t *testing.T, c pq.Config) {
				require.Equal(t, "s3cr@t/pw", c.Password)
				require.EqualValues(t, "verify-ca", c.SSLMode)
				require.Equal(t, "/var/run/secrets/nais.io/sqlcertificate/key.pem", c.SSLKey)
			},
		},
		{
			name: "URL without TLS settings gets them from the fields, else sslmode=require",
			cfg:  pg.Config{URL: "postgres://u@h/d", SSLRootCert: "/r.pem"},
			want: func(t *testing.T, c pq.Config) {
				require.EqualValues(t, "require", c.SSLMode)
				require.Equal(t, "/r.pem", c.SSLRootCert)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.NoError(t, tt.cfg.Validate())
			parsed, err := pq.NewConfig(tt.cfg.DSN())
			require.NoError(t, err)
			tt.want(t, parsed)
		})
	}
}
