package rcmock

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// grantHandler validates the grant-specific parameters of a token request and issues tokens. Each grant
// lives in its own file (grant_*.go) and follows the same shape: read parameters, check them against the
// fixture and the realm, then issue through grantCtx.issue.
type grantHandler func(g *grantCtx) (*tokenInfo, *Error)

// grantHandlers maps every grant_type value to its handler.
func (s *Server) grantHandlers() map[string]grantHandler {
	return map[string]grantHandler{
		GrantAuthorizationCode: grantAuthorizationCode,
		GrantPassword:          grantPassword,
		GrantRefreshToken:      grantRefreshToken,
		GrantClientCredentials: grantClientCredentials,
		GrantJWTBearer:         grantJWTBearer,
		GrantDeviceCode:        grantDeviceCode,
		GrantDeviceCertificate: grantDeviceCertificate,
		GrantPartnerJWT:        grantPartnerJWT,
		GrantGuest:             grantGuest,
		GrantPersonalJWT:       grantPersonalJWT,
		GrantOTP:               grantOTP,
		GrantIVRPin:            grantIVRPin,
	}
}

// refreshingGrants are the grants whose tokens come with a refresh token (unless the app does not issue
// refresh tokens or refresh_token_ttl=0). client_credentials answers without one (legacy guide example) and
// guest access is anonymous and short-lived; both are UNVERIFIED beyond that example.
var refreshingGrants = []string{
	GrantAuthorizationCode, GrantPassword, GrantRefreshToken, GrantJWTBearer, GrantDeviceCode,
	GrantDeviceCertificate, GrantPartnerJWT, GrantPersonalJWT, GrantOTP, GrantIVRPin,
}

// tokenInfo is RingCentral's TokenInfo (OpenAPI components.schemas.TokenInfo): owner_id is a string, TTLs
// are integers, token_type is lower-case "bearer", session_id is present. refresh_token and
// refresh_token_expires_in are omitted together when no refresh token is issued (refresh_token_ttl=0,
// community article "Disabling refresh_token from being generated").
type tokenInfo struct {
	AccessToken           string `json:"access_token"`
	TokenType             string `json:"token_type"`
	ExpiresIn             int64  `json:"expires_in"`
	RefreshToken          string `json:"refresh_token,omitempty"`
	RefreshTokenExpiresIn *int64 `json:"refresh_token_expires_in,omitempty"`
	Scope                 string `json:"scope"`
	OwnerID               string `json:"owner_id,omitempty"`
	EndpointID            string `json:"endpoint_id,omitempty"`
	IDToken               string `json:"id_token,omitempty"`
	SessionID             string `json:"session_id"`
}

// grantCtx is one token request being served.
type grantCtx struct {
	s      *Server
	rl     *realm
	r      *http.Request
	f      form
	app    *App
	client authenticatedClient
	grant  string
}

// handleToken serves POST /restapi/oauth/token.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	cf, e := s.openClientForm(w, r, func(rl *realm, f form) string { return s.rateSubject(r, f, rl) })
	if e != nil {
		writeError(w, e)
		return
	}
	rl, f, client := cf.rl, cf.f, cf.client
	gt := f.get("grant_type")
	if gt == "" {
		writeError(w, errMissingParameter("grant_type"))
		return
	}
	handler := s.grants[gt]
	if handler == nil {
		writeError(w, errUnsupportedGrantType(gt, rl.currentSettings().UnknownGrantError))
		return
	}
	if !slices.Contains(client.app.GrantTypes, gt) {
		writeError(w, errUnauthorizedGrant().withReason("app %s is not approved for %s", client.app.ClientID, gt))
		return
	}
	if e := s.checkTTLParams(f); e != nil {
		writeError(w, e)
		return
	}
	ti, e := handler(&grantCtx{s: s, rl: rl, r: r, f: f, app: client.app, client: client, grant: gt})
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, ti)
}

// require returns the value of a required parameter or the invalid_request error for it.
func (g *grantCtx) require(name string) (string, *Error) {
	v := g.f.get(name)
	if v == "" {
		return "", errMissingParameter(name)
	}
	return v, nil
}

