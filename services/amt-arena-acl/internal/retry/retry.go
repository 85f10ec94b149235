package retry

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/store"
)

// Handler handles one stored arena_data row end to end, as the live path
// does: in one transaction it takes the row's per-Arena-id lock, re-reads
// the row and does nothing if it has moved on, applies the rules,
// publishes, and writes the status ingest.StatusFor(err, path) decides
// (with the attempts on the retry path). A non-nil error means the
// handling itself could not be done (the database or the transaction
// failed) and nothing was written.
type Handler interface {
	Handle(ctx context.Context, row store.ArenaData, path ingest.Path) (ingest.Decision, error)
}

// Defaults of the batch sizes, the original's.
const (
	DefaultRetryBatchSize  = 5000
	DefaultFailedBatchSize = 500
)

// maxConsecutiveErrors is how many rows in a row may fail to be handled
// at all before a tick gives up: by then the database or the broker is
// down, and going on only burns the rest of the backlog's attempts.
const maxConsecutiveErrors = 3

// Processor runs retry ticks. It is safe for concurrent use; concurrent
// ticks split their rows as the package documentation says.
type Processor struct {
	db      *sqlx.DB
	store   *store.Store
	handler Handler
	log     *zap.Logger
	metrics *metrics
}

// Option configures a Processor.
type Option func(*Processor)

// WithLogger logs to l (default: nowhere).
func WithLogger(l *zap.Logger) Option { return func(p *Processor) { p.log = l } }

// WithRegisterer registers the processor's metrics with r.
func WithRegisterer(r prometheus.Registerer) Option {
	return func(p *Processor) { p.metrics = newMetrics(r) }
}

// New returns a Processor that claims rows from db through s and hands
// them to h.
func New(db *sqlx.DB, s *store.Store, h Handler, opts ...Option) *Processor {
	p := &Processor{db: db, store: s, handler: h, log: zap.NewNop()}
	for _, o := range opts {
		o(p)
	}
	if p.metrics == nil {
		p.metrics = newMetrics(nil)
	}
	return p
}

// TableResult is what a tick did with one table.
type TableResult struct {
	Table arena.Table
	// Attempted counts the rows handed to the handler.
	Attempted int
	// Outcomes counts the attempted rows by the status the attempt left
	// them in, leaving out the skipped ones.
	Outcomes map[ingest.Status]int
	// Skipped counts the rows the handler found had moved on meanwhile
	// (handled by someone else), and the rows it could not handle at all
	// whose attempt could not be counted either.
	Skipped  int
	Duration time.Duration
}

// Result is what a tick did, table by table in processing order.
type Result struct {
	Status ingest.Status
	Tables []TableResult
}

// Attempted counts the rows the tick handed to the handler.
func (r Result) Attempted() int {
	n := 0
	for _, t := range r.Tables {
		n += t.Attempted
	}
	return n
}

