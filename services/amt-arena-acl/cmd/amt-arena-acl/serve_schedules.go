package main

// serve's scheduled jobs (the retry processor and the rest, on the leader
// only) and the translation API, hooked into the app serve builds.

import (
	"os"

	"go.uber.org/zap"

	"github.com/navikt/kafkapg/pkg/nais"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/api"
	"github.com/navikt/kafkapg/services/amt-arena-acl/internal/schedule"
)

func init() {
	serveHooks = append(serveHooks, startSchedules, serveTranslationAPI)
}

// startSchedules campaigns for leadership and runs the jobs beside the
// consumer, with the schedules of RETRY_SCHEDULE and the rest.
func startSchedules(a *app) error {
	cfg, err := schedule.ConfigFromEnv(os.Getenv)
	if err != nil {
		return err
	}
	a.log.Info("Schedules", zap.String("retry", cfg.RetrySchedule), zap.Int("retry_batch_size", cfg.RetryBatchSize),
		zap.String("failed", cfg.FailedSchedule), zap.Int("failed_batch_size", cfg.FailedBatchSize),
		zap.String("ignored_cleanup", cfg.IgnoredCleanupSchedule), zap.String("status_metrics", cfg.StatusMetricsSchedule))
	svc, err := schedule.NewService(schedule.Setup{
		DB: a.db, Store: a.store, Handler: a.processor, Config: cfg,
		Metrics: a.metrics, Registerer: a.server.Registry(), Log: a.log.Named("schedule"),
	})
	if err != nil {
		return err
	}
	a.runners = append(a.runners, runner{"schedules", svc.Run})
	return nil
}

// serveTranslationAPI adds the translation routes, behind token
// introspection through Texas (NAIS_TOKEN_INTROSPECTION_ENDPOINT).
func serveTranslationAPI(a *app) error {
	introspector, err := nais.IntrospectorFromEnv()
	if err != nil {
		return err
	}
	api.New(a.db, a.store, a.log.Named("api")).Register(a.server, nais.RequireToken(introspector, a.log.Named("auth")))
	return nil
}
