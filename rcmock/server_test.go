package rcmock

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPasswordGrant(t *testing.T) {
	ts := newTestServer(t)
	r := ts.password(t)
	if r.status != 200 {
		t.Fatalf("got %d %s; want 200", r.status, r.body)
	}
	wantNoStore(t, r)
	m := r.json(t)
	for _, k := range []string{"access_token", "refresh_token", "scope", "session_id", "endpoint_id"} {
		if s, _ := m[k].(string); s == "" {
			t.Errorf("%s: missing or not a string in %s", k, r.body)
		}
	}
	if got := m["owner_id"]; got != tJane {
		t.Errorf("owner_id: got %#v; want the string %q", got, tJane)
	}
	if got := m["token_type"]; got != "bearer" {
		t.Errorf("token_type: got %v; want bearer", got)
	}
	if got := num(m, "expires_in"); got != 3599 {
		t.Errorf("expires_in: got %v; want 3599 (remaining seconds)", got)
	}
	if got := num(m, "refresh_token_expires_in"); got != 604799 {
		t.Errorf("refresh_token_expires_in: got %v; want 604799", got)
	}
	if r := ts.api(t, m["access_token"].(string)); r.status != 200 {
		t.Errorf("API call with the new token: got %d %s; want 200", r.status, r.body)
	}
}

func TestPasswordGrantLogins(t *testing.T) {
	ts := newTestServer(t)
	tests := []struct {
		name, username, extension string
	}{
		{"number*ext", "+16505550100*101", ""},
		{"number and deprecated extension parameter", "+16505550100", "101"},
		{"bare number with country code", "16505550100*101", ""},
		{"email", "jane.doe@example.com", ""},
		{"email in other case", "Jane.Doe@Example.COM", ""},
		{"direct number", "+16505550101", ""},
		{"company number alone means the main administrator", "+16505550100", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.do(t, request{path: PathToken, header: mainAuth(), body: formOf(
				"grant_type", "password", "username", tt.username, "password", tPassword, "extension", tt.extension)})
			if r.status != 200 || r.str(t, "owner_id") != tJane {
				t.Fatalf("got %d %s; want 200 for owner %s", r.status, r.body, tJane)
			}
		})
	}
}

func TestTokenEndpointErrors(t *testing.T) {
	ts := newTestServer(t)
	auth := mainAuth()
	tests := []struct {
		name   string
		rq     request
		status int
		oauth  string
		code   string
	}{
		{"wrong password", request{body: formOf("grant_type", "password", "username", tUsername, "password", "nope"), header: auth}, 400, "invalid_grant", "OAU-140"},
		{"unknown user", request{body: formOf("grant_type", "password", "username", "+19995550000", "password", tPassword), header: auth}, 400, "invalid_grant", "OAU-140"},
		{"missing username", request{body: formOf("grant_type", "password", "password", tPassword), header: auth}, 400, "invalid_request", "CMN-101"},
		{"empty username is missing", request{body: "grant_type=password&username=&password=x", header: auth}, 400, "invalid_request", "CMN-101"},
		{"missing password", request{body: formOf("grant_type", "password", "username", tUsername), header: auth}, 400, "invalid_request", "CMN-101"},
		{"missing grant_type", request{body: formOf("username", tUsername, "password", tPassword), header: auth}, 400, "invalid_request", "CMN-101"},
		{"unknown grant_type", request{body: formOf("grant_type", "implicit"), header: auth}, 400, "unsupported_grant_type", "CMN-101"},
		{"duplicated parameter", request{body: "grant_type=password&username=a&username=b&password=x", header: auth}, 400, "invalid_request", "OAU-111"},
		{"duplicated grant_type", request{body: "grant_type=password&grant_type=password", header: auth}, 400, "invalid_request", "OAU-111"},
		{"duplicated empty parameter", request{body: "grant_type=password&scope=&scope=", header: auth}, 400, "invalid_request", "OAU-111"},
		{"JSON body", request{body: `{"grant_type":"password"}`, header: map[string]string{"Authorization": basicAuth(tMainID, tMainSecret), "Content-Type": "application/json"}}, 415, "invalid_request", "HTTP-415"},
		{"GET instead of POST", request{method: http.MethodGet, header: auth}, 405, "invalid_request", "HTTP-405"},
		{"malformed percent-encoding", request{body: "grant_type=password&username=%zz", header: auth}, 400, "invalid_request", "CMN-101"},
		{"restricted app, password grant", request{body: formOf("grant_type", "password", "username", tUsername, "password", tPassword), header: map[string]string{"Authorization": basicAuth(tRestrictedID, tRestrictedSc)}}, 400, "unauthorized_client", "OAU-251"},
		{"public app, password grant", request{body: formOf("grant_type", "password", "username", tUsername, "password", tPassword, "client_id", tPublicID)}, 400, "unauthorized_client", "OAU-251"},
		{"scope not granted", request{body: formOf("grant_type", "password", "username", tUsername, "password", tPassword, "scope", "ReadAccounts EditEverything"), header: auth}, 400, "invalid_scope", "CMN-101"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.rq.path = PathToken
			wantError(t, ts.do(t, tt.rq), tt.status, tt.oauth, tt.code)
		})
	}
	t.Run("405 names the allowed method", func(t *testing.T) {
		r := ts.do(t, request{method: http.MethodGet, path: PathToken})
		if got := r.header.Get("Allow"); got != "POST" {
			t.Errorf("Allow: got %q; want POST", got)
		}
	})
	t.Run("oversized body", func(t *testing.T) {
		r := ts.do(t, request{path: PathToken, header: auth, body: "grant_type=password&x=" + strings.Repeat("a", 70<<10)})
		wantError(t, r, 413, "invalid_request", "HTTP-413")
	})
}

