package rcmock

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rcoauth/conformance/openapi"
)

// Test helpers of the authorization endpoint, the authorization code grant and OpenID Connect tests
// (authorize_test.go, grant_authcode_test.go, oidc_test.go). Names start with az so that they do not clash
// with the helpers of other test files.

// Values of the default fixture, plus the two apps azStart adds.
const (
	azMainID         = "rcmockConfidentialApp01"
	azMainSecret     = "mock:Secret%41+plus"
	azPublicID       = "rcmockPublicApp01"
	azRestrictedID   = "rcmockRestrictedApp01"
	azRestrictedSec  = "restricted-Secret-01"
	azPrivateKeyID   = "rcmockPrivateKeyJwtApp01"
	azCallback       = "https://client.example.com/oauth/callback"
	azSecond         = "https://client.example.com/oauth/second"
	azJane           = "62264425016"     // jane.doe@example.com, +16505550100*101, the default user
	azJohn           = "62264425017"     // john.roe@example.com, +16505550100*102
	azNoCodeID       = "azNoAuthCodeApp" // registered redirect URI, not approved for authorization_code
	azNoCodeSecret   = "az-no-code-secret"
	azQueryID        = "azQueryRedirectApp" // public; its redirect URI has a query of its own
	azQueryRedirect  = "https://client.example.com/cb?tenant=a%20b&x=1"
	azVerifier       = "pIUgx4tiqFpaOUz0HMc_QbIyQlL901w8mRmkrmhEJ_E" // auth-code-pkce-flow.md example pair
	azChallenge      = "_drLS7o5FwkfUiBhlq2hwJnK_SC6yE7sKOde5O1fdzk"
	azPlainChallenge = "plain-challenge-0123456789-abcdefghijklmnopqrstuvwxyz~._"
)

// azStartTime is the fake clock's start.
var azStartTime = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// azEnv is a Server behind httptest on a fake clock, with a client that does not follow redirects.
type azEnv struct {
	srv    *Server
	url    string
	clock  *FakeClock
	client *http.Client
}

// azStart starts a server on the default fixture extended with azNoCodeID and azQueryID.
func azStart(tb testing.TB, mutate ...func(*Options)) *azEnv {
	tb.Helper()
	f := DefaultFixture()
	scopes := []string{"ReadAccounts", "openid", "profile", "email"}
	f.Apps = append(f.Apps,
		App{Name: "az-no-code", ClientID: azNoCodeID, ClientSecret: azNoCodeSecret, Type: "confidential",
			AuthMethods: []string{AuthClientSecretBasic}, GrantTypes: []string{GrantPassword, GrantRefreshToken},
			RedirectURIs: []string{azCallback}, Scopes: scopes, IssueRefreshTokens: true},
		App{Name: "az-query", ClientID: azQueryID, Type: "public", AuthMethods: []string{AuthNone},
			GrantTypes: []string{GrantAuthorizationCode}, RedirectURIs: []string{azQueryRedirect}, Scopes: scopes},
	)
	ts := newTestServer(tb, append([]func(*Options){func(o *Options) {
		o.Fixture = f
		o.Clock = NewFakeClock(azStartTime)
	}}, mutate...)...)
	return &azEnv{
		srv:   ts.srv,
		url:   ts.url,
		clock: ts.clock,
		client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
	}
}

// azResp is a response read in full.
type azResp struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request; a non-empty form body is sent as application/x-www-form-urlencoded.
func (e *azEnv) do(tb testing.TB, method, path, body string, header http.Header) azResp {
	tb.Helper()
	r, err := e.tryDo(method, path, body, header)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// tryDo is do for goroutines, which must not call tb.Fatal.
func (e *azEnv) tryDo(method, path, body string, header http.Header) (azResp, error) {
	req, err := http.NewRequest(method, e.url+path, strings.NewReader(body))
	if err != nil {
		return azResp{}, err
	}
	if body != "" {
		req.Header.Set("Content-Type", formContentType)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := e.client.Do(req)
	if err != nil {
		return azResp{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return azResp{}, err
	}
	return azResp{status: res.StatusCode, header: res.Header, body: b}, nil
}

// azBasic is client_secret_basic as the SDKs send it (raw id:secret).
func azBasic(id, secret string) http.Header {
	return http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))}}
}

// authorizeRaw sends an authorization request whose parameters are the raw form string: in the query for
// GET, in the body for POST.
func (e *azEnv) authorizeRaw(tb testing.TB, method, raw string) azResp {
	tb.Helper()
	if method == http.MethodGet {
		return e.do(tb, method, PathAuthorize+"?"+raw, "", nil)
	}
	return e.do(tb, method, PathAuthorize, raw, nil)
}

// authorize sends an authorization request with params.
func (e *azEnv) authorize(tb testing.TB, method string, params url.Values) azResp {
	tb.Helper()
	return e.authorizeRaw(tb, method, params.Encode())
}

