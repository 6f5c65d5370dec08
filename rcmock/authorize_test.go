package rcmock

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// authzMethods are the two methods of the authorization endpoint (OpenAPI authorize and authorize2); every
// authorization test runs with both.
var authzMethods = []string{http.MethodGet, http.MethodPost}

// TestAuthorizeRefusesWithoutRedirect: while the client or its redirect URI is not verified, the endpoint
// answers 400 itself and never redirects (RFC 6749 §3.1.2.4, §4.1.2.1; RFC 9700 §2.1 exact matching;
// docs/basics/errors.md "HTTP 400 may be returned on the /restapi/oauth/authorize call").
func TestAuthorizeRefusesWithoutRedirect(t *testing.T) {
	tests := []struct {
		name        string
		raw         string
		oauth, code string
		param       string
	}{
		{"missing client_id", authzParams("client_id", "").Encode(), "invalid_request", "CMN-101", "client_id"},
		{"empty client_id", "response_type=code&client_id=&redirect_uri=" + url.QueryEscape(tCallback), "invalid_request", "CMN-101", "client_id"},
		{"repeated client_id", authzParams().Encode() + "&client_id=" + tMainID, "invalid_request", "OAU-111", "client_id"},
		{"unknown client", authzParams("client_id", "noSuchApp").Encode(), "invalid_client", "OAU-153", "client_id"},
		{"unknown client and bad response_type", authzParams("client_id", "noSuchApp", "response_type", "token").Encode(), "invalid_client", "OAU-153", "client_id"},
		{"redirect_uri + path segment", authzParams("redirect_uri", tCallback+"/x").Encode(), "invalid_request", "OAU-109", "redirect_uri"},
		{"redirect_uri + query", authzParams("redirect_uri", tCallback+"?q").Encode(), "invalid_request", "OAU-109", "redirect_uri"},
		{"redirect_uri + fragment", authzParams("redirect_uri", tCallback+"#f").Encode(), "invalid_request", "OAU-109", "redirect_uri"},
		{"redirect_uri + trailing slash", authzParams("redirect_uri", tCallback+"/").Encode(), "invalid_request", "OAU-109", "redirect_uri"},
		{"redirect_uri path in another case", authzParams("redirect_uri", "https://client.example.com/OAuth/callback").Encode(), "invalid_request", "OAU-109", "redirect_uri"},
		{"redirect_uri host in another case", authzParams("redirect_uri", "https://CLIENT.example.com/oauth/callback").Encode(), "invalid_request", "OAU-109", "redirect_uri"},
		{"redirect_uri with default port", authzParams("redirect_uri", "https://client.example.com:443/oauth/callback").Encode(), "invalid_request", "OAU-109", "redirect_uri"},
		{"redirect_uri over http", authzParams("redirect_uri", "http://client.example.com/oauth/callback").Encode(), "invalid_request", "OAU-109", "redirect_uri"},
		{"redirect_uri prefix only", authzParams("redirect_uri", "https://client.example.com/oauth").Encode(), "invalid_request", "OAU-109", "redirect_uri"},
		{"redirect_uri of another app's host", authzParams("redirect_uri", "https://evil.example/oauth/callback").Encode(), "invalid_request", "OAU-109", "redirect_uri"},
		{"redirect_uri omitted with two registered", authzParams("redirect_uri", "").Encode(), "invalid_request", "CMN-101", "redirect_uri"},
		{"repeated redirect_uri", authzParams().Encode() + "&redirect_uri=" + url.QueryEscape(tSecondRedirect), "invalid_request", "OAU-111", "redirect_uri"},
		{"no redirect URI registered", authzParams("client_id", tPrivateKeyID, "redirect_uri", "").Encode(), "invalid_request", "OAU-113", ""},
		{"no redirect URI registered, one sent", authzParams("client_id", tPrivateKeyID).Encode(), "invalid_request", "OAU-113", ""},
	}
	e := newTestServer(t, withTestApps)
	for _, method := range authzMethods {
		for _, tt := range tests {
			t.Run(method+"/"+tt.name, func(t *testing.T) {
				r := e.authorizeRaw(t, method, tt.raw)
				wantError(t, r, http.StatusBadRequest, tt.oauth, tt.code)
				wantOperation(t, r, method, PathAuthorize)
				errs, _ := r.json(t)["errors"].([]any)
				if len(errs) == 1 {
					if got, _ := errs[0].(map[string]any)["parameterName"].(string); got != tt.param {
						t.Errorf("got parameterName %q; want %q", got, tt.param)
					}
				}
			})
		}
	}
}

