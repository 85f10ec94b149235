package retry_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/pg"
	"github.com/navikt/kafkapg/pkg/pg/pgtest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/store"
)

var server *pgtest.Server

func TestMain(m *testing.M) { pgtest.Main(m, &server) }

// dbHandler stands in for the service's handler where a test is about the
// processor, not the rules: it does what the handler contract says (one
// transaction, the per-Arena-id lock, re-read, write the status StatusFor
// decides) with an outcome the test chooses per row. It records every
// call, and whether two calls ever handled the same row at once.
type dbHandler struct {
	db    *sqlx.DB
	store *store.Store
	// outcome is the handler's result for a row; nil is success.
	outcome func(store.ArenaData) error
	// hold, when set, is called while the row is being handled, with its
	// lock held: a test blocks there to line calls up.
	hold func(store.ArenaData)

	mu       sync.Mutex
	calls    []store.ArenaData // the rows handled, in order, as re-read
	perRow   map[int64]int
	inFlight map[int64]bool
	overlaps int
	skipped  int
}

func newDBHandler(db *sqlx.DB, s *store.Store, outcome func(store.ArenaData) error) *dbHandler {
	if outcome == nil {
		outcome = func(store.ArenaData) error { return nil }
	}
	return &dbHandler{db: db, store: s, outcome: outcome, perRow: map[int64]int{}, inFlight: map[int64]bool{}}
}

func (h *dbHandler) Handle(ctx context.Context, row store.ArenaData, path ingest.Path) (ingest.Decision, error) {
	var d ingest.Decision
	err := pg.InTx(ctx, h.db, nil, func(tx *sqlx.Tx) error {
		d = ingest.Decision{}
		if err := h.store.LockArenaID(ctx, tx, row.Table, row.ArenaID); err != nil {
			return err
		}
		cur, ok, err := h.store.GetArenaData(ctx, tx, row.ID)
		if err != nil {
			return err
		}
		if !ok || cur.Status != row.Status || cur.Attempts != row.Attempts {
			h.mu.Lock()
			h.skipped++
			h.mu.Unlock()
			d = ingest.Decision{Status: cur.Status, Skipped: true}
			return nil // moved on: nothing to do
		}
		h.mu.Lock()
		h.calls = append(h.calls, cur)
		h.perRow[row.ID]++
		if h.inFlight[row.ID] {
			h.overlaps++
		}
		h.inFlight[row.ID] = true
		h.mu.Unlock()
		// Done before the commit that lets the next holder of the lock in.
		defer func() {
			h.mu.Lock()
			delete(h.inFlight, row.ID)
			h.mu.Unlock()
		}()
		if h.hold != nil {
			h.hold(cur)
		}
		d = ingest.StatusFor(h.outcome(cur), path)
		if d.Status == ingest.Handled {
			return h.store.SetStatus(ctx, tx, row.ID, d.Status, d.Note)
		}
		return h.store.RecordAttempt(ctx, tx, row.ID, d.Status, path.Attempts(), d.Note)
	})
	return d, err
}

func (h *dbHandler) handled() []store.ArenaData {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]store.ArenaData(nil), h.calls...)
}

func (h *dbHandler) countPerRow() map[int64]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[int64]int, len(h.perRow))
	for k, v := range h.perRow {
		out[k] = v
	}
	return out
}

// clock is the test's "now", shared by the store's stamps and the ticks,
// as in production; tests move it on by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on by d and returns the new time.
func (c *clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

// pos is a GoldenGate position: 20 digits, so text order is numeric order.
func pos(n int) string { return fmt.Sprintf("%020d", n) }

// seed stores a row of table for arenaID at position p with status.
func seed(t testing.TB, s *store.Store, db *sqlx.DB, table arena.Table, arenaID string, p int, status ingest.Status) store.ArenaData {
	t.Helper()
	row, err := s.UpsertArenaData(context.Background(), db, store.NewArenaData{
		Table: table, ArenaID: arenaID, Operation: arena.Modified, Pos: pos(p),
		OperationTimestamp: civil.DateTimeOf(2026, 3, 1, 10, 0, 0, 0), Status: status,
		After: []byte(`{}`),
	})
	require.NoError(t, err)
	return row
}

func get(t testing.TB, s *store.Store, db *sqlx.DB, id int64) store.ArenaData {
	t.Helper()
	row, ok, err := s.GetArenaData(context.Background(), db, id)
	require.NoError(t, err)
	require.True(t, ok, "row %d", id)
	return row
}

// errUnavailable is a peer that fails: an outcome the retry path only
// counts.
var errUnavailable = errors.New("fnr lookup: status 500")
