package fakenav

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"
)

// Texas's paths, as the NAIS_TOKEN_ENDPOINT and
// NAIS_TOKEN_INTROSPECTION_ENDPOINT of a pod point at them.
const (
	TokenPath      = "/api/v1/token"
	IntrospectPath = "/api/v1/introspect"
)

// Defaults of a Texas.
const (
	// DefaultClientID is the Entra ID client id of the app the fake Texas
	// serves (its AZURE_APP_CLIENT_ID): the audience of the tokens it
	// accepts on introspection, and the azp of the tokens it hands out.
	DefaultClientID = "amt-arena-acl-local-client-id"
	// DefaultAppName is that app's azp_name.
	DefaultAppName = "local:amt:amt-arena-acl"
	// DefaultTokenTTL is the lifetime of the tokens it hands out.
	DefaultTokenTTL = time.Hour
	// Issuer is the iss of every token of a fake Texas.
	Issuer = "https://fakenav.local/entra_id/v2.0"
)

// Texas fakes the NAIS token sidecar for Entra ID (identity_provider
// "entra_id", or the older "azure_ad"):
//
//   - POST /api/v1/token {identity_provider, target} answers
//     {access_token, expires_in, token_type}, a token for target's audience
//     (target less "/.default");
//   - POST /api/v1/introspect {identity_provider, token} answers
//     {"active": true, …claims} for a token of this Texas, unexpired, for
//     this app's client id, and {"active": false, "error": …} otherwise.
//
// Both take JSON or form bodies, as Texas does. Tokens are JWTs signed with
// a key of this Texas only, so the fake peers (see Guard) can check them.
type Texas struct {
	Faults

	key      []byte
	clientID string
	appName  string
	ttl      time.Duration
	now      func() time.Time
}

// TexasOption configures a Texas.
type TexasOption func(*Texas)

// WithClientID sets the client id of the app Texas serves (default
// DefaultClientID).
func WithClientID(id string) TexasOption { return func(t *Texas) { t.clientID = id } }

// WithAppName sets the azp_name of the app Texas serves (default
// DefaultAppName).
func WithAppName(name string) TexasOption { return func(t *Texas) { t.appName = name } }

// WithTokenTTL sets the lifetime of the tokens Texas hands out (default
// DefaultTokenTTL).
func WithTokenTTL(d time.Duration) TexasOption { return func(t *Texas) { t.ttl = d } }

// WithClock sets the clock Texas stamps and checks expiry by (default
// time.Now).
func WithClock(now func() time.Time) TexasOption { return func(t *Texas) { t.now = now } }

// NewTexas returns a Texas with a signing key of its own.
func NewTexas(opts ...TexasOption) *Texas {
	t := &Texas{
		key:      make([]byte, 32),
		clientID: DefaultClientID,
		appName:  DefaultAppName,
		ttl:      DefaultTokenTTL,
		now:      time.Now,
	}
	_, _ = rand.Read(t.key)
	for _, o := range opts {
		o(t)
	}
	return t
}

// ClientID is the client id of the app Texas serves.
func (t *Texas) ClientID() string { return t.clientID }

// Token returns a token as the token endpoint hands it out for target.
func (t *Texas) Token(target string) string {
	return t.Issue(map[string]any{
		"aud":      Audience(target),
		"azp":      t.clientID,
		"azp_name": t.appName,
		"sub":      t.clientID,
		"oid":      t.clientID,
		"idtyp":    "app",
		"roles":    []string{"access_as_application"},
	})
}

// TokenFrom returns a machine-to-machine token that the app azpName (such as
// "local:dab:amt-aktivitetskort-publisher") got for the app this Texas
// serves: what that app would send to it, and what introspection accepts.
func (t *Texas) TokenFrom(azpName string, roles ...string) string {
	if roles == nil {
		roles = []string{"access_as_application"}
	}
	return t.Issue(map[string]any{
		"aud":      t.clientID,
		"azp":      azpName + "-client-id",
		"azp_name": azpName,
		"sub":      azpName + "-client-id",
		"oid":      azpName + "-client-id",
		"idtyp":    "app",
		"roles":    roles,
	})
}

// Issue signs a token with claims. iss, iat, nbf and exp are filled in
// unless given; exp is the token lifetime from now.
func (t *Texas) Issue(claims map[string]any) string {
	now := t.clock()
	c := make(map[string]any, len(claims)+4)
	c["iss"] = Issuer
	c["iat"] = now.Unix()
	c["nbf"] = now.Unix()
	c["exp"] = now.Add(t.ttl).Unix()
	for k, v := range claims {
		c[k] = v
	}
	payload, err := json.Marshal(c)
	if err != nil {
		panic(fmt.Sprintf("fakenav: claims do not marshal: %v", err))
	}
	signed := jwtHeader + "." + b64.EncodeToString(payload)
	return signed + "." + b64.EncodeToString(t.sign(signed))
}

var (
	b64       = base64.RawURLEncoding
	jwtHeader = b64.EncodeToString([]byte(`{"alg":"HS256","kid":"fakenav","typ":"JWT"}`))
)

