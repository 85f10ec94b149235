package ops_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/kafka"
	"github.com/navikt/kafkapg/pkg/kafka/kafkatest"
	"github.com/navikt/kafkapg/pkg/pg/pgtest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ops"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/store"
	"github.com/navikt/kafkapg/services/amt-arena-acl/migrations"
)

var server *pgtest.Server

func TestMain(m *testing.M) { pgtest.Main(m, &server) }

type bundle struct {
	db     *sqlx.DB
	store  *store.Store
	now    time.Time
	stdout *bytes.Buffer
	stderr *bytes.Buffer
	deps   ops.Deps
}

func setup(t *testing.T) *bundle {
	t.Helper()
	b := &bundle{now: time.Date(2026, 3, 15, 12, 0, 0, 0, civil.Oslo), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
	b.db = server.NewDB(t, migrations.FS, ".")
	b.store = store.New(func() time.Time { return b.now })
	b.deps = ops.Deps{
		DB:       func(context.Context) (*sqlx.DB, error) { return b.db, nil },
		Producer: func(context.Context) (ops.Sender, error) { return nil, errors.New("no Kafka in this test") },
		Store:    b.store, EnkeltplassTopic: "amt.arena-enkeltplass-deltaker-v1",
		Stdout: b.stdout, Stderr: b.stderr,
	}
	return b
}

func (b *bundle) run(args ...string) error {
	b.stdout.Reset()
	b.stderr.Reset()
	return ops.Run(context.Background(), b.deps, args)
}

// seed stores a deltaker message on gjennomføring g at position p (any
// number of digits) with status, ingested at the bundle's now.
func (b *bundle) seed(t *testing.T, table arena.Table, arenaID string, g int, p string, status ingest.Status) store.ArenaData {
	t.Helper()
	row, err := b.store.UpsertArenaData(context.Background(), b.db, store.NewArenaData{
		Table: table, ArenaID: arenaID, Operation: arena.Modified, Pos: p,
		OperationTimestamp: civil.DateTimeOf(2026, 3, 1, 10, 0, 0, 0), Status: status,
		After: fmt.Appendf(nil, `{"TILTAKDELTAKER_ID": %s, "TILTAKGJENNOMFORING_ID": %d}`, arenaID, g),
	})
	require.NoError(t, err)
	return row
}

func (b *bundle) get(t *testing.T, id int64) store.ArenaData {
	t.Helper()
	row, ok, err := b.store.GetArenaData(context.Background(), b.db, id)
	require.NoError(t, err)
	require.True(t, ok)
	return row
}

func TestBadUsageConnectsToNothingAndSaysWhy(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		want string
	}{
		{nil, "usage: amt-arena-acl replay|relast|tombstone|status [flags]"},
		{[]string{"serve"}, "usage:"},
		{[]string{"replay"}, "--table must be one of SIAMO.TILTAKGJENNOMFORING, SIAMO.TILTAKDELTAKER, SIAMO.HIST_TILTAKDELTAKER"},
		{[]string{"replay", "--table", "SIAMO.SAK"}, `not "SIAMO.SAK"`},
		{[]string{"replay", "--table", "SIAMO.TILTAKDELTAKER", "--fix"}, "--fix goes with --check"},
		{[]string{"replay", "--table", "SIAMO.TILTAKDELTAKER", "--tiltakskode", "AMO"}, `--tiltakskode "AMO" is not an Arena code`},
		{[]string{"replay", "--table", "SIAMO.TILTAKDELTAKER", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"relast", "--tiltakskode", "INDOPPFAG"}, "must be ENKELAMO, ENKFAGYRKE or HOYEREUTD"},
		{[]string{"relast"}, "must be ENKELAMO, ENKFAGYRKE or HOYEREUTD"},
		{[]string{"relast", "--tiltakskode", "ENKELAMO", "extra"}, `unexpected argument "extra"`},
		{[]string{"tombstone"}, "name at least one --deltaker"},
		{[]string{"tombstone", "--deltaker", "123"}, `--deltaker "123" is not a UUID`},
		{[]string{"status", "now"}, `unexpected argument "now"`},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			deps := ops.Deps{
				DB: func(context.Context) (*sqlx.DB, error) {
					t.Error("connected to the database")
					return nil, errors.New("no")
				},
				Producer: func(context.Context) (ops.Sender, error) { t.Error("connected to Kafka"); return nil, errors.New("no") },
				Store:    store.New(nil), Stdout: &stdout, Stderr: &stderr,
			}
			err := ops.Run(context.Background(), deps, c.args)
			require.ErrorIs(t, err, ops.ErrUsage)
			require.ErrorContains(t, err, c.want)
		})
	}
}

