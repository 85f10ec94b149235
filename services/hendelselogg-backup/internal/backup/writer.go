package backup

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/IBM/sarama"
	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/navikt/kafkapg/pkg/kafka/hwm"
	"github.com/navikt/kafkapg/services/hendelselogg-backup/internal/config"
	"github.com/navikt/kafkapg/services/hendelselogg-backup/internal/headers"
)

// Writer stores batches; its Handle is the consumer's handler.
type Writer struct {
	version int16
	strict  bool
	tables  map[string]Table
	log     *zap.Logger
	m       *metrics

	// reported is the highest offset per partition whose problems have been
	// logged and counted. A batch that is rolled back and retried would
	// otherwise log and count its records twice.
	mu       sync.Mutex
	reported map[hwm.TopicPartition]int64
}

// NewWriter returns a Writer for the configured topics and version. It
// registers its metrics with reg.
func NewWriter(topics config.Topics, version int16, strict bool, log *zap.Logger, reg prometheus.Registerer) (*Writer, error) {
	m, err := newMetrics(reg, version)
	if err != nil {
		return nil, fmt.Errorf("register metrics: %w", err)
	}
	// A quarantined record is an expected event with one ERROR line each; a
	// stack trace would say nothing about it.
	log = log.WithOptions(zap.AddStacktrace(zap.FatalLevel))
	w := &Writer{version: version, strict: strict, tables: map[string]Table{}, log: log, m: m,
		reported: map[hwm.TopicPartition]int64{}}
	for _, tb := range Tables(topics) {
		w.tables[tb.Topic] = tb
	}
	return w, nil
}

// problem is a record the Writer logs and counts once.
type problem struct {
	offset      int64
	quarantined string // log text of why it went to quarantine
	traceparent string // reason the traceparent column is NULL
	canonical   bool   // false: a hendelse stored as received
}

// Handle stores one batch inside tx (see hwm.Handler). Records that fit go
// into their topic's table with one COPY, the rest into backup_quarantine with
// another; in strict mode the first record that does not fit fails the batch
// with hwm.Fatal.
func (w *Writer) Handle(ctx context.Context, tx *sqlx.Tx, b hwm.Batch) error {
	tb, ok := w.tables[b.Topic]
	if !ok {
		return hwm.Fatal(fmt.Errorf("no table for topic %s", b.Topic))
	}
	rows := make([][]any, 0, len(b.Records))
	rowRecords := make([]*sarama.ConsumerMessage, 0, len(b.Records))
	var quarantine []quarantined
	var problems []problem
	for _, r := range b.Records {
		m := mapRecord(w.version, tb, r)
		if w.strict {
			if reason := firstNonEmpty(m.quarantine, m.strict); reason != "" {
				return hwm.Fatal(fmt.Errorf("strict mode: %s partition %d offset %d: %s", b.Topic, r.Partition, r.Offset, reason))
			}
		}
		if m.quarantine != "" {
			quarantine = append(quarantine, quarantined{r, m.quarantine})
			problems = append(problems, problem{offset: r.Offset, quarantined: m.quarantine, canonical: true})
			continue
		}
		rows = append(rows, m.row)
		rowRecords = append(rowRecords, r)
		if m.traceparentProblem != "" || m.notCanonical {
			problems = append(problems, problem{offset: r.Offset, traceparent: m.traceparentProblem, canonical: !m.notCanonical})
		}
	}

	if len(rows) > 0 {
		refused, err := copyIsolating(ctx, tx, tb.CopySQL(), rows)
		if err != nil {
			return fmt.Errorf("store %d records in %s: %w", len(rows), tb.Name, err)
		}
		for _, rf := range refused {
			r := rowRecords[rf.index]
			if w.strict {
				return hwm.Fatal(fmt.Errorf("strict mode: %s partition %d offset %d: %s", b.Topic, r.Partition, r.Offset, rejectionLogText(rf.err)))
			}
			quarantine = append(quarantine, quarantined{r, rejectionText(rf.err)})
			problems = append(problems, problem{offset: r.Offset, quarantined: rejectionLogText(rf.err), canonical: true})
		}
	}
	if len(quarantine) > 0 {
		if err := w.storeQuarantine(ctx, tx, b.Topic, quarantine); err != nil {
			return err
		}
	}
	w.report(b, problems)
	return nil
}

