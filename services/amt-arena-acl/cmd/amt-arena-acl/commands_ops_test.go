package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ops"
	"github.com/navikt/kafkapg/services/amt-arena-acl/migrations"
)

// The operators' commands run from the binary, on the database of DB_URL;
// a wrong command line is a usage error (exit 2), and a write without
// --yes an error (exit 1).
func TestOperatorsCommandsRunFromTheBinary(t *testing.T) {
	t.Setenv("DB_URL", server.NewDBURL(t, migrations.FS, "."))
	ctx := context.Background()
	var out bytes.Buffer

	require.NoError(t, run(ctx, []string{"status"}, &out))
	require.Contains(t, out.String(), "No RETRY or FAILED rows.")

	err := run(ctx, []string{"replay", "--table", "SIAMO.SAK"}, &out)
	require.ErrorIs(t, err, errUsage)
	require.ErrorContains(t, err, "--table must be one of")

	out.Reset()
	require.NoError(t, run(ctx, []string{"replay", "--table", "SIAMO.TILTAKDELTAKER", "--dry-run"}, &out))
	require.Contains(t, out.String(), "0 Arena ids have a HANDLED message")

	err = run(ctx, []string{"tombstone", "--deltaker", "1f0e6c43-1f4d-4b47-9a34-2b8d4d4f7a01"}, &out)
	require.ErrorIs(t, err, ops.ErrNotConfirmed)
	require.NotErrorIs(t, err, errUsage)
}