// replay marks the newest HANDLED message of each deltaker, by position
// compared as a number, and only with --yes.
func TestReplayMarksTheNewestHandledMessageOfEachDeltaker(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := arena.TableDeltaker
	_, err := b.db.Exec(`INSERT INTO gjennomforing (arena_id, tiltak_kode, is_valid) VALUES ('500', 'INDOPPFAG', true), ('600', 'ENKELAMO', true)`)
	require.NoError(t, err)
	a1 := b.seed(t, d, "1", 500, "9", ingest.Handled)
	a2 := b.seed(t, d, "1", 500, "10", ingest.Handled) // newer than "9" as a number
	b1 := b.seed(t, d, "2", 500, "11", ingest.Handled)
	b2 := b.seed(t, d, "2", 500, "12", ingest.Retry) // pending: published when it is handled
	c1 := b.seed(t, d, "3", 600, "13", ingest.Handled)
	e1 := b.seed(t, d, "4", 500, "14", ingest.Invalid)
	h1 := b.seed(t, arena.TableHistDeltaker, "1", 500, "15", ingest.Handled)
	_, err = b.db.Exec(`UPDATE arena_data SET ingest_attempts = 4, last_attempted = now() WHERE id = $1`, a2.ID)
	require.NoError(t, err)
	all := []store.ArenaData{a1, a2, b1, b2, c1, e1, h1}
	unchanged := func() {
		t.Helper()
		for _, r := range all {
			got := b.get(t, r.ID)
			require.Equal(t, r.Status, got.Status, "row %s", r.Pos)
		}
	}

	require.ErrorIs(t, b.run("replay", "--table", "SIAMO.TILTAKDELTAKER"), ops.ErrNotConfirmed)
	require.Contains(t, b.stdout.String(), "replay SIAMO.TILTAKDELTAKER: 3 Arena ids have a HANDLED message.")
	require.Contains(t, b.stdout.String(), "Arena ids: 1, 2, 3\n")
	unchanged()

	require.NoError(t, b.run("replay", "--table", "SIAMO.TILTAKDELTAKER", "--dry-run", "--yes"))
	require.Contains(t, b.stdout.String(), "Dry run: nothing written.")
	unchanged()

	require.NoError(t, b.run("replay", "--table", "SIAMO.TILTAKDELTAKER", "--tiltakskode", "INDOPPFAG", "--yes"))
	require.Contains(t, b.stdout.String(), "(on INDOPPFAG): 2 Arena ids")
	require.Contains(t, b.stdout.String(), "Marked 2 rows for retry.")
	for _, r := range []store.ArenaData{a2, b1} {
		got := b.get(t, r.ID)
		require.Equal(t, ingest.Retry, got.Status, "row %s", r.Pos)
		require.Zero(t, got.Attempts)
		require.Nil(t, got.LastAttempted)
	}
	for _, r := range []store.ArenaData{a1, c1, e1, h1} {
		require.Equal(t, r.Status, b.get(t, r.ID).Status, "row %s", r.Pos)
	}

	// By id, listed after the flags too.
	require.NoError(t, b.run("replay", "--table", "SIAMO.TILTAKDELTAKER", "--yes", "--arena-id", "3", "77"))
	require.Contains(t, b.stdout.String(), "(among 2 given ids): 1 Arena ids")
	require.Contains(t, b.stdout.String(), "Marked 1 rows for retry.")
	require.Equal(t, ingest.Retry, b.get(t, c1.ID).Status)
}

