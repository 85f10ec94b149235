package main

import (
	"context"
	"fmt"
	"io"

	"github.com/navikt/kafkapg/pkg/pg"
	"github.com/navikt/kafkapg/services/amt-arena-acl/migrations"
)

func init() {
	register(command{name: "migrate", summary: "apply the database migrations and exit", run: migrate})
}

// migrate applies the migrations. It needs only the DB_ variables. serve
// migrates too; this is for doing it ahead of a deploy.
func migrate(ctx context.Context, _ []string, out io.Writer) error {
	cfg, err := pg.ConfigFromEnv()
	if err != nil {
		return err
	}
	db, err := pg.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := pg.Migrate(ctx, db, migrations.FS, "."); err != nil {
		return err
	}
	fmt.Fprintln(out, "migrated", cfg.String())
	return nil
}
