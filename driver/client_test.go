package driver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestNewValidatesBaseURL(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
		wantURL string
	}{
		{"https", Config{BaseURL: "https://platform.ringcentral.com"}, "", "https://platform.ringcentral.com"},
		{"trailing slash dropped", Config{BaseURL: "http://127.0.0.1:8910/"}, "", "http://127.0.0.1:8910"},
		{"path prefix kept", Config{BaseURL: "http://127.0.0.1:8910/prefix/"}, "", "http://127.0.0.1:8910/prefix"},
		{"empty", Config{}, "BaseURL is empty", ""},
		{"relative", Config{BaseURL: "/restapi"}, "must be an absolute http or https URL", ""},
		{"no scheme", Config{BaseURL: "platform.ringcentral.com"}, "must be an absolute http or https URL", ""},
		{"ftp", Config{BaseURL: "ftp://example.com"}, "must be an absolute http or https URL", ""},
		{"no host", Config{BaseURL: "http://"}, "has no host", ""},
		{"query", Config{BaseURL: "https://example.com/?x=1"}, "must not have", ""},
		{"not a URL", Config{BaseURL: "http://[::1"}, "is not a URL", ""},
		{"negative timeout", Config{BaseURL: "http://x", Timeout: -time.Second}, "negative", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.cfg)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "driver: ") {
					t.Fatalf("New(%+v) error = %v; want one containing %q", tt.cfg, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.BaseURL(); got != tt.wantURL {
				t.Errorf("BaseURL() = %q; want %q", got, tt.wantURL)
			}
			if got, want := c.TokenURL(), tt.wantURL+TokenPath; got != want {
				t.Errorf("TokenURL() = %q; want %q", got, want)
			}
		})
	}
}

func TestTokenSuccessParsesEveryField(t *testing.T) {
	srv := newTestServer(t, respond(200, "application/json", tokenJSON))
	c := newTestClient(t, srv.URL)
	res, err := c.Token(ctx, TokenRequest{Form: NewForm("grant_type", "password"), Auth: ClientSecretBasic("id", "secret")})
	if err != nil {
		t.Fatal(err)
	}
	want := &TokenInfo{
		AccessToken: "U1BCMDFUMDRKV1MwMXxzLFSvXdw5PHMsVLEn_MrtcyxUsw", TokenType: "bearer", ExpiresIn: 3599,
		RefreshToken: "U1BCMDFUMDRKV1MwMXxzLFL4ec6A0XMsUv9wLriecyxS_w", RefreshTokenExpiresIn: 604799,
		Scope: "AccountInfo CallLog ExtensionInfo Messages SMS", OwnerID: "256440016", EndpointID: "8zXq6oaLT7WvwWITlGiA1A",
		IDToken: "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIyNTY0NDAwMTYifQ.c2ln", SessionID: "3b1a2c4d", SessionExpiresIn: 86400,
		SessionExpirationTime: "2023-04-01T12:00:01Z", SessionIdleTimeout: 1800, WSAccessToken: "U0pDMDFQMDdQQxxxxxxxxx9pSU9OemVzakpn",
	}
	if !reflect.DeepEqual(res.Token, want) {
		t.Errorf("Token = %+v;\nwant %+v", res.Token, want)
	}
	if res.Response.Status != 200 || res.Response.JSON().Get("owner_id").String() != "256440016" {
		t.Errorf("Response = %v; want the raw 200 response", res.Response)
	}
	got := srv.last(t)
	if got.Method != http.MethodPost || got.URL.Path != TokenPath {
		t.Errorf("request = %s %s; want POST %s", got.Method, got.URL.Path, TokenPath)
	}
	if a := got.Header.Get("Accept"); a != "application/json" {
		t.Errorf("Accept = %q; want application/json", a)
	}
	if ua := got.Header.Get("User-Agent"); ua != DefaultUserAgent {
		t.Errorf("User-Agent = %q; want %q", ua, DefaultUserAgent)
	}
}

