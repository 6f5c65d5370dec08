package rcmock

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestLoginPage walks the sign-in page of Options.LoginPage over HTTP, as the browser does without the
// scenario header: the authorization request is sent to the sign-in page, a wrong password is refused, the
// right one leads to the authorize button, which redirects to the app with a code that is redeemed in the
// realm of the authorization request.
func TestLoginPage(t *testing.T) {
	ts := newTestServer(t, func(o *Options) { o.LoginPage = true })
	const realm = "login-scenario"
	q := url.Values{"response_type": {"code"}, "client_id": {tMainID}, "redirect_uri": {tCallback}, "state": {"s1"}}
	r := ts.do(t, request{method: http.MethodGet, path: PathAuthorize + "?" + q.Encode(), header: map[string]string{ScenarioHeader: realm}})
	loc := r.header.Get("Location")
	if r.status != http.StatusFound || !strings.HasPrefix(loc, PathLogin+"?login=") {
		t.Fatalf("authorization request: %d Location %q; want 302 to the sign-in page", r.status, loc)
	}
	id := strings.TrimPrefix(loc, PathLogin+"?login=")
	if page := ts.do(t, request{method: http.MethodGet, path: loc}); page.status != 200 || !strings.Contains(string(page.body), `form id="signin"`) {
		t.Fatalf("sign-in page: %d %s", page.status, page.body)
	}
	for _, tc := range []struct {
		name, body string
		status     int
		want       string
	}{
		{"a wrong password", formOf("login", id, "step", "signin", "username", tUsername, "password", "wrong"), 401, "Wrong user name or password"},
		{"authorize before signing in", formOf("login", id, "step", "authorize"), 400, "sign in first"},
		{"an unknown sign-in", formOf("login", "nope", "step", "signin"), 400, "unknown or has expired"},
		{"the right password", formOf("login", id, "step", "signin", "username", tUsername, "password", tPassword), 200, `form id="consent"`},
	} {
		got := ts.do(t, request{path: PathLogin, body: tc.body})
		if got.status != tc.status || !strings.Contains(string(got.body), tc.want) {
			t.Errorf("%s: %d %s; want %d with %q", tc.name, got.status, got.body, tc.status, tc.want)
		}
	}
	r = ts.do(t, request{path: PathLogin, body: formOf("login", id, "step", "authorize")})
	to, err := url.Parse(r.header.Get("Location"))
	if r.status != http.StatusFound || err != nil || !strings.HasPrefix(to.String(), tCallback) || to.Query().Get("state") != "s1" {
		t.Fatalf("authorize: %d Location %q; want a redirect to the app with the state", r.status, r.header.Get("Location"))
	}
	code := to.Query().Get("code")
	if other := ts.token(t, mainClient, formValues("grant_type", "authorization_code", "code", code, "redirect_uri", tCallback)); other.status == 200 {
		t.Error("the code was redeemed outside the realm of its authorization request")
	}
	tok := ts.token(t, mainClient, formValues("grant_type", "authorization_code", "code", code, "redirect_uri", tCallback), realm)
	if tok.status != 200 || tok.str(t, "owner_id") != tJane {
		t.Fatalf("exchanging the code: %d %s; want tokens of the user who signed in", tok.status, tok.body)
	}
	if again := ts.do(t, request{path: PathLogin, body: formOf("login", id, "step", "authorize")}); again.status != 400 {
		t.Errorf("a second approval of the same sign-in: %d; want 400", again.status)
	}
}

// TestLoginPageHintAndPromptNone: with the login page, a login_hint that names nobody only fills the
// sign-in form (the user may sign in as anyone), and prompt=none is login_required (OpenID Connect Core
// §3.1.2.6), since the page would have to be shown; both are the mock's design. Without the login page the
// mock approves at once, so prompt=none gets a code and an unknown login_hint is access_denied.
func TestLoginPageHintAndPromptNone(t *testing.T) {
	for _, tt := range []struct {
		name      string
		loginPage bool
		extra     []string
		wantPage  string // the sign-in page's form shows this, when it is the answer
		wantError string // the error of the redirect to the app
		wantCode  bool
	}{
		{"login page: an unknown login_hint fills the form", true, []string{"login_hint", "nobody@example.com"}, `value="nobody@example.com"`, "", false},
		{"login page: prompt=none is login_required", true, []string{"prompt", "none"}, "", "login_required", false},
		{"no login page: prompt=none gets a code", false, []string{"prompt", "none"}, "", "", true},
		{"no login page: an unknown login_hint is access_denied", false, []string{"login_hint", "nobody@example.com"}, "", "access_denied", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, func(o *Options) { o.LoginPage = tt.loginPage })
			q := url.Values{"response_type": {"code"}, "client_id": {tMainID}, "redirect_uri": {tCallback}, "state": {"s1"}}
			for i := 0; i < len(tt.extra); i += 2 {
				q.Set(tt.extra[i], tt.extra[i+1])
			}
			r := ts.do(t, request{method: http.MethodGet, path: PathAuthorize + "?" + q.Encode()})
			loc := r.header.Get("Location")
			if r.status != http.StatusFound {
				t.Fatalf("authorization request: %d %s; want 302", r.status, r.body)
			}
			if tt.wantPage != "" {
				page := ts.do(t, request{method: http.MethodGet, path: loc})
				if page.status != 200 || !strings.Contains(string(page.body), tt.wantPage) {
					t.Fatalf("sign-in page at %q: %d %s; want it to show %s", loc, page.status, page.body, tt.wantPage)
				}
				return
			}
			to, err := url.Parse(loc)
			if err != nil || !strings.HasPrefix(loc, tCallback) || to.Query().Get("state") != "s1" {
				t.Fatalf("Location %q; want a redirect to the app with the state", loc)
			}
			if got := to.Query().Get("error"); got != tt.wantError || (to.Query().Get("code") != "") != tt.wantCode {
				t.Errorf("Location %q: error %q, code present %v; want error %q, code %v", loc, got, to.Query().Get("code") != "", tt.wantError, tt.wantCode)
			}
		})
	}
}

// TestLoginPageFormRules: the sign-in page reads its POST body by the token endpoint's form rules
// (readForm): a repeated parameter and a body that is not a form are refused, with the page's message and
// the mock's reason header, and a method other than GET and POST is 405.
func TestLoginPageFormRules(t *testing.T) {
	ts := newTestServer(t, func(o *Options) { o.LoginPage = true })
	q := url.Values{"response_type": {"code"}, "client_id": {tMainID}, "redirect_uri": {tCallback}}
	loc := ts.do(t, request{method: http.MethodGet, path: PathAuthorize + "?" + q.Encode()}).header.Get("Location")
	id := strings.TrimPrefix(loc, PathLogin+"?login=")
	for _, tc := range []struct {
		name   string
		rq     request
		status int
		want   string
	}{
		{"a repeated password", request{path: PathLogin, body: formOf("login", id, "step", "signin", "username", tUsername) + "&password=a&password=" + url.QueryEscape(tPassword)}, 400, "duplication"},
		{"a JSON body", request{path: PathLogin, body: `{"login":"` + id + `"}`, header: map[string]string{"Content-Type": "application/json"}}, 415, "Unsupported Media Type"},
		{"PUT", request{method: http.MethodPut, path: PathLogin, body: formOf("login", id)}, 405, "HTTP-405"},
	} {
		got := ts.do(t, tc.rq)
		if got.status != tc.status || !strings.Contains(string(got.body), tc.want) {
			t.Errorf("%s: %d %s; want %d with %q", tc.name, got.status, got.body, tc.status, tc.want)
		}
	}
}