func TestClientAuthentication(t *testing.T) {
	ts := newTestServer(t)
	pw := []string{"grant_type", "password", "username", tUsername, "password", tPassword}
	tests := []struct {
		name   string
		header map[string]string
		extra  []string
		status int
		oauth  string
		code   string
	}{
		{"Basic, form-encoded secret with : % +", map[string]string{"Authorization": basicAuth(tMainID, tMainSecret)}, nil, 200, "", ""},
		{"Basic, raw secret as the SDKs send it", map[string]string{"Authorization": rawBasic(tMainID, tMainSecret)}, nil, 200, "", ""},
		{"Basic scheme in lower case", map[string]string{"Authorization": "basic " + strings.TrimPrefix(basicAuth(tMainID, tMainSecret), "Basic ")}, nil, 200, "", ""},
		{"Basic plus the same client_id in the body", map[string]string{"Authorization": basicAuth(tMainID, tMainSecret)}, []string{"client_id", tMainID}, 200, "", ""},
		{"Basic plus another client_id in the body", map[string]string{"Authorization": basicAuth(tMainID, tMainSecret)}, []string{"client_id", tPublicID}, 400, "invalid_client", "OAU-153"},
		{"Basic plus client_secret in the body", map[string]string{"Authorization": basicAuth(tMainID, tMainSecret)}, []string{"client_secret", tMainSecret}, 400, "invalid_client", "OAU-153"},
		{"wrong secret", map[string]string{"Authorization": basicAuth(tMainID, "wrong")}, nil, 400, "invalid_client", "OAU-146"},
		{"unknown client in Basic", map[string]string{"Authorization": basicAuth("nobody", "x")}, nil, 400, "invalid_client", "OAU-146"},
		{"no credentials", nil, nil, 400, "invalid_client", "OAU-123"},
		{"confidential app with client_id only", nil, []string{"client_id", tMainID}, 400, "invalid_client", "OAU-123"},
		{"unknown client_id in the body", nil, []string{"client_id", "nobody"}, 400, "invalid_client", "OAU-153"},
		{"client_secret_post is not supported", nil, []string{"client_id", tMainID, "client_secret", tMainSecret}, 400, "invalid_client", "OAU-151"},
		{"Authorization is not Basic", map[string]string{"Authorization": "Bearer abc"}, nil, 400, "invalid_client", "OAU-123"},
		{"Basic value is not base64", map[string]string{"Authorization": "Basic !!!"}, nil, 400, "invalid_client", "OAU-123"},
		{"Basic value without a colon", map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("nocolon"))}, nil, 400, "invalid_client", "OAU-123"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.do(t, request{path: PathToken, header: tt.header, body: formOf(append(append([]string{}, pw...), tt.extra...)...)})
			if tt.status == 200 {
				if r.status != 200 {
					t.Fatalf("got %d %s; want 200", r.status, r.body)
				}
				return
			}
			wantError(t, r, tt.status, tt.oauth, tt.code)
		})
	}
}

func TestPublicClientIdentification(t *testing.T) {
	ts := newTestServer(t)
	// The public app is not approved for the password grant, so a successful identification shows as
	// OAU-251 rather than a client error.
	tests := []struct {
		name   string
		header map[string]string
		extra  []string
		code   string
	}{
		{"client_id in the body", nil, []string{"client_id", tPublicID}, "OAU-251"},
		{"Basic with an empty secret, as the Python SDK sends", map[string]string{"Authorization": rawBasic(tPublicID, "")}, nil, "OAU-251"},
		{"Basic with a secret", map[string]string{"Authorization": rawBasic(tPublicID, "guess")}, nil, "OAU-146"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.do(t, request{path: PathToken, header: tt.header, body: formOf(append([]string{"grant_type", "password", "username", tUsername, "password", tPassword}, tt.extra...)...)})
			if got := r.errorCode(t); got != tt.code {
				t.Fatalf("errorCode: got %q; want %q (%s)", got, tt.code, r.body)
			}
		})
	}
}

func TestTTLs(t *testing.T) {
	ts := newTestServer(t)
	tests := []struct {
		name                  string
		access, refresh       string
		wantAccess            float64
		wantRefresh           float64 // -1: refresh_token and refresh_token_expires_in absent
		wantRefreshTokenFound bool
	}{
		{"defaults", "", "", 3599, 604799, true},
		{"below the minimum is raised to 600", "300", "", 599, 604799, true},
		{"600", "600", "", 599, 604799, true},
		{"in range", "1800", "", 1799, 604799, true},
		{"3600", "3600", "", 3599, 604799, true},
		{"above the maximum is lowered to 3600", "7200", "", 3599, 604799, true},
		{"0 as the Go SDK sends it is raised to 600", "0", "", 599, 604799, true},
		{"negative is raised to 600", "-5", "", 599, 604799, true},
		{"NaN as the JS SDK sends it is ignored", "NaN", "NaN", 3599, 604799, true},
		{"a fraction is not a decimal integer: ignored", "900.7", "", 3599, 604799, true},
		{"refresh below the default", "", "3600", 3599, 3599, true},
		{"refresh above the default is lowered to it", "", "2592000", 3599, 604799, true},
		{"refresh 0 suppresses the refresh token", "", "0", 3599, -1, false},
		{"refresh negative uses the default", "", "-1", 3599, 604799, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var extra []string
			if tt.access != "" {
				extra = append(extra, "access_token_ttl", tt.access)
			}
			if tt.refresh != "" {
				extra = append(extra, "refresh_token_ttl", tt.refresh)
			}
			m := ts.login(t, extra...)
			if got := num(m, "expires_in"); got != tt.wantAccess {
				t.Errorf("expires_in: got %v; want %v", got, tt.wantAccess)
			}
			_, hasRT := m["refresh_token"]
			_, hasRTE := m["refresh_token_expires_in"]
			if hasRT != tt.wantRefreshTokenFound || hasRTE != tt.wantRefreshTokenFound {
				t.Fatalf("refresh_token present=%v, refresh_token_expires_in present=%v; want both %v", hasRT, hasRTE, tt.wantRefreshTokenFound)
			}
			if tt.wantRefresh >= 0 {
				if got := num(m, "refresh_token_expires_in"); got != tt.wantRefresh {
					t.Errorf("refresh_token_expires_in: got %v; want %v", got, tt.wantRefresh)
				}
			}
		})
	}
	t.Run("exact expires_in option", func(t *testing.T) {
		ts := newTestServer(t, func(o *Options) { o.ExactExpiresIn = true })
		if got := num(ts.login(t), "expires_in"); got != 3600 {
			t.Errorf("expires_in: got %v; want 3600", got)
		}
	})
	t.Run("expires_in counts down", func(t *testing.T) {
		m := ts.login(t)
		ts.clock.Advance(100 * time.Second)
		// A reuse of the old refresh token within its grace answers the same pair with the remaining time.
		r1 := ts.refresh(t, m["refresh_token"].(string))
		ts.clock.Advance(10 * time.Second)
		r2 := ts.refresh(t, m["refresh_token"].(string))
		if got, want := num(r2.json(t), "expires_in"), num(r1.json(t), "expires_in")-10; got != want {
			t.Errorf("expires_in on the replayed refresh: got %v; want %v", got, want)
		}
	})
}

