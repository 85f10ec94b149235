package handler_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena/arenatest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/fakenav"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
)

// ERROR is an alerting contract: expected outcomes log at INFO, and only
// what needs a person (here an unexpected error on the live path) at ERROR.
func TestLogLevelsFollowTheAlertingContract(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	gj := e.NewGjennomforing(arena.TiltakIndoppfag)
	expected := []struct {
		change func(*arena.Deltaker)
		status ingest.Status
	}{
		{func(*arena.Deltaker) {}, ingest.Handled},
		{func(d *arena.Deltaker) { d.TiltakgjennomforingID = e.ID() }, ingest.Retry},
		{func(d *arena.Deltaker) { d.PersonID = nil }, ingest.Invalid},
		{func(d *arena.Deltaker) { d.Deltakertypekode = arenatest.Ptr("EKSTERN") }, ingest.ExternalSource},
		{func(d *arena.Deltaker) {
			g := e.ID()
			e.StoreGjennomforing(g, "UTDYRK", true, nil)
			d.TiltakgjennomforingID = g
		}, ingest.Ignored},
		{func(d *arena.Deltaker) {
			g := e.ID()
			e.StoreGjennomforing(g, arena.TiltakIndoppfag, false, nil)
			d.TiltakgjennomforingID = g
		}, ingest.Waiting},
	}
	for _, c := range expected {
		d, _ := newDeltaker(e, gj, c.change)
		e.WaitStatus(arena.TableDeltaker, arena.Created, e.Send(arena.Created, d), c.status)
	}
	require.Empty(t, e.Logs.AtLevel("ERROR"), "expected outcomes do not alert")
	require.NotEmpty(t, e.Logs.AtLevel("INFO"))

	d, _ := newDeltaker(e, gj)
	e.NAV.ORDS.FailPerson(*d.PersonID, 503)
	e.WaitStatus(arena.TableDeltaker, arena.Created, e.Send(arena.Created, d), ingest.Retry)
	errs := e.Logs.AtLevel("ERROR")
	require.Len(t, errs, 1, "an unexpected error alerts, once")
	require.Equal(t, "RETRY", errs[0].Fields["status"])
	require.Contains(t, errs[0].Fields, "stack_trace")
}

// The fødselsnummer goes from ORDS into the AMT message and nowhere else:
// every path that handles one (publishing, hist matching through amt-tiltak,
// failures of both) leaves no trace of it in the logs. Every Env checks
// its logs when its test ends; this test makes sure those paths ran.
func TestNoLogLineHoldsAFodselsnummer(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	gj := e.NewGjennomforing(arena.TiltakIndoppfag)
	var fnrs []string

	d, fnr := newDeltaker(e, gj)
	fnrs = append(fnrs, fnr)
	e.WaitStatus(arena.TableDeltaker, arena.Created, e.Send(arena.Created, d), ingest.Handled)

	h, fnr := histDeltaker(e, gj)
	fnrs = append(fnrs, fnr)
	_, id := matchingDeltaker(t, e, h, statusendring(t, h))
	e.NAV.AmtTiltak.SetDeltakelser(fnr, fakenav.Deltakelse{ID: id.String(), GjennomforingID: gj.MR.ID, Status: "FEILREGISTRERT"})
	e.WaitStatus(arena.TableHistDeltaker, arena.Created, e.Send(arena.Created, h), ingest.Handled)

	h, fnr = histDeltaker(e, gj)
	fnrs = append(fnrs, fnr)
	matchingDeltaker(t, e, h, statusendring(t, h))
	e.NAV.AmtTiltak.FailNext(1, 500)
	e.WaitStatus(arena.TableHistDeltaker, arena.Created, e.Send(arena.Created, h), ingest.Retry)

	require.Len(t, outputForPerson(e, fnrs[0]), 1)
	require.Len(t, outputForPerson(e, fnrs[1]), 1)
	lines := e.Logs.Lines()
	require.NotEmpty(t, lines)
	for _, line := range lines {
		for _, fnr := range fnrs {
			require.False(t, strings.Contains(line.Raw, fnr), "fnr in %s", line.Raw)
		}
	}
	require.NotEqual(t, uuid.Nil, id)
}
