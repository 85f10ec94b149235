package schedule

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/retry"
)

// Default specs. They are aligned to the clock, not to when a replica
// started, so that replicas agree on each run's scheduled time.
const (
	DefaultRetrySchedule          = "*/10 * * * *"
	DefaultFailedSchedule         = "0 0 * * *"
	DefaultIgnoredCleanupSchedule = "5 * * * *"
	DefaultStatusMetricsSchedule  = "*/5 * * * *"
)

// Config is the schedules and batch sizes of the jobs.
type Config struct {
	RetrySchedule          string
	FailedSchedule         string
	IgnoredCleanupSchedule string
	StatusMetricsSchedule  string
	// RetryBatchSize and FailedBatchSize are the retry processor's page
	// sizes for RETRY and FAILED rows.
	RetryBatchSize  int
	FailedBatchSize int
}

// DefaultConfig is the original's cadence: RETRY every 10 minutes in pages
// of 5000, FAILED at midnight in pages of 500, IGNORED rows deleted hourly,
// gauges every 5 minutes.
func DefaultConfig() Config {
	return Config{
		RetrySchedule:          DefaultRetrySchedule,
		FailedSchedule:         DefaultFailedSchedule,
		IgnoredCleanupSchedule: DefaultIgnoredCleanupSchedule,
		StatusMetricsSchedule:  DefaultStatusMetricsSchedule,
		RetryBatchSize:         retry.DefaultRetryBatchSize,
		FailedBatchSize:        retry.DefaultFailedBatchSize,
	}
}

// The environment variables ConfigFromEnv reads.
const (
	EnvRetrySchedule          = "RETRY_SCHEDULE"
	EnvFailedSchedule         = "FAILED_SCHEDULE"
	EnvIgnoredCleanupSchedule = "IGNORED_CLEANUP_SCHEDULE"
	EnvStatusMetricsSchedule  = "STATUS_METRICS_SCHEDULE"
	EnvRetryBatchSize         = "RETRY_BATCH_SIZE"
	EnvFailedBatchSize        = "FAILED_BATCH_SIZE"
)

// ConfigFromEnv reads the Config from getenv (os.Getenv in production);
// unset variables keep the defaults. Its error names the variable and what
// is wrong with it.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := DefaultConfig()
	for _, v := range []struct {
		name string
		dst  *string
	}{
		{EnvRetrySchedule, &c.RetrySchedule},
		{EnvFailedSchedule, &c.FailedSchedule},
		{EnvIgnoredCleanupSchedule, &c.IgnoredCleanupSchedule},
		{EnvStatusMetricsSchedule, &c.StatusMetricsSchedule},
	} {
		if s := strings.TrimSpace(getenv(v.name)); s != "" {
			if _, err := Parse(s); err != nil {
				return Config{}, fmt.Errorf("%s: %w", v.name, err)
			}
			*v.dst = s
		}
	}
	for _, v := range []struct {
		name string
		dst  *int
	}{
		{EnvRetryBatchSize, &c.RetryBatchSize},
		{EnvFailedBatchSize, &c.FailedBatchSize},
	} {
		if s := strings.TrimSpace(getenv(v.name)); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 {
				return Config{}, fmt.Errorf("%s: %q is not a whole number of at least 1", v.name, s)
			}
			*v.dst = n
		}
	}
	return c, nil
}
