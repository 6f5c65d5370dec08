package rcmock

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// handleAuthorize serves GET and POST /restapi/oauth/authorize, the authorization endpoint of the
// authorization code grant (RFC 6749 §3.1, §4.1.1; OpenAPI operations authorize and authorize2; PKCE,
// RFC 7636 §4.3; OpenID Connect nonce). By default the mock has no login page: it approves at once as the
// user that login_hint names, or as the fixture's first user, and redirects with a code (authorizeUser).
// With Options.LoginPage it first sends the user to its sign-in page (login.go), the mock's design of one.
//
// Errors come back in two ways (RFC 6749 §4.1.2.1): while the client or its redirect URI is not verified,
// as HTTP 400 with RingCentral's OAuth error body (authorizeClient); afterwards by a 302 to the redirect URI
// with error, error_description and state (validateAuthorize). Rate-limited requests get the JSON 429 of the
// Auth throttling group, never a redirect.
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	rl := s.realmFor(r)
	p, e := s.readAuthorizeParams(w, r)
	if e != nil {
		writeError(w, e)
		return
	}
	user := s.authorizeUser(p)
	if e := rl.throttle(w, s.authorizeSubject(p, user)); e != nil {
		writeError(w, e)
		return
	}
	req, e := s.authorizeClient(p)
	if e != nil {
		writeError(w, e)
		return
	}
	if e := s.validateAuthorize(req, p, user, rl.currentSettings().AuthorizeScope); e != nil {
		redirectError(w, req, e)
		return
	}
	pending := authCode{
		value:       randomToken(32),
		app:         req.app,
		user:        user,
		redirectURI: req.sentRedirect,
		scope:       req.scope,
		oidc:        req.oidc,
		nonce:       p.get("nonce"),
		challenge:   req.challenge,
		method:      req.method,
	}
	if s.opts.LoginPage {
		s.startLogin(w, r, req, pending, p.get("login_hint"))
		return
	}
	code := rl.storeCode(&pending)
	redirectTo(w, req.target, url.Values{
		"code":       {code.value},
		"expires_in": {strconv.FormatInt(int64(s.opts.AuthCodeTTL/time.Second), 10)},
	}, req.state, "")
}

// authorizeParams are the parameters of an authorization request with every value kept, so that a repeated
// core parameter can be refused while repeated tolerated ones are not.
type authorizeParams url.Values

// authorizeCoreParams are the parameters that must not repeat (RFC 6749 §3.1 "Request and response
// parameters MUST NOT be included more than once"; OpenID Connect adds nonce). Other keys may repeat: the
// JS SDK's loginUrl() sends empty state, brand_id, display, prompt, ui_options, ui_locales and localeId and
// may repeat ui_options, response_hint and login_hint (ringcentral-oauth.md §8.3).
var authorizeCoreParams = []string{
	"client_id", "response_type", "redirect_uri", "state", "scope", "code_challenge", "code_challenge_method", "nonce",
}

// get returns the first non-empty value of key: RFC 6749 §3.1 "Parameters sent without a value MUST be
// treated as if they were omitted from the request".
func (p authorizeParams) get(key string) string {
	for _, v := range p[key] {
		if v != "" {
			return v
		}
	}
	return ""
}

// repeated reports whether key carries more than one value. Empty values count as omitted, so the JS SDK's
// `state=&state=x` is one state.
func (p authorizeParams) repeated(key string) bool {
	n := 0
	for _, v := range p[key] {
		if v != "" {
			n++
		}
	}
	return n > 1
}

// readAuthorizeParams reads the query of a GET or the form body of a POST (RFC 6749 §3.1: the endpoint MUST
// support GET and MAY support POST; OpenAPI authorize2 takes application/x-www-form-urlencoded). The query
// of a POST is ignored, as OpenID Connect Core §3.1.2.1 serializes a POST request in the body only.
func (s *Server) readAuthorizeParams(w http.ResponseWriter, r *http.Request) (authorizeParams, *Error) {
	raw := r.URL.RawQuery
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost:
		body, e := readFormBody(w, r, s.opts.MaxBodyBytes)
		if e != nil {
			return nil, e
		}
		raw = body
	default:
		return nil, errMethodNotAllowed("GET, POST")
	}
	return parseAuthorizeParams(raw)
}

