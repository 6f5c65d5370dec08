package rcmock

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/joho/godotenv"

	"github.com/rcoauth/conformance/openapi"
)

// The one family of test helpers of package rcmock: a server under test, requests and responses, forms,
// client credentials, the default fixture's values, and assertions. Every helper takes testing.TB, calls
// tb.Helper() and releases what it starts with tb.Cleanup (benbjohnson/wtf http/server_test.go). Tests of one
// endpoint add their domain helpers (authorization requests, device flows, certificates) on top of these, in
// their own files, and never a second server, request or assertion helper.

// testStart is where every test server's fake clock starts: after RC_JWT_EXPIRED's exp (2026-01-02) and
// inside the validity of the default device CA and certificate (2026-01-01 to 2100-01-01).
var testStart = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// Values of the default fixture; env/mock.env holds the same credentials (mockEnv reads it).
const (
	tMainID         = "rcmockConfidentialApp01"
	tMainSecret     = "mock:Secret%41+plus"
	tPublicID       = "rcmockPublicApp01"
	tRestrictedID   = "rcmockRestrictedApp01"
	tRestrictedSc   = "restricted-Secret-01"
	tPrivateKeyID   = "rcmockPrivateKeyJwtApp01"
	tWrongSecret    = "not-the-secret"
	tUsername       = "+16505550100*101"
	tPassword       = "Mock-Pa55word!"
	tJane           = "62264425016" // jane.doe@example.com, +16505550100*101: the first user, owner of every credential in env/mock.env
	tJohn           = "62264425017" // john.roe@example.com, +16505550100*102
	tAccountID      = "37439510"    // Jane's and John's account; RC_ACCOUNT_ID
	tJohnEmail      = "john.roe@example.com"
	tJohnPin        = "135790"
	tCallback       = "https://client.example.com/oauth/callback"
	tSecondRedirect = "https://client.example.com/oauth/second"
	tIssuer         = "https://platform.rcmock.invalid" // environment.credential_issuer
	tAudience       = tIssuer + PathToken               // environment.credential_audience
	tAppScopes      = "ReadAccounts ReadCallLog ReadMessages SMS RingOut WebSocket openid profile email"
	tDeviceID       = "rcmock-device-001"
	tVerifier       = "pIUgx4tiqFpaOUz0HMc_QbIyQlL901w8mRmkrmhEJ_E" // auth-code-pkce-flow.md example pair
	tChallenge      = "_drLS7o5FwkfUiBhlq2hwJnK_SC6yE7sKOde5O1fdzk"
	tPlainChallenge = "plain-challenge-0123456789-abcdefghijklmnopqrstuvwxyz~._"
	tNoCodeID       = "tNoAuthCodeApp" // withTestApps: registered redirect URI, not approved for authorization_code
	tNoCodeSecret   = "t-no-code-secret"
	tQueryID        = "tQueryRedirectApp" // withTestApps: public; its redirect URI has a query of its own
	tQueryRedirect  = "https://client.example.com/cb?tenant=a%20b&x=1"
)

// testServer is a Server under test behind httptest, on a fake clock starting at testStart, with the
// control API on. Its client does not follow redirects, so authorization answers can be inspected.
type testServer struct {
	srv    *Server
	url    string
	clock  *FakeClock
	client *http.Client
	env    map[string]string // env/mock.env
}

// newTestServer starts a server; mutate may change the options, including the fixture (opts.Fixture is a
// fresh copy of the default fixture when mutate runs) and the clock (a *FakeClock it sets is the one the
// test moves). The server stops at cleanup.
func newTestServer(tb testing.TB, mutate ...func(*Options)) *testServer {
	tb.Helper()
	opts := DefaultOptions()
	opts.Clock = NewFakeClock(testStart)
	opts.Control = true
	opts.Fixture = DefaultFixture()
	for _, m := range mutate {
		m(&opts)
	}
	clock, _ := opts.Clock.(*FakeClock)
	s, err := New(opts)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	hs := httptest.NewServer(s)
	tb.Cleanup(hs.Close)
	client := hs.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &testServer{srv: s, url: hs.URL, clock: clock, client: client, env: mockEnv(tb)}
}

// withTestApps adds two apps to the default fixture for the authorization endpoint's tests: tNoCodeID (a
// registered redirect URI, but not approved for authorization_code) and tQueryID (a public app whose
// redirect URI has a query of its own).
func withTestApps(o *Options) {
	scopes := []string{"ReadAccounts", "openid", "profile", "email"}
	o.Fixture.Apps = append(o.Fixture.Apps,
		App{Name: "t-no-code", ClientID: tNoCodeID, ClientSecret: tNoCodeSecret, Type: "confidential",
			AuthMethods: []string{AuthClientSecretBasic}, GrantTypes: []string{GrantPassword, GrantRefreshToken},
			RedirectURIs: []string{tCallback}, Scopes: scopes, IssueRefreshTokens: true},
		App{Name: "t-query", ClientID: tQueryID, Type: "public", AuthMethods: []string{AuthNone},
			GrantTypes: []string{GrantAuthorizationCode}, RedirectURIs: []string{tQueryRedirect}, Scopes: scopes},
	)
}

