package backup

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/navikt/kafkapg/pkg/pg"
)

// rejected is a row PostgreSQL refused on its own merits.
type rejected struct {
	index int // into the rows passed to copyIsolating
	err   *pq.Error
}

// copyIsolating COPYs rows into a table. When PostgreSQL refuses a row for
// what it holds (see rowSpecific), the COPY is rolled back to a savepoint and
// the rows are split in halves until the refused ones are found; those are
// returned, the others are stored. Any other error is returned as it is and
// leaves the transaction to be rolled back by the caller.
func copyIsolating(ctx context.Context, tx *sqlx.Tx, copySQL string, rows [][]any) ([]rejected, error) {
	return copySplit(ctx, tx, copySQL, rows, 0)
}

func copySplit(ctx context.Context, tx *sqlx.Tx, copySQL string, rows [][]any, base int) ([]rejected, error) {
	err := copySavepoint(ctx, tx, copySQL, rows)
	if err == nil {
		return nil, nil
	}
	pqErr := rowSpecific(err)
	if pqErr == nil {
		return nil, err
	}
	if len(rows) == 1 {
		return []rejected{{index: base, err: pqErr}}, nil
	}
	mid := len(rows) / 2
	left, err := copySplit(ctx, tx, copySQL, rows[:mid], base)
	if err != nil {
		return nil, err
	}
	right, err := copySplit(ctx, tx, copySQL, rows[mid:], base+mid)
	if err != nil {
		return nil, err
	}
	return append(left, right...), nil
}

// copySavepoint runs one COPY under a savepoint, so that a refused row costs
// this COPY and not the whole transaction.
func copySavepoint(ctx context.Context, tx *sqlx.Tx, copySQL string, rows [][]any) error {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT copy_rows`); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	if err := copyRows(ctx, tx, copySQL, rows); err != nil {
		if _, rbErr := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT copy_rows`); rbErr != nil {
			return errors.Join(err, fmt.Errorf("roll back to savepoint: %w", rbErr))
		}
		// Released so that nested splits do not pile savepoints up.
		if _, relErr := tx.ExecContext(ctx, `RELEASE SAVEPOINT copy_rows`); relErr != nil {
			return errors.Join(err, fmt.Errorf("release savepoint: %w", relErr))
		}
		return err
	}
	if _, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT copy_rows`); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}

// copyRows streams rows through one COPY … FROM STDIN. lib/pq reports a
// refused row on a later Exec or on the final flush, so the error is not tied
// to a row; copySplit finds it.
func copyRows(ctx context.Context, tx *sqlx.Tx, copySQL string, rows [][]any) error {
	stmt, err := tx.PrepareContext(ctx, copySQL)
	if err != nil {
		return fmt.Errorf("start COPY: %w", err)
	}
	defer stmt.Close()
	for _, r := range rows {
		if _, err := stmt.ExecContext(ctx, r...); err != nil {
			return fmt.Errorf("COPY: %w", err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return fmt.Errorf("COPY: %w", err)
	}
	return nil
}

// rowSpecific returns the PostgreSQL error if it is about a value (class 22,
// data exception: bad JSON for jsonb, a NUL in text, a number out of range,
// a string too long) or a size limit (54000), and nil for everything else
// (lost connections, timeouts, constraint violations): those are not a
// record's fault and must fail the batch so it is retried.
func rowSpecific(err error) *pq.Error {
	e := pq.As(err)
	if e == nil {
		return nil
	}
	code := pg.SQLState(err)
	if strings.HasPrefix(code, "22") || code == "54000" {
		return e
	}
	return nil
}

// rejectionText is what goes into backup_quarantine.error: PostgreSQL's own
// message and detail. It may quote the value, which the table holds anyway;
// it never goes into a log line (see rejectionLogText).
func rejectionText(e *pq.Error) string {
	s := "postgres refused the row: " + e.Message
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s + " (SQLSTATE " + string(e.Code) + ")"
}

// rejectionLogText names the problem without anything from the value.
func rejectionLogText(e *pq.Error) string {
	return "postgres refused the row (SQLSTATE " + string(e.Code) + ")"
}
