package rcmock

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// deviceStart is a device authorization response (RFC 8628 §3.2).
type deviceStart struct {
	deviceCode, userCode, verificationURI, verificationURIComplete string
	expiresIn, interval                                            float64
}

// userCodeShape is the shape of a user code: eight consonants shown as XXXX-XXXX (RFC 8628 §6.1).
var userCodeShape = regexp.MustCompile(`^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$`)

// startDevice requests a device authorization for the main app and checks the answer's shape.
func (m *testServer) startDevice(tb testing.TB, kv ...string) deviceStart {
	tb.Helper()
	r := m.do(tb, request{path: PathDevice, body: formOf(kv...), header: mainAuth()})
	if r.status != http.StatusOK {
		tb.Fatalf("device authorization: got %d; want 200 (reason %q)\n%s", r.status, r.header.Get("X-Mock-Error-Reason"), r.body)
	}
	if got := r.header.Get("Cache-Control"); got != "no-store" {
		tb.Errorf("Cache-Control: got %q; want no-store", got)
	}
	b := r.json(tb)
	str := func(k string) string { s, _ := b[k].(string); return s }
	n := func(k string) float64 { f, _ := b[k].(float64); return f }
	return deviceStart{
		deviceCode: str("device_code"), userCode: str("user_code"),
		verificationURI: str("verification_uri"), verificationURIComplete: str("verification_uri_complete"),
		expiresIn: n("expires_in"), interval: n("interval"),
	}
}

// poll sends the device_code token request.
func (m *testServer) poll(tb testing.TB, c client, deviceCode string) response {
	tb.Helper()
	return m.token(tb, c, formValues("grant_type", GrantDeviceCode, "device_code", deviceCode))
}

// visit opens the verification page with query parameters.
func (m *testServer) visit(tb testing.TB, kv ...string) response {
	tb.Helper()
	return m.do(tb, request{method: http.MethodGet, path: PathDeviceCheck + "?" + formOf(kv...)})
}

// wantPage checks a verification page: status, HTML, no-store, and a phrase of its text.
func wantPage(tb testing.TB, r response, status int, phrase string) {
	tb.Helper()
	if r.status != status {
		tb.Fatalf("page status: got %d; want %d (reason %q)\n%s", r.status, status, r.header.Get("X-Mock-Error-Reason"), r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		tb.Errorf("Content-Type: got %q; want text/html", ct)
	}
	if got := r.header.Get("Cache-Control"); got != "no-store" {
		tb.Errorf("Cache-Control: got %q; want no-store", got)
	}
	if !strings.Contains(string(r.body), phrase) {
		tb.Errorf("page: got\n%s\nwant it to contain %q", r.body, phrase)
	}
}

func TestDeviceAuthorizationResponse(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name             string
		mutate           func(*Options)
		expires, every   float64
		scope, wantScope string
	}{
		{name: "defaults", mutate: func(*Options) {}, expires: 600, every: 5, wantScope: tAppScopes},
		{name: "configured lifetime and interval", mutate: func(o *Options) {
			o.DeviceCodeTTL, o.DevicePollInterval = 15*time.Minute, 7*time.Second
		}, expires: 900, every: 7, wantScope: tAppScopes},
		{name: "requested scope", mutate: func(*Options) {}, expires: 600, every: 5, scope: "SMS ReadAccounts", wantScope: "SMS ReadAccounts"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m := newTestServer(t, c.mutate)
			var kv []string
			if c.scope != "" {
				kv = []string{"scope", c.scope}
			}
			d := m.startDevice(t, kv...)
			if len(d.deviceCode) < 43 {
				t.Errorf("device_code: got %q; want at least 256 bits", d.deviceCode)
			}
			if !userCodeShape.MatchString(d.userCode) {
				t.Errorf("user_code: got %q; want XXXX-XXXX of consonants", d.userCode)
			}
			if want := m.url + PathDeviceCheck; d.verificationURI != want {
				t.Errorf("verification_uri: got %q; want %q", d.verificationURI, want)
			}
			if want := d.verificationURI + "?user_code=" + url.QueryEscape(d.userCode); d.verificationURIComplete != want {
				t.Errorf("verification_uri_complete: got %q; want %q", d.verificationURIComplete, want)
			}
			if d.expiresIn != c.expires || d.interval != c.every {
				t.Errorf("expires_in, interval: got %v, %v; want %v, %v", d.expiresIn, d.interval, c.expires, c.every)
			}
			wantPage(t, m.do(t, request{method: http.MethodGet, path: strings.TrimPrefix(d.verificationURIComplete, m.url)}), 200, "approved")
			wantToken(t, m.poll(t, mainClient, d.deviceCode), tokenShape{owner: tJane, refresh: true, scope: c.wantScope})
		})
	}
}

