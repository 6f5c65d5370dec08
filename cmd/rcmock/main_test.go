package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rcoauth/conformance/rcmock"
)

// Credentials of the built-in fixture (env/mock.env).
const (
	clientID     = "rcmockConfidentialApp01"
	clientSecret = "mock:Secret%41+plus"
	username     = "+16505550100*101"
	password     = "Mock-Pa55word!"
	accountID    = 37439510
)

// lockedBuffer is an io.Writer that tests may read while run is still writing to it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// mockProcess is an rcmock started in-process by startMock.
type mockProcess struct {
	url            string
	stdout, stderr *lockedBuffer
	stop           func() error // cancels run's context and returns run's result
}

// startMock runs the command in-process with args (plus -addr 127.0.0.1:0) and waits until it is
// listening. The server is stopped at cleanup if the test has not stopped it.
func startMock(tb testing.TB, args ...string) *mockProcess {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &mockProcess{stdout: &lockedBuffer{}, stderr: &lockedBuffer{}}
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- runNotify(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), p.stdout, p.stderr,
			func(u string) { ready <- u })
	}()
	select {
	case p.url = <-ready:
	case err := <-done:
		cancel()
		tb.Fatalf("run returned before listening: %v; stderr: %s", err, p.stderr)
	case <-time.After(10 * time.Second):
		cancel()
		tb.Fatalf("run did not report listening within 10s; stderr: %s", p.stderr)
	}
	var once sync.Once
	var result error
	p.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case result = <-done:
			case <-time.After(10 * time.Second):
				tb.Errorf("run did not return within 10s of cancellation")
			}
		})
		return result
	}
	tb.Cleanup(func() { _ = p.stop() })
	return p
}

// basicAuth builds client_secret_basic credentials form-encoded as RFC 6749 §2.3.1 requires.
func basicAuth(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

// passwordGrant posts a password-grant token request and returns the status, headers and decoded body.
func passwordGrant(tb testing.TB, base string) (int, http.Header, map[string]any) {
	tb.Helper()
	return tokenRequest(tb, base, url.Values{"grant_type": {"password"}, "username": {username}, "password": {password}})
}

// tokenRequest posts a token request of the main app and returns the status, headers and decoded body.
func tokenRequest(tb testing.TB, base string, form url.Values) (int, http.Header, map[string]any) {
	tb.Helper()
	return postAsMainApp(tb, base+"/restapi/oauth/token", form)
}

// postAsMainApp posts form to target with the main app's Basic credentials and returns the status, headers
// and decoded body.
func postAsMainApp(tb testing.TB, target string, form url.Values) (int, http.Header, map[string]any) {
	tb.Helper()
	return post(tb, target, form, basicAuth(clientID, clientSecret))
}

// post posts form to target with the Authorization header authorization and returns the status, headers
// and decoded body.
func post(tb testing.TB, target string, form url.Values, authorization string) (int, http.Header, map[string]any) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", authorization)
	return do(tb, req)
}

func do(tb testing.TB, req *http.Request) (int, http.Header, map[string]any) {
	tb.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: reading body: %v", req.Method, req.URL, err)
	}
	var body map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &body); err != nil {
			tb.Fatalf("%s %s: body is not a JSON object: %v: %s", req.Method, req.URL, err, b)
		}
	}
	return resp.StatusCode, resp.Header, body
}

