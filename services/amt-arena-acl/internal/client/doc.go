// Package client holds what the service's clients of its HTTP peers share:
// their configuration, the token source they get bearer tokens from, and the
// errors they return. The clients themselves live in the subpackages ords
// (amt-arena-ords-proxy), mulighetsrommet (mulighetsrommet-api) and
// amttiltak (amt-tiltak).
//
// # Errors
//
// Every client method returns one of:
//
//   - nil;
//   - an error wrapping ErrNotFound, only where the method's documentation
//     says that a 404 has a meaning of its own;
//   - an *Error for every other failure: no token, a transport error, a
//     timeout, a status other than 2xx, or an answer that is not what the
//     peer promised.
//
// The message handlers treat every failure but ErrNotFound alike (the
// message is stored for retry), so an *Error needs no inspection to be
// handled; its Status, Timeout and Retryable say what went wrong for logs
// and metrics. Check ErrNotFound first: the *Error of a 404 wraps it.
//
// No error text holds a token, a request or response body, or a
// fødselsnummer.
package client