func TestTokenRequestShapes(t *testing.T) {
	tests := []struct {
		name      string
		req       TokenRequest
		wantMeth  string
		wantQuery string
		wantBody  string
		wantCT    string
		wantExtra [2]string
	}{
		{"GET sends the form in the query", TokenRequest{Method: "GET", Form: NewForm("grant_type", "password", "username", "a b")},
			"GET", "grant_type=password&username=a+b", "", "", [2]string{}},
		{"GET with a public client", TokenRequest{Method: "GET", Form: NewForm("grant_type", "refresh_token"), Auth: PublicClient("pub")},
			"GET", "grant_type=refresh_token&client_id=pub", "", "", [2]string{}},
		{"raw JSON body", TokenRequest{RawBody: []byte(`{"grant_type":"password"}`), ContentType: "application/json"},
			"POST", "", `{"grant_type":"password"}`, "application/json", [2]string{}},
		{"content type override with the form", TokenRequest{Form: NewForm("grant_type", "password"), ContentType: "text/plain"},
			"POST", "", "grant_type=password", "text/plain", [2]string{}},
		{"extra header", TokenRequest{Form: NewForm("grant_type", "password"), Header: http.Header{"X-User-Agent": {"RCJSSDK/5.0.11"}}},
			"POST", "", "grant_type=password", "application/x-www-form-urlencoded", [2]string{"X-User-Agent", "RCJSSDK/5.0.11"}},
		{"PUT", TokenRequest{Method: "PUT", Form: NewForm("grant_type", "password")},
			"PUT", "", "grant_type=password", "application/x-www-form-urlencoded", [2]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newTestServer(t, respond(200, "application/json", tokenJSON))
			c := newTestClient(t, srv.URL)
			if _, err := c.Token(ctx, tt.req); err != nil {
				t.Fatal(err)
			}
			got := srv.last(t)
			if got.Method != tt.wantMeth {
				t.Errorf("method = %s; want %s", got.Method, tt.wantMeth)
			}
			if got.URL.RawQuery != tt.wantQuery {
				t.Errorf("query = %q; want %q", got.URL.RawQuery, tt.wantQuery)
			}
			if string(got.Body) != tt.wantBody {
				t.Errorf("body = %q; want %q", got.Body, tt.wantBody)
			}
			if ct := got.Header.Get("Content-Type"); ct != tt.wantCT {
				t.Errorf("Content-Type = %q; want %q", ct, tt.wantCT)
			}
			if tt.wantExtra[0] != "" && got.Header.Get(tt.wantExtra[0]) != tt.wantExtra[1] {
				t.Errorf("%s = %q; want %q", tt.wantExtra[0], got.Header.Get(tt.wantExtra[0]), tt.wantExtra[1])
			}
		})
	}
}