func TestRunServesAndStops(t *testing.T) {
	p := startMock(t)

	if got, want := p.stdout.String(), "rcmock listening on "+p.url+"\n"; got != want {
		t.Errorf("stdout = %q; want exactly %q", got, want)
	}
	if !strings.HasPrefix(p.url, "http://127.0.0.1:") || strings.HasSuffix(p.url, ":0") {
		t.Errorf("url = %q; want http://127.0.0.1:<bound port>", p.url)
	}

	status, _, tok := passwordGrant(t, p.url)
	if status != http.StatusOK {
		t.Fatalf("password grant: got status %d; want 200; body %v", status, tok)
	}
	access, _ := tok["access_token"].(string)
	if access == "" {
		t.Fatalf("password grant: got no access_token in %v", tok)
	}

	req, err := http.NewRequest(http.MethodGet, p.url+"/restapi/v1.0/account/~", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+access)
	status, _, acct := do(t, req)
	if status != http.StatusOK {
		t.Fatalf("GET account/~: got status %d; want 200; body %v", status, acct)
	}
	if got := acct["id"]; got != float64(accountID) {
		t.Errorf("GET account/~: got id %v; want %d", got, accountID)
	}

	if err := p.stop(); err != nil {
		t.Errorf("run after cancellation: got %v; want nil", err)
	}
	if _, err := http.Get(p.url + "/__mock/health"); err == nil {
		t.Errorf("GET after shutdown succeeded; want a connection error")
	}
}

func TestRunFlags(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		health     int    // status of GET /__mock/health
		lastStatus int    // status of the sixth password-grant request
		lastHeader string // a header the sixth answer must carry
	}{
		{name: "defaults: control on, no rate limit, sessions evicted", health: 200, lastStatus: 200},
		{name: "control off", args: []string{"-control=false"}, health: 404, lastStatus: 200},
		{name: "rate limit throttles the sixth token request", args: []string{"-rate-limit"}, health: 200, lastStatus: 429, lastHeader: "X-Rate-Limit-Group"},
		{name: "session limit reject refuses the sixth session", args: []string{"-session-limit-mode", "reject"}, health: 200, lastStatus: 429, lastHeader: "X-Mock-Error-Reason"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := startMock(t, tt.args...)
			resp, err := http.Get(p.url + "/__mock/health")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.health {
				t.Errorf("GET /__mock/health: got %d; want %d", resp.StatusCode, tt.health)
			}
			for i := 1; i <= 6; i++ {
				status, header, body := passwordGrant(t, p.url)
				if i < 6 && status != http.StatusOK {
					t.Fatalf("token request %d: got %d; want 200; body %v", i, status, body)
				}
				if i == 6 && status != tt.lastStatus {
					t.Errorf("token request %d: got %d; want %d; body %v", i, status, tt.lastStatus, body)
				}
				if i == 6 && tt.lastHeader != "" && header.Get(tt.lastHeader) == "" {
					t.Errorf("token request %d: no %s header; want one", i, tt.lastHeader)
				}
			}
			if err := p.stop(); err != nil {
				t.Errorf("run: got %v; want nil", err)
			}
		})
	}
}

// TestRunRateLimitShape: -rate-limit-max and -rate-limit-window shape the Auth group's limit, the
// X-Rate-Limit-* headers say so, and stderr tells at start-up whether the limit is on and how, while stdout
// keeps its single listening line.
func TestRunRateLimitShape(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		admitted   int    // token requests that pass before the first 429
		limit      string // X-Rate-Limit-Limit and X-Rate-Limit-Window of the throttled answer
		window     string
		wantStderr string
	}{
		{name: "off", admitted: 8, wantStderr: "rate limit off"},
		{name: "on, RingCentral's shape", args: []string{"-rate-limit"}, admitted: 5, limit: "5", window: "60",
			wantStderr: "rate limit on: 5 requests per user and app in any 1m0s, then 1m0s of HTTP 429"},
		{name: "on, a short window", args: []string{"-rate-limit", "-rate-limit-max", "2", "-rate-limit-window", "10s", "-rate-limit-penalty", "10s"},
			admitted: 2, limit: "2", window: "10", wantStderr: "rate limit on: 2 requests per user and app in any 10s, then 10s of HTTP 429"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := startMock(t, tt.args...)
			if got := p.stderr.String(); !strings.Contains(got, tt.wantStderr) {
				t.Errorf("stderr: got %q; want it to contain %q", got, tt.wantStderr)
			}
			if got, want := p.stdout.String(), "rcmock listening on "+p.url+"\n"; got != want {
				t.Errorf("stdout: got %q; want exactly %q", got, want)
			}
			for i := 1; i <= 8; i++ {
				status, header, body := passwordGrant(t, p.url)
				if i <= tt.admitted {
					if status != http.StatusOK {
						t.Fatalf("token request %d: got %d %v; want 200", i, status, body)
					}
					continue
				}
				if status != http.StatusTooManyRequests || header.Get("X-Rate-Limit-Limit") != tt.limit || header.Get("X-Rate-Limit-Window") != tt.window {
					t.Errorf("token request %d: got %d with limit %q window %q; want 429 with %s, %s", i, status,
						header.Get("X-Rate-Limit-Limit"), header.Get("X-Rate-Limit-Window"), tt.limit, tt.window)
				}
				break
			}
		})
	}
}

