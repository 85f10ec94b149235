package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/navikt/kafkapg/pkg/pg/pgtest"
	bt "github.com/navikt/kafkapg/services/hendelselogg-backup/internal/backuptest"
)

var server *pgtest.Server

func TestMain(m *testing.M) { pgtest.Main(m, &server) }

// What a newcomer sees with make run: the simulator's traffic lands in all
// three tables, odd records land in quarantine, and hendelser of unknown
// types are kept with a decode error.
func TestSimulatedTrafficFillsEveryTable(t *testing.T) {
	t.Parallel()
	e := bt.New(t, server, 3)
	s := settings{topics: e.Topics, rate: 2000, poisonEvery: 5, partitions: 3, persons: 50, kafka: e.Kafka.Config()}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- simulate(ctx, s, zap.NewNop()) }()
	e.Start(e.Config(), nil)

	enough := func() bool {
		for _, table := range []string{"bekreftelse_hendelser", "bekreftelser", "bekreftelse_paa_vegne_av", "backup_quarantine"} {
			if e.Count(table, 1) < 20 {
				return false
			}
		}
		var odd int
		require.NoError(t, e.DB.Get(&odd, `SELECT count(*) FROM bekreftelse_hendelser WHERE decode_error IS NOT NULL`))
		return odd > 0
	}
	require.Eventually(t, enough, bt.WaitFor, bt.Tick)
	cancel()
	require.NoError(t, <-done)

	var keys []int64
	require.NoError(t, e.DB.Select(&keys, `SELECT DISTINCT record_key - 1000000 - arbeidssoeker_id * 7 FROM bekreftelse_hendelser`))
	require.Equal(t, []int64{0}, keys, "the key is the person's record key, not the arbeidssoekerId")
}
