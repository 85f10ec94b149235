// Package restore produces backed-up records back to Kafka.
//
// A restore reads the rows of one topic (its table and its quarantined
// records) for one version, in (partition, offset) order with keyset paging,
// and produces each record to the target topic with the same partition, key,
// value bytes, headers and timestamp.
//
// Invariants:
//   - Records of a partition are produced in offset order; the producer is
//     idempotent (acks=all, one request in flight), so a partition's order
//     survives sarama's retries.
//   - Run succeeds only when every selected record was acknowledged; any
//     failure stops the restore and is returned. What was acknowledged before
//     stays in the target topic: restoring again duplicates it, so restore
//     into a fresh topic, or continue with --from-offset.
//   - A dry run reads and counts but produces nothing.
//   - A row without a captured timestamp (written before timestamps were
//     kept) is produced without one, so Kafka stamps it with the current time;
//     a hendelse row without its original bytes is produced as its stored
//     JSON. Every row the service writes has both.
package restore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/IBM/sarama"
	"github.com/jmoiron/sqlx"
	"go.uber.org/zap"

	"github.com/navikt/kafkapg/services/hendelselogg-backup/internal/backup"
	"github.com/navikt/kafkapg/services/hendelselogg-backup/internal/config"
	"github.com/navikt/kafkapg/services/hendelselogg-backup/internal/headers"
)

// Options select what to restore and where to.
type Options struct {
	Topic       string // the backed-up topic whose records are restored
	TargetTopic string // where they are produced
	Version     int16
	Partition   int32 // -1: every partition
	FromOffset  int64 // inclusive
	ToOffset    int64 // inclusive
	DryRun      bool

	PageSize      int           // rows read and produced at a time (default 500)
	ProgressEvery time.Duration // how often a progress line is logged (default 5s)
}

// AllPartitions selects every partition.
const AllPartitions = -1

// DefaultOptions restore everything of topic into target for version.
func DefaultOptions(topic, target string, version int16) Options {
	return Options{Topic: topic, TargetTopic: target, Version: version, Partition: AllPartitions,
		FromOffset: 0, ToOffset: math.MaxInt64}
}

// Validate checks the options; the error names the flag.
func (o Options) Validate() error {
	switch {
	case o.Topic == "":
		return errors.New("--topic is required")
	case o.TargetTopic == "" && !o.DryRun:
		return errors.New("--target-topic is required (unless --dry-run)")
	case o.Version < 1:
		return fmt.Errorf("--version %d is not a version", o.Version)
	case o.Partition < AllPartitions:
		return fmt.Errorf("--partition %d is not a partition", o.Partition)
	case o.FromOffset < 0:
		return fmt.Errorf("--from-offset %d is negative", o.FromOffset)
	case o.ToOffset < o.FromOffset:
		return fmt.Errorf("--to-offset %d is below --from-offset %d", o.ToOffset, o.FromOffset)
	}
	return nil
}

// Producer sends records and returns nil only when all were acknowledged;
// pkg/kafka's Producer is one.
type Producer interface {
	Send(ctx context.Context, msgs ...*sarama.ProducerMessage) error
}

// Target describes the target topic.
type Target interface {
	// Partitions returns the target topic's partition count.
	Partitions(topic string) (int, error)
}

// Result counts what a restore did.
type Result struct {
	Selected int64 // rows matching the options
	Sent     int64 // records acknowledged by Kafka (0 on a dry run)
	Read     int64 // rows read
}