// azRequest returns a valid authorization request of the main app, with kv (key, value pairs) set on top;
// an empty value deletes the key.
func azRequest(kv ...string) url.Values {
	q := url.Values{"response_type": {"code"}, "client_id": {azMainID}, "redirect_uri": {azCallback}, "state": {"xyz"}}
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
func (e *azEnv) code(tb testing.TB, params url.Values) string {
	tb.Helper()
	r := e.authorize(tb, http.MethodGet, params)
	_, q := azRedirect(tb, r)
	c := q.Get("code")
	if c == "" {
		tb.Fatalf("authorization request %s: no code in the redirect (error=%q %q; reason %q)",
			params.Encode(), q.Get("error"), q.Get("error_description"), r.header.Get("X-Mock-Error-Reason"))
	}
	return c
}

// azRedirect checks that r is a 302 and returns its Location without the query, and the query.
func azRedirect(tb testing.TB, r azResp) (string, url.Values) {
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

// token sends a token request; with a secret the client authenticates with Basic (raw, as the SDKs do),
// without one it identifies itself with client_id in the body.
func (e *azEnv) token(tb testing.TB, clientID, secret string, form url.Values) azResp {
	tb.Helper()
	var h http.Header
	if secret != "" {
		h = azBasic(clientID, secret)
	} else {
		form.Set("client_id", clientID)
	}
	return e.do(tb, http.MethodPost, PathToken, form.Encode(), h)
}

// redeem exchanges code at the token endpoint for the main app with redirect_uri azCallback.
func (e *azEnv) redeem(tb testing.TB, code string) azResp {
	tb.Helper()
	return e.token(tb, azMainID, azMainSecret, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {azCallback}})
}

// api calls GET /restapi/v1.0/account/~ with an access token and returns the status.
func (e *azEnv) api(tb testing.TB, accessToken string) int {
	tb.Helper()
	return e.do(tb, http.MethodGet, PathAccount, "", http.Header{"Authorization": {"Bearer " + accessToken}}).status
}

// azJSON decodes a JSON object.
func azJSON(tb testing.TB, body []byte) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		tb.Fatalf("body is not a JSON object: %v\n%s", err, body)
	}
	return m
}

// azSpec is RingCentral's latest OpenAPI description.
func azSpec(tb testing.TB) *openapi.Spec {
	tb.Helper()
	s, err := openapi.Load(openapi.Latest)
	if err != nil {
		tb.Fatalf("openapi.Load: %v", err)
	}
	return s
}

// azWantError checks an error answer: status, the RFC 6749 error (empty for RingCentral's API-shaped
// bodies), errors[0].errorCode, no-store, no redirect, and conformance to what the OpenAPI description
// declares for the operation method path (an empty method skips that check, for answers the description
// does not declare, such as 429 bodies and resource errors).
func azWantError(tb testing.TB, r azResp, status int, oauth, code, method, path string) {
	tb.Helper()
	if r.status != status {
		tb.Fatalf("got status %d; want %d\n%s", r.status, status, r.body)
	}
	m := azJSON(tb, r.body)
	if got, _ := m["error"].(string); got != oauth {
		tb.Errorf("got error %q; want %q (reason %q)", got, oauth, r.header.Get("X-Mock-Error-Reason"))
	}
	errs, _ := m["errors"].([]any)
	gotCode := ""
	if len(errs) > 0 {
		gotCode, _ = errs[0].(map[string]any)["errorCode"].(string)
	}
	if gotCode != code {
		tb.Errorf("got errorCode %q; want %q (reason %q)", gotCode, code, r.header.Get("X-Mock-Error-Reason"))
	}
	if got := r.header.Get("Cache-Control"); got != "no-store" {
		tb.Errorf("got Cache-Control %q; want no-store", got)
	}
	if loc := r.header.Get("Location"); loc != "" {
		tb.Errorf("got Location %q; want none", loc)
	}
	if method != "" {
		if err := azSpec(tb).ValidateResponse(method, path, r.status, r.header.Get("Content-Type"), r.body); err != nil {
			tb.Errorf("error body does not conform to the OpenAPI description: %v", err)
		}
	}
}

// azErrorDescription is the character set RFC 6749 §4.1.2.1 allows in error_description.
var azErrorDescription = regexp.MustCompile(`^[\x20\x21\x23-\x5B\x5D-\x7E]+$`)

// storedCode returns the realm's record of code.
func (e *azEnv) storedCode(tb testing.TB, code string) authCode {
	tb.Helper()
	rl := e.srv.realm("")
	rl.mu.Lock()
	defer rl.mu.Unlock()
	c := rl.codes[code]
	if c == nil {
		tb.Fatalf("code %q is not stored", code)
	}
	return *c
}
