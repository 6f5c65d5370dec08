package rcmock

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// wsToken requests a WebSocket token with a bearer access token (none when empty).
func (ts *testServer) wsToken(tb testing.TB, accessToken string) response {
	tb.Helper()
	rq := request{path: PathWSToken}
	if accessToken != "" {
		rq.header = map[string]string{"Authorization": "Bearer " + accessToken}
	}
	return ts.do(tb, rq)
}

// connectWS presents a WebSocket access token to the mock's stand-in gateway.
func (ts *testServer) connectWS(tb testing.TB, wsAccessToken string) response {
	tb.Helper()
	return ts.do(tb, request{method: http.MethodGet, path: PathWSGateway + "?" + formOf("access_token", wsAccessToken)})
}

// TestWSToken: POST /restapi/oauth/wstoken answers RingCentral's WsTokenResponse for an access token whose
// scope has the WebSocket permission (OpenAPI authWsToken; DOCS subscribing.md: expires_in 30).
func TestWSToken(t *testing.T) {
	ts := newTestServer(t)
	access := ts.login(t)["access_token"].(string)
	r := ts.wsToken(t, access)
	if r.status != http.StatusOK {
		t.Fatalf("got %d %s (reason %q); want 200", r.status, r.body, r.reason())
	}
	wantOperation(t, r, http.MethodPost, PathWSToken)
	if err := testSpec(t).ValidateSchema("WsTokenResponse", r.body); err != nil {
		t.Errorf("WsTokenResponse: %v", err)
	}
	wantNoStore(t, r)
	m := r.json(t)
	ws, _ := m["ws_access_token"].(string)
	if len(ws) < 43 || ws == access {
		t.Errorf("ws_access_token %q; want 256 random bits, not the access token", ws)
	}
	if got := num(m, "expires_in"); got != 30 {
		t.Errorf("expires_in: got %v; want 30", got)
	}
	if got, want := m["uri"], "ws://"+strings.TrimPrefix(ts.url, "http://")+PathWSGateway; got != want {
		t.Errorf("uri: got %v; want %q", got, want)
	}
	if again := ts.wsToken(t, access).str(t, "ws_access_token"); again == ws {
		t.Errorf("a second request answered the same ws_access_token")
	}
}

// TestWSTokenRefusals: the bearer token must be valid (HTTP 401 with RingCentral's API body, as at any API
// resource) and carry the WebSocket permission (403 CMN-401, UNVERIFIED for this endpoint); only POST is
// served.
func TestWSTokenRefusals(t *testing.T) {
	ts := newTestServer(t)
	revoked := ts.login(t)["access_token"].(string)
	if r := ts.do(t, request{path: PathRevoke, body: formOf("token", revoked), header: mainAuth()}); r.status != 200 {
		t.Fatalf("revoke: got %d %s", r.status, r.body)
	}
	expired := ts.login(t)["access_token"].(string)
	withoutPermission := ts.login(t, "scope", "ReadAccounts")["access_token"].(string)
	restricted := ts.token(t, restrictedClient, formValues("grant_type", GrantAuthorizationCode, "code",
		ts.code(t, authzParams("client_id", tRestrictedID, "redirect_uri", ""))))
	if restricted.status != 200 {
		t.Fatalf("restricted app sign-in: got %d %s", restricted.status, restricted.body)
	}
	tests := []struct {
		name    string
		token   string
		advance time.Duration
		status  int
		code    string
	}{
		{"no access token", "", 0, 401, "OAU-123"},
		{"unknown access token", "U1BCMDFUMDRKV1MwMXxzLFSvXdw5PHMsVLEn_MrtcyxUsw", 0, 401, "OAU-213"},
		{"revoked access token", revoked, 0, 401, "OAU-213"},
		{"a token without the WebSocket permission", withoutPermission, 0, 403, "CMN-401"},
		{"an app without the WebSocket permission", restricted.str(t, "access_token"), 0, 403, "CMN-401"},
		{"expired access token", expired, time.Hour, 401, "OAU-210"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts.clock.Advance(tt.advance)
			r := ts.wsToken(t, tt.token)
			wantError(t, r, tt.status, "", tt.code)
			if r.header.Get("WWW-Authenticate") == "" {
				t.Errorf("no WWW-Authenticate challenge (RFC 6750 §3)")
			}
		})
	}
	t.Run("GET", func(t *testing.T) {
		r := ts.do(t, request{method: http.MethodGet, path: PathWSToken})
		wantError(t, r, 405, "", "HTTP-405")
		if got := r.header.Get("Allow"); got != "POST" {
			t.Errorf("Allow: got %q; want POST", got)
		}
	})
}

// TestWSTokenSingleUse: a WebSocket access token is single use (DOCS subscribing.md). The mock has no
// WebSocket gateway; its stand-in at the answered uri spends the token on the first presentation.
func TestWSTokenSingleUse(t *testing.T) {
	ts := newTestServer(t)
	access := ts.login(t)["access_token"].(string)
	ws := ts.wsToken(t, access).str(t, "ws_access_token")
	if r := ts.connectWS(t, ws); r.status != http.StatusNoContent {
		t.Fatalf("first use: got %d %s; want 204", r.status, r.body)
	}
	wantError(t, ts.connectWS(t, ws), 401, "", "OAU-213")
	wantError(t, ts.connectWS(t, "never-issued"), 401, "", "OAU-213")

	late := ts.wsToken(t, access).str(t, "ws_access_token")
	ts.clock.Advance(30 * time.Second)
	wantError(t, ts.connectWS(t, late), 401, "", "OAU-210")
	if got := ts.srv.realm("").counts()["ws_tokens"]; got != 1 {
		t.Errorf("ws_tokens kept: got %d; want 1 (the expired one, until Retention)", got)
	}
}

// TestWSTokenRateLimited: wstoken is in the Auth throttling group (OpenAPI x-throttling-group: Auth),
// counted with the token requests of the same user and app.
func TestWSTokenRateLimited(t *testing.T) {
	ts := rateLimited(t)
	access := ts.login(t)["access_token"].(string)
	for i := 2; i <= 5; i++ {
		if r := ts.wsToken(t, access); r.status != http.StatusOK {
			t.Fatalf("Auth request %d: got %d %s; want 200", i, r.status, r.body)
		}
	}
	r := ts.wsToken(t, access)
	wantError(t, r, http.StatusTooManyRequests, "", "CMN-301")
	if r.header.Get("X-Rate-Limit-Group") != "auth" {
		t.Errorf("X-Rate-Limit-Group: got %q; want auth", r.header.Get("X-Rate-Limit-Group"))
	}
	wantError(t, ts.password(t), http.StatusTooManyRequests, "", "CMN-301")
}
