package handler_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/acltest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena/arenatest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/store"
)

func newEnv(t *testing.T, opts ...acltest.Options) *acltest.Env {
	t.Helper()
	var o acltest.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	return acltest.New(t, server, o)
}

// today is the Oslo date, plus days.
func today(days int) civil.Date { return arenatest.Today(time.Now(), days) }

func date(days int) *string { return arenatest.Ptr(arenatest.ArenaDate(today(days))) }

// newDeltaker is a deltaker on gj of a new person the fake ORDS knows,
// changed by mods.
func newDeltaker(e *acltest.Env, gj acltest.Gjennomforing, mods ...func(*arena.Deltaker)) (*arena.Deltaker, string) {
	person, fnr := e.Person()
	d := arenatest.Deltaker(time.Now(), e.ID(), person, gj.ArenaID)
	for _, m := range mods {
		m(d)
	}
	return d, fnr
}

// amtID is the deltaker's AMT UUID, which must exist.
func amtID(t *testing.T, e *acltest.Env, arenaID int64) uuid.UUID {
	t.Helper()
	id, ok := e.AmtID(arenaID)
	require.True(t, ok, "deltaker %d has no AMT id", arenaID)
	return id
}

// outputForPerson is every AMT message about the person with fnr.
func outputForPerson(e *acltest.Env, fnr string) []acltest.Output {
	var out []acltest.Output
	for _, o := range e.Output() {
		if o.Deltaker.PersonIdent == fnr {
			out = append(out, o)
		}
	}
	return out
}

func note(row store.ArenaData) string {
	if row.Note == nil {
		return ""
	}
	return *row.Note
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

func storedGjennomforing(t *testing.T, e *acltest.Env, arenaID int64) store.Gjennomforing {
	t.Helper()
	g, ok, err := e.Store.GetGjennomforing(context.Background(), e.DB, id(arenaID))
	require.NoError(t, err)
	require.True(t, ok, "gjennomføring %d not stored", arenaID)
	return g
}