func TestRefreshRotation(t *testing.T) {
	t.Run("new pair, same session, old access token dead at once", func(t *testing.T) {
		ts := newTestServer(t)
		m := ts.login(t)
		r := ts.refresh(t, m["refresh_token"].(string))
		if r.status != 200 {
			t.Fatalf("refresh: got %d %s", r.status, r.body)
		}
		n := r.json(t)
		if n["access_token"] == m["access_token"] || n["refresh_token"] == m["refresh_token"] {
			t.Fatal("refresh must issue a new access and refresh token")
		}
		if n["session_id"] != m["session_id"] {
			t.Errorf("session_id changed on refresh: %v -> %v", m["session_id"], n["session_id"])
		}
		old := ts.api(t, m["access_token"].(string))
		if old.status != 401 || old.errorCode(t) != "OAU-129" {
			t.Errorf("old access token right after refresh: got %d %s; want 401 OAU-129", old.status, old.body)
		}
		ts.clock.Advance(11 * time.Second)
		if old := ts.api(t, m["access_token"].(string)); old.status != 401 || old.errorCode(t) != "OAU-213" {
			t.Errorf("old access token later: got %d %s; want 401 OAU-213", old.status, old.body)
		}
		if r := ts.api(t, n["access_token"].(string)); r.status != 200 {
			t.Errorf("new access token: got %d", r.status)
		}
	})
	t.Run("grace: reuse returns the same pair until the new access token is used, then 10 s", func(t *testing.T) {
		ts := newTestServer(t)
		m := ts.login(t)
		rt0 := m["refresh_token"].(string)
		first := ts.refresh(t, rt0).json(t)
		ts.clock.Advance(30 * time.Minute)
		again := ts.refresh(t, rt0)
		if again.status != 200 || again.json(t)["access_token"] != first["access_token"] || again.json(t)["refresh_token"] != first["refresh_token"] {
			t.Fatalf("reuse within grace (unused new token): got %d %s; want the same pair", again.status, again.body)
		}
		if r := ts.api(t, first["access_token"].(string)); r.status != 200 {
			t.Fatalf("using the new access token: %d", r.status)
		}
		ts.clock.Advance(9 * time.Second)
		if r := ts.refresh(t, rt0); r.status != 200 {
			t.Fatalf("reuse 9 s after the new token's first use: got %d; want 200", r.status)
		}
		ts.clock.Advance(2 * time.Second)
		wantError(t, ts.refresh(t, rt0), 400, "invalid_grant", "OAU-213")
		if r := ts.refresh(t, first["refresh_token"].(string)); r.status != 200 {
			t.Errorf("the new refresh token still works: got %d %s", r.status, r.body)
		}
	})
	t.Run("grace ends after 60 minutes when the new token is never used", func(t *testing.T) {
		ts := newTestServer(t)
		rt0 := ts.login(t)["refresh_token"].(string)
		ts.refresh(t, rt0)
		ts.clock.Advance(60 * time.Minute)
		wantError(t, ts.refresh(t, rt0), 400, "invalid_grant", "OAU-213")
	})
	t.Run("a second rotation ends the first token's grace", func(t *testing.T) {
		ts := newTestServer(t)
		rt0 := ts.login(t)["refresh_token"].(string)
		rt1 := ts.refresh(t, rt0).json(t)["refresh_token"].(string)
		if r := ts.refresh(t, rt1); r.status != 200 {
			t.Fatalf("second refresh: %d %s", r.status, r.body)
		}
		wantError(t, ts.refresh(t, rt0), 400, "invalid_grant", "OAU-213")
	})
	t.Run("expired refresh token", func(t *testing.T) {
		ts := newTestServer(t)
		rt := ts.login(t, "refresh_token_ttl", "3600")["refresh_token"].(string)
		ts.clock.Advance(3601 * time.Second)
		wantError(t, ts.refresh(t, rt), 400, "invalid_grant", "OAU-210")
	})
	t.Run("refresh allowed after the access token expired", func(t *testing.T) {
		ts := newTestServer(t)
		m := ts.login(t)
		ts.clock.Advance(2 * time.Hour)
		if r := ts.api(t, m["access_token"].(string)); r.status != 401 || r.errorCode(t) != "OAU-210" {
			t.Errorf("expired access token: got %d %s; want 401 OAU-210", r.status, r.body)
		}
		if r := ts.refresh(t, m["refresh_token"].(string)); r.status != 200 {
			t.Errorf("refresh after access expiry: got %d %s; want 200", r.status, r.body)
		}
	})
	t.Run("another app's refresh token", func(t *testing.T) {
		ts := newTestServer(t)
		rt := ts.login(t)["refresh_token"].(string)
		r := ts.do(t, request{path: PathToken, body: formOf("grant_type", "refresh_token", "refresh_token", rt, "client_id", tPublicID)})
		wantError(t, r, 400, "invalid_grant", "OAU-213")
	})
	t.Run("unknown and access tokens are not refresh tokens", func(t *testing.T) {
		ts := newTestServer(t)
		at := ts.login(t)["access_token"].(string)
		wantError(t, ts.refresh(t, "not-a-token"), 400, "invalid_grant", "OAU-213")
		wantError(t, ts.refresh(t, at), 400, "invalid_grant", "OAU-213")
	})
	t.Run("refresh_token_ttl=0 on refresh ends the chain", func(t *testing.T) {
		ts := newTestServer(t)
		rt := ts.login(t)["refresh_token"].(string)
		n := ts.refresh(t, rt, "refresh_token_ttl", "0").json(t)
		if _, ok := n["refresh_token"]; ok {
			t.Errorf("refresh with refresh_token_ttl=0 returned a refresh token: %v", n)
		}
	})
	t.Run("scope wider than the session is refused", func(t *testing.T) {
		ts := newTestServer(t)
		rt := ts.login(t, "scope", "ReadAccounts")["refresh_token"].(string)
		wantError(t, ts.refresh(t, rt, "scope", "ReadAccounts SMS"), 400, "invalid_scope", "CMN-101")
	})
	t.Run("concurrent refreshes with one token rotate once", func(t *testing.T) {
		ts := newTestServer(t)
		rt := ts.login(t)["refresh_token"].(string)
		const n = 8
		results := make(chan response, n)
		for range n {
			go func() { results <- ts.refresh(t, rt) }()
		}
		seen := map[any]bool{}
		for range n {
			r := <-results
			if r.status != 200 {
				t.Fatalf("concurrent refresh: got %d %s", r.status, r.body)
			}
			seen[r.json(t)["access_token"]] = true
		}
		if len(seen) != 1 {
			t.Errorf("concurrent refreshes produced %d different access tokens; want 1", len(seen))
		}
	})
}

