package backup

import (
	"fmt"

	"github.com/navikt/kafkapg/services/hendelselogg-backup/internal/config"
)

// Format is how a topic's values are stored.
type Format int

const (
	// FormatHendelse is JSON: canonical jsonb in data, the raw bytes in value.
	FormatHendelse Format = iota
	// FormatBytes is opaque (Confluent-framed Avro): the raw bytes in data.
	FormatBytes
)

// The tables, named as the original named them.
const (
	TableHendelser    = "bekreftelse_hendelser"
	TableBekreftelser = "bekreftelser"
	TablePaaVegneAv   = "bekreftelse_paa_vegne_av"
	TableHWM          = "bekreftelse_hwm"
	TableQuarantine   = "backup_quarantine"
	TableGap          = "backup_gap"
)

// Table is where one topic is stored.
type Table struct {
	Topic  string
	Name   string
	Format Format
}

// Tables maps the configured topics to their tables.
func Tables(t config.Topics) []Table {
	return []Table{
		{Topic: t.Hendelse, Name: TableHendelser, Format: FormatHendelse},
		{Topic: t.Bekreftelse, Name: TableBekreftelser, Format: FormatBytes},
		{Topic: t.PaaVegneAv, Name: TablePaaVegneAv, Format: FormatBytes},
	}
}

// TableFor returns the table of topic.
func TableFor(t config.Topics, topic string) (Table, error) {
	for _, tb := range Tables(t) {
		if tb.Topic == topic {
			return tb, nil
		}
	}
	return Table{}, fmt.Errorf("topic %q is not one of the backed-up topics (%s, %s, %s)", topic, t.Hendelse, t.Bekreftelse, t.PaaVegneAv)
}

// columns are the COPY columns of each format, in the order rows hold them.
func (tb Table) columns() string {
	if tb.Format == FormatHendelse {
		return `version, kafka_partition, kafka_offset, record_key, arbeidssoeker_id, traceparent, data, timestamp, headers, value, decode_error`
	}
	return `version, kafka_partition, kafka_offset, record_key, traceparent, data, timestamp, headers`
}

// CopySQL is the COPY statement of the table. Names are constants of this
// package, never input.
func (tb Table) CopySQL() string {
	return `COPY ` + tb.Name + ` (` + tb.columns() + `) FROM STDIN`
}

const copyQuarantineSQL = `COPY ` + TableQuarantine +
	` (version, kafka_topic, kafka_partition, kafka_offset, key, value, headers, timestamp, error) FROM STDIN`