// TestAuthorizeRedirectsErrors: once the redirect URI is verified, errors go back to it in the query with
// error, error_description and the state that was sent (RFC 6749 §4.1.2.1; ringcentral-js#54 for
// unauthorized_client; RFC 7636 §4.4.1 and RFC 9700 §2.1.1 for PKCE; OpenAPI AuthorizeRequest for display
// and prompt).
func TestAuthorizeRedirectsErrors(t *testing.T) {
	tooShort := strings.Repeat("a", 42)
	tooLong := strings.Repeat("a", 129)
	tests := []struct {
		name      string
		raw       string
		wantError string
		wantState string // "" means no state in the redirect
		wantDesc  string // "" means any valid description
	}{
		{"missing response_type", authzParams("response_type", "").Encode(), "invalid_request", "xyz", ""},
		{"empty response_type", authzParams("response_type", "").Encode() + "&response_type=", "invalid_request", "xyz", ""},
		{"response_type token", authzParams("response_type", "token").Encode(), "unsupported_response_type", "xyz", ""},
		{"response_type code id_token", authzParams("response_type", "code id_token").Encode(), "unsupported_response_type", "xyz", ""},
		{"response_type in upper case", authzParams("response_type", "CODE").Encode(), "unsupported_response_type", "xyz", ""},
		{"state omitted", authzParams("response_type", "token", "state", "").Encode(), "unsupported_response_type", "", ""},
		{"state with special characters", authzParams("response_type", "token", "state", "a b&c=d/é").Encode(), "unsupported_response_type", "a b&c=d/é", ""},
		{"app not approved for the code grant", authzParams("client_id", tNoCodeID, "redirect_uri", "").Encode(), "unauthorized_client", "xyz",
			"The client is unauthorized for the required grant type: [AUTHORIZATION_CODE]"},
		{"unknown code_challenge_method", authzParams("code_challenge", tChallenge, "code_challenge_method", "S512").Encode(), "invalid_request", "xyz", ""},
		{"code_challenge_method in lower case", authzParams("code_challenge", tChallenge, "code_challenge_method", "s256").Encode(), "invalid_request", "xyz", ""},
		{"code_challenge_method without challenge", authzParams("code_challenge_method", "S256").Encode(), "invalid_request", "xyz", ""},
		{"code_challenge of 42 characters", authzParams("code_challenge", tooShort).Encode(), "invalid_request", "xyz", ""},
		{"code_challenge of 129 characters", authzParams("code_challenge", tooLong).Encode(), "invalid_request", "xyz", ""},
		{"code_challenge with a plus", authzParams("code_challenge", tChallenge[:42]+"+").Encode(), "invalid_request", "xyz", ""},
		{"code_challenge with padding", authzParams("code_challenge", tChallenge+"=", "code_challenge_method", "S256").Encode(), "invalid_request", "xyz", ""},
		{"public app without code_challenge", authzParams("client_id", tPublicID, "redirect_uri", "").Encode(), "invalid_request", "xyz", ""},
		{"prompt none with login", authzParams("prompt", "none login").Encode(), "invalid_request", "xyz", ""},
		{"prompt consent none", authzParams("prompt", "consent none").Encode(), "invalid_request", "xyz", ""},
		{"unknown display", authzParams("display", "wide").Encode(), "invalid_request", "xyz", ""},
		{"unknown login_hint", authzParams("login_hint", "nobody@example.com").Encode(), "access_denied", "xyz", ""},
		{"login_hint of an unknown extension", authzParams("login_hint", "+16505550100*999").Encode(), "access_denied", "xyz", ""},
		{"repeated state", authzParams().Encode() + "&state=other", "invalid_request", "xyz", ""},
		{"repeated response_type", authzParams().Encode() + "&response_type=code", "invalid_request", "xyz", ""},
		{"repeated scope", authzParams("scope", "openid").Encode() + "&scope=ReadAccounts", "invalid_request", "xyz", ""},
		{"repeated code_challenge", authzParams("code_challenge", tChallenge).Encode() + "&code_challenge=" + tChallenge, "invalid_request", "xyz", ""},
		{"repeated code_challenge_method", authzParams("code_challenge", tChallenge, "code_challenge_method", "S256").Encode() + "&code_challenge_method=S256", "invalid_request", "xyz", ""},
		{"repeated nonce", authzParams("nonce", "n1").Encode() + "&nonce=n2", "invalid_request", "xyz", ""},
	}
	e := newTestServer(t, withTestApps)
	for _, method := range authzMethods {
		for _, tt := range tests {
			t.Run(method+"/"+tt.name, func(t *testing.T) {
				r := e.authorizeRaw(t, method, tt.raw)
				base, q := wantRedirect(t, r)
				if base != tCallback {
					t.Errorf("redirected to %q; want %q", base, tCallback)
				}
				if got := q.Get("error"); got != tt.wantError {
					t.Errorf("got error %q; want %q (reason %q)", got, tt.wantError, r.header.Get("X-Mock-Error-Reason"))
				}
				desc := q.Get("error_description")
				if !errorDescriptionChars.MatchString(desc) {
					t.Errorf("error_description %q is empty or outside RFC 6749 §4.1.2.1's character set", desc)
				}
				if tt.wantDesc != "" && desc != tt.wantDesc {
					t.Errorf("got error_description %q; want %q", desc, tt.wantDesc)
				}
				if got, has := q.Get("state"), q.Has("state"); got != tt.wantState || has != (tt.wantState != "") {
					t.Errorf("got state %q (present %v); want %q", got, has, tt.wantState)
				}
				if q.Has("code") {
					t.Errorf("error redirect carries a code")
				}
				if got := r.header.Get("Cache-Control"); got != "no-store" {
					t.Errorf("got Cache-Control %q; want no-store", got)
				}
			})
		}
	}
}