func TestSessionLimit(t *testing.T) {
	t.Run("sixth login evicts the oldest", func(t *testing.T) {
		ts := newTestServer(t)
		var ats []string
		for range 6 {
			ats = append(ats, ts.login(t)["access_token"].(string))
		}
		if r := ts.api(t, ats[0]); r.status != 401 || r.errorCode(t) != "OAU-213" {
			t.Errorf("first session after the sixth login: got %d %s; want 401 OAU-213", r.status, r.body)
		}
		for i, at := range ats[1:] {
			if r := ts.api(t, at); r.status != 200 {
				t.Errorf("session %d: got %d; want 200", i+2, r.status)
			}
		}
	})
	t.Run("reject mode answers 429", func(t *testing.T) {
		ts := newTestServer(t, func(o *Options) { o.Settings.SessionLimitMode = SessionLimitReject })
		for range 5 {
			ts.login(t)
		}
		r := ts.password(t)
		if r.status != 429 || r.header.Get("Retry-After") == "" {
			t.Fatalf("sixth login: got %d (Retry-After %q) %s; want 429 with Retry-After", r.status, r.header.Get("Retry-After"), r.body)
		}
	})
	t.Run("limit is per user and per app", func(t *testing.T) {
		ts := newTestServer(t)
		for range 5 {
			ts.login(t)
		}
		other := ts.do(t, request{path: PathToken, header: mainAuth(), body: formOf("grant_type", "password", "username", "john.roe@example.com", "password", "Second-Pa55word!")})
		if other.status != 200 {
			t.Fatalf("other user: %d %s", other.status, other.body)
		}
		if got := ts.srv.realm("").counts()["sessions"]; got != 6 {
			t.Errorf("sessions: got %d; want 6 (5 + 1 of another user)", got)
		}
	})
	t.Run("expired sessions do not count", func(t *testing.T) {
		ts := newTestServer(t)
		first := ts.login(t, "refresh_token_ttl", "0")["access_token"].(string)
		for range 4 {
			ts.login(t)
		}
		ts.clock.Advance(3601 * time.Second)
		ts.login(t)
		if r := ts.api(t, first); r.status != 401 || r.errorCode(t) != "OAU-210" {
			t.Errorf("the expired first session answers: got %d %s; want 401 OAU-210 (not evicted)", r.status, r.body)
		}
	})
}