func TestTokenErrors(t *testing.T) {
	tests := []struct {
		name        string
		handler     http.HandlerFunc
		wantOAuth   bool
		wantMsg     string // exact error message
		wantContain []string
		check       func(t *testing.T, e *OAuthError)
	}{
		{
			name: "RFC 6749 error with errors[]",
			handler: respond(400, "application/json", `{
  "error" : "invalid_grant",
  "errors" : [ { "errorCode" : "OAU-140", "message" : "Invalid resource owner credentials." } ],
  "error_description" : "Invalid resource owner credentials."
}`),
			wantOAuth: true,
			wantMsg:   "driver: token endpoint answered 400 invalid_grant (OAU-140): Invalid resource owner credentials.",
			check: func(t *testing.T, e *OAuthError) {
				if !e.HasErrorCode("invalid_grant") || !e.HasErrorCode("OAU-140") || e.HasErrorCode("OAU-141") {
					t.Errorf("HasErrorCode wrong for %+v", e)
				}
				if len(e.Errors) != 1 || e.Errors[0] != (APIError{ErrorCode: "OAU-140", Message: "Invalid resource owner credentials."}) {
					t.Errorf("Errors = %+v", e.Errors)
				}
			},
		},
		{
			name: "parameters nested",
			handler: respond(400, "application/json", `{"error":"invalid_client","errors":[{"errorCode":"OAU-153","message":"Invalid client: ",
"parameters":[{"parameterName":"client_id","parameterValue":""}]}],"error_description":"Invalid client: "}`),
			wantOAuth: true,
			wantMsg:   "driver: token endpoint answered 400 invalid_client (OAU-153): Invalid client: ",
			check: func(t *testing.T, e *OAuthError) {
				if e.Errors[0].ParameterName != "client_id" {
					t.Errorf("ParameterName = %q; want client_id", e.Errors[0].ParameterName)
				}
			},
		},
		{
			name:      "resource-style body",
			handler:   respond(401, "application/json", `{"errorCode":"OAU-123","message":"Authorization header is not specified","errors":[{"errorCode":"OAU-123","message":"Authorization header is not specified"}]}`),
			wantOAuth: true,
			wantMsg:   "driver: token endpoint answered 401 (OAU-123): Authorization header is not specified",
			check: func(t *testing.T, e *OAuthError) {
				if e.TopCode != "OAU-123" || e.TopMessage == "" || e.Err != "" || !e.HasErrorCode("OAU-123") {
					t.Errorf("OAuthError = %+v", e)
				}
			},
		},
		{
			name:      "SDK fixture without a code",
			handler:   respond(400, "application/json", `{"message":"Wrong token","error_description":"Wrong token"}`),
			wantOAuth: true,
			wantMsg:   `driver: token endpoint answered 400: Wrong token without an error code: {"message":"Wrong token","error_description":"Wrong token"}`,
		},
		{
			name:        "non-JSON error body",
			handler:     respond(502, "text/html", "<html><body>Bad Gateway</body></html>"),
			wantOAuth:   true,
			wantContain: []string{"driver: token endpoint answered 502 with a non-JSON body (text/html, 37 bytes)", "Bad Gateway"},
		},
		{
			name:      "empty error body",
			handler:   respond(503, "", ""),
			wantOAuth: true,
			wantMsg:   "driver: token endpoint answered 503 with an empty body (no Content-Type)",
		},
		{
			name:        "garbage on 200",
			handler:     respond(200, "text/plain", "this is not a token"),
			wantContain: []string{"malformed token response (the body is not JSON; text/plain, 19 bytes)", `"this is not a token"`, "POST http://"},
		},
		{
			name:        "JSON without access_token on 200",
			handler:     respond(200, "application/json", `{"token_type":"bearer","refresh_token":"RT-secret-value"}`),
			wantContain: []string{"(access_token is missing;", `token_type`, "[redacted:"},
		},
		{
			name:        "access_token of the wrong type",
			handler:     respond(200, "application/json", `{"access_token":42}`),
			wantContain: []string{"(access_token is not a string;"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newTestServer(t, tt.handler)
			c := newTestClient(t, srv.URL)
			res, err := c.Token(ctx, TokenRequest{Form: NewForm("grant_type", "password")})
			if err == nil {
				t.Fatal("Token succeeded; want an error")
			}
			if res == nil || res.Response == nil || res.Token != nil {
				t.Fatalf("result = %+v; want the response and no token", res)
			}
			var oe *OAuthError
			var me *MalformedResponseError
			if tt.wantOAuth {
				if !errors.As(err, &oe) {
					t.Fatalf("error %T %v; want *OAuthError", err, err)
				}
				if oe.Status != res.Response.Status || string(oe.Body) != string(res.Response.Body) {
					t.Errorf("OAuthError does not keep the raw response")
				}
				if tt.check != nil {
					tt.check(t, oe)
				}
			} else if !errors.As(err, &me) {
				t.Fatalf("error %T %v; want *MalformedResponseError", err, err)
			}
			msg := err.Error()
			if tt.wantMsg != "" && msg != tt.wantMsg {
				t.Errorf("Error() = %q;\nwant %q", msg, tt.wantMsg)
			}
			for _, s := range tt.wantContain {
				if !strings.Contains(msg, s) {
					t.Errorf("Error() = %q; want it to contain %q", msg, s)
				}
			}
			if strings.Contains(msg, "RT-secret-value") {
				t.Errorf("Error() = %q leaks a refresh token", msg)
			}
		})
	}
}