func TestDeviceAuthorizationErrors(t *testing.T) {
	t.Parallel()
	main := mainClient
	cases := []struct {
		name        string
		method      string
		client      client
		contentType string
		body        string
		status      int
		oauth, code string
	}{
		{name: "app not approved for device_code", method: "POST", client: restrictedClient, status: 400, oauth: "unauthorized_client", code: "OAU-251"},
		{name: "wrong client secret", method: "POST", client: client{main.id, tWrongSecret}, status: 400, oauth: "invalid_client", code: "OAU-146"},
		{name: "no client authentication", method: "POST", status: 400, oauth: "invalid_client", code: "OAU-123"},
		{name: "scope not granted", method: "POST", client: main, body: "scope=EditAccounts", status: 400, oauth: "invalid_scope", code: "CMN-101"},
		{name: "duplicate parameter", method: "POST", client: main, body: "scope=SMS&scope=SMS", status: 400, oauth: "invalid_request", code: "OAU-111"},
		{name: "JSON body", method: "POST", client: main, contentType: "application/json", body: `{"scope":"SMS"}`, status: 415, oauth: "invalid_request", code: "HTTP-415"},
		{name: "GET", method: "GET", client: main, status: 405, oauth: "invalid_request", code: "HTTP-405"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m := newTestServer(t)
			header := map[string]string{}
			if c.contentType != "" {
				header["Content-Type"] = c.contentType
			}
			c.client.apply(header, url.Values{})
			r := m.do(t, request{method: c.method, path: PathDevice, body: c.body, header: header})
			wantError(t, r, c.status, c.oauth, c.code)
		})
	}
}

// TestDevicePolling walks RFC 8628 §3.5: pending, slow_down (the interval grows by 5 s each time), pending
// again at the new interval, then the tokens once the user approves, and invalid_grant for a used code.
func TestDevicePolling(t *testing.T) {
	t.Parallel()
	m := newTestServer(t)
	main := mainClient
	d := m.startDevice(t, "scope", "ReadAccounts")
	steps := []struct {
		name        string
		advance     time.Duration
		oauth, code string
	}{
		{"first poll", 0, "authorization_pending", "DEV-101"},
		{"1 s later", time.Second, "slow_down", "DEV-102"},                            // interval now 10 s
		{"9 s later", 9 * time.Second, "slow_down", "DEV-102"},                        // 9 < 10; interval now 15 s
		{"14 s later", 14 * time.Second, "slow_down", "DEV-102"},                      // 14 < 15; interval now 20 s
		{"20 s later", 20 * time.Second, "authorization_pending", "DEV-101"},          // at the interval
		{"25 s later", 25 * time.Second, "authorization_pending", "DEV-101"},          // beyond it
		{"19 s later", 19 * time.Second, "slow_down", "DEV-102"},                      // the grown interval stays
		{"after approval, 25 s later", 25 * time.Second, "", ""},                      // approved below
		{"the used code", 25 * time.Second, "invalid_grant", "CMN-102"},               // single use
		{"the used code, after expiry", 10 * time.Minute, "invalid_grant", "CMN-102"}, // still used, not expired
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) { // in order: each step depends on the previous ones
			m.clock.Advance(s.advance)
			if s.oauth == "" {
				wantPage(t, m.visit(t, "user_code", d.userCode, "login_hint", tJohnEmail), 200, "approved")
				wantToken(t, m.poll(t, main, d.deviceCode), tokenShape{owner: tJohn, refresh: true, scope: "ReadAccounts"})
				return
			}
			wantError(t, m.poll(t, main, d.deviceCode), 400, s.oauth, s.code)
		})
	}
}

