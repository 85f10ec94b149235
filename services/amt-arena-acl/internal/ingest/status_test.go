package ingest

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap/zapcore"

	"github.com/navikt/kafkapg/pkg/pg/pgtest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/migrations"
)

var server *pgtest.Server

func TestMain(m *testing.M) { pgtest.Main(m, &server) }

// The original's status list grew by migration three times; this keeps the
// CHECK constraint and the Go list from drifting apart.
func TestStatusesMatchTheCheckConstraint(t *testing.T) {
	t.Parallel()
	db := server.NewDB(t, migrations.FS, ".")
	var def string
	require.NoError(t, db.GetContext(context.Background(), &def, `
		SELECT pg_get_constraintdef(c.oid)
		FROM pg_constraint c
		JOIN pg_class r ON r.oid = c.conrelid
		WHERE r.relname = 'arena_data' AND c.conname = 'arena_data_ingest_status_check'`))

	var inDB []Status
	for _, m := range regexp.MustCompile(`'([^']*)'`).FindAllStringSubmatch(def, -1) {
		inDB = append(inDB, Status(m[1]))
	}
	require.Equal(t, Statuses(), inDB, "constraint: %s", def)

	var columnDefault string
	require.NoError(t, db.GetContext(context.Background(), &columnDefault, `
		SELECT column_default FROM information_schema.columns
		WHERE table_name = 'arena_data' AND column_name = 'ingest_status'`))
	require.Contains(t, columnDefault, "'"+string(New)+"'")
}

func TestStatusesAreDistinctAndTerminalOnesAreKnown(t *testing.T) {
	t.Parallel()
	seen := map[Status]bool{}
	for _, s := range Statuses() {
		require.False(t, seen[s], s)
		seen[s] = true
	}
	require.Len(t, seen, 8)
	for _, s := range []Status{Retry, Failed, Waiting} {
		require.False(t, s.Terminal(), s)
	}
	for _, s := range []Status{New, Handled, Ignored, Invalid, ExternalSource} {
		require.True(t, s.Terminal(), s)
	}
}

func TestStatusForLivePath(t *testing.T) {
	t.Parallel()
	parseErr := &arena.ParseError{Err: fmt.Errorf("%w: %q", arena.ErrUnknownTable, "SIAMO.SAK")}
	cases := []struct {
		name  string
		err   error
		want  Status
		note  string
		level zapcore.Level
	}{
		{"success is HANDLED", nil, Handled, "", zapcore.InfoLevel},
		{"missing dependency is RETRY",
			Errorf(ErrDependencyNotIngested, "Venter på at gjennomføring med id=%d skal bli håndtert", 3461841),
			Retry, "Venter på at gjennomføring med id=3461841 skal bli håndtert", zapcore.InfoLevel},
		{"invalid gjennomføring is WAITING",
			Errorf(ErrDependencyNotValid, "Deltaker på ugyldig gjennomføring <%d>", 3461841),
			Waiting, "Deltaker på ugyldig gjennomføring <3461841>", zapcore.InfoLevel},
		{"bad data is INVALID", Errorf(ErrInvalid, "TILTAKDELTAKER_ID er 0"), Invalid, "TILTAKDELTAKER_ID er 0", zapcore.InfoLevel},
		{"unparseable date field is INVALID",
			&arena.FieldError{Field: "REG_DATO", Value: "x", Want: "LocalDateTime"},
			Invalid, "REG_DATO kan ikke parses til LocalDateTime (x)", zapcore.InfoLevel},
		{"unreadable message is INVALID and alerts", parseErr, Invalid, `unknown table: "SIAMO.SAK"`, zapcore.ErrorLevel},
		{"not for us is IGNORED",
			Errorf(ErrIgnored, "Ignorerer hist-deltaker som har operation type %s", arena.Modified),
			Ignored, "Ignorerer hist-deltaker som har operation type MODIFIED", zapcore.InfoLevel},
		{"unhandled case is FAILED at once",
			Errorf(ErrNotImplemented, "Fant 2 deltakere som matcher med hist deltaker 7"),
			Failed, "Fant 2 deltakere som matcher med hist deltaker 7", zapcore.InfoLevel},
		{"Komet-owned deltaker is EXTERNAL_SOURCE",
			Errorf(ErrExternalSource, "Deltaker har deltakertypekode ekstern, arenaid 5"),
			ExternalSource, "Deltaker har deltakertypekode ekstern, arenaid 5", zapcore.InfoLevel},
		{"anything else is RETRY and alerts",
			errors.New("Klarte ikke å hente fnr for Arena personId. Status: 500"),
			Retry, "Klarte ikke å hente fnr for Arena personId. Status: 500", zapcore.ErrorLevel},
		{"the note is the outcome's own text, not the context around it",
			fmt.Errorf("handle deltaker 5: %w", Errorf(ErrInvalid, "PERSON_ID er null")),
			Invalid, "PERSON_ID er null", zapcore.InfoLevel},
		{"an outcome may carry its cause",
			Errorf(ErrInvalid, "%w", &arena.FieldError{Field: "DATO_FRA", Value: "x", Want: "LocalDate"}),
			Invalid, "DATO_FRA kan ikke parses til LocalDate (x)", zapcore.InfoLevel},
		{"a wrapped generic error keeps its whole message",
			fmt.Errorf("hent gjennomføring: %w", errors.New("status 503")),
			Retry, "hent gjennomføring: status 503", zapcore.ErrorLevel},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, Decision{Status: c.want, Note: c.note, Level: c.level}, StatusFor(c.err, Live))
		})
	}
}

