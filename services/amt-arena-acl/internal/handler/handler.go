package handler

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/navikt/kafkapg/pkg/pg"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/amt"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client/amttiltak"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/client/mulighetsrommet"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/metrics"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/publish"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/store"
)

// ORDS looks up a person's fødselsnummer; *ords.Client is one.
type ORDS interface {
	Fnr(ctx context.Context, personID int64) (string, error)
}

// Mulighetsrommet translates and describes gjennomføringer;
// *mulighetsrommet.Client is one.
type Mulighetsrommet interface {
	GjennomforingID(ctx context.Context, arenaID int64) (string, error)
	Gjennomforing(ctx context.Context, id string) (mulighetsrommet.Gjennomforing, error)
}

// AmtTiltak lists a person's deltakelser; *amttiltak.Client is one.
type AmtTiltak interface {
	Deltakelser(ctx context.Context, personIdent string) ([]amttiltak.Deltakelse, error)
}

// Publisher sends AMT deltaker messages and waits for Kafka's ack;
// *publish.Publisher is one.
type Publisher interface {
	Deltaker(ctx context.Context, op amt.Operation, d amt.Deltaker, enkeltplass bool) (publish.Sent, error)
}

// DefaultSpacing is how long a deltaker message waits when the deltaker's
// previous message was handled less than this long ago: the original's
// 500 ms, which gives amt-tiltak time between a burst of changes to one
// deltaker.
const DefaultSpacing = 500 * time.Millisecond

// Config is what a Processor is built from. Every field but Spacing,
// Metrics, Log and OnDecision is required.
type Config struct {
	DB              *sqlx.DB
	Store           *store.Store
	ORDS            ORDS
	Mulighetsrommet Mulighetsrommet
	AmtTiltak       AmtTiltak
	Publisher       Publisher
	// Now is the clock: "today" of the status rules and the time the
	// spacing is measured against.
	Now func() time.Time
	// Spacing is the least time between two handled messages of one
	// deltaker (see DefaultSpacing); zero turns the wait off.
	Spacing time.Duration
	Metrics *metrics.Metrics
	// Log gets one line per message handled, at the level its decision
	// says, plus the rules' own lines. nil logs nothing.
	Log *zap.Logger
	// OnDecision, when set, is called after every Handle that decided
	// something, skips included, once the transaction is committed. Tests
	// and benchmarks wait on it.
	OnDecision func(row store.ArenaData, path ingest.Path, d ingest.Decision)
}

// Processor handles stored Arena messages. It is safe for concurrent use.
type Processor struct {
	db         *sqlx.DB
	store      *store.Store
	ords       ORDS
	mr         Mulighetsrommet
	amtTiltak  AmtTiltak
	pub        Publisher
	now        func() time.Time
	spacing    time.Duration
	metrics    *metrics.Metrics
	log        *zap.Logger
	onDecision func(store.ArenaData, ingest.Path, ingest.Decision)
}

// New returns a Processor, or an error naming the first missing dependency.
func New(c Config) (*Processor, error) {
	for _, dep := range []struct {
		name string
		ok   bool
	}{
		{"DB", c.DB != nil}, {"Store", c.Store != nil}, {"ORDS", c.ORDS != nil},
		{"Mulighetsrommet", c.Mulighetsrommet != nil}, {"AmtTiltak", c.AmtTiltak != nil},
		{"Publisher", c.Publisher != nil}, {"Now", c.Now != nil},
	} {
		if !dep.ok {
			return nil, fmt.Errorf("handler: Config.%s is required", dep.name)
		}
	}
	if c.Spacing < 0 {
		return nil, fmt.Errorf("handler: Config.Spacing %s is negative", c.Spacing)
	}
	log := c.Log
	if log == nil {
		log = zap.NewNop()
	}
	return &Processor{
		db: c.DB, store: c.Store, ords: c.ORDS, mr: c.Mulighetsrommet, amtTiltak: c.AmtTiltak,
		pub: c.Publisher, now: c.Now, spacing: c.Spacing, metrics: c.Metrics, log: log,
		onDecision: c.OnDecision,
	}, nil
}