func TestRevoke(t *testing.T) {
	revoke := func(ts *testServer, tb testing.TB, query, body string, header map[string]string) response {
		tb.Helper()
		path := PathRevoke
		if query != "" {
			path += "?" + query
		}
		return ts.do(tb, request{path: path, body: body, header: header})
	}
	t.Run("access token in the body ends the whole session", func(t *testing.T) {
		ts := newTestServer(t)
		m := ts.login(t)
		r := revoke(ts, t, "", formOf("token", m["access_token"].(string)), mainAuth())
		if r.status != 200 || len(r.body) != 0 {
			t.Fatalf("revoke: got %d %q; want 200 with an empty body", r.status, r.body)
		}
		if r := ts.api(t, m["access_token"].(string)); r.status != 401 || r.errorCode(t) != "OAU-213" {
			t.Errorf("API after revoke: got %d %s; want 401 OAU-213", r.status, r.body)
		}
		wantError(t, ts.refresh(t, m["refresh_token"].(string)), 400, "invalid_grant", "OAU-211")
	})
	t.Run("refresh token in the query ends the whole session", func(t *testing.T) {
		ts := newTestServer(t)
		m := ts.login(t)
		if r := revoke(ts, t, formOf("token", m["refresh_token"].(string)), "", mainAuth()); r.status != 200 {
			t.Fatalf("revoke: got %d %s", r.status, r.body)
		}
		if r := ts.api(t, m["access_token"].(string)); r.status != 401 {
			t.Errorf("API after revoking the refresh token: got %d; want 401", r.status)
		}
	})
	// What a replaced access token does is the mock's choice (Settings.RevokeWithReplacedToken): by default
	// it ends nothing; with the setting, it ends its session within the grace of replaced tokens only.
	for _, tt := range []struct {
		name    string
		setting bool
		after   time.Duration // the clock moved between the refresh and the revocation
		wantAPI int           // the session's newest access token at the API afterwards
	}{
		{"an access token a refresh replaced answers 200 and ends nothing", false, 0, 200},
		{"with revoke_with_replaced_token, it ends its session", true, 0, 401},
		{"with revoke_with_replaced_token, past the grace it ends nothing", true, 11 * time.Second, 200},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, func(o *Options) { o.Settings.RevokeWithReplacedToken = tt.setting })
			m := ts.login(t)
			n := ts.refresh(t, m["refresh_token"].(string))
			if n.status != 200 {
				t.Fatalf("refresh: got %d %s", n.status, n.body)
			}
			ts.clock.Advance(tt.after)
			if r := revoke(ts, t, "", formOf("token", m["access_token"].(string)), mainAuth()); r.status != 200 {
				t.Fatalf("revoke: got %d %s; want 200", r.status, r.body)
			}
			var fresh map[string]any
			if err := json.Unmarshal(n.body, &fresh); err != nil {
				t.Fatal(err)
			}
			if r := ts.api(t, fresh["access_token"].(string)); r.status != tt.wantAPI {
				t.Errorf("API with the session's newest access token after revoking the replaced one: got %d %s; want %d", r.status, r.body, tt.wantAPI)
			}
		})
	}
	t.Run("unknown token answers 200", func(t *testing.T) {
		ts := newTestServer(t)
		if r := revoke(ts, t, "", formOf("token", "unknown"), mainAuth()); r.status != 200 {
			t.Errorf("got %d %s; want 200", r.status, r.body)
		}
	})
	t.Run("expired token answers 200", func(t *testing.T) {
		ts := newTestServer(t)
		m := ts.login(t)
		ts.clock.Advance(8 * 24 * time.Hour)
		if r := revoke(ts, t, "", formOf("token", m["refresh_token"].(string)), mainAuth()); r.status != 200 {
			t.Errorf("got %d %s; want 200", r.status, r.body)
		}
	})
	t.Run("another app's token answers 200 and stays valid", func(t *testing.T) {
		ts := newTestServer(t)
		m := ts.login(t)
		r := revoke(ts, t, "", formOf("token", m["access_token"].(string)), map[string]string{"Authorization": basicAuth(tRestrictedID, tRestrictedSc)})
		if r.status != 200 {
			t.Fatalf("got %d %s; want 200", r.status, r.body)
		}
		if r := ts.api(t, m["access_token"].(string)); r.status != 200 {
			t.Errorf("token revoked by another app: got %d; want 200", r.status)
		}
	})
	t.Run("no token is CMN-101", func(t *testing.T) {
		ts := newTestServer(t)
		wantError(t, revoke(ts, t, "", "", mainAuth()), 400, "invalid_request", "CMN-101")
		wantError(t, revoke(ts, t, "", "token=", mainAuth()), 400, "invalid_request", "CMN-101")
	})
	t.Run("body and query disagree is OAU-150", func(t *testing.T) {
		ts := newTestServer(t)
		wantError(t, revoke(ts, t, "token=a", "token=b", mainAuth()), 400, "invalid_request", "OAU-150")
	})
	t.Run("the same token in body and query is fine", func(t *testing.T) {
		ts := newTestServer(t)
		if r := revoke(ts, t, "token=a", "token=a", mainAuth()); r.status != 200 {
			t.Errorf("got %d %s; want 200", r.status, r.body)
		}
	})
	t.Run("client authentication is required", func(t *testing.T) {
		ts := newTestServer(t)
		wantError(t, revoke(ts, t, "", "token=a", nil), 400, "invalid_client", "OAU-123")
		wantError(t, revoke(ts, t, "", "token=a", map[string]string{"Authorization": basicAuth(tMainID, "wrong")}), 400, "invalid_client", "OAU-146")
	})
	t.Run("public client revokes with client_id", func(t *testing.T) {
		ts := newTestServer(t)
		if r := revoke(ts, t, "", formOf("token", "a", "client_id", tPublicID), nil); r.status != 200 {
			t.Errorf("got %d %s; want 200", r.status, r.body)
		}
	})
	t.Run("JSON body as the Go SDK sends it", func(t *testing.T) {
		ts := newTestServer(t)
		h := mainAuth()
		h["Content-Type"] = "application/json"
		wantError(t, revoke(ts, t, "", `{token: "abc"}`, h), 415, "invalid_request", "HTTP-415")
	})
}

func TestResourceEndpoints(t *testing.T) {
	ts := newTestServer(t)
	at := ts.login(t)["access_token"].(string)
	tests := []struct {
		name   string
		method string
		path   string
		authz  string
		status int
		code   string
	}{
		{"account with Bearer", "GET", PathAccount, "Bearer " + at, 200, ""},
		{"extension with Bearer", "GET", PathExtension, "Bearer " + at, 200, ""},
		{"account by id", "GET", "/restapi/v1.0/account/37439510", "Bearer " + at, 200, ""},
		{"extension by ids", "GET", "/restapi/v1.0/account/~/extension/62264425016", "Bearer " + at, 200, ""},
		{"lower-case bearer scheme as the SDKs send it", "GET", PathAccount, "bearer " + at, 200, ""},
		{"another account", "GET", "/restapi/v1.0/account/1", "Bearer " + at, 404, "CMN-102"},
		{"no Authorization header", "GET", PathAccount, "", 401, "OAU-123"},
		{"Basic instead of Bearer", "GET", PathAccount, "Basic abc", 401, "OAU-134"},
		{"Bearer without a token", "GET", PathAccount, "Bearer ", 401, "OAU-134"},
		{"unknown token", "GET", PathAccount, "Bearer nope", 401, "OAU-213"},
		{"POST is not allowed", "POST", PathAccount, "Bearer " + at, 405, "HTTP-405"},
		{"unknown path", "GET", "/restapi/v1.0/unknown", "", 404, "CMN-102"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.do(t, request{method: tt.method, path: tt.path, header: map[string]string{"Authorization": tt.authz}})
			if r.status != tt.status {
				t.Fatalf("status: got %d %s; want %d", r.status, r.body, tt.status)
			}
			if tt.code == "" {
				return
			}
			m := r.json(t)
			if _, has := m["error"]; has {
				t.Errorf("API errors have no `error` member: %s", r.body)
			}
			if m["errorCode"] != tt.code || r.errorCode(t) != tt.code {
				t.Errorf("errorCode: got %v / %v; want %s", m["errorCode"], r.errorCode(t), tt.code)
			}
			if tt.status == 401 && !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate: got %q; want a Bearer challenge (RFC 6750 §3)", r.header.Get("WWW-Authenticate"))
			}
		})
	}
	t.Run("no error attribute when no credentials were sent", func(t *testing.T) {
		r := ts.do(t, request{method: "GET", path: PathAccount})
		if strings.Contains(r.header.Get("WWW-Authenticate"), "error=") {
			t.Errorf("WWW-Authenticate %q must not carry an error without credentials (RFC 6750 §3.1)", r.header.Get("WWW-Authenticate"))
		}
	})
	t.Run("extension body", func(t *testing.T) {
		m := ts.do(t, request{method: "GET", path: PathExtension, header: map[string]string{"Authorization": "Bearer " + at}}).json(t)
		if m["id"] != float64(62264425016) || m["extensionNumber"] != "101" {
			t.Errorf("extension: got %v", m)
		}
	})
}