func TestMalformedBodyIsTruncated(t *testing.T) {
	srv := newTestServer(t, respond(200, "text/plain", strings.Repeat("x", 5000)))
	c := newTestClient(t, srv.URL)
	_, err := c.Token(ctx, TokenRequest{})
	var me *MalformedResponseError
	if !errors.As(err, &me) {
		t.Fatalf("error = %v; want *MalformedResponseError", err)
	}
	if n := len(err.Error()); n > 800 {
		t.Errorf("len(Error()) = %d; want the body truncated to about 512 bytes", n)
	}
	if !strings.Contains(err.Error(), "5000 bytes") {
		t.Errorf("Error() = %q; want the full size mentioned", err)
	}
}

func TestAuthorizeDoesNotFollowRedirects(t *testing.T) {
	followed := make(chan string, 1)
	srv := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case AuthorizePath:
			http.Redirect(w, r, "/callback?code=SplxlOBeZQQYbYS6WxSbIA&state=xyz&expires_in=60", http.StatusFound)
		default:
			followed <- r.URL.String()
		}
	})
	c := newTestClient(t, srv.URL)
	res, err := c.Authorize(ctx, AuthorizeRequest{Form: NewForm("response_type", "code", "client_id", "cid", "state", "xyz")})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case u := <-followed:
		t.Fatalf("the driver followed the redirect to %s", u)
	default:
	}
	if n := len(srv.requests()); n != 1 {
		t.Errorf("server received %d requests; want 1", n)
	}
	if !res.Redirected || res.Response.Status != http.StatusFound {
		t.Fatalf("Redirected = %v, status %d; want a 302", res.Redirected, res.Response.Status)
	}
	if res.Code != "SplxlOBeZQQYbYS6WxSbIA" || res.State != "xyz" || res.ExpiresIn != "60" {
		t.Errorf("code, state, expires_in = %q, %q, %q; want SplxlOBeZQQYbYS6WxSbIA, xyz, 60", res.Code, res.State, res.ExpiresIn)
	}
	if got, want := res.Location.String(), srv.URL+"/callback?code=SplxlOBeZQQYbYS6WxSbIA&state=xyz&expires_in=60"; got != want {
		t.Errorf("Location = %q; want %q (resolved against the request)", got, want)
	}
	if got := srv.last(t); got.Method != "GET" || got.URL.RawQuery != "response_type=code&client_id=cid&state=xyz" {
		t.Errorf("request = %s ?%s; want GET with the form in the query", got.Method, got.URL.RawQuery)
	}
}

func TestAuthorizeRedirectParameters(t *testing.T) {
	tests := []struct {
		name                                      string
		location                                  string
		method                                    string
		wantCode, wantState, wantErr, wantErrDesc string
		wantFragment                              bool
	}{
		{"query", "https://app.example/cb?code=abc&state=s1", "GET", "abc", "s1", "", "", false},
		{"fragment", "https://app.example/cb#code=frag&state=s2&expires_in=60", "GET", "frag", "s2", "", "", true},
		{"error in the query", "https://app.example/cb?error=access_denied&error_description=User+denied&state=s3", "POST", "", "s3", "access_denied", "User denied", false},
		{"error in the fragment", "http://localhost:8888/#error=unauthorized_client&error_description=The+client+is+unauthorized+for+the+required+grant+type:+%5BIMPLICIT%5D", "GET",
			"", "", "unauthorized_client", "The client is unauthorized for the required grant type: [IMPLICIT]", true},
		{"query wins over fragment", "https://app.example/cb?code=q#code=f", "GET", "q", "", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newTestServer(t, respond(http.StatusFound, "", "", "Location", tt.location))
			c := newTestClient(t, srv.URL)
			res, err := c.Authorize(ctx, AuthorizeRequest{Method: tt.method, Form: NewForm("client_id", "cid")})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Redirected {
				t.Fatal("Redirected = false; want true")
			}
			if res.Code != tt.wantCode || res.State != tt.wantState || res.Error != tt.wantErr || res.ErrorDescription != tt.wantErrDesc {
				t.Errorf("code, state, error, description = %q, %q, %q, %q; want %q, %q, %q, %q",
					res.Code, res.State, res.Error, res.ErrorDescription, tt.wantCode, tt.wantState, tt.wantErr, tt.wantErrDesc)
			}
			if got := len(res.Fragment) > 0; got != tt.wantFragment {
				t.Errorf("fragment parameters present = %v; want %v", got, tt.wantFragment)
			}
			if tt.method == "POST" {
				got := srv.last(t)
				if string(got.Body) != "client_id=cid" || got.Header.Get("Content-Type") != formContentType {
					t.Errorf("POST body = %q (%s); want the form", got.Body, got.Header.Get("Content-Type"))
				}
			}
		})
	}
}