func TestStatusForRetryPath(t *testing.T) {
	t.Parallel()
	generic := errors.New("connection refused")
	cases := []struct {
		name  string
		err   error
		path  Path
		want  Status
		level zapcore.Level
	}{
		{"success is HANDLED", nil, Retried(Retry, 1), Handled, zapcore.InfoLevel},
		{"ignored becomes IGNORED", Errorf(ErrIgnored, "x"), Retried(Retry, 1), Ignored, zapcore.InfoLevel},
		{"external becomes EXTERNAL_SOURCE", Errorf(ErrExternalSource, "x"), Retried(Failed, 30), ExternalSource, zapcore.InfoLevel},
		{"invalid gjennomføring becomes WAITING", Errorf(ErrDependencyNotValid, "x"), Retried(Retry, 10), Waiting, zapcore.WarnLevel},
		{"error below the limit leaves RETRY", generic, Retried(Retry, 9), Retry, zapcore.WarnLevel},
		{"error at the limit makes RETRY FAILED", generic, Retried(Retry, 10), Failed, zapcore.ErrorLevel},
		{"error past the limit makes RETRY FAILED", generic, Retried(Retry, 11), Failed, zapcore.ErrorLevel},
		{"FAILED stays FAILED and counts on", generic, Retried(Failed, 42), Failed, zapcore.WarnLevel},
		{"retried invalid data only uses up an attempt", Errorf(ErrInvalid, "PERSON_ID er null"), Retried(Retry, 3), Retry, zapcore.WarnLevel},
		{"retried invalid data at the limit ends FAILED", Errorf(ErrInvalid, "PERSON_ID er null"), Retried(Retry, 10), Failed, zapcore.ErrorLevel},
		{"retried missing dependency only uses up an attempt", Errorf(ErrDependencyNotIngested, "x"), Retried(Retry, 2), Retry, zapcore.WarnLevel},
		{"retried unhandled case only uses up an attempt", Errorf(ErrNotImplemented, "x"), Retried(Retry, 1), Retry, zapcore.WarnLevel},
		{"a row loaded in another status keeps it", generic, Retried(Waiting, 12), Waiting, zapcore.WarnLevel},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := StatusFor(c.err, c.path)
			require.Equal(t, c.want, got.Status)
			require.Equal(t, c.level, got.Level)
		})
	}
}

func TestErrorfKeepsKindAndCause(t *testing.T) {
	t.Parallel()
	cause := &arena.FieldError{Field: "DATO_TIL", Value: "x", Want: "LocalDate"}
	err := Errorf(ErrInvalid, "deltaker 5: %w", cause)
	require.ErrorIs(t, err, ErrInvalid)
	require.NotErrorIs(t, err, ErrIgnored)
	var fe *arena.FieldError
	require.ErrorAs(t, err, &fe)
	require.Same(t, cause, fe)
	require.EqualError(t, err, "deltaker 5: DATO_TIL kan ikke parses til LocalDate (x)")
}
