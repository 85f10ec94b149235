package nais

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"go.uber.org/zap"
)

// DefaultIntrospectionTimeout bounds one introspection request. Texas
// validates tokens against keys it has cached, so an answer is quick when
// it comes at all.
const DefaultIntrospectionTimeout = 5 * time.Second

// ErrInactiveToken is returned, wrapped with Texas's reason, when Texas says
// a token is not active: expired, signed by someone else, meant for another
// audience, or not a token at all.
var ErrInactiveToken = errors.New("token is not active")

// Introspector validates inbound tokens through Texas's introspection
// endpoint (NAIS_TOKEN_INTROSPECTION_ENDPOINT), which checks signature,
// issuer, expiry and audience and returns the token's claims. It is safe for
// concurrent use.
type Introspector struct {
	endpoint string
	cfg      clientConfig
}

// NewIntrospector returns an Introspector for the Texas introspection
// endpoint at endpoint.
func NewIntrospector(endpoint string, opts ...ClientOption) *Introspector {
	return &Introspector{endpoint: endpoint, cfg: newClientConfig(DefaultIntrospectionTimeout, opts)}
}

// IntrospectorFromEnv returns an Introspector for the endpoint in
// NAIS_TOKEN_INTROSPECTION_ENDPOINT.
func IntrospectorFromEnv(opts ...ClientOption) (*Introspector, error) {
	endpoint, err := endpointFromEnv(os.Getenv, "NAIS_TOKEN_INTROSPECTION_ENDPOINT")
	if err != nil {
		return nil, err
	}
	return NewIntrospector(endpoint, opts...), nil
}

// Introspect asks Texas about token. It returns the token's claims when the
// token is active, an error wrapping ErrInactiveToken when it is not, and any
// other error when Texas could not be asked or gave no usable answer. No
// error contains the token.
func (i *Introspector) Introspect(ctx context.Context, token string) (Claims, error) {
	if token == "" {
		return nil, fmt.Errorf("%w: empty token", ErrInactiveToken)
	}
	ctx, cancel := context.WithTimeout(ctx, i.cfg.timeout)
	defer cancel()

	var answer map[string]any
	err := post(ctx, i.cfg.httpClient, i.endpoint, map[string]string{
		"identity_provider": i.cfg.provider,
		"token":             token,
	}, &answer)
	if err != nil {
		return nil, fmt.Errorf("nais: introspect token: %w", err)
	}

	active, ok := answer["active"].(bool)
	if !ok {
		return nil, errors.New("nais: introspect token: answer has no active field")
	}
	if !active {
		reason, _ := answer["error"].(string)
		if reason == "" {
			reason = "no reason given"
		}
		return nil, fmt.Errorf("%w: %s", ErrInactiveToken, truncate(reason))
	}
	delete(answer, "active")
	return Claims(answer), nil
}

// Claims are the claims of a validated token, as Texas returned them. JSON
// numbers are float64s, arrays []any.
type Claims map[string]any

// String returns the claim name if it is a string, and "" otherwise.
func (c Claims) String(name string) string {
	s, _ := c[name].(string)
	return s
}