// After a replay, the check lists the deltakere whose newest HANDLED
// message is not the one handled last, and --fix marks them again.
func TestReplayCheckListsOvertakenDeltakereAndFixMarksThem(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := arena.TableDeltaker
	t0 := b.now
	// Deltaker 1: the older message was handled after the newer one.
	b.now = t0.Add(time.Minute)
	newer := b.seed(t, d, "1", 500, "00000000000000000020", ingest.Handled)
	b.now = t0.Add(2 * time.Minute)
	older := b.seed(t, d, "1", 500, "00000000000000000010", ingest.Handled)
	// Deltaker 2: in order.
	b.now = t0.Add(time.Minute)
	b.seed(t, d, "2", 500, "00000000000000000011", ingest.Handled)
	b.now = t0.Add(2 * time.Minute)
	b.seed(t, d, "2", 500, "00000000000000000021", ingest.Handled)

	require.NoError(t, b.run("replay", "--table", "SIAMO.TILTAKDELTAKER", "--check"))
	out := b.stdout.String()
	require.Contains(t, out, "1 Arena ids whose newest HANDLED message is not the one handled last")
	require.Regexp(t, `(?m)^1\s+00000000000000000020\s+00000000000000000010\s+2026-03-15T12:02:00$`, out)
	require.NotRegexp(t, `(?m)^2\s`, out)

	require.ErrorIs(t, b.run("replay", "--table", "SIAMO.TILTAKDELTAKER", "--check", "--fix"), ops.ErrNotConfirmed)
	require.Equal(t, ingest.Handled, b.get(t, newer.ID).Status)

	require.NoError(t, b.run("replay", "--table", "SIAMO.TILTAKDELTAKER", "--check", "--fix", "--yes"))
	require.Contains(t, b.stdout.String(), "Marked 1 rows for retry.")
	require.Equal(t, ingest.Retry, b.get(t, newer.ID).Status)
	require.Equal(t, ingest.Handled, b.get(t, older.ID).Status)

	require.NoError(t, b.run("replay", "--table", "SIAMO.TILTAKDELTAKER", "--check", "--arena-id", "2"))
	require.Contains(t, b.stdout.String(), "(among 1 given ids): 0 Arena ids")
}

// relast: per deltaker on a gjennomføring with the code (found through the
// deltaker table), the newest HANDLED or NEW TILTAKDELTAKER message.
func TestRelastMarksTheNewestHandledOrNewMessageOfTheTypesDeltakere(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := arena.TableDeltaker
	_, err := b.db.Exec(`INSERT INTO gjennomforing (arena_id, tiltak_kode, is_valid) VALUES ('600', 'ENKELAMO', true), ('700', 'ENKFAGYRKE', true)`)
	require.NoError(t, err)
	for _, dl := range []struct{ arenaID, g int }{{1, 600}, {2, 600}, {3, 700}} {
		require.NoError(t, b.store.UpsertDeltaker(context.Background(), b.db, store.Deltaker{
			ArenaID: int64(dl.arenaID), PersonID: 9, GjennomforingID: int64(dl.g), Status: "GJENN",
			RegDato: civil.DateTimeOf(2026, 1, 1, 0, 0, 0, 0), ModDato: civil.DateTimeOf(2026, 1, 1, 0, 0, 0, 0),
		}))
	}
	old := b.seed(t, d, "1", 600, "00000000000000000001", ingest.Handled)
	newest := b.seed(t, d, "1", 600, "00000000000000000002", ingest.New)
	failed := b.seed(t, d, "2", 600, "00000000000000000003", ingest.Failed)
	other := b.seed(t, d, "3", 700, "00000000000000000004", ingest.Handled)

	require.NoError(t, b.run("relast", "--tiltakskode", "ENKELAMO", "--yes"))
	require.Contains(t, b.stdout.String(), "relast ENKELAMO: 1 deltakere on ENKELAMO gjennomføringer have a HANDLED or NEW message.")
	require.Contains(t, b.stdout.String(), "Marked 1 rows for retry.")
	require.Equal(t, ingest.Retry, b.get(t, newest.ID).Status)
	require.Equal(t, ingest.Handled, b.get(t, old.ID).Status)
	require.Equal(t, ingest.Failed, b.get(t, failed.ID).Status)
	require.Equal(t, ingest.Handled, b.get(t, other.ID).Status)
}

