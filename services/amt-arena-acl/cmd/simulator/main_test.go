package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/pkg/kafka/kafkatest"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/fakenav"
)

// The simulator creates the Arena topics, seeds the fakes and produces
// until it is stopped.
func TestSimulatorProducesToTheArenaTopicsUntilStopped(t *testing.T) {
	k := kafkatest.New(t)
	// Two topics exist, the third the simulator creates.
	k.CreateTopic(t, "gjennomforing", 1)
	k.CreateTopic(t, "deltaker", 1)
	nav := fakenav.NewTestStack(t)
	for key, v := range map[string]string{
		"KAFKA_BROKERS":                    strings.Join(k.Addrs(), ","),
		"ARENA_TILTAKGJENNOMFORING_TOPIC":  "gjennomforing",
		"ARENA_TILTAK_DELTAKER_TOPIC":      "deltaker",
		"ARENA_HIST_TILTAK_DELTAKER_TOPIC": "histdeltaker",
		"AMT_ARENA_ORDS_PROXY_URL":         nav.ORDSURL,
		"MULIGHETSROMMET_API_URL":          nav.MulighetsrommetURL,
		"SIM_RATE":                         "500",
		"SIM_PARTITIONS":                   "1",
		"SIM_SEED":                         "3",
		"LOG_LEVEL":                        "warn",
	} {
		t.Setenv(key, v)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx) }()

	deadline := time.Now().Add(30 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			t.Fatalf("the simulator stopped by itself: %v", err)
		case <-tick.C:
		}
		if topicsHave(t, k, 50) {
			break
		}
		require.True(t, time.Now().Before(deadline), "too little traffic")
	}
	cancel()
	require.NoError(t, <-done)
	k.Offsets(t, "histdeltaker", 0) // created
}

// topicsHave reports whether the gjennomføring and deltaker topics hold n
// records together.
func topicsHave(t *testing.T, k *kafkatest.Cluster, n int64) bool {
	var total int64
	for _, topic := range []string{"gjennomforing", "deltaker"} {
		_, newest := k.Offsets(t, topic, 0)
		total += newest
	}
	return total >= n
}
