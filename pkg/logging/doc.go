// Package logging builds the zap loggers NAV services on NAIS log with.
//
// On NAIS a logger writes one JSON object per line to stdout, in the shape
// NAV's log pipeline already understands from logback's logstash encoder:
//
//	{"@timestamp":"2024-05-02T08:15:30.123Z","level":"INFO","logger_name":"my-app","message":"started"}
//
// Keys are fixed: @timestamp (RFC 3339, UTC, milliseconds), level (DEBUG,
// INFO, WARN or ERROR — zap's DPANIC, PANIC and FATAL are written as ERROR,
// because the pipeline and its alerts know only logback's level names),
// message, logger_name, stack_trace (on ERROR and above) and caller (only when
// the zap.AddCaller option is given). Fields a service adds become keys of
// their own. Run locally, the same logger writes zap's human-readable console
// format instead; ConfigFromEnv chooses by the presence of NAIS_CLUSTER_NAME.
//
// # Personal data
//
// NAV services must never log a fødselsnummer (or a D-number, which has the
// same 11-digit form). Loggers from New and NewTo therefore mask every run of
// exactly 11 digits in the message and in string, byte-string, error and
// fmt.Stringer fields as "***********" (see MaskFnr). That is a safety net
// for the identifier that slips into an error message, not a licence to log
// personal data: it does not look inside arrays, objects or reflected values,
// does not touch numbers, and does not recognise other personal data at all.
//
// # Audit
//
// Audit returns a logger for the one line per personal-data access that a
// service is required to write, naming who asked (the caller) and about whom
// (the subject). The audit logger deliberately does not mask: recording the
// subject is its purpose. It writes at INFO even when LOG_LEVEL is warn or
// error, because an audit trail that vanishes when someone turns logging down
// is no audit trail. Use it for audit lines and nothing else.
package logging
