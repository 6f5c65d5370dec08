package rcmock_test

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
	"testing"
	"time"

	"github.com/joho/godotenv"

	"github.com/rcoauth/conformance/openapi"
	"github.com/rcoauth/conformance/rcmock"
)

// Test helpers of the grant tests (grant_jwt_test.go, grant_internal_test.go, device_test.go,
// grant_device_certificate_test.go). Every name starts with gr so that it cannot clash with other tests of
// package rcmock_test.

// grStart is where the fake clock starts: after RC_JWT_EXPIRED's exp (2026-01-02) and inside the validity
// of the default device CA and certificate (2026-01-01 to 2100-01-01).
var grStart = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// Values of the default fixture that env/mock.env does not name.
const (
	grJane        = "62264425016" // RC_USERNAME's user: first user, owner of every credential in env/mock.env
	grJohn        = "62264425017" // the second user
	grJohnEmail   = "john.roe@example.com"
	grJohnPin     = "135790"
	grIssuer      = "https://platform.rcmock.invalid" // environment.credential_issuer
	grAudience    = grIssuer + rcmock.PathToken       // environment.credential_audience
	grAppScopes   = "ReadAccounts ReadCallLog ReadMessages SMS RingOut WebSocket openid profile email"
	grDeviceID    = "rcmock-device-001"
	grOtherSecret = "not-the-secret"
)

// grEnv reads env/mock.env the way the harness does (godotenv.Read, never into the process environment) and
// expands the literal \n sequences of its single-quoted PEM values.
func grEnv(tb testing.TB) map[string]string {
	tb.Helper()
	env, err := godotenv.Read("../env/mock.env")
	if err != nil {
		tb.Fatalf("reading env/mock.env: %v", err)
	}
	for k, v := range env {
		env[k] = strings.ReplaceAll(v, `\n`, "\n")
	}
	return env
}

// grClient is how a request authenticates its client: Basic credentials, or nothing when id is empty.
type grClient struct{ id, secret string }

// grMainClient is the main app (approved for every grant), grRestrictedClient the app approved for the
// authorization code grant only.
func grMainClient(env map[string]string) grClient {
	return grClient{env["RC_CLIENT_ID"], env["RC_CLIENT_SECRET"]}
}

func grRestrictedClient(env map[string]string) grClient {
	return grClient{env["RC_RESTRICTED_CLIENT_ID"], env["RC_RESTRICTED_CLIENT_SECRET"]}
}

// grBasic builds an RFC 6749 §2.3.1 Basic header: id and secret form-encoded, then base64.
func grBasic(c grClient) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(c.id)+":"+url.QueryEscape(c.secret)))
}

// grMock is a mock server under test on a fake clock starting at grStart, with the control API on.
type grMock struct {
	url   string
	clock *rcmock.FakeClock
	env   map[string]string
	http  *http.Client
}

// grNewMock starts a mock; mutate may change the options, including the fixture (opts.Fixture is a fresh
// copy of the default fixture when mutate runs).
func grNewMock(tb testing.TB, mutate ...func(*rcmock.Options)) *grMock {
	tb.Helper()
	clock := rcmock.NewFakeClock(grStart)
	opts := rcmock.DefaultOptions()
	opts.Clock = clock
	opts.Control = true
	opts.Fixture = rcmock.DefaultFixture()
	for _, m := range mutate {
		m(&opts)
	}
	srv, err := rcmock.New(opts)
	if err != nil {
		tb.Fatalf("rcmock.New: %v", err)
	}
	ts := httptest.NewServer(srv)
	tb.Cleanup(ts.Close)
	return &grMock{url: ts.URL, clock: clock, env: grEnv(tb), http: ts.Client()}
}

// grResp is a response, read whole.
type grResp struct {
	status int
	header http.Header
	body   []byte
}

// do sends one request; scenario, when not empty, selects a realm with rcmock.ScenarioHeader.
func (m *grMock) do(tb testing.TB, method, path string, c grClient, body url.Values, scenario string) grResp {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		rd = strings.NewReader(body.Encode())
	}
	req, err := http.NewRequest(method, m.url+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c.id != "" {
		req.Header.Set("Authorization", grBasic(c))
	}
	if scenario != "" {
		req.Header.Set(rcmock.ScenarioHeader, scenario)
	}
	res, err := m.http.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	return grRead(tb, res)
}

// grRead reads and closes a response.
func grRead(tb testing.TB, res *http.Response) grResp {
	tb.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatalf("reading the response: %v", err)
	}
	return grResp{status: res.StatusCode, header: res.Header, body: b}
}

