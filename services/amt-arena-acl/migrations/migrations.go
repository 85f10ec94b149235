// Package migrations holds the service's database schema as golang-migrate
// migrations (NNNNNN_name.up.sql / .down.sql), embedded in the binary.
//
//	pg.Migrate(ctx, db, migrations.FS, ".")
package migrations

import "embed"

// FS holds the migration files at its root.
//
//go:embed *.sql
var FS embed.FS
