package pg_test

import (
	"context"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/pg"
)

func TestOpen(t *testing.T) {
	t.Parallel()
	dsn := server.NewDBURL(t, nil, "")
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	port, err := strconv.Atoi(u.Port())
	require.NoError(t, err)

	tests := []struct {
		name string
		cfg  pg.Config
	}{
		{"URL form", pg.Config{URL: dsn}},
		{"host form", pg.Config{
			Host: u.Hostname(), Port: port, Database: u.Path[1:], Username: "postgres",
			// The test cluster trusts local connections, so the password is
			// not checked, but it must survive the DSN to the server.
			Password: `p@ss w'o\rd`, SSLMode: "disable", MaxOpenConns: 3,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			db, err := pg.Open(ctx, tt.cfg)
			require.NoError(t, err)
			defer db.Close()

			var name string
			require.NoError(t, db.GetContext(ctx, &name, `SELECT current_database()`))
			require.Equal(t, u.Path[1:], name)
			want := tt.cfg.MaxOpenConns
			if want == 0 {
				want = pg.DefaultMaxOpenConns
			}
			require.Equal(t, want, db.Stats().MaxOpenConnections)
		})
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()

	_, err := pg.Open(ctx, pg.Config{Host: "localhost", Port: -1, Database: "d", Username: "u"})
	require.EqualError(t, err, "pg: invalid config: DB_PORT: -1 is not a port number")

	// Port 1 on loopback refuses connections at once.
	_, err = pg.Open(ctx, pg.Config{Host: "127.0.0.1", Port: 1, Database: "d", Username: "u", Password: "secret", SSLMode: "disable"})
	require.ErrorContains(t, err, "pg: connect to u@127.0.0.1:1/d: ")
	require.NotContains(t, err.Error(), "secret")
}