func TestAuthorizeNonRedirect(t *testing.T) {
	tests := []struct {
		name      string
		handler   http.HandlerFunc
		wantOAuth bool
	}{
		{"400 for an unknown client", respond(400, "application/json",
			`{"error":"invalid_request","errors":[{"errorCode":"OAU-113","message":"No redirect uri is registered for the client"}],"error_description":"No redirect uri is registered for the client"}`), true},
		{"200 login page", respond(200, "text/html", "<html>login</html>"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newTestServer(t, tt.handler)
			c := newTestClient(t, srv.URL)
			res, err := c.Authorize(ctx, AuthorizeRequest{Form: NewForm("client_id", "bad")})
			if res == nil || res.Redirected || res.Location != nil {
				t.Fatalf("result = %+v; want a non-redirect result", res)
			}
			var oe *OAuthError
			if got := errors.As(err, &oe); got != tt.wantOAuth {
				t.Fatalf("error = %v; want *OAuthError: %v", err, tt.wantOAuth)
			}
			if tt.wantOAuth && (!oe.HasErrorCode("OAU-113") || !strings.HasPrefix(err.Error(), "driver: authorization endpoint answered 400 invalid_request (OAU-113)")) {
				t.Errorf("error = %v", err)
			}
		})
	}
}

func TestTimeout(t *testing.T) {
	released := make(chan struct{})
	srv := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // block until the client gives up
		close(released)
	})
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.Timeout = 100 * time.Millisecond })

	err := passwordTokenWithin(t, c, 10*time.Second)
	var te *TransportError
	if !errors.As(err, &te) || !te.Timeout() {
		t.Fatalf("error = %T %v; want a *TransportError that timed out", err, err)
	}
	want := "driver: POST " + srv.URL + TokenPath + ": timed out after 100ms"
	if err.Error() != want {
		t.Errorf("Error() = %q; want %q", err, want)
	}
	<-released
}

func TestCallerDeadline(t *testing.T) {
	srv := newTestServer(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	c := newTestClient(t, srv.URL)
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err := c.Get(cctx, DiscoveryPath)
	if err == nil || !strings.Contains(err.Error(), "timed out: the caller's deadline expired") || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error = %v; want the caller's deadline", err)
	}
}

func TestConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	rec := &Recorder{}
	c := newTestClient(t, "http://"+addr, func(cfg *Config) { cfg.Recorder = rec })
	res, err := c.Token(ctx, TokenRequest{Form: NewForm("grant_type", "password", "password", "hunter2!")})
	if res != nil {
		t.Errorf("result = %+v; want nil", res)
	}
	want := "driver: POST http://" + addr + "/restapi/oauth/token: connection refused (is the target running?)"
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v; want %q", err, want)
	}
	ex := rec.All()
	if len(ex) != 1 || ex[0].Error != want || ex[0].Status != 0 {
		t.Errorf("recorded %+v; want one exchange with the error", ex)
	}
	if strings.Contains(ex[0].RequestBody, "hunter2") {
		t.Errorf("recorded body %q leaks the password", ex[0].RequestBody)
	}
}

