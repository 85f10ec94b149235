package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/pg"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
)

var stamped = civil.DateTimeOf(2026, 3, 15, 13, 45, 12, 345678000)

func row(table arena.Table, arenaID string, op arena.Operation, pos string, status ingest.Status) NewArenaData {
	return NewArenaData{
		Table: table, ArenaID: arenaID, Operation: op, Pos: pos,
		OperationTimestamp: civil.DateTimeOf(2022, 1, 12, 0, 0, 6, 0), Status: status,
		After: []byte(`{"TILTAKGJENNOMFORING_ID":3461841}`),
	}
}

func TestUpsertArenaDataInsertsAndReturnsTheRow(t *testing.T) {
	t.Parallel()
	s, db := newStore(t)
	ctx := context.Background()
	m := fixture(t, "arena-tiltakdeltakerendret-v1.json")
	d, err := FromMessage(m, ingest.Handled, "")
	require.NoError(t, err)

	got, err := s.UpsertArenaData(ctx, db, d)
	require.NoError(t, err)
	require.NotZero(t, got.ID)
	require.Equal(t, arena.TableDeltaker, got.Table)
	require.Equal(t, "123456", got.ArenaID)
	require.Equal(t, arena.Modified, got.Operation)
	require.Equal(t, "00000000050058769820", got.Pos)
	require.Equal(t, civil.DateTimeOf(2022, 1, 12, 0, 0, 6, 0), got.OperationTimestamp)
	require.Equal(t, ingest.Handled, got.Status)
	require.Equal(t, &stamped, got.IngestedTimestamp)
	require.Zero(t, got.Attempts)
	require.Nil(t, got.LastAttempted)
	require.Nil(t, got.Note, "an empty note is NULL")
	require.Nil(t, got.Raw)
	require.JSONEq(t, string(d.After), string(got.After))

	back, err := got.Message()
	require.NoError(t, err)
	require.Equal(t, m, back, "the stored row rebuilds the message")

	byID, ok, err := s.GetArenaData(ctx, db, got.ID)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, got, byID)
}

func TestUpsertArenaDataOfARedeliveredMessageUpdatesOnlyStatusNoteAndTime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, db := newStore(t)
	first, err := s.UpsertArenaData(ctx, db, row(arena.TableDeltaker, "1", arena.Created, "33", ingest.Retry))
	require.NoError(t, err)
	require.NoError(t, s.RecordAttempt(ctx, db, first.ID, ingest.Retry, 3, "x"))

	later := New(func() time.Time { return now.Add(time.Hour) })
	again := row(arena.TableDeltaker, "2", arena.Created, "33", ingest.Handled)
	again.After, again.Note = []byte(`{"other":true}`), "ferdig"
	got, err := later.UpsertArenaData(ctx, db, again)
	require.NoError(t, err)

	require.Equal(t, first.ID, got.ID, "no second row")
	require.Equal(t, ingest.Handled, got.Status)
	require.Equal(t, ptr("ferdig"), got.Note)
	require.Equal(t, ptr(stamped.Add(time.Hour)), got.IngestedTimestamp)
	require.Equal(t, "1", got.ArenaID, "the first delivery's data is kept")
	require.JSONEq(t, string(first.After), string(got.After))
	require.Equal(t, 3, got.Attempts, "attempts are not touched")

	var n int
	require.NoError(t, db.GetContext(ctx, &n, `SELECT count(*) FROM arena_data`))
	require.Equal(t, 1, n)
}

func TestUpsertArenaDataKeyIsTableOperationAndPosition(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, db := newStore(t)
	for _, d := range []NewArenaData{
		row(arena.TableDeltaker, "1", arena.Created, "42", ingest.Handled),
		row(arena.TableDeltaker, "1", arena.Modified, "42", ingest.Handled),
		row(arena.TableHistDeltaker, "1", arena.Created, "42", ingest.Handled),
		row(arena.TableDeltaker, "1", arena.Created, "43", ingest.Handled),
	} {
		_, err := s.UpsertArenaData(ctx, db, d)
		require.NoError(t, err)
	}
	var n int
	require.NoError(t, db.GetContext(ctx, &n, `SELECT count(*) FROM arena_data`))
	require.Equal(t, 4, n)

	got, ok, err := s.GetArenaDataByKey(ctx, db, arena.TableDeltaker, arena.Modified, "42")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, arena.Modified, got.Operation)

	_, ok, err = s.GetArenaDataByKey(ctx, db, arena.TableGjennomforing, arena.Modified, "42")
	require.NoError(t, err)
	require.False(t, ok)
	_, ok, err = s.GetArenaData(ctx, db, 999)
	require.NoError(t, err)
	require.False(t, ok)
}