func TestStatusPrintsCountsAndTheOldestPendingRows(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := arena.TableDeltaker
	b.seed(t, d, "1", 500, "00000000000000000001", ingest.Handled)
	b.seed(t, d, "2", 500, "00000000000000000002", ingest.Handled)
	old := b.seed(t, d, "3", 500, "00000000000000000003", ingest.Failed)
	b.now = b.now.Add(time.Hour)
	b.seed(t, d, "4", 500, "00000000000000000004", ingest.Failed)
	b.seed(t, arena.TableHistDeltaker, "5", 500, "00000000000000000005", ingest.Retry)

	require.NoError(t, b.run("status"))
	out := b.stdout.String()
	require.Regexp(t, `(?m)^SIAMO.TILTAKDELTAKER\s+HANDLED\s+2$`, out)
	require.Regexp(t, `(?m)^SIAMO.TILTAKDELTAKER\s+FAILED\s+2$`, out)
	require.Regexp(t, `(?m)^SIAMO.HIST_TILTAKDELTAKER\s+RETRY\s+1$`, out)
	require.Regexp(t, fmt.Sprintf(`(?m)^FAILED\s+SIAMO.TILTAKDELTAKER\s+%d\s+3\s+00000000000000000003\s+2026-03-15T12:00:00\s+0`, old.ID), out)
	require.Regexp(t, `(?m)^RETRY\s+SIAMO.HIST_TILTAKDELTAKER\s+\d+\s+5\s`, out)

	empty := setup(t)
	require.NoError(t, empty.run("status"))
	require.Contains(t, empty.stdout.String(), "No RETRY or FAILED rows.")
}

// Tombstones: a record per deltaker, keyed by its UUID, with no value, on
// the enkeltplass topic; only with --yes.
func TestTombstoneSendsNullValueRecordsKeyedByTheDeltakersUUID(t *testing.T) {
	t.Parallel()
	b := setup(t)
	k := kafkatest.New(t)
	const topic = "amt.arena-enkeltplass-deltaker-v1"
	k.CreateTopic(t, topic, 1)
	producers := 0
	b.deps.Producer = func(context.Context) (ops.Sender, error) {
		producers++
		p, err := kafka.NewProducerFromSarama(k.Addrs(), k.SaramaConfig(t))
		if err == nil {
			t.Cleanup(func() { _ = p.Close() })
		}
		return p, err
	}
	known, unknown := uuid.New(), uuid.New()
	_, err := b.store.InsertTranslation(context.Background(), b.db, store.Translation{AmtID: known, Table: arena.TableDeltaker, ArenaID: "123"})
	require.NoError(t, err)

	require.ErrorIs(t, b.run("tombstone", "--deltaker", known.String(), unknown.String()), ops.ErrNotConfirmed)
	require.Contains(t, b.stdout.String(), known.String()+"  (Arena deltaker 123)")
	require.Contains(t, b.stdout.String(), unknown.String()+"  (not a deltaker id known here)")
	require.Zero(t, producers, "no Kafka without --yes")

	require.NoError(t, b.run("tombstone", "--yes", "--deltaker", known.String()+","+unknown.String()))
	require.Contains(t, b.stdout.String(), "Tombstone deltaker med id "+known.String())
	require.Contains(t, b.stdout.String(), "Sent 2 tombstones.")

	got := k.Consume(t, topic, 0, sarama.OffsetOldest, 2)
	require.Equal(t, known.String(), string(got[0].Key))
	require.Nil(t, got[0].Value)
	require.Equal(t, unknown.String(), string(got[1].Key))
	require.Nil(t, got[1].Value)
}