func TestScenarioHeader(t *testing.T) {
	tests := []struct {
		name     string
		scenario string
	}{
		{"set", "features/token.feature:12"},
		{"unset", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newTestServer(t, respond(200, "application/json", `{"now":"2030-01-01T00:00:00Z"}`))
			c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.Scenario = tt.scenario })
			calls := map[string]func() error{
				"Token":  func() error { _, err := c.Token(ctx, TokenRequest{}); return err },
				"Revoke": func() error { _, err := c.Revoke(ctx, RevokeRequest{}); return err },
				"API":    func() error { _, err := c.API(ctx, APIRequest{Path: AccountPath}); return err },
				"Get":    func() error { _, err := c.Get(ctx, JWKSPath); return err },
				"Device": func() error { _, err := c.DeviceAuthorization(ctx, nil, nil); return err },
				"Authorize": func() error {
					_, err := c.Authorize(ctx, AuthorizeRequest{})
					return err
				},
				"AdvanceClock": func() error { _, err := c.AdvanceClock(ctx, time.Second); return err },
			}
			for name, call := range calls {
				if err := call(); err != nil {
					var me *MalformedResponseError
					if !errors.As(err, &me) {
						t.Fatalf("%s: %v", name, err)
					}
				}
				got := srv.last(t).Header
				if vs := got.Values(ScenarioHeader); (tt.scenario == "" && len(vs) != 0) || (tt.scenario != "" && (len(vs) != 1 || vs[0] != tt.scenario)) {
					t.Errorf("%s: %s = %q; want %q", name, ScenarioHeader, vs, tt.scenario)
				}
			}
		})
	}
}

func TestAPIAuthorizationHeader(t *testing.T) {
	tests := []struct {
		name string
		req  APIRequest
		want string // "" = no header
	}{
		{"default Bearer", APIRequest{Path: AccountPath, AccessToken: "AT"}, "Bearer AT"},
		{"lower-case scheme", APIRequest{Path: AccountPath, AccessToken: "AT", TokenType: "bearer"}, "bearer AT"},
		{"verbatim", APIRequest{Path: AccountPath, AccessToken: "AT", Authorization: "Bearer"}, "Bearer"},
		{"no token", APIRequest{Path: AccountPath}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newTestServer(t, respond(200, "application/json", `{"id":"~"}`))
			c := newTestClient(t, srv.URL)
			if _, err := c.API(ctx, tt.req); err != nil {
				t.Fatal(err)
			}
			got := srv.last(t)
			if vs := got.Header.Values("Authorization"); (tt.want == "" && len(vs) != 0) || (tt.want != "" && (len(vs) != 1 || vs[0] != tt.want)) {
				t.Errorf("Authorization = %q; want %q", vs, tt.want)
			}
			if got.Method != "GET" || got.URL.Path != "/restapi/v1.0/account/~" {
				t.Errorf("request = %s %s; want GET %s", got.Method, got.URL.Path, AccountPath)
			}
		})
	}
}

func TestAPI401(t *testing.T) {
	srv := newTestServer(t, respond(401, "application/json",
		`{"errorCode":"OAU-128","message":"Access token expired.","errors":[{"errorCode":"OAU-128","message":"Access token expired."}]}`,
		"WWW-Authenticate", `Bearer error="invalid_token"`))
	c := newTestClient(t, srv.URL)
	resp, err := c.API(ctx, APIRequest{Path: ExtensionPath, AccessToken: "AT"})
	var oe *OAuthError
	if !errors.As(err, &oe) || resp == nil {
		t.Fatalf("API = %v, %v; want the response and an *OAuthError", resp, err)
	}
	if want := "driver: GET /restapi/v1.0/account/~/extension/~ answered 401 (OAU-128): Access token expired."; err.Error() != want {
		t.Errorf("Error() = %q; want %q", err, want)
	}
	if oe.Header.Get("WWW-Authenticate") == "" {
		t.Error("OAuthError lost the WWW-Authenticate header")
	}
}