// parseAuthorizeParams decodes an application/x-www-form-urlencoded string keeping repeated keys, and
// refuses malformed percent-encoding as parseFormBody does.
func parseAuthorizeParams(raw string) (authorizeParams, *Error) {
	p := authorizeParams{}
	err := eachFormPair(raw, "authorization request", func(key, value string) *Error {
		p[key] = append(p[key], value)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// authorizeUser is the user the mock signs in: the one login_hint names (an email, an E.164 number or
// `number*ext`, as at the password grant), else the fixture's first user. It is nil when login_hint names
// nobody, which validateAuthorize answers with access_denied unless a login page lets the user sign in.
func (s *Server) authorizeUser(p authorizeParams) *User {
	if hint := p.get("login_hint"); hint != "" {
		return s.fx.lookupLogin(hint, "")
	}
	if len(s.fx.Users) == 0 {
		return nil
	}
	return &s.fx.Users[0]
}

// authorizeSubject names the (app, user) pair an authorization request is throttled under
// (docs/basics/rate-limits.md: per user, per app, per group; the authorize operations are in the Auth group).
func (s *Server) authorizeSubject(p authorizeParams, user *User) string {
	who := strings.ToLower(p.get("login_hint"))
	if user != nil {
		who = user.ExtensionID
	}
	return p.get("client_id") + "|" + who
}

// authorizeRequest is an authorization request whose client and redirect URI are verified.
type authorizeRequest struct {
	app          *App
	sentRedirect string // redirect_uri as sent; empty when omitted
	target       string // where to redirect: sentRedirect, or the app's only registered URI
	state        string // echoed in every redirect when sent (RFC 6749 §4.1.2, §4.1.2.1)
	scope        string // resolved by validateAuthorize
	oidc         bool   // an OpenID Connect request (resolved by validateAuthorize)
	challenge    string // PKCE code_challenge, resolved by validateAuthorize
	method       string // PKCE code_challenge_method, "plain" by default
}

// authorizeClient verifies client_id and redirect_uri. Its errors must not be redirected (RFC 6749
// §3.1.2.4, §4.1.2.1): a repeated client_id or redirect_uri, a missing or unknown client, or a redirect URI
// that is missing, ambiguous or not registered.
func (s *Server) authorizeClient(p authorizeParams) (*authorizeRequest, *Error) {
	for _, k := range []string{"client_id", "redirect_uri"} {
		if p.repeated(k) {
			return nil, errDuplicateParameter(k)
		}
	}
	id := p.get("client_id")
	if id == "" {
		return nil, errMissingParameter("client_id")
	}
	app := s.fx.apps[id]
	if app == nil {
		return nil, errInvalidClient(id).withReason("unknown client_id")
	}
	sent := p.get("redirect_uri")
	target, e := matchRedirectURI(app, sent)
	if e != nil {
		return nil, e
	}
	return &authorizeRequest{app: app, sentRedirect: sent, target: target, state: p.get("state")}, nil
}

// matchRedirectURI returns the URI to redirect to for the redirect_uri a client sent, or the error to answer
// with HTTP 400. Matching is exact string comparison, with no normalisation of case, trailing slashes,
// default ports or percent-encoding and no prefix or pattern rules (RFC 9700 §2.1, §4.1.3; RFC 6749 §3.1.2.3;
// OpenAPI AuthorizeRequest.redirect_uri "must exactly match one of the URIs registered"). An omitted
// redirect_uri means the app's only registered URI; it is required when the app has several (OpenAPI:
// "required if there are more than one redirect URIs registered"). An app with none can never be redirected
// to (OAU-113).
//
// It is a pure function of its arguments, suitable as a fuzz target.
func matchRedirectURI(app *App, uri string) (string, *Error) {
	switch {
	case len(app.RedirectURIs) == 0:
		return "", errNoRedirectURI().withReason("app %s has no registered redirect URI", app.ClientID)
	case uri == "" && len(app.RedirectURIs) == 1:
		return app.RedirectURIs[0], nil
	case uri == "":
		return "", errMissingParameter("redirect_uri").withReason("app %s has %d registered redirect URIs", app.ClientID, len(app.RedirectURIs))
	case !slices.Contains(app.RedirectURIs, uri):
		return "", errAuthorizeRedirectMismatch(uri).withReason("redirect_uri is not exactly a registered URI")
	}
	return uri, nil
}

// Authorization request values the mock accepts (OpenAPI DisplayModesEnum, CodeChallengeMethodEnum).
var (
	displayModes     = []string{"page", "popup", "touch", "mobile"}
	challengeMethods = []string{"plain", "S256"}
)

// repeatedCore returns the first core parameter that repeats, or "".
func (p authorizeParams) repeatedCore() string {
	for _, k := range authorizeCoreParams {
		if p.repeated(k) {
			return k
		}
	}
	return ""
}

// validateAuthorize applies the rules whose errors are redirected to the verified redirect URI (RFC 6749
// §4.1.2.1), filling req's scope and PKCE fields; scopeMode is the realm's Settings.AuthorizeScope. The
// order follows the request's layers: parameters, response type, the app's approval, scope, PKCE (RFC 7636
// §4.4.1), OpenID Connect display and prompt, and last the user.
//
// The last two are the mock's design where the reference is silent (ringcentral-oauth.md §8.3 lists
// login_hint and prompt, but not what RingCentral answers): with Options.LoginPage, prompt=none is
// login_required (OpenID Connect Core §3.1.2.6), since the mock keeps no browser session and the user
// is never already signed in, and a login_hint that names nobody only fills the sign-in form. Without a
// login page the mock approves at once, as if the user were signed in, so prompt=none is served, and a
// login_hint that names nobody is access_denied, since there is nobody to sign in as.
func (s *Server) validateAuthorize(req *authorizeRequest, p authorizeParams, user *User, scopeMode string) *Error {
	if k := p.repeatedCore(); k != "" {
		return errDuplicateParameter(k)
	}
	switch rt := p.get("response_type"); rt {
	case "":
		return errMissingParameter("response_type")
	case "code":
	default:
		return errUnsupportedResponseType(rt)
	}
	if !slices.Contains(req.app.GrantTypes, GrantAuthorizationCode) {
		return errAuthorizeUnauthorizedClient("AUTHORIZATION_CODE").withReason("app %s is not approved for authorization_code", req.app.ClientID)
	}
	if e := authorizeScope(req, p.get("scope"), scopeMode); e != nil {
		return e
	}
	if e := s.authorizePKCE(req, p); e != nil {
		return e
	}
	if d := p.get("display"); d != "" && !slices.Contains(displayModes, d) {
		return errInvalidParameter("display", d).withReason("display must be one of %v", displayModes)
	}
	if pr := strings.Fields(p.get("prompt")); slices.Contains(pr, "none") && len(pr) > 1 {
		return errInvalidParameter("prompt", p.get("prompt")).withReason("prompt none cannot be combined with any other prompt option")
	}
	if s.opts.LoginPage {
		if slices.Contains(strings.Fields(p.get("prompt")), "none") {
			return errAuthorizeLoginRequired().withReason("prompt=none, and the mock's login page keeps no signed-in user")
		}
		return nil
	}
	if user == nil {
		return errAuthorizeAccessDenied().withReason("no user with login %q", p.get("login_hint"))
	}
	return nil
}

// authorizePKCE checks code_challenge and code_challenge_method (RFC 7636 §4.2-4.4.1): the method is plain
// or S256, a method needs a challenge, the challenge has the verifier's syntax, and an omitted method means
// plain (RFC 7636 §4.3; auth-code-pkce-flow.md "If this parameter is omitted, the server assumes plain").
// A public app must send a challenge when Options.RequirePKCEForPublicClients is set (RFC 9700 §2.1.1).
func (s *Server) authorizePKCE(req *authorizeRequest, p authorizeParams) *Error {
	challenge, method := p.get("code_challenge"), p.get("code_challenge_method")
	switch {
	case method != "" && !slices.Contains(challengeMethods, method):
		return errInvalidParameter("code_challenge_method", method).withReason("code_challenge_method must be plain or S256")
	case method != "" && challenge == "":
		return errMissingParameter("code_challenge").withReason("code_challenge_method was sent without code_challenge")
	case challenge != "" && !validPKCEValue(challenge):
		return errInvalidParameter("code_challenge", challenge).withReason("code_challenge must be 43-128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.2)")
	case challenge == "" && req.app.Type == "public" && s.opts.RequirePKCEForPublicClients:
		return errMissingParameter("code_challenge").withReason("a public client must use PKCE (RFC 9700 §2.1.1)")
	}
	if challenge != "" && method == "" {
		method = "plain"
	}
	req.challenge, req.method = challenge, method
	return nil
}

// validPKCEValue reports whether s has the syntax of a code_verifier, which a plain code_challenge shares
// and an S256 one satisfies: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"
// (RFC 7636 §4.1, §4.2).
func validPKCEValue(s string) bool {
	if len(s) < 43 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '.', c == '_', c == '~':
		default:
			return false
		}
	}
	return true
}

// authorizeScope resolves the scope of an authorization request into req. RingCentral documents the
// parameter as "Ignored ... deferring to the permissions set by the developer when the app was created"
// (DOCS login-url-params.inc), so by default (AuthorizeScopeIgnore) the code carries every scope the app was
// granted, whatever was asked, and nothing is refused; RFC 6749 §3.3 allows a server to "fully or partially
// ignore the scope requested by the client". The token response then names the scope it carries (§5.1).
// With AuthorizeScopeRFC the requested scope narrows the code and an ungranted one is invalid_scope
// (§4.1.2.1).
//
// Either way, "openid" in the request makes it an OpenID Connect request (an id_token with the tokens),
// provided the app was granted openid: OpenID Connect Core §3.1.2.1 makes the openid scope value the marker,
// and RingCentral's TokenInfo.id_token comes "if OpenID Connect flow was activated during authorization".
// How RingCentral activates it while ignoring scope is UNVERIFIED.
func authorizeScope(req *authorizeRequest, requested, mode string) *Error {
	asked := slices.Contains(strings.Fields(requested), "openid")
	if mode == AuthorizeScopeIgnore {
		req.scope = strings.Join(req.app.Scopes, " ")
		req.oidc = asked && slices.Contains(req.app.Scopes, "openid")
		return nil
	}
	scope, e := resolveScope(requested, req.app.Scopes)
	if e != nil {
		return e
	}
	req.scope, req.oidc = scope, asked
	return nil
}

// resolveScope resolves a requested scope against the app's granted scopes: empty means everything granted
// (as at the token endpoint, BaseTokenRequest.scope), duplicates collapse, anything not granted is
// invalid_scope (RFC 6749 §3.3, §4.1.2.1).
func resolveScope(requested string, granted []string) (string, *Error) {
	req := strings.Fields(requested)
	if len(req) == 0 {
		return strings.Join(granted, " "), nil
	}
	var out []string
	for _, sc := range req {
		if !slices.Contains(granted, sc) {
			return "", errInvalidScope(requested).withReason("scope %q is not granted to the app", sc)
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return strings.Join(out, " "), nil
}

// storeCode completes c with its times (RFC 6749 §4.1.2: short-lived, Options.AuthCodeTTL) and stores it in
// the realm.
func (rl *realm) storeCode(c *authCode) *authCode {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	c.authTime = rl.now()
	c.expiresAt = c.authTime.Add(rl.srv.opts.AuthCodeTTL)
	rl.codes[c.value] = c
	return c
}

// redirectError delivers an authorization error to the client's redirect URI (RFC 6749 §4.1.2.1): error,
// error_description and, when the request had one, state. Only those travel; the mock's reason goes in the
// X-Mock-Error-Reason header, as with writeError.
func redirectError(w http.ResponseWriter, req *authorizeRequest, e *Error) {
	redirectTo(w, req.target, url.Values{
		"error":             {e.OAuth},
		"error_description": {e.Message},
	}, req.state, e.Reason)
}

// redirectTo answers 302 with params (and state, when non-empty) added to the query of target. The query the
// registered URI already has is kept as it is (RFC 6749 §3.1.2: it "MUST be retained when adding additional
// query parameters"); the new parameters are form-encoded by url.Values. Like every answer that carries a
// credential, the redirect must not be cached (RFC 6749 §5.1, §10.12).
func redirectTo(w http.ResponseWriter, target string, params url.Values, state, reason string) {
	u, err := url.Parse(target)
	if err != nil {
		writeError(w, errInvalidParameter("redirect_uri", target).withReason("registered redirect URI cannot be parsed: %v", err))
		return
	}
	if state != "" {
		params.Set("state", state)
	}
	if u.RawQuery == "" {
		u.RawQuery = params.Encode()
	} else {
		u.RawQuery += "&" + params.Encode()
	}
	h := w.Header()
	noStore(h)
	if reason != "" {
		h.Set("X-Mock-Error-Reason", reason)
	}
	h.Set("Location", u.String())
	w.WriteHeader(http.StatusFound)
}