// mockEnvOnce reads env/mock.env the way the harness does (godotenv.Read, never into the process
// environment), once per test binary.
var mockEnvOnce = sync.OnceValues(func() (map[string]string, error) {
	return godotenv.Read("../env/mock.env")
})

// mockEnv returns a copy of env/mock.env's values. PEM values keep their `\n` escapes, which
// internal/pemkey reads.
func mockEnv(tb testing.TB) map[string]string {
	tb.Helper()
	env, err := mockEnvOnce()
	if err != nil {
		tb.Fatalf("reading env/mock.env: %v", err)
	}
	out := make(map[string]string, len(env))
	for k, v := range env {
		out[k] = v
	}
	return out
}

// request is one request to the test server.
type request struct {
	method string // POST when empty
	path   string // with the query, if any
	body   string // sent as application/x-www-form-urlencoded unless header sets another Content-Type
	// header holds headers to set; an empty value removes the header. ScenarioHeader selects a realm.
	header map[string]string
}

// response is a response read whole.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends rq and reads the answer.
func (ts *testServer) do(tb testing.TB, rq request) response {
	tb.Helper()
	r, err := ts.tryDo(rq)
	if err != nil {
		tb.Fatalf("%s %s: %v", rq.method, rq.path, err)
	}
	return r
}