type quarantined struct {
	r   *sarama.ConsumerMessage
	err string
}

func (w *Writer) storeQuarantine(ctx context.Context, tx *sqlx.Tx, topic string, qs []quarantined) error {
	rows := make([][]any, len(qs))
	for i, q := range qs {
		rows[i] = []any{w.version, topic, q.r.Partition, q.r.Offset, nullable(q.r.Key), nullable(q.r.Value),
			headers.Encode(q.r.Headers), timestamp(q.r), storableText(q.err)}
	}
	if err := copyRows(ctx, tx, copyQuarantineSQL, rows); err != nil {
		return fmt.Errorf("store %d records in %s: %w", len(rows), TableQuarantine, err)
	}
	return nil
}

// report logs and counts the problems of a batch, each record once per
// process even if the batch is retried. It runs before the commit, so a batch
// that never commits here (its partition moved to another member) may be
// reported by both members.
func (w *Writer) report(b hwm.Batch, problems []problem) {
	if len(problems) == 0 {
		return
	}
	tp := hwm.TopicPartition{Topic: b.Topic, Partition: b.Partition}
	w.mu.Lock()
	done, seen := w.reported[tp]
	last := b.Records[len(b.Records)-1].Offset
	if !seen || last > done {
		w.reported[tp] = last
	}
	w.mu.Unlock()
	for _, p := range problems {
		if seen && p.offset <= done {
			continue
		}
		switch {
		case p.quarantined != "":
			w.m.quarantined.WithLabelValues(b.Topic).Inc()
			w.m.quarantineRows.WithLabelValues(b.Topic).Inc()
			// One line per record, naming where it is and why, never what it holds.
			w.log.Error("record quarantined: it cannot be stored in its table and was put in "+TableQuarantine,
				zap.String("topic", b.Topic), zap.Int32("partition", b.Partition), zap.Int64("offset", p.offset),
				zap.String("reason", p.quarantined))
		default:
			if p.traceparent != "" {
				w.m.traceparent.WithLabelValues(b.Topic, p.traceparent).Inc()
			}
			if !p.canonical {
				w.m.notCanonical.Inc()
			}
		}
	}
}

// Rows maps records to the COPY rows of their table (Table.CopySQL), leaving
// out the ones that would go to quarantine. It is the Writer's mapping
// without the writing, for measuring the database side on its own.
func Rows(version int16, tb Table, records []*sarama.ConsumerMessage) [][]any {
	rows := make([][]any, 0, len(records))
	for _, r := range records {
		if m := mapRecord(version, tb, r); m.quarantine == "" {
			rows = append(rows, m.row)
		}
	}
	return rows
}

// RefreshQuarantineGauge sets the quarantine_rows gauge from the table, so
// that it also counts rows written before this process started or by other
// replicas.
func (w *Writer) RefreshQuarantineGauge(ctx context.Context, db *sqlx.DB) error {
	var counts []struct {
		Topic string `db:"kafka_topic"`
		N     int64  `db:"n"`
	}
	if err := db.SelectContext(ctx, &counts, `SELECT kafka_topic, count(*) AS n FROM `+TableQuarantine+
		` WHERE version = $1 GROUP BY kafka_topic`, w.version); err != nil {
		return fmt.Errorf("count quarantined records: %w", err)
	}
	for topic := range w.tables {
		w.m.quarantineRows.WithLabelValues(topic).Set(0)
	}
	for _, c := range counts {
		w.m.quarantineRows.WithLabelValues(c.Topic).Set(float64(c.N))
	}
	return nil
}

// nullable makes a nil slice a SQL NULL; lib/pq would write an empty bytea
// for a typed nil.
func nullable(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

// storableText makes s fit a text column: valid UTF-8 without NUL.
func storableText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.ReplaceAll(s, "\x00", `\0`)
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

var _ hwm.Handler = (*Writer)(nil).Handle