// control calls POST /__mock/<route> of the control API with a JSON body.
func (m *grMock) control(tb testing.TB, route, jsonBody string) grResp {
	tb.Helper()
	res, err := m.http.Post(m.url+rcmock.PathControl+route, "application/json", strings.NewReader(jsonBody))
	if err != nil {
		tb.Fatal(err)
	}
	return grRead(tb, res)
}

// token posts a token request.
func (m *grMock) token(tb testing.TB, c grClient, params url.Values) grResp {
	tb.Helper()
	return m.do(tb, http.MethodPost, rcmock.PathToken, c, params, "")
}

// api calls GET path with a bearer access token.
func (m *grMock) api(tb testing.TB, path, accessToken string) grResp {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, m.url+path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	res, err := m.http.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	return grRead(tb, res)
}

// grForm builds form parameters from key, value pairs.
func grForm(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// json decodes the body as an object.
func (r grResp) json(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		tb.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

// grWantError checks an OAuth error answer: status, RFC 6749 §5.2 error, RingCentral errorCode, and the
// no-store headers.
func grWantError(tb testing.TB, r grResp, status int, oauthErr, code string) map[string]any {
	tb.Helper()
	if r.status != status {
		tb.Fatalf("status: got %d; want %d (reason %q)\n%s", r.status, status, r.header.Get("X-Mock-Error-Reason"), r.body)
	}
	m := r.json(tb)
	if got := m["error"]; got != oauthErr {
		tb.Errorf("error: got %v; want %q (reason %q)", got, oauthErr, r.header.Get("X-Mock-Error-Reason"))
	}
	errs, _ := m["errors"].([]any)
	if len(errs) == 0 {
		tb.Fatalf("errors: got none; want [%s]\n%s", code, r.body)
	}
	first, _ := errs[0].(map[string]any)
	if got := first["errorCode"]; got != code {
		tb.Errorf("errorCode: got %v; want %q (reason %q)", got, code, r.header.Get("X-Mock-Error-Reason"))
	}
	if got := r.header.Get("Cache-Control"); got != "no-store" {
		tb.Errorf("Cache-Control: got %q; want no-store", got)
	}
	return first
}

// grWantReason checks that the mock's X-Mock-Error-Reason contains want (nothing is checked when want is
// empty), so that a failure case proves which rule refused the request.
func grWantReason(tb testing.TB, r grResp, want string) {
	tb.Helper()
	if got := r.header.Get("X-Mock-Error-Reason"); !strings.Contains(got, want) {
		tb.Errorf("X-Mock-Error-Reason: got %q; want it to contain %q", got, want)
	}
}

// grShape is what a successful TokenInfo must say beyond the schema.
type grShape struct {
	owner   string // owner_id; "" means absent
	refresh bool   // refresh_token and refresh_token_expires_in present
	scope   string
}

// grWantToken checks a successful token answer: HTTP 200 with no-store, TokenInfo per RingCentral's latest
// OpenAPI description, and the owner, refresh token and scope of want. It returns the decoded body.
func grWantToken(tb testing.TB, r grResp, want grShape) map[string]any {
	tb.Helper()
	if r.status != http.StatusOK {
		tb.Fatalf("status: got %d; want 200 (reason %q)\n%s", r.status, r.header.Get("X-Mock-Error-Reason"), r.body)
	}
	spec, err := openapi.Load(openapi.Latest)
	if err != nil {
		tb.Fatal(err)
	}
	if err := spec.ValidateSchema("TokenInfo", r.body); err != nil {
		tb.Errorf("TokenInfo: %v", err)
	}
	if got := r.header.Get("Cache-Control"); got != "no-store" {
		tb.Errorf("Cache-Control: got %q; want no-store", got)
	}
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

// grECKey makes a P-256 key: quick to generate, and enough to sign ES256 test JWTs and certificates.
func grECKey(tb testing.TB) *ecdsa.PrivateKey {
	tb.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// grPublicPEM renders a public key as a PKIX PEM block.
func grPublicPEM(tb testing.TB, key any) string {
	tb.Helper()
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		tb.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// grPEMBlock decodes the single PEM block of s.
func grPEMBlock(tb testing.TB, s string) []byte {
	tb.Helper()
	b, _ := pem.Decode([]byte(s))
	if b == nil {
		tb.Fatalf("no PEM block in %.40q", s)
	}
	return b.Bytes
}