// accessTTL applies the access_token_ttl rules (auth-token-params.inc): absent means the default; values
// below the minimum get the minimum and values above the maximum get the maximum (clamped, never rejected),
// whatever their size. 0 and negative values, which the official Go SDK sends when no TTL is set, are below
// the minimum; a value that is not a decimal integer (the JS SDK sends "NaN" when it has no previous TTL) is
// ignored like an absent one, unless Options.RejectMalformedTTL refuses it (checkTTLParams). Both readings
// are UNVERIFIED for RingCentral; the mock tolerates them as the SDKs require.
func (g *grantCtx) accessTTL() time.Duration {
	o := g.s.opts
	n, ok := ttlParam(g.f.get("access_token_ttl"))
	if !ok {
		return o.AccessTTLDefault
	}
	return clampSeconds(n, o.AccessTTLMin, o.AccessTTLMax)
}

// refreshTTL applies the refresh_token_ttl rules: none at all when the grant does not refresh, the app
// does not issue refresh tokens, or the app is not approved for the refresh_token grant (a refresh token
// it could never use; UNVERIFIED, the plausible reading of the "Issue refresh tokens" setting); 0 means
// "no refresh token" (community article, refresh-tokens.md FAQ);
// values above the app's default get the default, whatever their size ("If the value specified exceeds the
// default one, the default value is applied"); absent, negative or non-numeric values get the default.
func (g *grantCtx) refreshTTL() time.Duration {
	if !g.app.IssueRefreshTokens || !slices.Contains(refreshingGrants, g.grant) || !slices.Contains(g.app.GrantTypes, GrantRefreshToken) {
		return 0
	}
	def := time.Duration(g.app.RefreshTokenTTL) * time.Second
	n, ok := ttlParam(g.f.get("refresh_token_ttl"))
	switch {
	case !ok || n < 0:
		return def
	case n == 0:
		return 0
	}
	return clampSeconds(n, time.Second, def)
}

// clampSeconds converts n seconds to a duration within [lo, hi]. The clamping happens in seconds, before the
// conversion, so that a large n (1e10 s is beyond time.Duration's 292 years) cannot overflow.
func clampSeconds(n int64, lo, hi time.Duration) time.Duration {
	switch {
	case n <= int64(lo/time.Second):
		return lo
	case n >= int64(hi/time.Second):
		return hi
	}
	return time.Duration(n) * time.Second
}

// ttlParam reads a TTL parameter as a number of seconds. The OpenAPI description types both parameters as
// int32 and RingCentral documents no reading of other values, so the mock's is UNVERIFIED and chosen as a
// Java or JavaScript server most plausibly parses an integer parameter: an optionally signed decimal integer
// ("+600" is 600), surrounding white space ignored (" 600" is 600, as Spring's number conversion and
// JavaScript's parseInt trim it); values beyond 64 bits saturate, so that a value above the maximum clamps to
// it whatever its size. ok is false when the value is absent or anything else ("1e3", "900.7", "NaN", "0x258"):
// it is not a number of seconds.
func ttlParam(v string) (n int64, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	switch {
	case err == nil:
		return n, true
	case errors.Is(err, strconv.ErrRange):
		// ParseInt returns the saturated value with ErrRange.
		return n, true
	}
	return 0, false
}

// checkTTLParams refuses a TTL parameter that ttlParam cannot read, when Options.RejectMalformedTTL asks
// for that reading (CMN-101 "Parameter [x] value is invalid.", the code RingCentral documents for an invalid
// parameter value). UNVERIFIED: by default such a value is ignored like an absent one.
func (s *Server) checkTTLParams(f form) *Error {
	if !s.opts.RejectMalformedTTL {
		return nil
	}
	for _, name := range []string{"access_token_ttl", "refresh_token_ttl"} {
		if v := f.get(name); v != "" {
			if _, ok := ttlParam(v); !ok {
				return errInvalidParameter(name, v).withReason("%s is not a decimal integer", name)
			}
		}
	}
	return nil
}