// TestAuthorizeIssuesCode: a valid request redirects with code, expires_in (the code lifetime,
// auth-code-flow.md example `expires_in=60`) and state, and stores the code with what the token request
// must match (RFC 6749 §4.1.2).
func TestAuthorizeIssuesCode(t *testing.T) {
	type want struct {
		target, redirectURI, user, scope, nonce, challenge, method, state string
	}
	allScopes := "ReadAccounts ReadCallLog ReadMessages SMS RingOut WebSocket openid profile email"
	tests := []struct {
		name   string
		params url.Values
		want   want
	}{
		{"main app, defaults", authzParams(),
			want{target: tCallback, redirectURI: tCallback, user: tJane, scope: allScopes, state: "xyz"}},
		{"second registered URI", authzParams("redirect_uri", tSecondRedirect),
			want{target: tSecondRedirect, redirectURI: tSecondRedirect, user: tJane, scope: allScopes, state: "xyz"}},
		{"no state", authzParams("state", ""),
			want{target: tCallback, redirectURI: tCallback, user: tJane, scope: allScopes}},
		{"scope is ignored, nonce kept", authzParams("scope", "openid  ReadAccounts openid", "nonce", "n-0S6_WzA2Mj"),
			want{target: tCallback, redirectURI: tCallback, user: tJane, scope: allScopes, nonce: "n-0S6_WzA2Mj", state: "xyz"}},
		{"public app, redirect omitted, S256", authzParams("client_id", tPublicID, "redirect_uri", "", "code_challenge", tChallenge, "code_challenge_method", "S256"),
			want{target: tCallback, user: tJane, scope: allScopes, challenge: tChallenge, method: "S256", state: "xyz"}},
		{"challenge without method means plain", authzParams("code_challenge", tPlainChallenge),
			want{target: tCallback, redirectURI: tCallback, user: tJane, scope: allScopes, challenge: tPlainChallenge, method: "plain", state: "xyz"}},
		{"login_hint email", authzParams("login_hint", "John.Roe@example.com"),
			want{target: tCallback, redirectURI: tCallback, user: tJohn, scope: allScopes, state: "xyz"}},
		{"login_hint number*ext", authzParams("login_hint", "+16505550100*102"),
			want{target: tCallback, redirectURI: tCallback, user: tJohn, scope: allScopes, state: "xyz"}},
		{"login_hint direct number", authzParams("login_hint", "+16505550101"),
			want{target: tCallback, redirectURI: tCallback, user: tJane, scope: allScopes, state: "xyz"}},
		{"prompt none, display popup", authzParams("prompt", "none", "display", "popup"),
			want{target: tCallback, redirectURI: tCallback, user: tJane, scope: allScopes, state: "xyz"}},
		{"prompt login sso consent, display mobile", authzParams("prompt", "login sso consent", "display", "mobile", "ui_locales", "fr-CA", "brand_id", "1210"),
			want{target: tCallback, redirectURI: tCallback, user: tJane, scope: allScopes, state: "xyz"}},
	}
	for _, method := range authzMethods {
		for _, tt := range tests {
			t.Run(method+"/"+tt.name, func(t *testing.T) {
				e := newTestServer(t, withTestApps)
				r := e.authorize(t, method, tt.params)
				base, q := wantRedirect(t, r)
				if base != tt.want.target {
					t.Errorf("redirected to %q; want %q", base, tt.want.target)
				}
				code := q.Get("code")
				if len(code) < 43 {
					t.Fatalf("got code %q (error %q, reason %q); want 32 random bytes", code, q.Get("error"), r.header.Get("X-Mock-Error-Reason"))
				}
				if got := q.Get("expires_in"); got != "60" {
					t.Errorf("got expires_in %q; want 60", got)
				}
				if got, has := q.Get("state"), q.Has("state"); got != tt.want.state || has != (tt.want.state != "") {
					t.Errorf("got state %q (present %v); want %q", got, has, tt.want.state)
				}
				if got := r.header.Get("Cache-Control"); got != "no-store" {
					t.Errorf("got Cache-Control %q; want no-store", got)
				}
				c := e.storedCode(t, code)
				got := want{target: tt.want.target, redirectURI: c.redirectURI, user: c.user.ExtensionID, scope: c.scope,
					nonce: c.nonce, challenge: c.challenge, method: c.method, state: tt.want.state}
				if got != tt.want {
					t.Errorf("stored code:\n got %+v\nwant %+v", got, tt.want)
				}
				if c.app.ClientID != tt.params.Get("client_id") {
					t.Errorf("got app %s; want %s", c.app.ClientID, tt.params.Get("client_id"))
				}
				if !c.authTime.Equal(testStart) || !c.expiresAt.Equal(testStart.Add(time.Minute)) || c.used {
					t.Errorf("got authTime %v, expiresAt %v, used %v; want %v, +60s, false", c.authTime, c.expiresAt, c.used, testStart)
				}
			})
		}
	}
}

