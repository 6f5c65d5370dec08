package rcmock

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"
)

// Domain helpers of the authorization endpoint, the authorization code grant and OpenID Connect tests
// (authorize_test.go, grant_authcode_test.go, oidc_test.go), on top of helpers_test.go. Their servers start
// with newTestServer(tb, withTestApps).

// authorizeRaw sends an authorization request whose parameters are the raw form string: in the query for
// GET, in the body for POST.
func (ts *testServer) authorizeRaw(tb testing.TB, method, raw string) response {
	tb.Helper()
	if method == http.MethodGet {
		return ts.do(tb, request{method: method, path: PathAuthorize + "?" + raw})
	}
	return ts.do(tb, request{method: method, path: PathAuthorize, body: raw})
}

// authorize sends an authorization request with params.
func (ts *testServer) authorize(tb testing.TB, method string, params url.Values) response {
	tb.Helper()
	return ts.authorizeRaw(tb, method, params.Encode())
}

// authzParams returns a valid authorization request of the main app, with kv (key, value pairs) set on
// top; an empty value deletes the key.
func authzParams(kv ...string) url.Values {
	q := url.Values{"response_type": {"code"}, "client_id": {tMainID}, "redirect_uri": {tCallback}, "state": {"xyz"}}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			q.Del(kv[i])
			continue
		}
		q.Set(kv[i], kv[i+1])
	}
	return q
}

// code runs an authorization request that must succeed and returns the code.
func (ts *testServer) code(tb testing.TB, params url.Values) string {
	tb.Helper()
	r := ts.authorize(tb, http.MethodGet, params)
	_, q := wantRedirect(tb, r)
	c := q.Get("code")
	if c == "" {
		tb.Fatalf("authorization request %s: no code in the redirect (error=%q %q; reason %q)",
			params.Encode(), q.Get("error"), q.Get("error_description"), r.reason())
	}
	return c
}

// wantRedirect checks that r is a 302 and returns its Location without the query, and the query.
func wantRedirect(tb testing.TB, r response) (string, url.Values) {
	tb.Helper()
	if r.status != http.StatusFound {
		tb.Fatalf("got status %d; want 302\n%s", r.status, r.body)
	}
	loc, err := url.Parse(r.header.Get("Location"))
	if err != nil || loc.Scheme == "" {
		tb.Fatalf("Location %q is not an absolute URL: %v", r.header.Get("Location"), err)
	}
	q := loc.Query()
	loc.RawQuery = ""
	return loc.String(), q
}

// redeem exchanges code at the token endpoint for the main app with redirect_uri tCallback.
func (ts *testServer) redeem(tb testing.TB, code string) response {
	tb.Helper()
	return ts.token(tb, mainClient, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {tCallback}})
}

// errorDescriptionChars is the character set RFC 6749 §4.1.2.1 allows in error_description.
var errorDescriptionChars = regexp.MustCompile(`^[\x20\x21\x23-\x5B\x5D-\x7E]+$`)

// storedCode returns the realm's record of code.
func (ts *testServer) storedCode(tb testing.TB, code string) authCode {
	tb.Helper()
	rl := ts.srv.realm("")
	rl.mu.Lock()
	defer rl.mu.Unlock()
	c := rl.codes[code]
	if c == nil {
		tb.Fatalf("code %q is not stored", code)
	}
	return *c
}