// Fixes the original's blocked partition: an unreadable message is stored
// INVALID with its raw text, and its re-delivery finds the same row.
func TestUnreadableMessagesAreStoredInvalidOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, db := newStore(t)
	received := civil.DateTimeOf(2026, 3, 15, 13, 0, 0, 0)
	src := arena.Source{Topic: "deltaker", Partition: 1, Offset: 77}
	cases := []struct {
		name      string
		value     string
		table     arena.Table
		op        arena.Operation
		pos       string
		arenaID   string
		timestamp civil.DateTime
	}{
		{"not JSON", "{\"table\x00\"", UnknownTable, UnknownOperation, "kafka:deltaker:1:77", "", received},
		{"unknown op_type", `{"table":"SIAMO.TILTAKDELTAKER","op_type":"X","op_ts":"2022-01-12 00:00:06.000000","pos":"00000000000000000009"}`,
			arena.TableDeltaker, UnknownOperation, "00000000000000000009", "", civil.DateTimeOf(2022, 1, 12, 0, 0, 6, 0)},
		{"missing image", `{"table":"SIAMO.TILTAKDELTAKER","op_type":"D","op_ts":"2022-01-12 00:00:06.000000","pos":"00000000000000000010","after":{"TILTAKDELTAKER_ID":5}}`,
			arena.TableDeltaker, arena.Deleted, "00000000000000000010", "", civil.DateTimeOf(2022, 1, 12, 0, 0, 6, 0)},
		{"bad field", `{"table":"SIAMO.TILTAKDELTAKER","op_type":"I","op_ts":"2022-01-12 00:00:06.000000","pos":"00000000000000000011","after":{"TILTAKDELTAKER_ID":5}}`,
			arena.TableDeltaker, arena.Created, "00000000000000000011", "5", civil.DateTimeOf(2022, 1, 12, 0, 0, 6, 0)},
	}
	for _, c := range cases {
		_, err := arena.Parse([]byte(c.value), src)
		pe, ok := err.(*arena.ParseError)
		require.True(t, ok, c.name)

		first, err := s.UpsertArenaData(ctx, db, FromParseError(pe, received))
		require.NoError(t, err, c.name)
		again, err := s.UpsertArenaData(ctx, db, FromParseError(pe, received))
		require.NoError(t, err, c.name)
		require.Equal(t, first.ID, again.ID, c.name)

		require.Equal(t, ingest.Invalid, first.Status, c.name)
		require.Equal(t, c.table, first.Table, c.name)
		require.Equal(t, c.op, first.Operation, c.name)
		require.Equal(t, c.pos, first.Pos, c.name)
		require.Equal(t, c.arenaID, first.ArenaID, c.name)
		require.Equal(t, c.timestamp, first.OperationTimestamp, c.name)
		require.Equal(t, ptr(strings.ReplaceAll(c.value, "\x00", "")), first.Raw, c.name)
		require.Equal(t, ptr(pe.Err.Error()), first.Note, c.name)
		require.Nil(t, first.After, c.name)
	}
}

func TestUnknownOperationIsOnlyAllowedOnInvalidRows(t *testing.T) {
	t.Parallel()
	s, db := newStore(t)
	_, err := s.UpsertArenaData(context.Background(), db, row(UnknownTable, "", UnknownOperation, "kafka:t:0:1", ingest.Handled))
	require.Error(t, err)
	require.Equal(t, "23514", pg.SQLState(err), "check violation")
}

func TestSetStatusAndRecordAttempt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, db := newStore(t)
	r, err := s.UpsertArenaData(ctx, db, row(arena.TableDeltaker, "1", arena.Created, "1", ingest.Retry))
	require.NoError(t, err)

	require.NoError(t, s.RecordAttempt(ctx, db, r.ID, ingest.Failed, 10, "Klarte ikke å hente fnr"))
	got, _, err := s.GetArenaData(ctx, db, r.ID)
	require.NoError(t, err)
	require.Equal(t, ingest.Failed, got.Status)
	require.Equal(t, 10, got.Attempts)
	require.Equal(t, &stamped, got.LastAttempted)
	require.Equal(t, ptr("Klarte ikke å hente fnr"), got.Note)

	require.NoError(t, s.SetStatus(ctx, db, r.ID, ingest.Handled, ""))
	got, _, err = s.GetArenaData(ctx, db, r.ID)
	require.NoError(t, err)
	require.Equal(t, ingest.Handled, got.Status)
	require.Nil(t, got.Note)
	require.Equal(t, 10, got.Attempts)

	require.ErrorIs(t, s.SetStatus(ctx, db, 999, ingest.Handled, ""), ErrNotFound)
	require.ErrorIs(t, s.RecordAttempt(ctx, db, 999, ingest.Retry, 1, ""), ErrNotFound)
}

func TestListByArenaIDIsInPositionOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, db := newStore(t)
	for _, pos := range []string{"00000000000000000030", "00000000000000000010", "00000000000000000020"} {
		_, err := s.UpsertArenaData(ctx, db, row(arena.TableDeltaker, "7", arena.Modified, pos, ingest.Handled))
		require.NoError(t, err)
	}
	_, err := s.UpsertArenaData(ctx, db, row(arena.TableDeltaker, "8", arena.Modified, "00000000000000000015", ingest.Handled))
	require.NoError(t, err)
	_, err = s.UpsertArenaData(ctx, db, row(arena.TableHistDeltaker, "7", arena.Created, "00000000000000000016", ingest.Handled))
	require.NoError(t, err)

	rows, err := s.ListByArenaID(ctx, db, arena.TableDeltaker, "7")
	require.NoError(t, err)
	var got []string
	for _, r := range rows {
		got = append(got, r.Pos)
	}
	require.Equal(t, []string{"00000000000000000010", "00000000000000000020", "00000000000000000030"}, got)
}

func TestListPendingPagesByPosition(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, db := newStore(t)
	for _, r := range []NewArenaData{
		row(arena.TableDeltaker, "1", arena.Created, "00000000000000000003", ingest.Retry),
		row(arena.TableDeltaker, "2", arena.Created, "00000000000000000001", ingest.Retry),
		row(arena.TableDeltaker, "3", arena.Created, "00000000000000000002", ingest.Retry),
		row(arena.TableDeltaker, "4", arena.Created, "00000000000000000004", ingest.Failed),
		row(arena.TableDeltaker, "5", arena.Created, "00000000000000000005", ingest.Handled),
		row(arena.TableGjennomforing, "6", arena.Created, "00000000000000000000", ingest.Retry),
	} {
		_, err := s.UpsertArenaData(ctx, db, r)
		require.NoError(t, err)
	}
	var pages [][]string
	for after := ""; ; {
		rows, err := s.ListPending(ctx, db, ingest.Retry, arena.TableDeltaker, after, 2)
		require.NoError(t, err)
		if len(rows) == 0 {
			break
		}
		var page []string
		for _, r := range rows {
			page = append(page, r.ArenaID)
		}
		pages = append(pages, page)
		after = rows[len(rows)-1].Pos
	}
	require.Equal(t, [][]string{{"2", "3"}, {"1"}}, pages)

	rows, err := s.ListPending(ctx, db, ingest.Failed, arena.TableDeltaker, "", 10)
	require.NoError(t, err)
	require.Len(t, rows, 1)

	n, err := s.CountByStatus(ctx, db, ingest.Retry)
	require.NoError(t, err)
	require.Equal(t, 4, n)
}

// The retry processor's page query must go through arena_data_pending_idx
// in position order, also in a generic plan that cannot see the status.
func TestPendingPageUsesTheIndexWithoutSorting(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, db := newStore(t)
	conn, err := db.Connx(ctx)
	require.NoError(t, err)
	defer conn.Close()
	for _, stmt := range []string{
		// An empty table is cheapest to scan; make the planner show
		// whether the index can serve the query at all.
		`SET enable_seqscan = off`,
		`SET enable_bitmapscan = off`,
		`PREPARE page(varchar, varchar, varchar, int) AS ` + pendingPageQuery,
		`SET plan_cache_mode = force_generic_plan`,
	} {
		_, err := conn.ExecContext(ctx, stmt)
		require.NoError(t, err, stmt)
	}
	for _, explain := range []string{
		`EXPLAIN EXECUTE page('RETRY', 'SIAMO.TILTAKDELTAKER', '00000000000000000000', 5000)`,
		`EXPLAIN ` + strings.NewReplacer("$1", "'FAILED'", "$2", "'SIAMO.TILTAKDELTAKER'", "$3", "''", "$4", "500").Replace(pendingPageQuery),
	} {
		var lines []string
		require.NoError(t, conn.SelectContext(ctx, &lines, explain))
		plan := strings.Join(lines, "\n")
		require.Contains(t, plan, "arena_data_pending_idx", plan)
		require.NotContains(t, plan, "Sort", plan)
	}
}

