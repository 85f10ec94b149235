package hwm

import (
	"fmt"
	"regexp"
)

// identifier is what a table name may look like: an optionally schema-qualified
// lower-case SQL identifier. Names are interpolated into SQL, so nothing else is
// accepted.
var identifier = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}(\.[a-z_][a-z0-9_]{0,62})?$`)

func validTable(name string) error {
	if !identifier.MatchString(name) {
		return fmt.Errorf("hwm: table name %q is not a lower-case SQL identifier", name)
	}
	return nil
}

// DDL returns the statement that creates an HWM table called table. Services put
// it in a migration of their own; the column names and types are part of this
// package's contract.
func DDL(table string) string {
	return fmt.Sprintf(`CREATE TABLE %s (
    version         smallint     NOT NULL,
    kafka_topic     varchar(255) NOT NULL,
    kafka_partition smallint     NOT NULL,
    kafka_offset    bigint       NOT NULL,
    PRIMARY KEY (version, kafka_topic, kafka_partition)
);`, table)
}

// statements are the queries the consumer runs against one HWM table.
type statements struct {
	ensure string // create the row at -1 if it does not exist
	read   string // current HWM, no lock
	lock   string // current HWM, row locked until the transaction ends
	move   string // move forward only
}

func newStatements(table string) statements {
	const where = `version = $1 AND kafka_topic = $2 AND kafka_partition = $3`
	return statements{
		ensure: `INSERT INTO ` + table + ` (version, kafka_topic, kafka_partition, kafka_offset)
			VALUES ($1, $2, $3, -1) ON CONFLICT DO NOTHING`,
		read: `SELECT kafka_offset FROM ` + table + ` WHERE ` + where,
		lock: `SELECT kafka_offset FROM ` + table + ` WHERE ` + where + ` FOR UPDATE`,
		move: `UPDATE ` + table + ` SET kafka_offset = $4 WHERE ` + where + ` AND kafka_offset < $4`,
	}
}