// TestDeviceDecisions covers the outcomes a poll can see after the user (or time) decided.
func TestDeviceDecisions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		decide      func(t testing.TB, m *testServer, d deviceStart)
		oauth, code string
		owner       string // success when set
	}{
		{name: "approved as the default user", owner: tJane, decide: func(t testing.TB, m *testServer, d deviceStart) {
			wantPage(t, m.visit(t, "user_code", d.userCode), 200, "approved")
		}},
		{name: "approved by extension id, code typed in lower case without the dash", owner: tJohn, decide: func(t testing.TB, m *testServer, d deviceStart) {
			typed := strings.ToLower(strings.ReplaceAll(d.userCode, "-", ""))
			wantPage(t, m.visit(t, "user_code", typed, "login_hint", tJohn), 200, "approved")
		}},
		{name: "approved through the control API", owner: tJohn, decide: func(t testing.TB, m *testServer, d deviceStart) {
			r := m.control(t, http.MethodPost, "device/approve", `{"user_code":"`+d.userCode+`","login":"`+tJohnEmail+`"}`)
			if r.status != http.StatusNoContent {
				t.Fatalf("control approve: got %d; want 204\n%s", r.status, r.body)
			}
		}},
		{name: "denied", oauth: "access_denied", code: "DEV-104", decide: func(t testing.TB, m *testServer, d deviceStart) {
			wantPage(t, m.visit(t, "user_code", d.userCode, "deny", "true"), 200, "denied")
		}},
		{name: "denied through the control API", oauth: "access_denied", code: "DEV-104", decide: func(t testing.TB, m *testServer, d deviceStart) {
			if r := m.control(t, http.MethodPost, "device/approve", `{"user_code":"`+d.userCode+`","deny":true}`); r.status != http.StatusNoContent {
				t.Fatalf("control deny: got %d; want 204\n%s", r.status, r.body)
			}
		}},
		{name: "expired while pending", oauth: "expired_token", code: "DEV-103", decide: func(t testing.TB, m *testServer, d deviceStart) {
			m.clock.Advance(10*time.Minute + time.Second)
			wantPage(t, m.visit(t, "user_code", d.userCode), 400, "expired")
		}},
		{name: "approved, then expired before the poll", oauth: "expired_token", code: "DEV-103", decide: func(t testing.TB, m *testServer, d deviceStart) {
			wantPage(t, m.visit(t, "user_code", d.userCode), 200, "approved")
			m.clock.Advance(10 * time.Minute)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m := newTestServer(t)
			d := m.startDevice(t)
			c.decide(t, m, d)
			r := m.poll(t, mainClient, d.deviceCode)
			if c.owner != "" {
				wantToken(t, r, tokenShape{owner: c.owner, refresh: true})
				return
			}
			wantError(t, r, 400, c.oauth, c.code)
		})
	}
}

func TestDeviceCodeTokenErrors(t *testing.T) {
	t.Parallel()
	restricted := restrictedClient
	cases := []struct {
		name         string
		mutate       func(*Options)
		client       client
		code         func(d deviceStart) string
		status       int
		oauth, ecode string
		reason       string
	}{
		{name: "no device_code", client: mainClient, code: func(deviceStart) string { return "" },
			status: 400, oauth: "invalid_request", ecode: "CMN-101"},
		{name: "unknown device_code", client: mainClient, code: func(deviceStart) string { return "made-up" },
			status: 400, oauth: "invalid_grant", ecode: "CMN-102", reason: "unknown device code"},
		{name: "the user code is not a device code", client: mainClient, code: func(d deviceStart) string { return d.userCode },
			status: 400, oauth: "invalid_grant", ecode: "CMN-102"},
		{name: "app not approved for the grant", client: restricted, code: func(d deviceStart) string { return d.deviceCode },
			status: 400, oauth: "unauthorized_client", ecode: "OAU-251"},
		{name: "another app's device code", client: restricted, code: func(d deviceStart) string { return d.deviceCode },
			mutate: func(o *Options) {
				o.Fixture.Apps[2].GrantTypes = append(o.Fixture.Apps[2].GrantTypes, GrantDeviceCode)
			},
			status: 400, oauth: "invalid_grant", ecode: "CMN-102", reason: "another app"},
		{name: "wrong client secret", client: client{mainClient.id, tWrongSecret}, code: func(d deviceStart) string { return d.deviceCode },
			status: 400, oauth: "invalid_client", ecode: "OAU-146"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var mutate []func(*Options)
			if c.mutate != nil {
				mutate = append(mutate, c.mutate)
			}
			m := newTestServer(t, mutate...)
			d := m.startDevice(t)
			wantPage(t, m.visit(t, "user_code", d.userCode), 200, "approved")
			r := m.poll(t, c.client, c.code(d))
			wantError(t, r, c.status, c.oauth, c.ecode)
			wantReason(t, r, c.reason)
		})
	}
}