// TestAuthorizeJSSDKLoginURL: the URL @ringcentral/sdk's loginUrl() builds, with its empty parameters and
// repeated ui_options / response_hint / login_hint keys, is accepted (ringcentral-oauth.md §8.3,
// Platform-spec.ts), and an empty state is not echoed (RFC 6749 §3.1: empty means omitted).
func TestAuthorizeJSSDKLoginURL(t *testing.T) {
	redirect := url.QueryEscape(tCallback)
	tests := []struct {
		name      string
		raw       string
		wantUser  string
		wantState string
	}{
		{"loginUrl() defaults", "response_type=code&redirect_uri=" + redirect + "&client_id=" + tMainID +
			"&state=&brand_id=&display=&prompt=&ui_options=&ui_locales=&localeId=", tJane, ""},
		{"repeated tolerated keys and discovery", "response_type=code&redirect_uri=" + redirect + "&client_id=" + tMainID +
			"&state=&brand_id=1210&display=&prompt=&ui_options=hide_logo&ui_options=hide_remember_me&ui_locales=en-US&localeId=" +
			"&response_hint=token&response_hint=id_token&login_hint=&login_hint=john.roe%40example.com&discovery=true", tJohn, ""},
		{"empty duplicate of a core parameter", "response_type=code&redirect_uri=" + redirect + "&client_id=" + tMainID +
			"&state=&state=s1&scope=&scope=openid", tJane, "s1"},
	}
	for _, method := range authzMethods {
		for _, tt := range tests {
			t.Run(method+"/"+tt.name, func(t *testing.T) {
				e := newTestServer(t, withTestApps)
				r := e.authorizeRaw(t, method, tt.raw)
				base, q := wantRedirect(t, r)
				if base != tCallback || q.Get("code") == "" {
					t.Fatalf("got redirect to %q with %v; want a code at %s (reason %q)", base, q, tCallback, r.header.Get("X-Mock-Error-Reason"))
				}
				if got, has := q.Get("state"), q.Has("state"); got != tt.wantState || has != (tt.wantState != "") {
					t.Errorf("got state %q (present %v); want %q", got, has, tt.wantState)
				}
				if got := e.storedCode(t, q.Get("code")).user.ExtensionID; got != tt.wantUser {
					t.Errorf("got user %s; want %s", got, tt.wantUser)
				}
			})
		}
	}
}