func TestRateLimit(t *testing.T) {
	ts := newTestServer(t, func(o *Options) { o.Settings.RateLimit = true })
	for i := range 5 {
		r := ts.password(t)
		if r.status != 200 {
			t.Fatalf("request %d: got %d %s", i+1, r.status, r.body)
		}
		if got, want := r.header.Get("X-Rate-Limit-Remaining"), []string{"4", "3", "2", "1", "0"}[i]; got != want {
			t.Errorf("request %d X-Rate-Limit-Remaining: got %q; want %q", i+1, got, want)
		}
		for k, want := range map[string]string{"X-Rate-Limit-Group": "auth", "X-Rate-Limit-Limit": "5", "X-Rate-Limit-Window": "60"} {
			if got := r.header.Get(k); got != want {
				t.Errorf("%s: got %q; want %q", k, got, want)
			}
		}
	}
	r := ts.password(t)
	if r.status != 429 || r.header.Get("Retry-After") != "60" {
		t.Fatalf("sixth request: got %d Retry-After %q %s; want 429 Retry-After 60", r.status, r.header.Get("Retry-After"), r.body)
	}
	m := r.json(t)
	if m["errorCode"] != "CMN-301" || r.errorCode(t) != "CMN-301" {
		t.Errorf("429 body: got %s; want CMN-301", r.body)
	}
	// A request during the penalty restarts it.
	ts.clock.Advance(30 * time.Second)
	if r := ts.password(t); r.status != 429 || r.header.Get("Retry-After") != "60" {
		t.Errorf("during the penalty: got %d Retry-After %q; want 429 and a restarted 60 s penalty", r.status, r.header.Get("Retry-After"))
	}
	ts.clock.Advance(61 * time.Second)
	if r := ts.password(t); r.status != 200 {
		t.Errorf("after the penalty: got %d %s; want 200", r.status, r.body)
	}
	t.Run("another user is not limited", func(t *testing.T) {
		r := ts.do(t, request{path: PathToken, header: mainAuth(), body: formOf("grant_type", "password", "username", "john.roe@example.com", "password", "Second-Pa55word!")})
		if r.status != 200 {
			t.Errorf("got %d %s; want 200", r.status, r.body)
		}
	})
	t.Run("off by default", func(t *testing.T) {
		ts := newTestServer(t)
		for range 10 {
			if r := ts.password(t); r.status != 200 || r.header.Get("X-Rate-Limit-Group") != "" {
				t.Fatalf("got %d with rate-limit headers %q; want 200 without", r.status, r.header.Get("X-Rate-Limit-Group"))
			}
		}
	})
}

