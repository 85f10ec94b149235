package handler_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/acltest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/arena/arenatest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/fakenav"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/ingest"
)

func TestGjennomforingMessages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cases := []struct {
		name    string
		kode    arena.Tiltakskode
		change  func(*arena.Gjennomforing)
		valid   bool
		handled bool // has a HANDLED row; false: no row at all
	}{
		{name: "valid gjennomføring is stored valid with Mulighetsrommet's id", kode: arena.TiltakIndoppfag, valid: true, handled: true},
		{name: "gjennomføring without arrangør is stored invalid and still handled", kode: arena.TiltakIndoppfag,
			change: func(g *arena.Gjennomforing) { g.ArbgivIDArrangor = nil }, valid: false, handled: true},
		{name: "gjennomføring of a code not handled is stored but gets no arena_data row", kode: "UTDYRK", valid: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			g := arenatest.Gjennomforing(time.Now(), e.ID(), c.kode)
			if c.change != nil {
				c.change(g)
			}
			mr := e.NAV.Mulighetsrommet.AddGjennomforing(fakenav.Gjennomforing{ArenaID: g.TiltakgjennomforingID})
			pos := e.Send(arena.Created, g)
			if c.handled {
				row := e.WaitStatus(arena.TableGjennomforing, arena.Created, pos, ingest.Handled)
				require.Nil(t, row.Note)
			} else {
				e.WaitDecided(arena.TableGjennomforing, arena.Created, pos)
				_, ok := e.Row(arena.TableGjennomforing, arena.Created, pos)
				require.False(t, ok, "no arena_data row")
			}
			stored := storedGjennomforing(t, e, g.TiltakgjennomforingID)
			require.Equal(t, c.kode, stored.TiltakKode)
			require.Equal(t, c.valid, stored.IsValid)
			require.Equal(t, c.kode.Supported(), stored.TiltakKode.Supported())
			if c.kode.Supported() {
				require.NotNil(t, stored.ID)
				require.Equal(t, mr.ID, stored.ID.String())
			}
		})
	}
}

func TestValidGjennomforingMakesItsWaitingDeltakereRetry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	g := arenatest.Gjennomforing(time.Now(), e.ID(), arena.TiltakIndoppfag)
	g.Lokaltnavn = nil
	e.NAV.Mulighetsrommet.AddGjennomforing(fakenav.Gjennomforing{ArenaID: g.TiltakgjennomforingID})
	e.WaitStatus(arena.TableGjennomforing, arena.Created, e.Send(arena.Created, g), ingest.Handled)

	d, _ := newDeltaker(e, acltest.Gjennomforing{ArenaID: g.TiltakgjennomforingID})
	pos := e.Send(arena.Created, d)
	e.WaitStatus(arena.TableDeltaker, arena.Created, pos, ingest.Waiting)

	g.Lokaltnavn = arenatest.Ptr("Nå gyldig")
	e.WaitStatus(arena.TableGjennomforing, arena.Modified, e.Send(arena.Modified, g), ingest.Handled)
	row, _ := e.Row(arena.TableDeltaker, arena.Created, pos)
	require.Equal(t, ingest.Retry, row.Status)
	require.Zero(t, row.Attempts)
}