func (t *Texas) sign(s string) []byte {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(s))
	return m.Sum(nil)
}

func (t *Texas) clock() time.Time { return t.now() }

// Verify returns the claims of token if this Texas signed it and it has not
// expired, whoever its audience is.
func (t *Texas) Verify(token string) (map[string]any, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] != jwtHeader {
		return nil, errors.New("not a token of this Texas")
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, t.sign(parts[0]+"."+parts[1])) {
		return nil, errors.New("bad signature")
	}
	payload, err := b64.DecodeString(parts[1])
	if err != nil {
		return nil, errors.New("bad payload")
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		return nil, errors.New("bad payload")
	}
	now := t.clock().Unix()
	exp, _ := claims["exp"].(float64)
	nbf, _ := claims["nbf"].(float64)
	switch {
	case int64(exp) <= now:
		return nil, errors.New("token has expired")
	case int64(nbf) > now:
		return nil, errors.New("token is not valid yet")
	case claims["iss"] != Issuer:
		return nil, errors.New("wrong issuer")
	}
	return claims, nil
}

// VerifyFor is Verify that also demands the audience of scope.
func (t *Texas) VerifyFor(token, scope string) (map[string]any, error) {
	claims, err := t.Verify(token)
	if err != nil {
		return nil, err
	}
	if aud, _ := claims["aud"].(string); aud != Audience(scope) {
		return nil, fmt.Errorf("token is for audience %q, not %q", aud, Audience(scope))
	}
	return claims, nil
}

// Audience is the audience of the tokens for scope: scope less "/.default".
func Audience(scope string) string { return strings.TrimSuffix(scope, "/.default") }

// ServeHTTP serves the token and introspection endpoints.
func (t *Texas) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case TokenPath:
		if t.intercept(w, r, EndpointToken) {
			return
		}
		t.serveToken(w, r)
	case IntrospectPath:
		if t.intercept(w, r, EndpointIntrospect) {
			return
		}
		t.serveIntrospect(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (t *Texas) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		texasError(w, http.StatusMethodNotAllowed, "invalid_request", "use POST")
		return
	}
	p, err := readParams(w, r)
	if err != nil {
		texasError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	if !isEntraID(p["identity_provider"]) {
		texasError(w, http.StatusBadRequest, "invalid_request", fmt.Sprintf("identity_provider %q is not supported by this fake", p["identity_provider"]))
		return
	}
	if p["target"] == "" {
		texasError(w, http.StatusBadRequest, "invalid_request", "target is missing")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": t.Token(p["target"]),
		"expires_in":   int64(t.ttl / time.Second),
		"token_type":   "Bearer",
	})
}

func (t *Texas) serveIntrospect(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		texasError(w, http.StatusMethodNotAllowed, "invalid_request", "use POST")
		return
	}
	p, err := readParams(w, r)
	if err != nil {
		texasError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	if !isEntraID(p["identity_provider"]) {
		texasError(w, http.StatusBadRequest, "invalid_request", fmt.Sprintf("identity_provider %q is not supported by this fake", p["identity_provider"]))
		return
	}
	claims, err := t.VerifyFor(p["token"], t.clientID)
	if err != nil {
		writeJSON(w, http.StatusOK, map[string]any{"active": false, "error": err.Error()})
		return
	}
	claims["active"] = true
	writeJSON(w, http.StatusOK, claims)
}

func isEntraID(p string) bool { return p == "entra_id" || p == "azure_ad" }

// readParams reads a flat JSON object of strings or a form.
func readParams(w http.ResponseWriter, r *http.Request) (map[string]string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/x-www-form-urlencoded" {
		if err := r.ParseForm(); err != nil {
			return nil, errors.New("body is not a form")
		}
		p := map[string]string{}
		for k := range r.PostForm {
			p[k] = r.PostForm.Get(k)
		}
		return p, nil
	}
	var raw map[string]any
	if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
		return nil, errors.New("body is not a JSON object")
	}
	p := map[string]string{}
	for k, v := range raw {
		if s, ok := v.(string); ok {
			p[k] = s
		}
	}
	return p, nil
}

func texasError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

// Guard checks the bearer token on the requests to a fake peer, as the real
// peer does: it must be a token from the Texas for the peer's scope,
// unexpired. The zero Guard only demands that there is a bearer token.
type Guard struct {
	texas *Texas
	scope string
}

// Guard returns a Guard for the peer whose scope is scope.
func (t *Texas) Guard(scope string) Guard { return Guard{texas: t, scope: scope} }

// Scope is the scope the Guard demands tokens for.
func (g Guard) Scope() string { return g.scope }

// allow answers 401 and reports false when the request's token is not good
// enough.
func (g Guard) allow(w http.ResponseWriter, r *http.Request) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		w.Header().Set("WWW-Authenticate", `Bearer`)
		writeError(w, http.StatusUnauthorized, "no bearer token")
		return false
	}
	if g.texas == nil {
		return true
	}
	if _, err := g.texas.VerifyFor(token, g.scope); err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeError(w, http.StatusUnauthorized, err.Error())
		return false
	}
	return true
}
