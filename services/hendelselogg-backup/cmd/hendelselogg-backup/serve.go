package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"go.uber.org/zap"

	"github.com/navikt/kafkapg/pkg/nais"
	"github.com/navikt/kafkapg/pkg/pg"
	"github.com/navikt/kafkapg/services/hendelselogg-backup/internal/api"
	"github.com/navikt/kafkapg/services/hendelselogg-backup/internal/backup"
	"github.com/navikt/kafkapg/services/hendelselogg-backup/migrations"
)

// serve starts in the original's order — migrate, read topic metadata,
// initialise the HWM rows, start HTTP, consume — and any failure before
// consuming ends the process with a non-zero exit. It returns nil after
// SIGTERM once the batch in flight is committed or rolled back.
func serve(ctx context.Context, log *zap.Logger) error {
	err := startAndServe(ctx, log)
	if err != nil && ctx.Err() != nil {
		// SIGTERM during startup: a requested stop, not a failure.
		log.Info("hendelselogg-backup stopped while starting", zap.Error(err))
		return nil
	}
	return err
}

func startAndServe(ctx context.Context, log *zap.Logger) error {
	cfg, err := loadConfig(true)
	if err == nil {
		err = cfg.ValidateServe()
	}
	if err != nil {
		return err
	}
	log.Info("starting hendelselogg-backup", zap.Stringer("config", cfg))

	db, err := pg.Open(ctx, cfg.DB)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	if err := pg.Migrate(ctx, db, migrations.FS, migrations.Dir); err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}

	srv := nais.NewServer(":"+cfg.Port, log, nais.NewRegistry())
	sc, err := backup.SaramaConfig(cfg)
	if err != nil {
		return fmt.Errorf("kafka client configuration: %w", err)
	}
	svc, err := backup.New(cfg, db, sc, log, srv.Registry())
	if err != nil {
		return err
	}
	if err := svc.InitHWM(ctx); err != nil {
		return err
	}

	srv.AddReadiness("backup", svc.Ready)
	srv.AddLiveness("consumer", svc.Alive)
	var auth func(http.Handler) http.Handler
	if cfg.AuthDisabled {
		auth = nais.RequireToken(nil, log, nais.AllowAnonymous())
	} else {
		auth = nais.RequireToken(nais.NewIntrospector(cfg.IntrospectionEndpoint), log)
	}
	api.New(db, cfg.Version, log).Register(srv, auth)

	// HTTP stops after the consumer, so probes and metrics answer while the
	// last batch is finished.
	httpCtx, stopHTTP := context.WithCancel(context.WithoutCancel(ctx))
	defer stopHTTP()
	httpDone := make(chan error, 1)
	go func() { httpDone <- srv.Run(httpCtx) }()

	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	runDone := make(chan error, 1)
	go func() { runDone <- svc.Run(runCtx) }()

	var runErr, httpErr error
	select {
	case runErr = <-runDone:
		stopHTTP()
		httpErr = <-httpDone
	case httpErr = <-httpDone:
		// The server could not listen or failed: stop consuming too.
		stopRun()
		runErr = <-runDone
		if httpErr == nil {
			httpErr = errors.New("http server stopped")
		}
	}
	if runErr != nil {
		log.Error("the backup stopped", zap.Error(runErr))
		return fmt.Errorf("backup stopped: %w", runErr)
	}
	if httpErr != nil {
		return fmt.Errorf("http server: %w", httpErr)
	}
	log.Info("hendelselogg-backup stopped")
	return nil
}
