package kafka

// ConfigFromGetenv exposes configFromEnv to the external tests, which run in
// parallel and so cannot use t.Setenv.
var ConfigFromGetenv = configFromEnv
