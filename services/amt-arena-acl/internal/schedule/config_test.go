package schedule_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/civil"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/schedule"
)

func TestConfigFromEnv(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		env  map[string]string
		want schedule.Config
		err  string
	}{
		{"defaults", nil, schedule.Config{
			RetrySchedule: "*/10 * * * *", FailedSchedule: "0 0 * * *",
			IgnoredCleanupSchedule: "5 * * * *", StatusMetricsSchedule: "*/5 * * * *",
			RetryBatchSize: 5000, FailedBatchSize: 500,
		}, ""},
		{"everything set", map[string]string{
			"RETRY_SCHEDULE": "@every 1s", "FAILED_SCHEDULE": "*/2 * * * * *",
			"IGNORED_CLEANUP_SCHEDULE": "@hourly", "STATUS_METRICS_SCHEDULE": " * * * * * ",
			"RETRY_BATCH_SIZE": "2", "FAILED_BATCH_SIZE": " 7",
		}, schedule.Config{
			RetrySchedule: "@every 1s", FailedSchedule: "*/2 * * * * *",
			IgnoredCleanupSchedule: "@hourly", StatusMetricsSchedule: "* * * * *",
			RetryBatchSize: 2, FailedBatchSize: 7,
		}, ""},
		{"a spec that does not parse", map[string]string{"FAILED_SCHEDULE": "at midnight"}, schedule.Config{}, `FAILED_SCHEDULE: schedule "at midnight"`},
		{"a spec with too many fields", map[string]string{"RETRY_SCHEDULE": "0 0 0 0 * * *"}, schedule.Config{}, "RETRY_SCHEDULE"},
		{"a batch size of 0", map[string]string{"RETRY_BATCH_SIZE": "0"}, schedule.Config{}, `RETRY_BATCH_SIZE: "0" is not a whole number of at least 1`},
		{"a batch size that is not a number", map[string]string{"FAILED_BATCH_SIZE": "many"}, schedule.Config{}, "FAILED_BATCH_SIZE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := schedule.ConfigFromEnv(func(k string) string { return c.env[k] })
			if c.err != "" {
				require.ErrorContains(t, err, c.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, c.want, got)
		})
	}
}

// The original's cadence: RETRY every ten minutes, FAILED at midnight in
// Oslo, IGNORED cleanup hourly, gauges every five minutes.
func TestDefaultSchedulesFireWhenTheOriginalsDid(t *testing.T) {
	t.Parallel()
	oslo := func(y int, m time.Month, d, h, min, s int) time.Time {
		return time.Date(y, m, d, h, min, s, 0, civil.Oslo)
	}
	cases := []struct {
		name, spec string
		from       time.Time
		want       []time.Time
	}{
		{"retry", schedule.DefaultRetrySchedule, oslo(2026, 3, 15, 13, 45, 12),
			[]time.Time{oslo(2026, 3, 15, 13, 50, 0), oslo(2026, 3, 15, 14, 0, 0), oslo(2026, 3, 15, 14, 10, 0)}},
		{"failed at Oslo midnight in winter", schedule.DefaultFailedSchedule, oslo(2026, 1, 15, 23, 59, 30),
			[]time.Time{oslo(2026, 1, 16, 0, 0, 0), oslo(2026, 1, 17, 0, 0, 0)}},
		{"failed at Oslo midnight in summer", schedule.DefaultFailedSchedule, oslo(2026, 7, 1, 12, 0, 0),
			[]time.Time{oslo(2026, 7, 2, 0, 0, 0)}},
		{"ignored cleanup", schedule.DefaultIgnoredCleanupSchedule, oslo(2026, 3, 15, 13, 45, 12),
			[]time.Time{oslo(2026, 3, 15, 14, 5, 0), oslo(2026, 3, 15, 15, 5, 0)}},
		{"status metrics", schedule.DefaultStatusMetricsSchedule, oslo(2026, 3, 15, 13, 45, 12),
			[]time.Time{oslo(2026, 3, 15, 13, 50, 0), oslo(2026, 3, 15, 13, 55, 0)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s, err := schedule.Parse(c.spec)
			require.NoError(t, err)
			at := c.from.UTC() // the scheduler passes Oslo time in; any zone gives the same instants
			for _, want := range c.want {
				at = s.Next(at.In(civil.Oslo))
				require.True(t, want.Equal(at), "want %s, got %s", want, at)
			}
		})
	}
}