func TestRevokeRequestShape(t *testing.T) {
	srv := newTestServer(t, respond(200, "", ""))
	c := newTestClient(t, srv.URL)
	resp, err := c.Revoke(ctx, RevokeRequest{
		Form:  NewForm("token", "AT-1"),
		Query: NewForm("token", "AT-2"),
		Auth:  ClientSecretBasic("id", "sec"),
	})
	if err != nil || resp.Status != 200 {
		t.Fatalf("Revoke = %v, %v", resp, err)
	}
	got := srv.last(t)
	if got.Method != "POST" || got.URL.Path != RevokePath || got.URL.RawQuery != "token=AT-2" || string(got.Body) != "token=AT-1" {
		t.Errorf("request = %s %s?%s body %q", got.Method, got.URL.Path, got.URL.RawQuery, got.Body)
	}
	if got.Header.Get("Authorization") == "" {
		t.Error("no Authorization header")
	}

	srv400 := newTestServer(t, respond(400, "application/json", `{"errors":[{"errorCode":"CMN-101","message":"Parameter [token] value is invalid."}]}`))
	c400 := newTestClient(t, srv400.URL)
	resp, err = c400.Revoke(ctx, RevokeRequest{})
	var oe *OAuthError
	if !errors.As(err, &oe) || resp == nil || !oe.HasErrorCode("CMN-101") {
		t.Errorf("Revoke = %v, %v; want the response and an *OAuthError with CMN-101", resp, err)
	}
}

func TestGetAbsoluteURL(t *testing.T) {
	srv := newTestServer(t, respond(200, "application/json", `{"keys":[]}`))
	c := newTestClient(t, "http://127.0.0.1:1") // nothing listens there
	resp, err := c.Get(ctx, srv.URL+JWKSPath)
	if err != nil {
		t.Fatal(err)
	}
	if resp.JSON().Get("keys").IsArray() != true {
		t.Errorf("body = %s; want the JWKS", resp.Body)
	}
}