func TestControlAPI(t *testing.T) {
	t.Run("clock advance is scoped to the scenario", func(t *testing.T) {
		ts := newTestServer(t)
		hA := map[string]string{ScenarioHeader: "A", "Authorization": basicAuth(tMainID, tMainSecret)}
		hB := map[string]string{ScenarioHeader: "B", "Authorization": basicAuth(tMainID, tMainSecret)}
		body := formOf("grant_type", "password", "username", tUsername, "password", tPassword)
		atA := ts.do(t, request{path: PathToken, body: body, header: hA}).str(t, "access_token")
		atB := ts.do(t, request{path: PathToken, body: body, header: hB}).str(t, "access_token")
		r := ts.do(t, request{path: PathControl + "clock", body: `{"advance_seconds": 3600}`, header: map[string]string{ScenarioHeader: "A", "Content-Type": "application/json"}})
		if r.status != 200 || r.str(t, "now") == "" {
			t.Fatalf("advance: got %d %s", r.status, r.body)
		}
		call := func(realm, at string) int {
			return ts.do(t, request{method: "GET", path: PathAccount, header: map[string]string{ScenarioHeader: realm, "Authorization": "Bearer " + at}}).status
		}
		if got := call("A", atA); got != 401 {
			t.Errorf("realm A after 3600 s: got %d; want 401", got)
		}
		if got := call("B", atB); got != 200 {
			t.Errorf("realm B untouched: got %d; want 200", got)
		}
		if got := call("", atB); got != 401 {
			t.Errorf("realm B's token in the default realm: got %d; want 401", got)
		}
	})
	t.Run("clock never goes back", func(t *testing.T) {
		ts := newTestServer(t)
		if r := ts.control(t, "POST", "clock", `{"advance_seconds": -1}`); r.status != 400 {
			t.Errorf("got %d; want 400", r.status)
		}
		if r := ts.control(t, "POST", "clock", `{"advance": 1}`); r.status != 400 {
			t.Errorf("unknown member: got %d; want 400", r.status)
		}
	})
	t.Run("faults answer the next N requests, then stop", func(t *testing.T) {
		ts := newTestServer(t)
		r := ts.control(t, "POST", "faults", `{"path":"/restapi/oauth/token","count":2,"status":503,"body":"{\"message\":\"Service Unavailable\"}","content_type":"application/json","headers":{"Retry-After":"1"}}`)
		if r.status != 204 {
			t.Fatalf("inject: got %d %s", r.status, r.body)
		}
		for i := range 2 {
			if r := ts.password(t); r.status != 503 || r.header.Get("Retry-After") != "1" || string(r.body) != `{"message":"Service Unavailable"}` {
				t.Errorf("request %d: got %d %s; want the injected 503", i+1, r.status, r.body)
			}
		}
		if r := ts.password(t); r.status != 200 {
			t.Errorf("after the fault: got %d; want 200", r.status)
		}
	})
	t.Run("a delayed fault gives up when the client does", func(t *testing.T) {
		ts := newTestServer(t)
		ts.control(t, "POST", "faults", `{"path":"/restapi/oauth/token","count":1,"delay_ms":60000}`)
		client := &http.Client{Timeout: 50 * time.Millisecond}
		_, err := client.Post(ts.url+PathToken, formContentType, strings.NewReader("grant_type=password"))
		if err == nil {
			t.Fatal("got an answer; want a client timeout")
		}
	})
	t.Run("faults validate", func(t *testing.T) {
		ts := newTestServer(t)
		for _, body := range []string{`{"path":"token","count":1}`, `{"path":"/x","count":0}`, `{"path":"/x","count":1,"status":42}`, `not json`} {
			if r := ts.control(t, "POST", "faults", body); r.status != 400 {
				t.Errorf("%s: got %d; want 400", body, r.status)
			}
		}
		ts.control(t, "POST", "faults", `{"path":"*","count":5,"status":500}`)
		ts.control(t, "DELETE", "faults", "")
		if r := ts.password(t); r.status != 200 {
			t.Errorf("after clearing faults: got %d; want 200", r.status)
		}
	})
	t.Run("settings patch is partial and scoped", func(t *testing.T) {
		ts := newTestServer(t)
		r := ts.do(t, request{method: "PATCH", path: PathControl + "settings", body: `{"rate_limit":true}`, header: map[string]string{ScenarioHeader: "S", "Content-Type": "application/json"}})
		m := r.json(t)
		if m["rate_limit"] != true || m["session_limit_mode"] != SessionLimitEvict || m["revoke_on_code_reuse"] != true {
			t.Errorf("settings after patch: %v", m)
		}
		if got := ts.control(t, "GET", "settings", "").json(t)["rate_limit"]; got != false {
			t.Errorf("default realm rate_limit: got %v; want false", got)
		}
		if r := ts.control(t, "PATCH", "settings", `{"session_limit_mode":"sometimes"}`); r.status != 400 {
			t.Errorf("invalid mode: got %d; want 400", r.status)
		}
	})
	t.Run("reset forgets the realm", func(t *testing.T) {
		ts := newTestServer(t)
		h := map[string]string{ScenarioHeader: "R", "Authorization": basicAuth(tMainID, tMainSecret)}
		at := ts.do(t, request{path: PathToken, body: formOf("grant_type", "password", "username", tUsername, "password", tPassword), header: h}).str(t, "access_token")
		ts.do(t, request{path: PathControl + "reset", header: map[string]string{ScenarioHeader: "R"}})
		r := ts.do(t, request{method: "GET", path: PathAccount, header: map[string]string{ScenarioHeader: "R", "Authorization": "Bearer " + at}})
		if r.status != 401 {
			t.Errorf("token after reset: got %d; want 401", r.status)
		}
	})
	t.Run("health and state", func(t *testing.T) {
		ts := newTestServer(t)
		if r := ts.control(t, "GET", "health", ""); r.status != 200 || r.str(t, "status") != "ok" {
			t.Errorf("health: %d %s", r.status, r.body)
		}
		ts.login(t)
		if got := ts.control(t, "GET", "state", "").json(t)["sessions"]; got != float64(1) {
			t.Errorf("state sessions: got %v; want 1", got)
		}
		if r := ts.control(t, "GET", "nope", ""); r.status != 404 {
			t.Errorf("unknown control route: got %d; want 404", r.status)
		}
	})
	t.Run("disabled control API is 404", func(t *testing.T) {
		ts := newTestServer(t, func(o *Options) { o.Control = false })
		if r := ts.control(t, "GET", "health", ""); r.status != 404 {
			t.Errorf("got %d; want 404", r.status)
		}
	})
}