func TestDeviceVerificationPage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		query  func(d deviceStart) []string
		before func(t testing.TB, m *testServer, d deviceStart)
		status int
		phrase string
	}{
		{name: "approve", query: func(d deviceStart) []string { return []string{"user_code", d.userCode} }, status: 200, phrase: "Device approved"},
		{name: "deny=false approves", query: func(d deviceStart) []string { return []string{"user_code", d.userCode, "deny", "false"} }, status: 200, phrase: "Device approved"},
		{name: "deny", query: func(d deviceStart) []string { return []string{"user_code", d.userCode, "deny", "true"} }, status: 200, phrase: "Request denied"},
		{name: "no user_code", query: func(deviceStart) []string { return nil }, status: 400, phrase: "Parameter [user_code] value is invalid."},
		{name: "unknown user_code", query: func(deviceStart) []string { return []string{"user_code", "BCDF-GHJK"} }, status: 404, phrase: "Unknown code"},
		{name: "markup in user_code is escaped", query: func(deviceStart) []string { return []string{"user_code", "<script>alert(1)</script>"} },
			status: 404, phrase: "&lt;script&gt;alert(1)&lt;/script&gt;"},
		{name: "unknown login_hint", query: func(d deviceStart) []string {
			return []string{"user_code", d.userCode, "login_hint", "nobody@example.com"}
		},
			status: 400, phrase: "Parameter [login_hint] value is invalid."},
		{name: "deny is not a boolean", query: func(d deviceStart) []string { return []string{"user_code", d.userCode, "deny", "maybe"} },
			status: 400, phrase: "Parameter [deny] value is invalid."},
		{name: "second visit", query: func(d deviceStart) []string { return []string{"user_code", d.userCode} },
			before: func(t testing.TB, m *testServer, d deviceStart) {
				wantPage(t, m.visit(t, "user_code", d.userCode, "deny", "true"), 200, "denied")
			}, status: 400, phrase: "already been used"},
		{name: "expired", query: func(d deviceStart) []string { return []string{"user_code", d.userCode} },
			before: func(t testing.TB, m *testServer, _ deviceStart) { m.clock.Advance(10 * time.Minute) }, status: 400, phrase: "Code expired"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m := newTestServer(t)
			d := m.startDevice(t)
			if c.before != nil {
				c.before(t, m, d)
			}
			r := m.visit(t, c.query(d)...)
			wantPage(t, r, c.status, c.phrase)
			if strings.Contains(string(r.body), "<script>") {
				t.Errorf("page contains unescaped markup:\n%s", r.body)
			}
		})
	}
	t.Run("POST", func(t *testing.T) {
		t.Parallel()
		m := newTestServer(t)
		wantError(t, m.do(t, request{path: PathDeviceCheck, body: formOf("user_code", "BCDF-GHJK")}), 405, "invalid_request", "HTTP-405")
	})
	t.Run("control API, unknown user code", func(t *testing.T) {
		t.Parallel()
		m := newTestServer(t)
		wantError(t, m.control(t, http.MethodPost, "device/approve", `{"user_code":"BCDF-GHJK"}`), 404, "invalid_request", "DEV-105")
	})
}