// tryDo is do for goroutines, which must not call tb.Fatal.
func (ts *testServer) tryDo(rq request) (response, error) {
	req, err := http.NewRequest(rq.methodOrPost(), ts.url+rq.path, strings.NewReader(rq.body))
	if err != nil {
		return response{}, err
	}
	rq.setHeaders(req)
	res, err := ts.client.Do(req)
	if err != nil {
		return response{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return response{}, err
	}
	return response{status: res.StatusCode, header: res.Header, body: b}, nil
}

// serve answers rq through ServeHTTP, without the network, for fuzz targets and memory tests; the request's
// host is example.com.
func (ts *testServer) serve(rq request) response {
	req := httptest.NewRequest(rq.methodOrPost(), rq.path, strings.NewReader(rq.body))
	rq.setHeaders(req)
	rec := httptest.NewRecorder()
	ts.srv.ServeHTTP(rec, req)
	return response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

func (rq request) methodOrPost() string {
	if rq.method == "" {
		return http.MethodPost
	}
	return rq.method
}

// setHeaders gives req a form Content-Type when it has a body, then rq's headers.
func (rq request) setHeaders(req *http.Request) {
	if rq.body != "" {
		req.Header.Set("Content-Type", formContentType)
	}
	for k, v := range rq.header {
		if v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
}

// json decodes the body as an object.
func (r response) json(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		tb.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

// str returns a top-level string member, or "" when absent.
func (r response) str(tb testing.TB, key string) string {
	tb.Helper()
	s, _ := r.json(tb)[key].(string)
	return s
}

// errorCode returns errors[0].errorCode, or "".
func (r response) errorCode(tb testing.TB) string {
	tb.Helper()
	errs, _ := r.json(tb)["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	code, _ := errs[0].(map[string]any)["errorCode"].(string)
	return code
}

// reason is the mock's X-Mock-Error-Reason.
func (r response) reason() string { return r.header.Get("X-Mock-Error-Reason") }

// client is how a test request identifies its client (RFC 6749 §2.3): with a secret, HTTP Basic with id
// and secret form-encoded (§2.3.1); without one, client_id in the body (a public client); the zero value
// sends nothing.
type client struct{ id, secret string }

// mainClient is the main app (approved for every grant), restrictedClient the app approved for the
// authorization code grant only.
var (
	mainClient       = client{tMainID, tMainSecret}
	restrictedClient = client{tRestrictedID, tRestrictedSc}
)

// apply adds the client's credentials to a request's header and form.
func (c client) apply(header map[string]string, form url.Values) {
	switch {
	case c.id == "":
	case c.secret == "":
		form.Set("client_id", c.id)
	default:
		header["Authorization"] = basicAuth(c.id, c.secret)
	}
}

// basicAuth builds client_secret_basic credentials form-encoded as RFC 6749 §2.3.1 requires.
func basicAuth(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

// rawBasic builds Basic credentials without form-encoding, as RingCentral's SDKs send them.
func rawBasic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
}

// mainAuth is the header of the main app's Basic credentials.
func mainAuth() map[string]string {
	return map[string]string{"Authorization": basicAuth(tMainID, tMainSecret)}
}

// formValues builds parameters from key, value pairs.
func formValues(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// formOf is formValues encoded.
func formOf(kv ...string) string { return formValues(kv...).Encode() }

// token posts a token request for c with params; scenario, when not empty, selects a realm.
func (ts *testServer) token(tb testing.TB, c client, params url.Values, scenario ...string) response {
	tb.Helper()
	return ts.postAs(tb, PathToken, c, params, scenario...)
}

// postAs posts params to path with c's credentials; scenario, when not empty, selects a realm.
func (ts *testServer) postAs(tb testing.TB, path string, c client, params url.Values, scenario ...string) response {
	tb.Helper()
	params = cloneValues(params)
	header := map[string]string{}
	c.apply(header, params)
	if len(scenario) > 0 {
		header[ScenarioHeader] = scenario[0]
	}
	return ts.do(tb, request{path: path, body: params.Encode(), header: header})
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// password performs a password grant for the main app with extra parameters.
func (ts *testServer) password(tb testing.TB, extra ...string) response {
	tb.Helper()
	kv := append([]string{"grant_type", "password", "username", tUsername, "password", tPassword}, extra...)
	return ts.token(tb, mainClient, formValues(kv...))
}

// login performs a password grant that must succeed and returns its TokenInfo.
func (ts *testServer) login(tb testing.TB, extra ...string) map[string]any {
	tb.Helper()
	r := ts.password(tb, extra...)
	if r.status != 200 {
		tb.Fatalf("login: got %d %s; want 200", r.status, r.body)
	}
	return r.json(tb)
}

// refresh presents refreshToken for the main app with extra parameters.
func (ts *testServer) refresh(tb testing.TB, refreshToken string, extra ...string) response {
	tb.Helper()
	kv := append([]string{"grant_type", "refresh_token", "refresh_token", refreshToken}, extra...)
	return ts.token(tb, mainClient, formValues(kv...))
}

// api calls GET /restapi/v1.0/account/~ with a bearer access token.
func (ts *testServer) api(tb testing.TB, accessToken string) response {
	tb.Helper()
	return ts.get(tb, PathAccount, accessToken)
}

// get calls GET path with a bearer access token (none when empty).
func (ts *testServer) get(tb testing.TB, path, accessToken string) response {
	tb.Helper()
	rq := request{method: http.MethodGet, path: path}
	if accessToken != "" {
		rq.header = map[string]string{"Authorization": "Bearer " + accessToken}
	}
	return ts.do(tb, rq)
}

// control calls the control API with a JSON body.
func (ts *testServer) control(tb testing.TB, method, route, body string) response {
	tb.Helper()
	return ts.do(tb, request{method: method, path: PathControl + route, body: body, header: map[string]string{"Content-Type": "application/json"}})
}

// specOnce is RingCentral's latest OpenAPI description, loaded once per test binary.
var specOnce = sync.OnceValues(func() (*openapi.Spec, error) { return openapi.Load(openapi.Latest) })

// testSpec returns RingCentral's latest OpenAPI description.
func testSpec(tb testing.TB) *openapi.Spec {
	tb.Helper()
	s, err := specOnce()
	if err != nil {
		tb.Fatalf("openapi.Load: %v", err)
	}
	return s
}

// wantError checks an error answer and returns its errors[0]: the status; the RFC 6749 §5.2 error (empty
// for RingCentral's API-shaped bodies: resource errors, 429s); errors[0].errorCode; error_description equal
// to errors[0].message on OAuth-shaped bodies (ringcentral-oauth.md §5.1); the no-store headers; and no
// redirect.
func wantError(tb testing.TB, r response, status int, oauth, code string) map[string]any {
	tb.Helper()
	if r.status != status {
		tb.Fatalf("status: got %d; want %d (reason %q)\n%s", r.status, status, r.reason(), r.body)
	}
	m := r.json(tb)
	if got, _ := m["error"].(string); got != oauth {
		tb.Errorf("error: got %q; want %q (reason %q)", got, oauth, r.reason())
	}
	errs, _ := m["errors"].([]any)
	if len(errs) == 0 {
		tb.Fatalf("errors: got none; want [%s]\n%s", code, r.body)
	}
	first, _ := errs[0].(map[string]any)
	if got := first["errorCode"]; got != code {
		tb.Errorf("errorCode: got %v; want %q (reason %q)", got, code, r.reason())
	}
	if oauth != "" {
		msg, _ := first["message"].(string)
		if desc, _ := m["error_description"].(string); desc != msg || desc == "" {
			tb.Errorf("error_description %q must equal errors[0].message %q", desc, msg)
		}
	}
	if loc := r.header.Get("Location"); loc != "" {
		tb.Errorf("Location: got %q; want none", loc)
	}
	wantNoStore(tb, r)
	return first
}

// wantOperation checks that r conforms to what RingCentral's OpenAPI description declares for the
// operation method path and r's status.
func wantOperation(tb testing.TB, r response, method, path string) {
	tb.Helper()
	if err := testSpec(tb).ValidateResponse(method, path, r.status, r.header.Get("Content-Type"), r.body); err != nil {
		tb.Errorf("%s %s %d does not conform to the OpenAPI description: %v", method, path, r.status, err)
	}
}

// wantTokenError is wantError for an answer of the token endpoint, which must also conform to what
// RingCentral's OpenAPI description declares for POST /restapi/oauth/token (OauthInvalidRequest for 400).
func wantTokenError(tb testing.TB, r response, status int, oauth, code string) map[string]any {
	tb.Helper()
	first := wantError(tb, r, status, oauth, code)
	wantOperation(tb, r, http.MethodPost, PathToken)
	return first
}

// wantReason checks that the mock's X-Mock-Error-Reason contains want (nothing is checked when want is
// empty), so that a failure case proves which rule refused the request.
func wantReason(tb testing.TB, r response, want string) {
	tb.Helper()
	if got := r.reason(); !strings.Contains(got, want) {
		tb.Errorf("X-Mock-Error-Reason: got %q; want it to contain %q", got, want)
	}
}

// wantNoStore checks RFC 6749 §5.1's caching headers and the JSON media type of an error.
func wantNoStore(tb testing.TB, r response) {
	tb.Helper()
	if got := r.header.Get("Cache-Control"); got != "no-store" {
		tb.Errorf("Cache-Control: got %q; want no-store", got)
	}
	if got := r.header.Get("Pragma"); got != "no-cache" {
		tb.Errorf("Pragma: got %q; want no-cache", got)
	}
	if got := r.header.Get("Content-Type"); !strings.HasPrefix(got, "application/json") && r.status != 200 {
		tb.Errorf("Content-Type: got %q; want application/json", got)
	}
}

// tokenShape is what a successful TokenInfo must say beyond the schema.
type tokenShape struct {
	owner   string // owner_id; "" means absent
	refresh bool   // refresh_token and refresh_token_expires_in present
	scope   string // checked when not empty
}

// wantToken checks a successful token answer: HTTP 200 with no-store, TokenInfo per RingCentral's latest
// OpenAPI description, default lifetimes, and the owner, refresh token and scope of want. It returns the
// decoded body.
func wantToken(tb testing.TB, r response, want tokenShape) map[string]any {
	tb.Helper()
	if r.status != http.StatusOK {
		tb.Fatalf("status: got %d; want 200 (reason %q)\n%s", r.status, r.reason(), r.body)
	}
	if err := testSpec(tb).ValidateSchema("TokenInfo", r.body); err != nil {
		tb.Errorf("TokenInfo: %v", err)
	}
	wantNoStore(tb, r)
	m := r.json(tb)
	if got := m["token_type"]; got != "bearer" {
		tb.Errorf("token_type: got %v; want bearer", got)
	}
	if got := m["expires_in"]; got != 3599.0 {
		tb.Errorf("expires_in: got %v; want 3599", got)
	}
	if s, _ := m["session_id"].(string); s == "" {
		tb.Errorf("session_id: got %v; want a value", m["session_id"])
	}
	if s, _ := m["access_token"].(string); len(s) < 22 {
		tb.Errorf("access_token: got %q; want at least 128 bits", s)
	}
	owner, hasOwner := m["owner_id"]
	switch {
	case want.owner == "" && hasOwner:
		tb.Errorf("owner_id: got %v; want none", owner)
	case want.owner != "" && owner != want.owner:
		tb.Errorf("owner_id: got %v; want %q", owner, want.owner)
	}
	_, hasRefresh := m["refresh_token"]
	rtx, hasRTX := m["refresh_token_expires_in"]
	switch {
	case want.refresh && (!hasRefresh || rtx != 604799.0):
		tb.Errorf("refresh_token, refresh_token_expires_in: got %v, %v; want a token, 604799", m["refresh_token"], rtx)
	case !want.refresh && (hasRefresh || hasRTX):
		tb.Errorf("refresh_token, refresh_token_expires_in: got %v, %v; want neither", m["refresh_token"], rtx)
	}
	if want.scope != "" && m["scope"] != want.scope {
		tb.Errorf("scope: got %v; want %q", m["scope"], want.scope)
	}
	return m
}

// ecKey makes a P-256 key: quick to generate, and enough to sign ES256 test JWTs and certificates.
func ecKey(tb testing.TB) *ecdsa.PrivateKey {
	tb.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// publicKeyPEM renders a public key as a PKIX PEM block.
func publicKeyPEM(tb testing.TB, key any) string {
	tb.Helper()
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		tb.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// num returns a numeric member of a decoded object, or 0.
func num(m map[string]any, key string) float64 {
	f, _ := m[key].(float64)
	return f
}
