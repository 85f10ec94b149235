package retry_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/retry"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/store"
	"github.com/navikt/kafkapg/services/amt-arena-acl/migrations"
)

// seedBench fills arena_data with handled HANDLED rows and 1,000 RETRY
// rows spread over the three tables and over the positions, the RETRY
// ones every handled/1000 positions so that they sit on heap pages of
// their own as a real backlog does.
func seedBench(b *testing.B, db *sqlx.DB, handled int) {
	ctx := context.Background()
	const retries = 1000
	every := (handled + retries) / retries
	_, err := db.ExecContext(ctx, `
		INSERT INTO arena_data (arena_table_name, arena_id, operation_type, operation_pos,
			operation_timestamp, ingest_status, ingested_timestamp, after)
		SELECT (ARRAY['SIAMO.TILTAKGJENNOMFORING', 'SIAMO.TILTAKDELTAKER', 'SIAMO.HIST_TILTAKDELTAKER'])[1 + i % 3],
			(i % 200000)::text, 'MODIFIED', lpad(i::text, 20, '0'), localtimestamp,
			CASE WHEN i % $2 = 0 AND i / $2 <= $3 THEN 'RETRY' ELSE 'HANDLED' END, localtimestamp,
			jsonb_build_object('TILTAKDELTAKER_ID', i % 200000, 'TILTAKGJENNOMFORING_ID', i % 500)
		FROM generate_series(1, $1::int) i`, handled+retries, every, retries)
	require.NoError(b, err)
	var n int
	require.NoError(b, db.GetContext(ctx, &n, `SELECT count(*) FROM arena_data WHERE ingest_status = 'RETRY'`))
	require.Equal(b, retries, n)
	_, err = db.ExecContext(ctx, `VACUUM ANALYZE arena_data`)
	require.NoError(b, err)
}

// tickMillis runs a RETRY tick over the 1,000 RETRY rows with a handler
// that does what every real handling does to the database (a transaction,
// the per-Arena-id lock, re-read, status write) and nothing else, so the
// time is the processor's queries and that floor. It takes the median of
// three ticks, putting the rows back to RETRY between them.
func tickMillis(b *testing.B, db *sqlx.DB) float64 {
	ctx := context.Background()
	c := newClock()
	s := store.New(c.Now)
	p := retry.New(db, s, newDBHandler(db, s, nil))
	var ms []float64
	for range 3 {
		at := c.Advance(10 * time.Minute)
		start := time.Now()
		res, err := p.Tick(ctx, ingest.Retry, at, retry.DefaultRetryBatchSize)
		ms = append(ms, float64(time.Since(start).Microseconds())/1000)
		require.NoError(b, err)
		require.Equal(b, 1000, res.Attempted())
		_, err = db.ExecContext(ctx, `UPDATE arena_data SET ingest_status = 'RETRY', ingest_attempts = 0, last_attempted = NULL
			WHERE last_attempted IS NOT NULL`)
		require.NoError(b, err)
		_, err = db.ExecContext(ctx, `VACUUM ANALYZE arena_data`)
		require.NoError(b, err)
	}
	slices.Sort(ms)
	return ms[1]
}

// BenchmarkRetryTick shows that a tick costs its work, not the table: the
// same 1,000 RETRY rows among 10k and among 1M HANDLED rows.
func BenchmarkRetryTick(b *testing.B) {
	for range b.N {
		small := server.NewDB(b, migrations.FS, ".")
		seedBench(b, small, 10_000)
		large := server.NewDB(b, migrations.FS, ".")
		seedBench(b, large, 1_000_000)

		smallMs := tickMillis(b, small)
		largeMs := tickMillis(b, large)

		b.ReportMetric(smallMs, "small_ms")
		b.ReportMetric(largeMs, "large_ms")
		fmt.Printf("retry_tick_ms_small=%.0f\nretry_tick_ms_large=%.0f\nretry_tick_ratio=%.2f\n", smallMs, largeMs, largeMs/smallMs)
	}
}