// Run restores as o says. The producer and target may be nil on a dry run.
func Run(ctx context.Context, db *sqlx.DB, topics config.Topics, p Producer, target Target, o Options, log *zap.Logger) (Result, error) {
	if o.PageSize <= 0 {
		o.PageSize = 500
	}
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = 5 * time.Second
	}
	if err := o.Validate(); err != nil {
		return Result{}, err
	}
	tb, err := backup.TableFor(topics, o.Topic)
	if err != nil {
		return Result{}, fmt.Errorf("--topic: %w", err)
	}
	q := newQueries(tb, o)

	var res Result
	var maxPartition sql.NullInt32
	if err := db.QueryRowContext(ctx, q.count, q.args()...).Scan(&res.Selected, &maxPartition); err != nil {
		return res, fmt.Errorf("count the rows to restore: %w", err)
	}
	log.Info("restore starting", zap.String("topic", o.Topic), zap.String("target_topic", o.TargetTopic),
		zap.String("table", tb.Name), zap.Int16("version", o.Version), zap.Int32("partition", o.Partition),
		zap.Int64("from_offset", o.FromOffset), zap.Int64("to_offset", o.ToOffset),
		zap.Bool("dry_run", o.DryRun), zap.Int64("selected", res.Selected))

	if !o.DryRun && maxPartition.Valid {
		n, err := target.Partitions(o.TargetTopic)
		if err != nil {
			return res, fmt.Errorf("read partitions of target topic %s: %w", o.TargetTopic, err)
		}
		if int(maxPartition.Int32) >= n {
			return res, fmt.Errorf("target topic %s has %d partitions, and records of partition %d are to be restored",
				o.TargetTopic, n, maxPartition.Int32)
		}
	}

	lastP, lastO := int32(-1), int64(-1)
	progress := time.NewTicker(o.ProgressEvery)
	defer progress.Stop()
	logProgress := func(msg string) {
		log.Info(msg, zap.Int64("read", res.Read), zap.Int64("sent", res.Sent), zap.Int64("selected", res.Selected),
			zap.Int32("at_partition", lastP), zap.Int64("at_offset", lastO), zap.Bool("dry_run", o.DryRun))
	}
	for {
		page, err := q.page(ctx, db, lastP, lastO, o.PageSize)
		if err != nil {
			return res, err
		}
		if len(page) == 0 {
			break
		}
		msgs := make([]*sarama.ProducerMessage, len(page))
		for i, r := range page {
			if msgs[i], err = r.message(o.TargetTopic); err != nil {
				return res, fmt.Errorf("partition %d offset %d: %w", r.Partition, r.Offset, err)
			}
		}
		res.Read += int64(len(page))
		if !o.DryRun {
			if err := p.Send(ctx, msgs...); err != nil {
				return res, fmt.Errorf("produce %d records from partition %d offset %d on: %w",
					len(msgs), page[0].Partition, page[0].Offset, err)
			}
			res.Sent += int64(len(msgs))
		}
		last := page[len(page)-1]
		lastP, lastO = last.Partition, last.Offset
		select {
		case <-progress.C:
			logProgress("restore progress")
		default:
		}
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("restore interrupted: %w", err)
		}
	}
	logProgress("restore done")
	if res.Read != res.Selected {
		return res, fmt.Errorf("read %d rows, but %d were selected: rows were added or removed while restoring", res.Read, res.Selected)
	}
	return res, nil
}

// row is one record to restore.
type row struct {
	Partition int32         `db:"kafka_partition"`
	Offset    int64         `db:"kafka_offset"`
	Key       []byte        `db:"key"`
	Value     []byte        `db:"value"`
	Headers   []byte        `db:"headers"`
	Timestamp sql.NullInt64 `db:"timestamp"`
}

func (r row) message(topic string) (*sarama.ProducerMessage, error) {
	hs, err := headers.Decode(r.Headers)
	if err != nil {
		return nil, err
	}
	m := &sarama.ProducerMessage{Topic: topic, Partition: r.Partition, Headers: hs}
	if r.Key != nil {
		m.Key = sarama.ByteEncoder(r.Key)
	}
	if r.Value != nil {
		m.Value = sarama.ByteEncoder(r.Value)
	}
	if r.Timestamp.Valid {
		m.Timestamp = time.UnixMilli(r.Timestamp.Int64)
	}
	return m, nil
}

// queries are the statements of one restore. Table names are constants of
// package backup; every value is a parameter.
type queries struct {
	o     Options
	count string
	pageQ string
}

func newQueries(tb backup.Table, o Options) queries {
	value := "data"
	if tb.Format == backup.FormatHendelse {
		// Rows from before the original bytes were kept have only the JSON.
		value = "coalesce(value, convert_to(data::text, 'UTF8'))"
	}
	// $1 version, $2..$3 partitions, $4..$5 offsets, $6 topic.
	filter := `version = $1 AND kafka_partition BETWEEN $2 AND $3 AND kafka_offset BETWEEN $4 AND $5`
	data := `SELECT kafka_partition, kafka_offset, int8send(record_key) AS key, ` + value + ` AS value, headers, timestamp
		FROM ` + tb.Name + ` WHERE ` + filter
	quarantine := `SELECT kafka_partition, kafka_offset, key, value, headers, timestamp
		FROM ` + backup.TableQuarantine + ` WHERE ` + filter + ` AND kafka_topic = $6`
	keyset := ` AND (kafka_partition, kafka_offset) > ($7, $8)`
	return queries{
		o: o,
		count: `SELECT count(*), max(kafka_partition) FROM (` +
			`SELECT kafka_partition FROM ` + tb.Name + ` WHERE ` + filter + `
			UNION ALL SELECT kafka_partition FROM ` + backup.TableQuarantine + ` WHERE ` + filter + ` AND kafka_topic = $6) r`,
		pageQ: `SELECT * FROM (` + data + keyset + ` UNION ALL ` + quarantine + keyset + `) r
			ORDER BY kafka_partition, kafka_offset LIMIT $9`,
	}
}

func (q queries) args() []any {
	lo, hi := int32(0), int32(math.MaxInt16)
	if q.o.Partition != AllPartitions {
		lo, hi = q.o.Partition, q.o.Partition
	}
	return []any{q.o.Version, lo, hi, q.o.FromOffset, q.o.ToOffset, q.o.Topic}
}

func (q queries) page(ctx context.Context, db *sqlx.DB, afterP int32, afterO int64, n int) ([]row, error) {
	var rows []row
	args := append(q.args(), afterP, afterO, n)
	if err := db.SelectContext(ctx, &rows, q.pageQ, args...); err != nil {
		return nil, fmt.Errorf("read rows after partition %d offset %d: %w", afterP, afterO, err)
	}
	return rows, nil
}