// Tick attempts every row in status (RETRY or FAILED) once, for the tick
// at time at, in pages of batchSize rows. at identifies the tick: give
// processors that should share the work the same at (the scheduled time),
// and use the clock the store stamps rows with.
//
// It returns early with an error when ctx ends, when claiming fails, or
// when several rows in a row could not be handled at all; what was done
// until then stays done, and the next tick carries on.
func (p *Processor) Tick(ctx context.Context, status ingest.Status, at time.Time, batchSize int) (Result, error) {
	if status != ingest.Retry && status != ingest.Failed {
		return Result{}, fmt.Errorf("retry: a tick works on RETRY or FAILED rows, not %s", status)
	}
	if batchSize < 1 {
		return Result{}, fmt.Errorf("retry: batch size %d is below 1", batchSize)
	}
	tick := civil.FromTime(at).Truncate(time.Microsecond)
	res := Result{Status: status}
	for _, table := range arena.Tables() {
		tr, err := p.tickTable(ctx, status, table, tick, batchSize)
		res.Tables = append(res.Tables, tr)
		if tr.Attempted > 0 {
			// The original's summary line, which operators grep for.
			p.log.Info(fmt.Sprintf("[%s]: Handled %d %s messages in %.3f seconds.",
				table, tr.Attempted, status, tr.Duration.Seconds()),
				zap.String("table", string(table)), zap.String("status", string(status)),
				zap.Int("attempted", tr.Attempted), zap.Any("outcomes", tr.Outcomes))
		}
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

func (p *Processor) tickTable(ctx context.Context, status ingest.Status, table arena.Table, tick civil.DateTime, batchSize int) (tr TableResult, err error) {
	start := time.Now()
	tr = TableResult{Table: table, Outcomes: map[ingest.Status]int{}}
	defer func() { tr.Duration = time.Since(start) }()

	after, failing := "", 0
	for {
		if err := ctx.Err(); err != nil {
			return tr, fmt.Errorf("retry: %s tick on %s stopped: %w", status, table, err)
		}
		page, err := p.store.ClaimPending(ctx, p.db, status, table, after, tick, batchSize)
		if err != nil {
			return tr, fmt.Errorf("retry: %s tick on %s: %w", status, table, err)
		}
		if len(page) == 0 {
			return tr, nil
		}
		for i, row := range page {
			outcome, skipped, err := p.attempt(ctx, status, row)
			if err != nil {
				if ctx.Err() != nil {
					// The rest of the page stays stamped and unhandled;
					// the next tick claims it.
					return tr, fmt.Errorf("retry: %s tick on %s stopped at %d of %d rows: %w", status, table, i, len(page), ctx.Err())
				}
				if failing++; failing >= maxConsecutiveErrors {
					return tr, fmt.Errorf("retry: %s tick on %s: %d rows in a row could not be handled, the last: %w", status, table, failing, err)
				}
			} else {
				failing = 0
			}
			tr.Attempted++
			label := string(outcome)
			if skipped {
				tr.Skipped++
				label = "skipped"
			} else {
				tr.Outcomes[outcome]++
			}
			p.metrics.attempts.WithLabelValues(string(table), string(status), label).Inc()
		}
		after = page[len(page)-1].Pos
	}
}

// attempt hands one claimed row to the handler and returns the status the
// attempt left it in, or skipped when the row had moved on. When the
// handler could not handle the row at all, attempt still counts the
// attempt (unless the row has moved on), so that a row that keeps breaking
// the handler ends FAILED, where someone looks at it, instead of being
// retried unseen forever; and returns the error.
func (p *Processor) attempt(ctx context.Context, status ingest.Status, row store.ArenaData) (_ ingest.Status, skipped bool, _ error) {
	attempts := row.Attempts + 1
	path := ingest.Retried(status, attempts)
	d, err := p.handler.Handle(ctx, row, path)
	if err == nil {
		return d.Status, d.Skipped, nil
	}
	if ctx.Err() != nil {
		return "", true, err
	}
	d = ingest.StatusFor(err, path)
	log := p.log.With(zap.Int64("arena_data_id", row.ID), zap.String("table", string(row.Table)),
		zap.String("arena_id", row.ArenaID), zap.String("pos", row.Pos), zap.Int("attempts", attempts))
	wrote, werr := p.store.RecordAttemptIf(ctx, p.db, row, d.Status, attempts, d.Note)
	switch {
	case werr != nil:
		log.Warn("retry: could not handle the row, nor count the attempt", zap.Error(errors.Join(err, werr)))
		return "", true, err
	case !wrote:
		log.Warn("retry: could not handle the row, which has moved on meanwhile", zap.Error(err))
		return "", true, err
	}
	if d.Status == ingest.Failed && status != ingest.Failed {
		log.Error("Setter IngestStatus.FAILED. Raden kunne ikke håndteres", zap.Error(err))
	} else {
		log.Warn("retry: could not handle the row; attempt counted", zap.Error(err), zap.String("status", string(d.Status)))
	}
	return d.Status, false, err
}

type metrics struct {
	attempts *prometheus.CounterVec
}

func newMetrics(r prometheus.Registerer) *metrics {
	m := &metrics{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "amt_arena_acl_retry_attempts_total",
			Help: "Rows the retry processor handed to the handler, by table, the status they were retried from, and the status the attempt left them in (skipped: the row had moved on).",
		}, []string{"table", "from", "outcome"}),
	}
	if r != nil {
		r.MustRegister(m.attempts)
	}
	return m
}
