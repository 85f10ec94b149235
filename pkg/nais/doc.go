// Package nais gives a Go service what the NAIS platform expects of it and
// what it needs from the platform's token sidecar, Texas.
//
// # The runtime contract
//
// Server serves the routes NAIS calls — /internal/isAlive,
// /internal/isReady and /internal/metrics — beside the service's own API,
// and shuts down gracefully when its context ends. NAIS stops a pod with
// SIGTERM and kills it terminationGracePeriodSeconds later (30 s by
// default); SignalContext turns the signal into a cancelled context, and the
// shutdown timeout must fit in that grace period. The port is PORT, 8080 by
// default (Addr).
//
// Liveness and readiness are different promises. A failing readiness check
// takes the pod out of load balancing until it passes again; a failing
// liveness check gets the pod restarted. So a dependency being down is a
// readiness failure, and only a stuck process — a loop whose Heartbeat has
// stopped — is a liveness failure. Both routes run their checks
// concurrently under a short timeout, because the kubelet counts a slow
// answer as a failed one.
//
// # Tokens
//
// TokenClient fetches machine-to-machine tokens from Texas
// (NAIS_TOKEN_ENDPOINT) and caches them per target until shortly before they
// expire; Transport puts them on outgoing requests. Introspector asks Texas
// (NAIS_TOKEN_INTROSPECTION_ENDPOINT) whether an inbound token is valid, and
// RequireToken is the middleware that does so for every request, putting the
// token's claims in the request context.
//
// Tokens are credentials. Nothing in this package logs one or puts one in an
// error, and code using it must not either.
//
// RequireToken fails closed: a request whose token cannot be checked,
// because Texas is unreachable, is answered 503 and never passed on. The one
// way to turn authentication off, AllowAnonymous, is for local stacks and
// refuses to start on NAIS.
package nais