// Strings returns the claim name if it is an array of strings (or a single
// string), and nil otherwise.
func (c Claims) Strings(name string) []string {
	switch v := c[name].(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// AzpName is the calling application as Entra ID names it, such as
// "prod-gcp:teamx:other-app". It is the caller to write in an audit line.
func (c Claims) AzpName() string { return c.String("azp_name") }

// Azp is the calling application's client ID.
func (c Claims) Azp() string { return c.String("azp") }

// NAVident is the NAV employee the token was issued on behalf of, or "" for
// a machine-to-machine token.
func (c Claims) NAVident() string { return c.String("NAVident") }

// Subject is the token's sub claim.
func (c Claims) Subject() string { return c.String("sub") }

// Roles are the app roles granted to the caller.
func (c Claims) Roles() []string { return c.Strings("roles") }

// Groups are the group IDs of the user the token was issued on behalf of.
func (c Claims) Groups() []string { return c.Strings("groups") }

type claimsKey struct{}

// ContextWithClaims returns ctx carrying claims. RequireToken does this for
// each request it lets through; a handler's tests can use it to fake one.
func ContextWithClaims(ctx context.Context, claims Claims) context.Context {
	return context.WithValue(ctx, claimsKey{}, claims)
}

// ClaimsFrom returns the claims RequireToken put in ctx, and false if there
// are none.
func ClaimsFrom(ctx context.Context) (Claims, bool) {
	c, ok := ctx.Value(claimsKey{}).(Claims)
	return c, ok
}

// AuthOption configures RequireToken.
type AuthOption func(*authConfig)

type authConfig struct {
	anonymous bool
	getenv    func(string) string
}

// AllowAnonymous turns authentication off: RequireToken lets every request
// through untouched, without claims. It exists for local stacks that have no
// Texas, and RequireToken refuses it (by panicking at startup) where
// NAIS_CLUSTER_NAME is set, so that it cannot reach a NAIS cluster.
func AllowAnonymous() AuthOption {
	return func(c *authConfig) { c.anonymous = true }
}

// RequireToken returns middleware that lets a request through only with a
// token Texas says is active, and puts its claims in the request's context
// (see ClaimsFrom). It answers:
//
//   - 401 when the Authorization header is missing, is not
//     "Bearer <token>", or holds an inactive token; with a WWW-Authenticate
//     header as RFC 6750 says;
//   - 503 when Texas cannot be asked or answers with an error.
//
// It logs the outcome of rejected requests, never the token. It panics if i
// is nil without AllowAnonymous.
func RequireToken(i *Introspector, log *zap.Logger, opts ...AuthOption) func(http.Handler) http.Handler {
	return requireToken(i, log, authConfig{getenv: os.Getenv}, opts)
}

func requireToken(i *Introspector, log *zap.Logger, cfg authConfig, opts []AuthOption) func(http.Handler) http.Handler {
	for _, o := range opts {
		o(&cfg)
	}
	if log == nil {
		log = zap.NewNop()
	}

	if cfg.anonymous {
		if cluster := cfg.getenv("NAIS_CLUSTER_NAME"); cluster != "" {
			// Fail at startup, loudly: a rollout whose new pods crash
			// stops, and the old pods keep serving with authentication.
			panic(fmt.Sprintf("nais: AllowAnonymous is for local stacks, and this is NAIS cluster %q", cluster))
		}
		log.Warn("AUTHENTICATION IS OFF: every request is let through without a token (AllowAnonymous). Never run like this outside a local stack.")
		return func(next http.Handler) http.Handler { return next }
	}
	if i == nil {
		panic("nais: RequireToken needs an Introspector")
	}

	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			token, problem := bearerToken(r.Header)
			// token is a credential: it is sent to Texas and nowhere else,
			// and no log line below mentions it.
			if problem != "" {
				log.Debug("request rejected", zap.String("reason", problem), zap.String("route", route(r)))
				if problem == missingToken {
					// RFC 6750 §3.1: no error code when no credentials were
					// given at all.
					unauthorized(w, `Bearer`)
				} else {
					unauthorized(w, `Bearer error="invalid_token", error_description="malformed Authorization header"`)
				}
				return
			}

			claims, err := i.Introspect(r.Context(), token)
			switch {
			case err == nil:
				next.ServeHTTP(w, r.WithContext(ContextWithClaims(r.Context(), claims)))
			case errors.Is(err, ErrInactiveToken):
				log.Info("request rejected: inactive token", zap.Error(err), zap.String("route", route(r)))
				unauthorized(w, `Bearer error="invalid_token"`)
			case r.Context().Err() != nil:
				// The caller has gone; there is no one to answer and
				// nothing wrong with Texas.
				w.WriteHeader(http.StatusServiceUnavailable)
			default:
				// Not 401: the token may well be valid, and telling the
				// caller its credentials are bad would send it chasing the
				// wrong problem, or make it drop a good token. Not 200:
				// letting an unchecked request through fails open. 503 says
				// what happened — we could not check, try again — and lands
				// the alarm on this side.
				log.Error("token introspection failed", zap.Error(err), zap.String("route", route(r)))
				w.Header().Set("Retry-After", "1")
				http.Error(w, "token validation unavailable", http.StatusServiceUnavailable)
			}
		})
	}
}

const missingToken = "no Authorization header"

// bearerToken returns the token in an "Authorization: Bearer <token>" header,
// or a short description of what is wrong with the header.
func bearerToken(h http.Header) (token, problem string) {
	values := h.Values("Authorization")
	switch {
	case len(values) == 0:
		return "", missingToken
	case len(values) > 1:
		return "", "more than one Authorization header"
	}
	scheme, token, ok := strings.Cut(values[0], " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", "Authorization header is not Bearer"
	}
	if !isToken68(token) {
		return "", "malformed bearer token"
	}
	return token, ""
}

// isToken68 reports whether s is a b64token (RFC 6750 §2.1), which every JWT
// is: a header value with spaces, quotes or control characters in it is not
// something to send on to Texas.
func isToken68(s string) bool {
	s = strings.TrimRight(s, "=")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-', c == '.', c == '_', c == '~', c == '+', c == '/':
		default:
			return false
		}
	}
	return true
}

func unauthorized(w http.ResponseWriter, challenge string) {
	w.Header().Set("WWW-Authenticate", challenge)
	http.Error(w, "unauthorized", http.StatusUnauthorized)
}

// route names the request's route for logs: the ServeMux pattern it matched
// ("GET /api/v1/person/{id}"), never its path, which may hold personal data
// such as an identifier. Outside a ServeMux route only the method is known.
func route(r *http.Request) string {
	if r.Pattern != "" {
		return r.Pattern
	}
	return r.Method + " (path not logged)"
}