// TestAuthorizeRegisteredQueryIsKept: parameters are added to the query the registered redirect URI already
// has, which is kept (RFC 6749 §3.1.2).
func TestAuthorizeRegisteredQueryIsKept(t *testing.T) {
	tests := []struct {
		name      string
		params    url.Values
		wantParam string
	}{
		{"success", url.Values{"response_type": {"code"}, "client_id": {tQueryID}, "state": {"s&1"}, "code_challenge": {tChallenge}, "code_challenge_method": {"S256"}}, "code"},
		{"error", url.Values{"response_type": {"token"}, "client_id": {tQueryID}, "state": {"s&1"}}, "error"},
	}
	e := newTestServer(t, withTestApps)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.authorize(t, http.MethodGet, tt.params)
			loc := r.header.Get("Location")
			if !strings.HasPrefix(loc, tQueryRedirect+"&") {
				t.Fatalf("got Location %q; want the registered %q followed by &parameters", loc, tQueryRedirect)
			}
			_, q := wantRedirect(t, r)
			if q.Get("tenant") != "a b" || q.Get("x") != "1" || q.Get("state") != "s&1" || q.Get(tt.wantParam) == "" {
				t.Errorf("got query %v; want tenant, x, state and %s", q, tt.wantParam)
			}
		})
	}
}

// TestAuthorizeTransport: methods other than GET and POST, POST bodies that are not form-encoded, and
// malformed encoding are refused without a redirect.
func TestAuthorizeTransport(t *testing.T) {
	e := newTestServer(t, withTestApps)
	tests := []struct {
		name       string
		method     string
		target     string
		body       string
		header     map[string]string
		wantStatus int
	}{
		{"PUT", http.MethodPut, PathAuthorize + "?" + authzParams().Encode(), "", nil, http.StatusMethodNotAllowed},
		{"POST with JSON", http.MethodPost, PathAuthorize, `{"client_id":"x"}`, map[string]string{"Content-Type": "application/json"}, http.StatusUnsupportedMediaType},
		{"GET with malformed escape", http.MethodGet, PathAuthorize + "?client_id=%zz&response_type=code", "", nil, http.StatusBadRequest},
		{"POST with malformed escape", http.MethodPost, PathAuthorize, "client_id=" + tMainID + "&state=%G1", nil, http.StatusBadRequest},
		{"POST ignores the query", http.MethodPost, PathAuthorize + "?" + authzParams().Encode(), "", nil, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(t, request{method: tt.method, path: tt.target, body: tt.body, header: tt.header})
			if r.status != tt.wantStatus {
				t.Fatalf("got status %d; want %d\n%s", r.status, tt.wantStatus, r.body)
			}
			if loc := r.header.Get("Location"); loc != "" {
				t.Errorf("got Location %q; want none", loc)
			}
			if tt.wantStatus == http.StatusMethodNotAllowed && r.header.Get("Allow") != "GET, POST" {
				t.Errorf("got Allow %q; want GET, POST", r.header.Get("Allow"))
			}
		})
	}
}