func TestRunUnknownGrantError(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // the error of an unknown grant_type
	}{
		{name: "default: RFC 6749 §5.2", want: "unsupported_grant_type"},
		{name: "RingCentral's specification text", args: []string{"-unknown-grant-error", "ringcentral-text"}, want: "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := startMock(t, tt.args...)
			status, _, body := tokenRequest(t, p.url, url.Values{"grant_type": {"implicit"}})
			if status != http.StatusBadRequest || body["error"] != tt.want {
				t.Errorf("grant_type=implicit: got %d %v; want 400 %s", status, body, tt.want)
			}
		})
	}
}

func TestRunAuthorizeScope(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // the redirect's parameter for a scope the app was not granted
	}{
		{name: "default: ignored, as RingCentral documents", want: "code"},
		{name: "RFC 6749 §4.1.2.1", args: []string{"-authorize-scope", "rfc"}, want: "error"},
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := startMock(t, tt.args...)
			q := url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {"https://client.example.com/oauth/callback"}, "scope": {"EditExtensions"}}
			resp, err := client.Get(p.url + "/restapi/oauth/authorize?" + q.Encode())
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			loc, err := url.Parse(resp.Header.Get("Location"))
			if err != nil || resp.StatusCode != http.StatusFound || !loc.Query().Has(tt.want) {
				t.Errorf("authorize: got %d to %q; want a redirect with %s", resp.StatusCode, resp.Header.Get("Location"), tt.want)
			}
		})
	}
}

func TestRunIssuer(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // issuer in the discovery document; "" means the URL the mock listens on
	}{
		{name: "derived from the request", want: ""},
		{name: "flag, trailing slash trimmed", args: []string{"-issuer", "https://platform.example.test/"}, want: "https://platform.example.test"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := startMock(t, tt.args...)
			want := tt.want
			if want == "" {
				want = p.url
			}
			req, err := http.NewRequest(http.MethodGet, p.url+"/.well-known/openid-configuration", nil)
			if err != nil {
				t.Fatal(err)
			}
			status, _, doc := do(t, req)
			if status != http.StatusOK || doc["issuer"] != want {
				t.Errorf("discovery: got %d issuer %v; want 200 issuer %q", status, doc["issuer"], want)
			}
		})
	}
}

