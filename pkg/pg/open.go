package pg

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // registers the "postgres" driver
)

// Open validates c, opens a pool with c's pool settings and pings the server
// within ctx, so a returned pool is known to reach the database.
func Open(ctx context.Context, c Config) (*sqlx.DB, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("pg: invalid config: %w", err)
	}
	c = c.withDefaults()
	db, err := sqlx.Open("postgres", c.DSN())
	if err != nil {
		return nil, fmt.Errorf("pg: open %s: %w", c.target(), err)
	}
	db.SetMaxOpenConns(c.MaxOpenConns)
	db.SetMaxIdleConns(c.MaxIdleConns)
	db.SetConnMaxLifetime(c.ConnMaxLifetime)
	db.SetConnMaxIdleTime(c.ConnMaxIdleTime)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("pg: connect to %s: %w", c.target(), err)
	}
	return db, nil
}
