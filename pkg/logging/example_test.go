package logging_test

import (
	"os"
	"time"

	"go.uber.org/zap"

	"github.com/navikt/kafkapg/pkg/logging"
)

// A service builds its logger once, from the environment, in main:
//
//	cfg, err := logging.ConfigFromEnv()
//	if err != nil { ... }
//	log, err := logging.New(cfg)
//
// Here the logger writes to os.Stdout through NewTo with a fixed clock, so
// the output can be shown.
func ExampleNewTo() {
	clock := zap.WithClock(fixedClock{time.Date(2024, 5, 2, 8, 15, 30, 123e6, time.UTC)})
	log, err := logging.NewTo(logging.Config{Name: "my-app"}, os.Stdout, clock)
	if err != nil {
		panic(err)
	}

	log.Info("person not found", zap.String("fnr", "01019012345"), zap.Int("status", 404))
	// Output:
	// {"level":"INFO","@timestamp":"2024-05-02T08:15:30.123Z","logger_name":"my-app","message":"person not found","fnr":"***********","status":404}
}

// One audit line per personal-data access, naming the caller and the
// subject. The audit logger is the one place the subject is written as is.
func ExampleAudit() {
	clock := zap.WithClock(fixedClock{time.Date(2024, 5, 2, 8, 15, 30, 123e6, time.UTC)})
	log, err := logging.NewTo(logging.Config{Name: "my-app"}, os.Stdout, clock)
	if err != nil {
		panic(err)
	}
	audit := logging.Audit(log)

	audit.Info("read person", zap.String("caller", "Z990000"), zap.String("subject", "01019012345"))
	// Output:
	// {"level":"INFO","@timestamp":"2024-05-02T08:15:30.123Z","logger_name":"my-app.audit","message":"read person","caller":"Z990000","subject":"01019012345"}
}
