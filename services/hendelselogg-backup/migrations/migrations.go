// Package migrations holds the service's database schema as golang-migrate
// migrations, embedded so the binary migrates its database at startup.
//
// 000001 is the original schema, unchanged. Every later migration only adds
// nullable columns or new tables, so a database written by the original (or
// by an older version of this service) stays readable and writable.
package migrations

import "embed"

// FS holds the *.sql files at its root (Dir).
//
//go:embed *.sql
var FS embed.FS

// Dir is the directory of FS that holds the migrations.
const Dir = "."