// TestAuthorizeRateLimited: the authorize operations are in the Auth throttling group (OpenAPI
// x-throttling-group), counted per app and user; a throttled request gets the JSON 429, not a redirect.
func TestAuthorizeRateLimited(t *testing.T) {
	e := newTestServer(t, withTestApps, func(o *Options) { o.Settings.RateLimit = true })
	for i := 1; i <= e.srv.opts.RateLimitMax; i++ {
		if r := e.authorize(t, http.MethodGet, authzParams()); r.status != http.StatusFound {
			t.Fatalf("request %d: got status %d; want 302", i, r.status)
		}
	}
	r := e.authorize(t, http.MethodGet, authzParams())
	wantError(t, r, http.StatusTooManyRequests, "", "CMN-301")
	if r.header.Get("Retry-After") == "" {
		t.Errorf("429 without Retry-After")
	}
	if r := e.authorize(t, http.MethodGet, authzParams("login_hint", "john.roe@example.com")); r.status != http.StatusFound {
		t.Errorf("another user of the same app: got status %d; want 302 (limits are per user)", r.status)
	}
}

// TestMatchRedirectURI is the table of the exact-match rule (RFC 9700 §2.1) on matchRedirectURI itself.
func TestMatchRedirectURI(t *testing.T) {
	two := &App{ClientID: "two", RedirectURIs: []string{tCallback, tSecondRedirect}}
	one := &App{ClientID: "one", RedirectURIs: []string{tQueryRedirect}}
	none := &App{ClientID: "none"}
	tests := []struct {
		name     string
		app      *App
		uri      string
		want     string
		wantCode string
	}{
		{"first of two", two, tCallback, tCallback, ""},
		{"second of two", two, tSecondRedirect, tSecondRedirect, ""},
		{"omitted with two", two, "", "", "CMN-101"},
		{"omitted with one", one, "", tQueryRedirect, ""},
		{"exact with query", one, tQueryRedirect, tQueryRedirect, ""},
		{"query reordered", one, "https://client.example.com/cb?x=1&tenant=a%20b", "", "OAU-109"},
		{"query re-encoded", one, "https://client.example.com/cb?tenant=a+b&x=1", "", "OAU-109"},
		{"query dropped", one, "https://client.example.com/cb", "", "OAU-109"},
		{"extra segment", two, tCallback + "/x", "", "OAU-109"},
		{"extra query", two, tCallback + "?q", "", "OAU-109"},
		{"empty query", two, tCallback + "?", "", "OAU-109"},
		{"trailing slash", two, tCallback + "/", "", "OAU-109"},
		{"dot segment", two, "https://client.example.com/oauth/./callback", "", "OAU-109"},
		{"percent-encoded letter", two, "https://client.example.com/oauth/%63allback", "", "OAU-109"},
		{"leading space", two, " " + tCallback, "", "OAU-109"},
		{"path case", two, "https://client.example.com/oauth/Callback", "", "OAU-109"},
		{"userinfo", two, "https://client.example.com@evil.example/oauth/callback", "", "OAU-109"},
		{"none registered", none, tCallback, "", "OAU-113"},
		{"none registered, omitted", none, "", "", "OAU-113"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, e := matchRedirectURI(tt.app, tt.uri)
			gotCode := ""
			if e != nil {
				gotCode = e.Code
				if e.Status != http.StatusBadRequest {
					t.Errorf("got status %d; want 400", e.Status)
				}
			}
			if got != tt.want || gotCode != tt.wantCode {
				t.Errorf("matchRedirectURI(%q) = %q, %q; want %q, %q", tt.uri, got, gotCode, tt.want, tt.wantCode)
			}
		})
	}
}