// Handle processes one stored arena_data row end to end, in one database
// transaction: it takes the per-Arena-id lock, re-reads the row and does
// nothing if it is no longer in a state to be handled (the decision is then
// Skipped), applies the gjennomføring, deltaker or hist deltaker rules,
// publishes the AMT message and waits for Kafka's ack, and writes the
// status ingest.StatusFor decides for the outcome on path: HANDLED only
// after the ack. On the live path the status and note are written with
// ingested_timestamp; on the retry path a failure also records the
// attempt (ingest_attempts = path.Attempts(), last_attempted).
//
// It returns the decision. A non-nil error means the database failed and no
// status could be written; the row is then as it was, and the message may
// or may not have been published (it will be again).
func (p *Processor) Handle(ctx context.Context, row store.ArenaData, path ingest.Path) (ingest.Decision, error) {
	tx, err := p.db.BeginTxx(ctx, nil)
	if err != nil {
		return ingest.Decision{}, fmt.Errorf("handle arena_data %d: begin: %w", row.ID, err)
	}
	// A no-op once committed.
	defer func() { _ = tx.Rollback() }()

	if err := p.store.LockArenaID(ctx, tx, row.Table, row.ArenaID); err != nil {
		return ingest.Decision{}, fmt.Errorf("handle arena_data %d: %w", row.ID, err)
	}
	// The state is read again under the lock; the images, which never
	// change, are taken from row when it has them.
	var (
		cur store.ArenaData
		ok  bool
	)
	if row.HasImages() {
		cur, ok, err = p.store.GetArenaDataState(ctx, tx, row.ID)
		cur = cur.WithImagesOf(row)
	} else {
		cur, ok, err = p.store.GetArenaData(ctx, tx, row.ID)
	}
	if err != nil {
		return ingest.Decision{}, fmt.Errorf("handle arena_data %d: re-read: %w", row.ID, err)
	}
	if !ok || !handleable(cur, row) {
		d := ingest.Decision{Status: cur.Status, Level: zapcore.DebugLevel, Skipped: true}
		if cur.Note != nil {
			d.Note = *cur.Note
		}
		if !ok {
			d.Status = ""
		}
		p.logger(row, path).Debug("Meldingen er ikke lenger til håndtering", zap.String("status", string(d.Status)))
		p.decided(row, path, d)
		return d, nil
	}
	if _, err := tx.ExecContext(ctx, `SAVEPOINT handling`); err != nil {
		return ingest.Decision{}, fmt.Errorf("handle arena_data %d: savepoint: %w", row.ID, err)
	}

	j := p.newJob(tx, cur, path)
	outcome := j.run(ctx)
	if outcome != nil && pg.SQLState(outcome) != "" {
		// A statement failed, which aborts the transaction: undo what the
		// rules wrote, so the status can still be written.
		if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT handling`); err != nil {
			return ingest.Decision{}, fmt.Errorf("handle arena_data %d: %w; rollback to savepoint: %w", row.ID, outcome, err)
		}
		j.drop = false
	}

	d := ingest.StatusFor(outcome, path)
	if outcome == nil {
		d.Note = j.note
	}
	switch {
	case j.drop:
		err = p.store.DeleteArenaData(ctx, tx, cur.ID)
	case path.IsRetry() && outcome != nil:
		err = p.store.RecordAttempt(ctx, tx, cur.ID, d.Status, path.Attempts(), d.Note)
	default:
		err = p.store.SetStatus(ctx, tx, cur.ID, d.Status, d.Note)
	}
	if err != nil {
		return ingest.Decision{}, fmt.Errorf("handle arena_data %d: write status %s: %w; outcome: %v", row.ID, d.Status, err, outcome)
	}
	if err := tx.Commit(); err != nil {
		return ingest.Decision{}, fmt.Errorf("handle arena_data %d: commit status %s: %w", row.ID, d.Status, err)
	}

	if outcome == nil {
		for _, f := range j.onCommit {
			f()
		}
	}
	p.metrics.Outcome(metrics.Processor(string(cur.Table)), string(d.Status), path.String())
	j.logDecision(d, outcome)
	p.decided(cur, path, d)
	return d, nil
}

// handleable reports whether cur, the row as re-read under the lock, is
// still what the caller saw in seen, and in a status that is handled
// again. A row another handler has moved on is left to that one.
func handleable(cur, seen store.ArenaData) bool {
	switch cur.Status {
	case ingest.Retry, ingest.Failed, ingest.Waiting:
	default:
		return false
	}
	return cur.Status == seen.Status && cur.Attempts == seen.Attempts
}

func (p *Processor) decided(row store.ArenaData, path ingest.Path, d ingest.Decision) {
	if p.onDecision != nil {
		p.onDecision(row, path, d)
	}
}

// logger carries a row's identity, which is never personal data.
func (p *Processor) logger(row store.ArenaData, path ingest.Path) *zap.Logger {
	return p.log.With(
		zap.String("table", string(row.Table)),
		zap.String("arena_id", row.ArenaID),
		zap.String("operation", string(row.Operation)),
		zap.String("pos", row.Pos),
		zap.Int64("arena_data_id", row.ID),
		zap.String("path", path.String()),
	)
}

// job is the handling of one row, inside Handle's transaction.
type job struct {
	p     *Processor
	tx    *sqlx.Tx
	row   store.ArenaData
	path  ingest.Path
	now   time.Time
	today civil.Date
	log   *zap.Logger

	// note is the note of a handled message ("" is NULL).
	note string
	// drop deletes the row instead of writing a status.
	drop bool
	// onCommit are metrics that hold only if the message is handled.
	onCommit []func()
	// sent is what was published.
	sent []publish.Sent
}

func (p *Processor) newJob(tx *sqlx.Tx, row store.ArenaData, path ingest.Path) *job {
	now := p.now()
	return &job{
		p: p, tx: tx, row: row, path: path,
		now: now, today: civil.Today(now),
		log: p.logger(row, path),
	}
}

// run applies the rules of the row's table.
func (j *job) run(ctx context.Context) error {
	msg, err := j.row.Message()
	if err != nil {
		return fmt.Errorf("read stored message: %w", err)
	}
	switch msg.Table {
	case arena.TableGjennomforing:
		return j.gjennomforing(ctx, msg)
	case arena.TableDeltaker:
		return j.deltaker(ctx, msg)
	case arena.TableHistDeltaker:
		return j.histDeltaker(ctx, msg)
	}
	return fmt.Errorf("no handler for table %s", msg.Table)
}

// logDecision writes the one line about a handled message, at the
// decision's level. ERROR is reserved for what needs a person: an
// unexpected error on the live path, a row turning FAILED.
func (j *job) logDecision(d ingest.Decision, outcome error) {
	fields := []zap.Field{zap.String("status", string(d.Status))}
	if d.Note != "" {
		fields = append(fields, zap.String("note", d.Note))
	}
	if j.path.IsRetry() {
		fields = append(fields, zap.Int("attempts", j.path.Attempts()))
	}
	for _, s := range j.sent {
		fields = append(fields, zap.String("topic", s.Topic))
		if s.TransactionID != [16]byte{} {
			fields = append(fields, zap.Stringer("transaction_id", s.TransactionID))
		}
	}
	var msg string
	switch {
	case outcome == nil:
		msg = "Melding ferdig håndtert"
	case d.Level >= zapcore.ErrorLevel && d.Status == ingest.Failed:
		msg = "Setter IngestStatus.FAILED"
		fields = append(fields, zap.Error(outcome))
	case d.Level >= zapcore.ErrorLevel:
		msg = "Uventet feil ved håndtering av melding"
		fields = append(fields, zap.Error(outcome))
	default:
		msg = "Melding ikke håndtert: " + string(d.Status)
		if !isOutcome(outcome) {
			fields = append(fields, zap.Error(outcome))
		}
	}
	if ce := j.log.Check(d.Level, msg); ce != nil {
		ce.Write(fields...)
	}
}

// isOutcome reports whether err is one of the typed outcomes, whose note
// says all there is.
func isOutcome(err error) bool {
	var e *ingest.Error
	return errors.As(err, &e)
}