func TestRetryWaitingDeltakereOfAValidGjennomforing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, db := newStore(t)
	waiting := func(table arena.Table, pos string, image string, before bool) int64 {
		d := row(table, pos, arena.Created, pos, ingest.Waiting)
		d.After = []byte(image)
		if before {
			d.Operation, d.Before, d.After = arena.Deleted, []byte(image), nil
		}
		r, err := s.UpsertArenaData(ctx, db, d)
		require.NoError(t, err)
		require.NoError(t, s.RecordAttempt(ctx, db, r.ID, ingest.Waiting, 4, "Deltaker på ugyldig gjennomføring <3461841>"))
		return r.ID
	}
	after := waiting(arena.TableDeltaker, "1", `{"TILTAKGJENNOMFORING_ID":3461841}`, false)
	before := waiting(arena.TableDeltaker, "2", `{"TILTAKGJENNOMFORING_ID":3461841}`, true)
	other := waiting(arena.TableDeltaker, "3", `{"TILTAKGJENNOMFORING_ID":99}`, false)
	hist := waiting(arena.TableHistDeltaker, "4", `{"TILTAKGJENNOMFORING_ID":3461841}`, false)

	n, err := s.RetryWaitingDeltakere(ctx, db, "3461841")
	require.NoError(t, err)
	require.Equal(t, int64(2), n)
	for id, want := range map[int64]ingest.Status{after: ingest.Retry, before: ingest.Retry, other: ingest.Waiting, hist: ingest.Waiting} {
		got, _, err := s.GetArenaData(ctx, db, id)
		require.NoError(t, err)
		require.Equal(t, want, got.Status, id)
		if want == ingest.Retry {
			require.Zero(t, got.Attempts)
		}
	}
}

func TestReceiveArenaDataBatchStoresNewMessagesAndKeepsOldOnes(t *testing.T) {
	t.Parallel()
	s, db := newStore(t)
	ctx := context.Background()
	old := row(arena.TableDeltaker, "1", arena.Created, "00000000000000000010", ingest.Retry)
	stored, err := s.UpsertArenaData(ctx, db, old)
	require.NoError(t, err)
	require.NoError(t, s.SetStatus(ctx, db, stored.ID, ingest.Handled, ""))

	m := fixture(t, "arena-tiltakdeltakerendret-v1.json")
	fresh, err := FromMessage(m, ingest.Retry, "mottatt")
	require.NoError(t, err)
	items := []NewArenaData{old, fresh, fresh}
	rs, err := s.ReceiveArenaDataBatch(ctx, db, items, []*arena.Message{nil, &m, &m})
	require.NoError(t, err)
	require.Len(t, rs, 3)

	require.False(t, rs[0].Inserted, "delivered before")
	require.Equal(t, stored.ID, rs[0].Row.ID)
	require.Equal(t, ingest.Handled, rs[0].Row.Status, "its status is kept")

	require.True(t, rs[1].Inserted)
	require.Equal(t, ingest.Retry, rs[1].Row.Status)
	require.Equal(t, "mottatt", *rs[1].Row.Note)
	require.Equal(t, rs[1].Row.ID, rs[2].Row.ID, "the same message twice in a batch is one row")
	require.True(t, rs[1].Row.HasImages())
	back, err := rs[1].Row.Message()
	require.NoError(t, err)
	require.Equal(t, m, back)

	full, ok, err := s.GetArenaData(ctx, db, rs[1].Row.ID)
	require.NoError(t, err)
	require.True(t, ok)
	require.JSONEq(t, string(fresh.After), string(full.After))
	state, ok, err := s.GetArenaDataState(ctx, db, rs[1].Row.ID)
	require.NoError(t, err)
	require.True(t, ok)
	require.False(t, state.HasImages())
	require.Equal(t, full, state.WithImagesOf(full))
}

func TestSiblingsComparesPositionsAsNumbers(t *testing.T) {
	t.Parallel()
	s, db := newStore(t)
	ctx := context.Background()
	add := func(pos string, status ingest.Status) {
		r, err := s.UpsertArenaData(ctx, db, row(arena.TableDeltaker, "7", arena.Modified, pos, status))
		require.NoError(t, err)
		require.NoError(t, s.SetStatus(ctx, db, r.ID, status, ""))
	}
	sib, err := s.SiblingsOf(ctx, db, arena.TableDeltaker, "7", "00000000000000000050")
	require.NoError(t, err)
	require.Equal(t, Siblings{}, sib, "no other message")

	// "9" is older than "00000000000000000050" as a number, though not as
	// text; "100" is newer.
	add("9", ingest.Handled)
	add("00000000000000000050", ingest.Retry) // the message itself
	sib, err = s.SiblingsOf(ctx, db, arena.TableDeltaker, "7", "00000000000000000050")
	require.NoError(t, err)
	require.False(t, sib.OlderPending)
	require.False(t, sib.NewerHandled)
	require.Equal(t, &stamped, sib.LastHandled)

	add("8", ingest.Waiting)
	add("100", ingest.Handled)
	sib, err = s.SiblingsOf(ctx, db, arena.TableDeltaker, "7", "00000000000000000050")
	require.NoError(t, err)
	require.True(t, sib.OlderPending)
	require.True(t, sib.NewerHandled)

	other, err := s.SiblingsOf(ctx, db, arena.TableHistDeltaker, "7", "1")
	require.NoError(t, err)
	require.Equal(t, Siblings{}, other, "another table's rows are not siblings")
}