// TestAuthorizeScope: by default the authorization request's scope is ignored (DOCS login-url-params.inc:
// "Ignored ... deferring to the permissions set by the developer"), so the code carries every scope the app
// was granted, even for a scope the app does not have; openid in the request still makes it an OpenID
// Connect request. Settings.AuthorizeScope "rfc" narrows the code to the requested scope and refuses an
// ungranted one with invalid_scope by redirect (RFC 6749 §3.3, §4.1.2.1).
func TestAuthorizeScope(t *testing.T) {
	appScopes := strings.Join(DefaultFixture().Apps[0].Scopes, " ")
	tests := []struct {
		name, mode, scope string
		wantScope         string // the code's scope; "" when refused
		wantOIDC          bool
	}{
		{"ignored: no scope", AuthorizeScopeIgnore, "", appScopes, false},
		{"ignored: a subset", AuthorizeScopeIgnore, "ReadAccounts SMS", appScopes, false},
		{"ignored: a scope the app was not granted", AuthorizeScopeIgnore, "ReadAccounts EditExtensions", appScopes, false},
		{"ignored: openid still starts OpenID Connect", AuthorizeScopeIgnore, "openid", appScopes, true},
		{"rfc: no scope", AuthorizeScopeRFC, "", appScopes, false},
		{"rfc: a subset, duplicates collapsed", AuthorizeScopeRFC, "openid  ReadAccounts openid", "openid ReadAccounts", true},
		{"rfc: a scope the app was not granted", AuthorizeScopeRFC, "ReadAccounts EditExtensions", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestServer(t, withTestApps, func(o *Options) { o.Settings.AuthorizeScope = tt.mode })
			r := e.authorize(t, http.MethodGet, authzParams("scope", tt.scope))
			_, q := wantRedirect(t, r)
			if tt.wantScope == "" {
				if got := q.Get("error"); got != "invalid_scope" || q.Has("code") {
					t.Fatalf("got error %q, code %q; want invalid_scope and no code", got, q.Get("code"))
				}
				return
			}
			c := e.storedCode(t, q.Get("code"))
			if c.scope != tt.wantScope || c.oidc != tt.wantOIDC {
				t.Errorf("code scope %q, OpenID Connect %v; want %q, %v", c.scope, c.oidc, tt.wantScope, tt.wantOIDC)
			}
			tok := e.redeem(t, q.Get("code")).json(t)
			if _, hasID := tok["id_token"]; tok["scope"] != tt.wantScope || hasID != tt.wantOIDC {
				t.Errorf("token scope %v, id_token %v; want %q, %v", tok["scope"], hasID, tt.wantScope, tt.wantOIDC)
			}
		})
	}
	t.Run("the setting is per scenario", func(t *testing.T) {
		e := newTestServer(t, withTestApps)
		realm := map[string]string{ScenarioHeader: "rfc", "Content-Type": "application/json"}
		if r := e.do(t, request{method: http.MethodPatch, path: PathControl + "settings", body: `{"authorize_scope":"rfc"}`, header: realm}); r.status != http.StatusOK {
			t.Fatalf("PATCH settings: got %d %s", r.status, r.body)
		}
		q := "?" + authzParams("scope", "EditExtensions").Encode()
		_, inRealm := wantRedirect(t, e.do(t, request{method: http.MethodGet, path: PathAuthorize + q, header: map[string]string{ScenarioHeader: "rfc"}}))
		_, elsewhere := wantRedirect(t, e.do(t, request{method: http.MethodGet, path: PathAuthorize + q}))
		if inRealm.Get("error") != "invalid_scope" || elsewhere.Get("code") == "" {
			t.Errorf("got %v in the realm and %v elsewhere; want invalid_scope, then a code", inRealm, elsewhere)
		}
		if r := e.control(t, http.MethodPatch, "settings", `{"authorize_scope":"strict"}`); r.status != http.StatusBadRequest {
			t.Errorf("PATCH an unknown authorize_scope: got %d; want 400", r.status)
		}
	})
}