func TestFixtureLoader(t *testing.T) {
	valid := DefaultFixture()
	encode := func(f *Fixture) []byte {
		b, _ := json.Marshal(f)
		return b
	}
	t.Run("default fixture is valid", func(t *testing.T) {
		if _, err := ParseFixture(encode(valid)); err != nil {
			t.Fatal(err)
		}
	})
	tests := []struct {
		name   string
		mutate func(f *Fixture)
		want   string
	}{
		{"unknown grant", func(f *Fixture) { f.Apps[0].GrantTypes = []string{"implicit"} }, `unknown grant type "implicit"`},
		{"bad app type", func(f *Fixture) { f.Apps[0].Type = "secret" }, "type must be confidential or public"},
		{"public app with a secret method", func(f *Fixture) { f.Apps[1].AuthMethods = []string{AuthClientSecretBasic} }, "public app authenticates"},
		{"duplicate client", func(f *Fixture) { f.Apps[1].ClientID = f.Apps[0].ClientID }, "duplicate client_id"},
		{"user of unknown account", func(f *Fixture) { f.Users[0].AccountID = "nope" }, `unknown account_id "nope"`},
		{"bad key", func(f *Fixture) { f.Environment.CredentialPublicKey = "garbage" }, "credential_public_key"},
		{"private_key_jwt without keys", func(f *Fixture) { f.Apps[4].Keys = nil }, "private_key_jwt needs at least one registered key"},
		{"unknown credential kind", func(f *Fixture) { f.Users[0].JWTCredentials[0].Kind = "magic" }, `unknown kind "magic"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := DefaultFixture()
			tt.mutate(f)
			_, err := ParseFixture(encode(f))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v; want an error containing %q", err, tt.want)
			}
		})
	}
	t.Run("unknown member", func(t *testing.T) {
		if _, err := ParseFixture([]byte(`{"apps":[],"colour":"blue"}`)); err == nil || !strings.Contains(err.Error(), "colour") {
			t.Fatalf("got %v; want an error naming the unknown member", err)
		}
	})
	t.Run("file", func(t *testing.T) {
		if _, err := LoadFixture("fixtures/default.json"); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadFixture("fixtures/missing.json"); err == nil || !strings.Contains(err.Error(), "missing.json") {
			t.Fatalf("got %v; want an error naming the file", err)
		}
	})
}

func TestNewRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Options)
	}{
		{"session limit 0", func(o *Options) { o.SessionLimit = 0 }},
		{"TTL bounds", func(o *Options) { o.AccessTTLMin = 2 * time.Hour }},
		{"rate limit", func(o *Options) { o.RateLimitMax = 0 }},
		{"session mode", func(o *Options) { o.Settings.SessionLimitMode = "maybe" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := DefaultOptions()
			tt.mutate(&o)
			if _, err := New(o); err == nil {
				t.Fatal("got nil error; want the options refused")
			}
		})
	}
}

func TestNoRefreshTokenWithoutTheRefreshGrant(t *testing.T) {
	f := DefaultFixture()
	f.Apps[0].GrantTypes = []string{GrantPassword}
	ts := newTestServer(t, func(o *Options) { o.Fixture = f })
	m := ts.login(t)
	if _, ok := m["refresh_token"]; ok {
		t.Errorf("an app not approved for the refresh_token grant got a refresh token: %v", m)
	}
	if _, ok := m["refresh_token_expires_in"]; ok {
		t.Errorf("refresh_token_expires_in without a refresh token: %v", m)
	}
}

func TestRevokedRefreshTokensAreRemembered(t *testing.T) {
	t.Run("an evicted session's refresh token answers OAU-211", func(t *testing.T) {
		ts := newTestServer(t)
		first := ts.login(t)["refresh_token"].(string)
		for range 5 {
			ts.login(t)
		}
		wantError(t, ts.refresh(t, first), 400, "invalid_grant", "OAU-211")
	})
	t.Run("the memory is bounded", func(t *testing.T) {
		ts := newTestServer(t)
		first := ts.login(t)["refresh_token"].(string)
		for range revokedMemory + 5 {
			ts.login(t)
		}
		wantError(t, ts.refresh(t, first), 400, "invalid_grant", "OAU-213")
		rl := ts.srv.realm("")
		rl.mu.Lock()
		n, order := len(rl.revoked), len(rl.revokedOrder)
		rl.mu.Unlock()
		if n != revokedMemory || order != revokedMemory {
			t.Errorf("remembered %d (order %d) revoked tokens; want at most %d", n, order, revokedMemory)
		}
	})
	t.Run("forgotten after expiry and retention", func(t *testing.T) {
		ts := newTestServer(t)
		first := ts.login(t, "refresh_token_ttl", "3600")["refresh_token"].(string)
		for range 5 {
			ts.login(t)
		}
		ts.clock.Advance(3600*time.Second + DefaultOptions().Retention + 2*time.Second)
		ts.login(t) // any request sweeps
		rl := ts.srv.realm("")
		rl.mu.Lock()
		_, still := rl.revoked[first]
		rl.mu.Unlock()
		if still {
			t.Error("a revoked refresh token past its expiry and the retention is still remembered")
		}
	})
}

// TestStateOwners: GET /__mock/state/owners counts active sessions per (user, app) from the sessions
// themselves, forgets ended and expired ones, leaves out user-less sessions, and is served read-only by
// Options.Inspect.
func TestStateOwners(t *testing.T) {
	type owner struct {
		ExtensionID    string `json:"extension_id"`
		ClientID       string `json:"client_id"`
		ActiveSessions int    `json:"active_sessions"`
	}
	owners := func(t *testing.T, ts *testServer) []owner {
		t.Helper()
		r := ts.control(t, "GET", "state/owners", "")
		var got struct{ Owners []owner }
		if err := json.Unmarshal(r.body, &got); err != nil || r.status != http.StatusOK {
			t.Fatalf("GET state/owners: got %d %s (%v); want 200 with owners", r.status, r.body, err)
		}
		return got.Owners
	}
	for _, mode := range []string{"control", "inspect"} {
		t.Run(mode, func(t *testing.T) {
			ts := newTestServer(t, func(o *Options) { o.Control, o.Inspect = mode == "control", mode == "inspect" })
			if got := owners(t, ts); len(got) != 0 {
				t.Errorf("before any login: got %v; want no owners", got)
			}
			for range 7 { // the sixth and seventh evict
				ts.login(t)
			}
			revoked := ts.login(t, "username", tJohnEmail, "password", "Second-Pa55word!")
			ts.login(t, "username", tJohnEmail, "password", "Second-Pa55word!")
			cc := ts.token(t, mainClient, formValues("grant_type", GrantClientCredentials, "account_id", "37439510"))
			if cc.status != http.StatusOK {
				t.Fatalf("client_credentials: got %d %s; want 200", cc.status, cc.body)
			}
			ts.do(t, request{path: PathRevoke, body: formOf("token", revoked["access_token"].(string)), header: map[string]string{"Authorization": basicAuth(tMainID, tMainSecret)}})
			want := []owner{{tJane, tMainID, 5}, {tJohn, tMainID, 1}}
			if got := owners(t, ts); !slices.Equal(got, want) {
				t.Errorf("after 7 logins of Jane, 2 of John (one revoked) and a client_credentials session: got %v; want %v", got, want)
			}
			ts.clock.Advance(8 * 24 * time.Hour)
			if got := owners(t, ts); len(got) != 0 {
				t.Errorf("after every session expired: got %v; want no owners", got)
			}
		})
	}
}

// TestGraceAnswerIsRenderedWithTheRotation: a refresh's answer is rendered under the lock that rotates, so
// the answer to a replaced refresh token within its grace is the pair that token issued, even when the
// successor is refreshed before the answer is written. (It used to be rendered after the lock was released,
// and could then carry the successor's successor: two pairs for one refresh token, which the load test's
// refresh invariant forbids.)
func TestGraceAnswerIsRenderedWithTheRotation(t *testing.T) {
	ts := newTestServer(t)
	old := ts.login(t)["refresh_token"].(string)
	rl, app := ts.srv.realm(""), ts.srv.fx.apps[tMainID]
	refresh := func(token string) *tokenInfo {
		t.Helper()
		ti, e := rl.refresh(token, app, ts.srv.opts.AccessTTLDefault, time.Hour)
		if e != nil {
			t.Fatalf("refresh: %v", e)
		}
		return ti
	}
	first := refresh(old)
	again := refresh(old) // within the grace
	refresh(first.RefreshToken)
	if again.AccessToken != first.AccessToken || again.RefreshToken != first.RefreshToken {
		t.Errorf("the grace answer changed when the successor was refreshed: got access %.8s…; want %.8s…", again.AccessToken, first.AccessToken)
	}
}