func TestDeviceAuthorization(t *testing.T) {
	srv := newTestServer(t, respond(200, "application/json", `{"device_code":"DC","user_code":"ABCD-EFGH","verification_uri":"x","expires_in":600,"interval":5}`))
	c := newTestClient(t, srv.URL)
	resp, err := c.DeviceAuthorization(ctx, NewForm("scope", "ReadAccounts"), PublicClient("pub"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.JSON().Get("user_code").String() != "ABCD-EFGH" {
		t.Errorf("body = %s", resp.Body)
	}
	got := srv.last(t)
	if got.Method != "POST" || got.URL.Path != DeviceAuthorizationPath || string(got.Body) != "scope=ReadAccounts&client_id=pub" {
		t.Errorf("request = %s %s %q", got.Method, got.URL.Path, got.Body)
	}
}

func TestResponseString(t *testing.T) {
	srv := newTestServer(t, respond(200, "application/json", tokenJSON))
	c := newTestClient(t, srv.URL)
	res, err := c.Token(ctx, TokenRequest{})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Response.String()
	if !strings.HasPrefix(s, "POST "+srv.URL+TokenPath+" -> 200 (") || !strings.Contains(s, `"token_type" : "bearer"`) {
		t.Errorf("String() = %q", s)
	}
	if strings.Contains(s, res.Token.AccessToken) {
		t.Errorf("String() = %q leaks the access token", s)
	}
}

func TestCloseReleasesConnections(t *testing.T) {
	closed := make(chan struct{}, 8)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateClosed {
			closed <- struct{}{}
		}
	}
	srv.Start()
	defer srv.Close()
	c, err := New(Config{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(context.Background(), "/x"); err != nil {
		t.Fatal(err)
	}
	c.Close()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("the keep-alive connection is still open 5s after Close; want it closed")
	}
}

func TestWSToken(t *testing.T) {
	t.Run("a WsTokenResponse", func(t *testing.T) {
		srv := newTestServer(t, respond(200, "application/json", `{"ws_access_token":"WS-1","uri":"wss://ws.example.test/ws","expires_in":30}`))
		c := newTestClient(t, srv.URL)
		res, err := c.WSToken(ctx, APIRequest{Path: AccountPath, AccessToken: "AT"})
		if err != nil {
			t.Fatal(err)
		}
		if want := (WSTokenInfo{WSAccessToken: "WS-1", URI: "wss://ws.example.test/ws", ExpiresIn: 30}); res.Token == nil || *res.Token != want {
			t.Errorf("Token = %+v; want %+v", res.Token, want)
		}
		got := srv.last(t)
		if got.Method != "POST" || got.URL.Path != WSTokenPath || got.Header.Get("Authorization") != "Bearer AT" {
			t.Errorf("request = %s %s with Authorization %q; want POST %s with Bearer AT", got.Method, got.URL.Path, got.Header.Get("Authorization"), WSTokenPath)
		}
	})
	t.Run("a 2xx answer without a ws_access_token", func(t *testing.T) {
		srv := newTestServer(t, respond(200, "application/json", `{"expires_in":30}`))
		res, err := newTestClient(t, srv.URL).WSToken(ctx, APIRequest{AccessToken: "AT"})
		var mal *MalformedResponseError
		if !errors.As(err, &mal) || res == nil || res.Token != nil {
			t.Errorf("WSToken = %+v, %v; want the response and a *MalformedResponseError", res, err)
		}
	})
	t.Run("a refusal", func(t *testing.T) {
		srv := newTestServer(t, respond(403, "application/json",
			`{"errorCode":"CMN-401","message":"In order to call this API endpoint, application needs to have [WebSocket] permission","errors":[{"errorCode":"CMN-401","message":"In order to call this API endpoint, application needs to have [WebSocket] permission"}]}`))
		res, err := newTestClient(t, srv.URL).WSToken(ctx, APIRequest{AccessToken: "AT"})
		var oe *OAuthError
		if !errors.As(err, &oe) || res == nil || res.Response.Status != 403 {
			t.Errorf("WSToken = %+v, %v; want the 403 response and an *OAuthError", res, err)
		}
	})
}

// TestTransportErrorHidesURLSecrets checks that a secret in a request's query cannot be recovered from
// the *TransportError, neither from its message nor from anything it unwraps to: net/http's *url.Error
// quotes the whole URL, so the driver must not keep it. The kind of failure stays testable.
func TestTransportErrorHidesURLSecrets(t *testing.T) {
	const secret = "Sup3rSecretCode-42"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + l.Addr().String()
	l.Close()
	hangUp := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	stall := newTestServer(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	tests := []struct {
		name     string
		base     string
		wantKind error
	}{
		{"connection refused", refused, syscall.ECONNREFUSED},
		{"connection closed", hangUp.URL, io.EOF},
		{"timeout", stall.URL, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, tt.base, func(cfg *Config) { cfg.Timeout = 200 * time.Millisecond })
			_, err := c.Get(ctx, tt.base+AuthorizePath+"?code="+secret+"&password="+secret)
			var te *TransportError
			if !errors.As(err, &te) {
				t.Fatalf("error = %T %v; want a *TransportError", err, err)
			}
			if !errors.Is(err, tt.wantKind) {
				t.Errorf("errors.Is(%v, %v) = false; want true", err, tt.wantKind)
			}
			var ue *url.Error
			if errors.As(err, &ue) {
				t.Errorf("the error chain keeps a *url.Error: %v", ue)
			}
			for _, e := range errorTree(err) {
				for _, text := range []string{e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e)} {
					if strings.Contains(text, secret) {
						t.Errorf("%T in the error chain shows the secret: %s", e, text)
					}
				}
			}
		})
	}
}

// errorTree returns err and everything it unwraps to, through Unwrap() error and Unwrap() []error.
func errorTree(err error) []error {
	if err == nil {
		return nil
	}
	out := []error{err}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		out = append(out, errorTree(u.Unwrap())...)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			out = append(out, errorTree(e)...)
		}
	}
	return out
}
