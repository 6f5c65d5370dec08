package rcmock

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// azMethods are the two methods of the authorization endpoint (OpenAPI authorize and authorize2); every
// authorization test runs with both.
var azMethods = []string{http.MethodGet, http.MethodPost}

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
		{"missing client_id", azRequest("client_id", "").Encode(), "invalid_request", "CMN-101", "client_id"},
		{"empty client_id", "response_type=code&client_id=&redirect_uri=" + url.QueryEscape(azCallback), "invalid_request", "CMN-101", "client_id"},
		{"repeated client_id", azRequest().Encode() + "&client_id=" + azMainID, "invalid_request", "OAU-111", "client_id"},
		{"unknown client", azRequest("client_id", "noSuchApp").Encode(), "invalid_client", "OAU-153", "client_id"},
		{"unknown client and bad response_type", azRequest("client_id", "noSuchApp", "response_type", "token").Encode(), "invalid_client", "OAU-153", "client_id"},
		{"redirect_uri + path segment", azRequest("redirect_uri", azCallback+"/x").Encode(), "invalid_request", "OAU-109", "redirect_uri"},
		{"redirect_uri + query", azRequest("redirect_uri", azCallback+"?q").Encode(), "invalid_request", "OAU-109", "redirect_uri"},
		{"redirect_uri + fragment", azRequest("redirect_uri", azCallback+"#f").Encode(), "invalid_request", "OAU-109", "redirect_uri"},
		{"redirect_uri + trailing slash", azRequest("redirect_uri", azCallback+"/").Encode(), "invalid_request", "OAU-109", "redirect_uri"},
		{"redirect_uri path in another case", azRequest("redirect_uri", "https://client.example.com/OAuth/callback").Encode(), "invalid_request", "OAU-109", "redirect_uri"},
		{"redirect_uri host in another case", azRequest("redirect_uri", "https://CLIENT.example.com/oauth/callback").Encode(), "invalid_request", "OAU-109", "redirect_uri"},
		{"redirect_uri with default port", azRequest("redirect_uri", "https://client.example.com:443/oauth/callback").Encode(), "invalid_request", "OAU-109", "redirect_uri"},
		{"redirect_uri over http", azRequest("redirect_uri", "http://client.example.com/oauth/callback").Encode(), "invalid_request", "OAU-109", "redirect_uri"},
		{"redirect_uri prefix only", azRequest("redirect_uri", "https://client.example.com/oauth").Encode(), "invalid_request", "OAU-109", "redirect_uri"},
		{"redirect_uri of another app's host", azRequest("redirect_uri", "https://evil.example/oauth/callback").Encode(), "invalid_request", "OAU-109", "redirect_uri"},
		{"redirect_uri omitted with two registered", azRequest("redirect_uri", "").Encode(), "invalid_request", "CMN-101", "redirect_uri"},
		{"repeated redirect_uri", azRequest().Encode() + "&redirect_uri=" + url.QueryEscape(azSecond), "invalid_request", "OAU-111", "redirect_uri"},
		{"no redirect URI registered", azRequest("client_id", azPrivateKeyID, "redirect_uri", "").Encode(), "invalid_request", "OAU-113", ""},
		{"no redirect URI registered, one sent", azRequest("client_id", azPrivateKeyID).Encode(), "invalid_request", "OAU-113", ""},
	}
	e := azStart(t)
	for _, method := range azMethods {
		for _, tt := range tests {
			t.Run(method+"/"+tt.name, func(t *testing.T) {
				r := e.authorizeRaw(t, method, tt.raw)
				azWantError(t, r, http.StatusBadRequest, tt.oauth, tt.code, method, PathAuthorize)
				errs, _ := azJSON(t, r.body)["errors"].([]any)
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
		{"missing response_type", azRequest("response_type", "").Encode(), "invalid_request", "xyz", ""},
		{"empty response_type", azRequest("response_type", "").Encode() + "&response_type=", "invalid_request", "xyz", ""},
		{"response_type token", azRequest("response_type", "token").Encode(), "unsupported_response_type", "xyz", ""},
		{"response_type code id_token", azRequest("response_type", "code id_token").Encode(), "unsupported_response_type", "xyz", ""},
		{"response_type in upper case", azRequest("response_type", "CODE").Encode(), "unsupported_response_type", "xyz", ""},
		{"state omitted", azRequest("response_type", "token", "state", "").Encode(), "unsupported_response_type", "", ""},
		{"state with special characters", azRequest("response_type", "token", "state", "a b&c=d/é").Encode(), "unsupported_response_type", "a b&c=d/é", ""},
		{"app not approved for the code grant", azRequest("client_id", azNoCodeID, "redirect_uri", "").Encode(), "unauthorized_client", "xyz",
			"The client is unauthorized for the required grant type: [AUTHORIZATION_CODE]"},
		{"scope not granted", azRequest("scope", "ReadAccounts EditExtensions").Encode(), "invalid_scope", "xyz", ""},
		{"unknown code_challenge_method", azRequest("code_challenge", azChallenge, "code_challenge_method", "S512").Encode(), "invalid_request", "xyz", ""},
		{"code_challenge_method in lower case", azRequest("code_challenge", azChallenge, "code_challenge_method", "s256").Encode(), "invalid_request", "xyz", ""},
		{"code_challenge_method without challenge", azRequest("code_challenge_method", "S256").Encode(), "invalid_request", "xyz", ""},
		{"code_challenge of 42 characters", azRequest("code_challenge", tooShort).Encode(), "invalid_request", "xyz", ""},
		{"code_challenge of 129 characters", azRequest("code_challenge", tooLong).Encode(), "invalid_request", "xyz", ""},
		{"code_challenge with a plus", azRequest("code_challenge", azChallenge[:42]+"+").Encode(), "invalid_request", "xyz", ""},
		{"code_challenge with padding", azRequest("code_challenge", azChallenge+"=", "code_challenge_method", "S256").Encode(), "invalid_request", "xyz", ""},
		{"public app without code_challenge", azRequest("client_id", azPublicID, "redirect_uri", "").Encode(), "invalid_request", "xyz", ""},
		{"prompt none with login", azRequest("prompt", "none login").Encode(), "invalid_request", "xyz", ""},
		{"prompt consent none", azRequest("prompt", "consent none").Encode(), "invalid_request", "xyz", ""},
		{"unknown display", azRequest("display", "wide").Encode(), "invalid_request", "xyz", ""},
		{"unknown login_hint", azRequest("login_hint", "nobody@example.com").Encode(), "access_denied", "xyz", ""},
		{"login_hint of an unknown extension", azRequest("login_hint", "+16505550100*999").Encode(), "access_denied", "xyz", ""},
		{"repeated state", azRequest().Encode() + "&state=other", "invalid_request", "xyz", ""},
		{"repeated response_type", azRequest().Encode() + "&response_type=code", "invalid_request", "xyz", ""},
		{"repeated scope", azRequest("scope", "openid").Encode() + "&scope=ReadAccounts", "invalid_request", "xyz", ""},
		{"repeated code_challenge", azRequest("code_challenge", azChallenge).Encode() + "&code_challenge=" + azChallenge, "invalid_request", "xyz", ""},
		{"repeated code_challenge_method", azRequest("code_challenge", azChallenge, "code_challenge_method", "S256").Encode() + "&code_challenge_method=S256", "invalid_request", "xyz", ""},
		{"repeated nonce", azRequest("nonce", "n1").Encode() + "&nonce=n2", "invalid_request", "xyz", ""},
	}
	e := azStart(t)
	for _, method := range azMethods {
		for _, tt := range tests {
			t.Run(method+"/"+tt.name, func(t *testing.T) {
				r := e.authorizeRaw(t, method, tt.raw)
				base, q := azRedirect(t, r)
				if base != azCallback {
					t.Errorf("redirected to %q; want %q", base, azCallback)
				}
				if got := q.Get("error"); got != tt.wantError {
					t.Errorf("got error %q; want %q (reason %q)", got, tt.wantError, r.header.Get("X-Mock-Error-Reason"))
				}
				desc := q.Get("error_description")
				if !azErrorDescription.MatchString(desc) {
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
		{"main app, defaults", azRequest(),
			want{target: azCallback, redirectURI: azCallback, user: azJane, scope: allScopes, state: "xyz"}},
		{"second registered URI", azRequest("redirect_uri", azSecond),
			want{target: azSecond, redirectURI: azSecond, user: azJane, scope: allScopes, state: "xyz"}},
		{"no state", azRequest("state", ""),
			want{target: azCallback, redirectURI: azCallback, user: azJane, scope: allScopes}},
		{"scope subset with duplicates and nonce", azRequest("scope", "openid  ReadAccounts openid", "nonce", "n-0S6_WzA2Mj"),
			want{target: azCallback, redirectURI: azCallback, user: azJane, scope: "openid ReadAccounts", nonce: "n-0S6_WzA2Mj", state: "xyz"}},
		{"public app, redirect omitted, S256", azRequest("client_id", azPublicID, "redirect_uri", "", "code_challenge", azChallenge, "code_challenge_method", "S256"),
			want{target: azCallback, user: azJane, scope: allScopes, challenge: azChallenge, method: "S256", state: "xyz"}},
		{"challenge without method means plain", azRequest("code_challenge", azPlainChallenge),
			want{target: azCallback, redirectURI: azCallback, user: azJane, scope: allScopes, challenge: azPlainChallenge, method: "plain", state: "xyz"}},
		{"login_hint email", azRequest("login_hint", "John.Roe@example.com"),
			want{target: azCallback, redirectURI: azCallback, user: azJohn, scope: allScopes, state: "xyz"}},
		{"login_hint number*ext", azRequest("login_hint", "+16505550100*102"),
			want{target: azCallback, redirectURI: azCallback, user: azJohn, scope: allScopes, state: "xyz"}},
		{"login_hint direct number", azRequest("login_hint", "+16505550101"),
			want{target: azCallback, redirectURI: azCallback, user: azJane, scope: allScopes, state: "xyz"}},
		{"prompt none, display popup", azRequest("prompt", "none", "display", "popup"),
			want{target: azCallback, redirectURI: azCallback, user: azJane, scope: allScopes, state: "xyz"}},
		{"prompt login sso consent, display mobile", azRequest("prompt", "login sso consent", "display", "mobile", "ui_locales", "fr-CA", "brand_id", "1210"),
			want{target: azCallback, redirectURI: azCallback, user: azJane, scope: allScopes, state: "xyz"}},
	}
	for _, method := range azMethods {
		for _, tt := range tests {
			t.Run(method+"/"+tt.name, func(t *testing.T) {
				e := azStart(t)
				r := e.authorize(t, method, tt.params)
				base, q := azRedirect(t, r)
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
				if !c.authTime.Equal(azStartTime) || !c.expiresAt.Equal(azStartTime.Add(time.Minute)) || c.used {
					t.Errorf("got authTime %v, expiresAt %v, used %v; want %v, +60s, false", c.authTime, c.expiresAt, c.used, azStartTime)
				}
			})
		}
	}
}

// TestAuthorizeJSSDKLoginURL: the URL @ringcentral/sdk's loginUrl() builds, with its empty parameters and
// repeated ui_options / response_hint / login_hint keys, is accepted (ringcentral-oauth.md §8.3,
// Platform-spec.ts), and an empty state is not echoed (RFC 6749 §3.1: empty means omitted).
func TestAuthorizeJSSDKLoginURL(t *testing.T) {
	redirect := url.QueryEscape(azCallback)
	tests := []struct {
		name      string
		raw       string
		wantUser  string
		wantState string
	}{
		{"loginUrl() defaults", "response_type=code&redirect_uri=" + redirect + "&client_id=" + azMainID +
			"&state=&brand_id=&display=&prompt=&ui_options=&ui_locales=&localeId=", azJane, ""},
		{"repeated tolerated keys and discovery", "response_type=code&redirect_uri=" + redirect + "&client_id=" + azMainID +
			"&state=&brand_id=1210&display=&prompt=&ui_options=hide_logo&ui_options=hide_remember_me&ui_locales=en-US&localeId=" +
			"&response_hint=token&response_hint=id_token&login_hint=&login_hint=john.roe%40example.com&discovery=true", azJohn, ""},
		{"empty duplicate of a core parameter", "response_type=code&redirect_uri=" + redirect + "&client_id=" + azMainID +
			"&state=&state=s1&scope=&scope=openid", azJane, "s1"},
	}
	for _, method := range azMethods {
		for _, tt := range tests {
			t.Run(method+"/"+tt.name, func(t *testing.T) {
				e := azStart(t)
				r := e.authorizeRaw(t, method, tt.raw)
				base, q := azRedirect(t, r)
				if base != azCallback || q.Get("code") == "" {
					t.Fatalf("got redirect to %q with %v; want a code at %s (reason %q)", base, q, azCallback, r.header.Get("X-Mock-Error-Reason"))
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
		{"success", url.Values{"response_type": {"code"}, "client_id": {azQueryID}, "state": {"s&1"}, "code_challenge": {azChallenge}, "code_challenge_method": {"S256"}}, "code"},
		{"error", url.Values{"response_type": {"token"}, "client_id": {azQueryID}, "state": {"s&1"}}, "error"},
	}
	e := azStart(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.authorize(t, http.MethodGet, tt.params)
			loc := r.header.Get("Location")
			if !strings.HasPrefix(loc, azQueryRedirect+"&") {
				t.Fatalf("got Location %q; want the registered %q followed by &parameters", loc, azQueryRedirect)
			}
			_, q := azRedirect(t, r)
			if q.Get("tenant") != "a b" || q.Get("x") != "1" || q.Get("state") != "s&1" || q.Get(tt.wantParam) == "" {
				t.Errorf("got query %v; want tenant, x, state and %s", q, tt.wantParam)
			}
		})
	}
}

// TestAuthorizeTransport: methods other than GET and POST, POST bodies that are not form-encoded, and
// malformed encoding are refused without a redirect.
func TestAuthorizeTransport(t *testing.T) {
	e := azStart(t)
	tests := []struct {
		name       string
		method     string
		target     string
		body       string
		header     http.Header
		wantStatus int
	}{
		{"PUT", http.MethodPut, PathAuthorize + "?" + azRequest().Encode(), "", nil, http.StatusMethodNotAllowed},
		{"POST with JSON", http.MethodPost, PathAuthorize, `{"client_id":"x"}`, http.Header{"Content-Type": {"application/json"}}, http.StatusUnsupportedMediaType},
		{"GET with malformed escape", http.MethodGet, PathAuthorize + "?client_id=%zz&response_type=code", "", nil, http.StatusBadRequest},
		{"POST with malformed escape", http.MethodPost, PathAuthorize, "client_id=" + azMainID + "&state=%G1", nil, http.StatusBadRequest},
		{"POST ignores the query", http.MethodPost, PathAuthorize + "?" + azRequest().Encode(), "", nil, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(t, tt.method, tt.target, tt.body, tt.header)
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
	e := azStart(t, func(o *Options) { o.Settings.RateLimit = true })
	for i := 1; i <= e.srv.opts.RateLimitMax; i++ {
		if r := e.authorize(t, http.MethodGet, azRequest()); r.status != http.StatusFound {
			t.Fatalf("request %d: got status %d; want 302", i, r.status)
		}
	}
	r := e.authorize(t, http.MethodGet, azRequest())
	azWantError(t, r, http.StatusTooManyRequests, "", "CMN-301", "", "")
	if r.header.Get("Retry-After") == "" {
		t.Errorf("429 without Retry-After")
	}
	if r := e.authorize(t, http.MethodGet, azRequest("login_hint", "john.roe@example.com")); r.status != http.StatusFound {
		t.Errorf("another user of the same app: got status %d; want 302 (limits are per user)", r.status)
	}
}

// TestMatchRedirectURI is the table of the exact-match rule (RFC 9700 §2.1) on matchRedirectURI itself.
func TestMatchRedirectURI(t *testing.T) {
	two := &App{ClientID: "two", RedirectURIs: []string{azCallback, azSecond}}
	one := &App{ClientID: "one", RedirectURIs: []string{azQueryRedirect}}
	none := &App{ClientID: "none"}
	tests := []struct {
		name     string
		app      *App
		uri      string
		want     string
		wantCode string
	}{
		{"first of two", two, azCallback, azCallback, ""},
		{"second of two", two, azSecond, azSecond, ""},
		{"omitted with two", two, "", "", "CMN-101"},
		{"omitted with one", one, "", azQueryRedirect, ""},
		{"exact with query", one, azQueryRedirect, azQueryRedirect, ""},
		{"query reordered", one, "https://client.example.com/cb?x=1&tenant=a%20b", "", "OAU-109"},
		{"query re-encoded", one, "https://client.example.com/cb?tenant=a+b&x=1", "", "OAU-109"},
		{"query dropped", one, "https://client.example.com/cb", "", "OAU-109"},
		{"extra segment", two, azCallback + "/x", "", "OAU-109"},
		{"extra query", two, azCallback + "?q", "", "OAU-109"},
		{"empty query", two, azCallback + "?", "", "OAU-109"},
		{"trailing slash", two, azCallback + "/", "", "OAU-109"},
		{"dot segment", two, "https://client.example.com/oauth/./callback", "", "OAU-109"},
		{"percent-encoded letter", two, "https://client.example.com/oauth/%63allback", "", "OAU-109"},
		{"leading space", two, " " + azCallback, "", "OAU-109"},
		{"path case", two, "https://client.example.com/oauth/Callback", "", "OAU-109"},
		{"userinfo", two, "https://client.example.com@evil.example/oauth/callback", "", "OAU-109"},
		{"none registered", none, azCallback, "", "OAU-113"},
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