// TestRunIntrospection: -introspection serves RFC 7662 token introspection at RingCentral's former path and
// advertises it in the discovery document; without it there is no such endpoint, as in today's API. A
// failed client authentication there is 400 invalid_client, the status SPEC-2024-04 documented, or 401
// under -introspect-client-error rfc (RFC 7662 §2.3).
func TestRunIntrospection(t *testing.T) {
	tests := []struct {
		name        string
		args        []string
		status      int // of POST /restapi/oauth/introspect with a live access token
		clientError int // of the same with a wrong client secret
	}{
		{name: "off by default", status: http.StatusNotFound, clientError: http.StatusNotFound},
		{name: "-introspection", args: []string{"-introspection"}, status: http.StatusOK, clientError: http.StatusBadRequest},
		{name: "-introspection -introspect-client-error rfc", args: []string{"-introspection", "-introspect-client-error", "rfc"},
			status: http.StatusOK, clientError: http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := startMock(t, tt.args...)
			req, err := http.NewRequest(http.MethodGet, p.url+"/.well-known/openid-configuration", nil)
			if err != nil {
				t.Fatal(err)
			}
			_, _, doc := do(t, req)
			want := ""
			if tt.status == http.StatusOK {
				want = p.url + rcmock.PathIntrospect
			}
			if got, _ := doc["introspection_endpoint"].(string); got != want {
				t.Errorf("discovery introspection_endpoint: got %q; want %q", got, want)
			}
			_, _, tok := passwordGrant(t, p.url)
			status, _, body := postAsMainApp(t, p.url+rcmock.PathIntrospect, url.Values{"token": {tok["access_token"].(string)}})
			if status != tt.status || (status == http.StatusOK && body["active"] != true) {
				t.Errorf("introspection: got %d %v; want %d (active, when 200)", status, body, tt.status)
			}
			status, _, body = post(t, p.url+rcmock.PathIntrospect, url.Values{"token": {"whatever"}}, basicAuth(clientID, "not-the-secret"))
			if status != tt.clientError || (status != http.StatusNotFound && body["error"] != "invalid_client") {
				t.Errorf("introspection with a wrong client secret: got %d %v; want %d invalid_client", status, body, tt.clientError)
			}
		})
	}
}

// TestRunTTLChoices: -wstoken-ttl sets a WebSocket token's expires_in and -reject-malformed-ttl refuses a
// TTL that is not a decimal integer; by default 30 s and the malformed TTL ignored.
func TestRunTTLChoices(t *testing.T) {
	for _, tt := range []struct {
		name      string
		args      []string
		wsTTL     float64
		malformed int // the status of a password grant with access_token_ttl=NaN
	}{
		{"defaults", nil, 30, http.StatusOK},
		{"-wstoken-ttl 10m -reject-malformed-ttl", []string{"-wstoken-ttl", "10m", "-reject-malformed-ttl"}, 600, http.StatusBadRequest},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := startMock(t, tt.args...)
			_, _, tok := passwordGrant(t, p.url)
			if status, _, ws := post(t, p.url+rcmock.PathWSToken, nil, "Bearer "+tok["access_token"].(string)); status != http.StatusOK || ws["expires_in"] != tt.wsTTL {
				t.Errorf("wstoken: got %d %v; want 200 with expires_in %v", status, ws, tt.wsTTL)
			}
			form := url.Values{"grant_type": {"password"}, "username": {username}, "password": {password}, "access_token_ttl": {"NaN"}}
			if status, _, body := tokenRequest(t, p.url, form); status != tt.malformed {
				t.Errorf("password grant with access_token_ttl=NaN: got %d %v; want %d", status, body, tt.malformed)
			}
		})
	}
}

// TestFlagDefaultsAreTheMocks: without flags the command runs the mock with rcmock.DefaultOptions' settings
// and rate-limit shape, so the standalone and the embedded mock behave alike.
func TestFlagDefaultsAreTheMocks(t *testing.T) {
	cfg, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	def := rcmock.DefaultOptions()
	if cfg.settings != def.Settings || cfg.rateLimitMax != def.RateLimitMax || cfg.rateLimitWindow != def.RateLimitWindow ||
		cfg.rateLimitPenalty != def.RateLimitPenalty || cfg.inspect != def.Inspect || cfg.loginPage != def.LoginPage || cfg.introspection != def.Introspection ||
		cfg.wsTokenTTL != def.WSTokenTTL || cfg.rejectMalformedTTL != def.RejectMalformedTTL {
		t.Errorf("parseFlags(nil) = %+v; want the defaults of rcmock.DefaultOptions: %+v", cfg, def)
	}
}

func TestRunRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	invalid := filepath.Join(dir, "invalid.json")
	if err := os.WriteFile(invalid, []byte(`{"apps": [{"client_id": "x", "type": "odd"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.json")

	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantMsg  string // on stderr, after exitCode has reported the error
	}{
		{name: "unknown flag", args: []string{"-bogus"}, wantCode: 2, wantMsg: "-bogus"},
		{name: "bad session limit mode", args: []string{"-session-limit-mode", "drop"}, wantCode: 2, wantMsg: "-session-limit-mode"},
		{name: "rate limit of zero", args: []string{"-rate-limit-max", "0"}, wantCode: 2, wantMsg: "-rate-limit-max"},
		{name: "rate limit window not a duration", args: []string{"-rate-limit-window", "60"}, wantCode: 2, wantMsg: "-rate-limit-window"},
		{name: "negative rate limit penalty", args: []string{"-rate-limit-penalty", "-1s"}, wantCode: 2, wantMsg: "-rate-limit-penalty"},
		{name: "bad authorize scope", args: []string{"-authorize-scope", "strict"}, wantCode: 2, wantMsg: "-authorize-scope"},
		{name: "bad unknown grant error", args: []string{"-unknown-grant-error", "oauth"}, wantCode: 2, wantMsg: "-unknown-grant-error"},
		{name: "wstoken TTL under a second", args: []string{"-wstoken-ttl", "500ms"}, wantCode: 2, wantMsg: "-wstoken-ttl"},
		{name: "bad introspect client error", args: []string{"-introspect-client-error", "403"}, wantCode: 2, wantMsg: "-introspect-client-error"},
		{name: "relative issuer", args: []string{"-issuer", "platform.example.test"}, wantCode: 2, wantMsg: "-issuer"},
		{name: "bad boolean", args: []string{"-control=maybe"}, wantCode: 2, wantMsg: "-control"},
		{name: "positional argument", args: []string{"serve"}, wantCode: 2, wantMsg: "unexpected arguments: serve"},
		{name: "missing fixture", args: []string{"-fixture", missing}, wantCode: 1, wantMsg: missing},
		{name: "invalid fixture", args: []string{"-fixture", invalid}, wantCode: 1, wantMsg: invalid},
		{name: "bad address", args: []string{"-addr", "127.0.0.1:notaport"}, wantCode: 1, wantMsg: "127.0.0.1:notaport"},
		{name: "help", args: []string{"-h"}, wantCode: 0, wantMsg: "Usage: rcmock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			err := run(ctx, tt.args, &stdout, &stderr)
			if tt.wantCode != 0 && err == nil {
				t.Fatalf("run(%q): got nil error; want one", tt.args)
			}
			if code := exitCode(err, &stderr); code != tt.wantCode {
				t.Errorf("exit code: got %d; want %d (err %v)", code, tt.wantCode, err)
			}
			if !strings.Contains(stderr.String(), tt.wantMsg) {
				t.Errorf("stderr: got %q; want it to contain %q", stderr.String(), tt.wantMsg)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout: got %q; want nothing", stdout.String())
			}
		})
	}
}

// TestReadmeNamesEveryFlagAndSetting keeps README.md's section on the mock accurate: every flag of the
// command and every setting a scenario may change through the control API is named there.
func TestReadmeNamesEveryFlagAndSetting(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	var usage bytes.Buffer
	if _, err := parseFlags([]string{"-h"}, &usage); err == nil {
		t.Fatal("parseFlags(-h): got nil error; want flag.ErrHelp")
	}
	flags := regexp.MustCompile(`(?m)^  -([a-z-]+)`).FindAllStringSubmatch(usage.String(), -1)
	if len(flags) < 5 {
		t.Fatalf("found %d flags in the usage text; want them all:\n%s", len(flags), usage.String())
	}
	for _, f := range flags {
		if !strings.Contains(readme, "`-"+f[1]+"`") {
			t.Errorf("README.md does not name the flag -%s", f[1])
		}
	}
	settings := reflect.TypeFor[rcmock.Settings]()
	for i := range settings.NumField() {
		name, _, _ := strings.Cut(settings.Field(i).Tag.Get("json"), ",")
		if !strings.Contains(readme, "`"+name+"`") {
			t.Errorf("README.md does not name the setting %s", name)
		}
	}
}