// scope resolves the scope parameter against what the app (or, for refresh, the session) was granted:
// absent means everything granted (BaseTokenRequest.scope: "By default, it includes all permissions
// configured on the client application registration"); anything not granted is invalid_scope (RFC 6749
// §3.3).
func (g *grantCtx) scope(granted []string) (string, *Error) {
	req := strings.Fields(g.f.get("scope"))
	if len(req) == 0 {
		return strings.Join(granted, " "), nil
	}
	var out []string
	for _, sc := range req {
		if !slices.Contains(granted, sc) {
			return "", errInvalidScope(g.f.get("scope")).withReason("scope %q is not among the scopes granted (%s)", sc, strings.Join(granted, " "))
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return strings.Join(out, " "), nil
}

// endpointID is the endpoint_id parameter or a generated one ("If not specified, the derived or
// auto-generated value will be used", BaseTokenRequest.endpoint_id).
func (g *grantCtx) endpointID() string {
	if v := g.f.get("endpoint_id"); v != "" {
		return v
	}
	return randomToken(16)
}

// issueSpec describes the session a grant creates.
type issueSpec struct {
	user    *User    // nil for client_credentials and guest
	owner   string   // owner_id; defaults to user.ExtensionID
	account *Account // for user-less sessions that act for an account (client_credentials)
	scope   string
	code    *authCode
	idToken string
}

// issue creates a session for spec with the request's TTLs and answers its TokenInfo. Sessions of a user
// count against the per-user, per-app session limit.
func (g *grantCtx) issue(spec issueSpec) (*tokenInfo, *Error) {
	owner := spec.owner
	if owner == "" && spec.user != nil {
		owner = spec.user.ExtensionID
	}
	sess, e := g.rl.createSession(newSessionSpec{
		app:        g.app,
		user:       spec.user,
		owner:      owner,
		account:    spec.account,
		grant:      g.grant,
		scope:      spec.scope,
		endpointID: g.endpointID(),
		limited:    spec.user != nil,
		code:       spec.code,
		idToken:    spec.idToken,
		accessTTL:  g.accessTTL(),
		refreshTTL: g.refreshTTL(),
	})
	if e != nil {
		return nil, e
	}
	return g.rl.tokenInfo(sess), nil
}

// tokenInfo renders the current tokens of s. expires_in values are the remaining whole seconds, which at
// issue time is TTL-1 (3599, 604799), as real responses show (ringcentral-oauth.md §3-4); Options.ExactExpiresIn
// answers the TTL itself.
func (rl *realm) tokenInfo(s *session) *tokenInfo {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	return rl.tokenInfoLocked(s, rl.now())
}

// tokenInfoLocked is tokenInfo for callers that hold rl.mu.
func (rl *realm) tokenInfoLocked(s *session, now time.Time) *tokenInfo {
	ti := &tokenInfo{
		AccessToken: s.access.value,
		TokenType:   "bearer",
		ExpiresIn:   rl.srv.remaining(s.access.expiresAt, now),
		Scope:       s.scope,
		OwnerID:     s.owner,
		EndpointID:  s.endpointID,
		IDToken:     s.idToken,
		SessionID:   s.id,
	}
	if s.refresh != nil {
		ti.RefreshToken = s.refresh.value
		n := rl.srv.remaining(s.refresh.expiresAt, now)
		ti.RefreshTokenExpiresIn = &n
	}
	return ti
}

func (s *Server) remaining(exp, now time.Time) int64 {
	d := exp.Sub(now)
	if d <= 0 {
		return 0
	}
	if s.opts.ExactExpiresIn {
		return int64((d + time.Second - 1) / time.Second)
	}
	return int64((d - time.Nanosecond) / time.Second)
}

// rateSubject names the (user, app) pair a token request is throttled under (docs/basics/rate-limits.md:
// limits are counted per user, per app, per group). The user is taken from whatever the request carries
// before it is authenticated: a username, a known refresh token or code, or an assertion's subject.
func (s *Server) rateSubject(r *http.Request, f form, rl *realm) string {
	user := ""
	switch {
	case f.has("username"):
		if u := s.fx.lookupLogin(f.get("username"), f.get("extension")); u != nil {
			user = u.ExtensionID
		} else {
			user = strings.ToLower(f.get("username"))
		}
	case f.has("refresh_token"):
		if sess := rl.sessionOf(f.get("refresh_token")); sess != nil && sess.user != nil {
			user = sess.user.ExtensionID
		}
	case f.has("code"):
		if u := rl.codeUser(f.get("code")); u != nil {
			user = u.ExtensionID
		}
	case f.has("assertion") || f.has(s.opts.DeviceCertificateParam):
		a := f.get("assertion")
		if a == "" {
			a = f.get(s.opts.DeviceCertificateParam)
		}
		var c jwt.RegisteredClaims
		if _, _, err := jwt.NewParser().ParseUnverified(a, &c); err == nil {
			user = c.Subject
		}
	}
	return clientHint(r, f) + "|" + user
}

// codeUser returns the user an authorization code was issued for, or nil.
func (rl *realm) codeUser(code string) *User {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if c := rl.codes[code]; c != nil {
		return c.user
	}
	return nil
}
