package backup_test

import (
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	bt "github.com/navikt/kafkapg/services/hendelselogg-backup/internal/backuptest"
	"github.com/navikt/kafkapg/services/hendelselogg-backup/migrations"
)

type column struct {
	Table    string `db:"table_name"`
	Column   string `db:"column_name"`
	Type     string `db:"data_type"`
	Nullable string `db:"is_nullable"`
	Length   *int   `db:"character_maximum_length"`
}

func columns(t *testing.T, e interface {
	Select(any, string, ...any) error
}) map[string]column {
	var cols []column
	require.NoError(t, e.Select(&cols, `SELECT table_name, column_name, data_type, is_nullable, character_maximum_length
		FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'schema_migrations'`))
	out := map[string]column{}
	for _, c := range cols {
		out[c.Table+"."+c.Column] = c
	}
	return out
}

func length(n int) *int { return &n }

// originalSchema is the original's schema: four tables with these columns, only
// traceparent nullable.
var originalSchema = map[string]column{
	"bekreftelse_hendelser.version":            {"bekreftelse_hendelser", "version", "smallint", "NO", nil},
	"bekreftelse_hendelser.kafka_partition":    {"bekreftelse_hendelser", "kafka_partition", "smallint", "NO", nil},
	"bekreftelse_hendelser.kafka_offset":       {"bekreftelse_hendelser", "kafka_offset", "bigint", "NO", nil},
	"bekreftelse_hendelser.record_key":         {"bekreftelse_hendelser", "record_key", "bigint", "NO", nil},
	"bekreftelse_hendelser.arbeidssoeker_id":   {"bekreftelse_hendelser", "arbeidssoeker_id", "bigint", "NO", nil},
	"bekreftelse_hendelser.traceparent":        {"bekreftelse_hendelser", "traceparent", "character varying", "YES", length(58)},
	"bekreftelse_hendelser.data":               {"bekreftelse_hendelser", "data", "jsonb", "NO", nil},
	"bekreftelser.version":                     {"bekreftelser", "version", "smallint", "NO", nil},
	"bekreftelser.kafka_partition":             {"bekreftelser", "kafka_partition", "smallint", "NO", nil},
	"bekreftelser.kafka_offset":                {"bekreftelser", "kafka_offset", "bigint", "NO", nil},
	"bekreftelser.record_key":                  {"bekreftelser", "record_key", "bigint", "NO", nil},
	"bekreftelser.traceparent":                 {"bekreftelser", "traceparent", "character varying", "YES", length(58)},
	"bekreftelser.data":                        {"bekreftelser", "data", "bytea", "NO", nil},
	"bekreftelse_paa_vegne_av.version":         {"bekreftelse_paa_vegne_av", "version", "smallint", "NO", nil},
	"bekreftelse_paa_vegne_av.kafka_partition": {"bekreftelse_paa_vegne_av", "kafka_partition", "smallint", "NO", nil},
	"bekreftelse_paa_vegne_av.kafka_offset":    {"bekreftelse_paa_vegne_av", "kafka_offset", "bigint", "NO", nil},
	"bekreftelse_paa_vegne_av.record_key":      {"bekreftelse_paa_vegne_av", "record_key", "bigint", "NO", nil},
	"bekreftelse_paa_vegne_av.traceparent":     {"bekreftelse_paa_vegne_av", "traceparent", "character varying", "YES", length(58)},
	"bekreftelse_paa_vegne_av.data":            {"bekreftelse_paa_vegne_av", "data", "bytea", "NO", nil},
	"bekreftelse_hwm.version":                  {"bekreftelse_hwm", "version", "smallint", "NO", nil},
	"bekreftelse_hwm.kafka_partition":          {"bekreftelse_hwm", "kafka_partition", "smallint", "NO", nil},
	"bekreftelse_hwm.kafka_offset":             {"bekreftelse_hwm", "kafka_offset", "bigint", "NO", nil},
	"bekreftelse_hwm.kafka_topic":              {"bekreftelse_hwm", "kafka_topic", "character varying", "NO", length(255)},
}

// The first migration is exactly the original schema, with
// the GIN jsonb_path_ops index on data and the btree on arbeidssoeker_id.
// Later migrations only add: every original column keeps its definition,
// and every added column is nullable.
func TestSchemaIsTheOriginalAndLaterMigrationsOnlyAdd(t *testing.T) {
	t.Parallel()
	first := fstest.MapFS{}
	for _, name := range []string{"000001_bekreftelse_backup.up.sql", "000001_bekreftelse_backup.down.sql"} {
		b, err := fs.ReadFile(migrations.FS, name)
		require.NoError(t, err)
		first[name] = &fstest.MapFile{Data: b}
	}
	original := server.NewDB(t, first, ".")
	require.Equal(t, originalSchema, columns(t, original))

	var indexes []string
	require.NoError(t, original.Select(&indexes, `SELECT indexdef FROM pg_indexes WHERE tablename = 'bekreftelse_hendelser' ORDER BY indexname`))
	require.Equal(t, []string{
		"CREATE INDEX bekreftelse_hendelser_arbeidssoeker_id_idx ON public.bekreftelse_hendelser USING btree (arbeidssoeker_id)",
		"CREATE INDEX bekreftelse_hendelser_data_idx ON public.bekreftelse_hendelser USING gin (data jsonb_path_ops)",
		"CREATE UNIQUE INDEX bekreftelse_hendelser_pkey ON public.bekreftelse_hendelser USING btree (version, kafka_partition, kafka_offset)",
	}, indexes)

	e := bt.New(t, server, 1)
	now := columns(t, e.DB)
	for name, c := range originalSchema {
		require.Equal(t, c, now[name], "%s is unchanged", name)
	}
	for name, c := range now {
		if _, orig := originalSchema[name]; orig || c.Table == "backup_quarantine" || c.Table == "backup_gap" {
			continue
		}
		require.Equal(t, "YES", c.Nullable, "added column %s is nullable", name)
	}
}
