package rcmock

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"testing"
)

// The Python SDK (PyPI) and the Go SDK (github.com/ringcentral/ringcentral-go) cannot be installed here:
// PyPI is out of reach and the Go module proxy refuses ringcentral-go. These tests replay exactly what each
// SDK sends, as the reference documents it (ringcentral-oauth.md §9.3, §9.4, from the SDKs' sources), and
// decode the answers the way each SDK does, so a change that would break them breaks these tests.

// sdkTarget is a test server with the t that the replays report to.
type sdkTarget struct {
	t  *testing.T
	ts *testServer
}

func newSDKTarget(t *testing.T) *sdkTarget {
	t.Helper()
	return &sdkTarget{t: t, ts: newTestServer(t)}
}

// send sends body with exactly the given headers (no Content-Type unless header has one, as an SDK sends
// it) and returns the status and body.
func (s *sdkTarget) send(method, path, body string, header map[string]string) (int, []byte) {
	s.t.Helper()
	h := map[string]string{"Content-Type": ""}
	for k, v := range header {
		h[k] = v
	}
	r := s.ts.do(s.t, request{method: method, path: path, body: body, header: h})
	return r.status, r.body
}

// pythonSDK replays ringcentral-python: Basic base64(key:secret) on every token and revoke request, even
// with an empty secret (_request_token); TTLs 3600/604800 on login and refresh; the API header built from
// token_type ("bearer <token>"); logout revokes the access token.
type pythonSDK struct {
	s            *sdkTarget
	key, secret  string
	data         map[string]any
	accessToken  string
	refreshToken string
}

func (p *pythonSDK) basic() string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(p.key+":"+p.secret))
}

func (p *pythonSDK) token(body url.Values) {
	p.s.t.Helper()
	status, b := p.s.send("POST", PathToken, body.Encode(), map[string]string{
		"Authorization": p.basic(), "Content-Type": "application/x-www-form-urlencoded",
	})
	if status != 200 {
		p.s.t.Fatalf("python SDK token request %s: %d %s", body.Get("grant_type"), status, b)
	}
	p.data = map[string]any{}
	if err := json.Unmarshal(b, &p.data); err != nil {
		p.s.t.Fatal(err)
	}
	// Auth.set_data does arithmetic on expires_in, so it must be a number.
	for _, k := range []string{"expires_in", "refresh_token_expires_in"} {
		if _, ok := p.data[k].(float64); !ok && p.data[k] != nil {
			p.s.t.Fatalf("%s is %T, the Python SDK needs a number", k, p.data[k])
		}
	}
	p.accessToken, _ = p.data["access_token"].(string)
	p.refreshToken, _ = p.data["refresh_token"].(string)
}

func (p *pythonSDK) get(path string) int {
	p.s.t.Helper()
	status, _ := p.s.send("GET", path, "", map[string]string{"Authorization": p.data["token_type"].(string) + " " + p.accessToken})
	return status
}

func (p *pythonSDK) logout() {
	p.s.t.Helper()
	status, b := p.s.send("POST", PathRevoke, url.Values{"token": {p.accessToken}}.Encode(), map[string]string{
		"Authorization": p.basic(), "Content-Type": "application/x-www-form-urlencoded",
	})
	if status != 200 {
		p.s.t.Fatalf("python SDK logout: %d %s", status, b)
	}
}

func TestPythonSDKReplay(t *testing.T) {
	s := newSDKTarget(t)
	t.Run("password login, API, refresh, logout", func(t *testing.T) {
		p := &pythonSDK{s: s, key: s.ts.env["RC_CLIENT_ID"], secret: s.ts.env["RC_CLIENT_SECRET"]}
		p.token(url.Values{"grant_type": {"password"}, "username": {s.ts.env["RC_USERNAME"]}, "extension": {s.ts.env["RC_EXTENSION"]},
			"password": {s.ts.env["RC_PASSWORD"]}, "access_token_ttl": {"3600"}, "refresh_token_ttl": {"604800"}})
		if got := p.get(PathAccount); got != 200 {
			t.Fatalf("API with %q scheme: %d", p.data["token_type"], got)
		}
		old := p.accessToken
		p.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {p.refreshToken}, "access_token_ttl": {"3600"}, "refresh_token_ttl": {"604800"}})
		if p.accessToken == old {
			t.Fatal("refresh returned the same access token")
		}
		p.logout()
		if got := p.get(PathAccount); got != 401 {
			t.Errorf("API after logout: %d; want 401", got)
		}
	})
	t.Run("JWT login", func(t *testing.T) {
		p := &pythonSDK{s: s, key: s.ts.env["RC_CLIENT_ID"], secret: s.ts.env["RC_CLIENT_SECRET"]}
		p.token(url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {s.ts.env["RC_JWT"]}})
		if got := p.get(PathExtension); got != 200 {
			t.Fatalf("API: %d", got)
		}
	})
	t.Run("authorization code with PKCE, public app, Basic with an empty secret", func(t *testing.T) {
		p := &pythonSDK{s: s, key: s.ts.env["RC_PUBLIC_CLIENT_ID"]}
		q := url.Values{"response_type": {"code"}, "redirect_uri": {s.ts.env["RC_REDIRECT_URI"]}, "client_id": {p.key}, "state": {"py"},
			"code_challenge": {tChallenge}, "code_challenge_method": {"S256"}}
		code := s.ts.code(t, q)
		p.token(url.Values{"grant_type": {"authorization_code"}, "redirect_uri": {s.ts.env["RC_REDIRECT_URI"]}, "code": {code}, "code_verifier": {tVerifier}})
		if got := p.get(PathAccount); got != 200 {
			t.Fatalf("API: %d", got)
		}
		p.logout()
	})
}

// goSDKTokenInfo is ringcentral-go's TokenInfo: expires_in must decode into an int, owner_id into a string.
type goSDKTokenInfo struct {
	AccessToken           string `json:"access_token"`
	ExpiresIn             int    `json:"expires_in"`
	RefreshToken          string `json:"refresh_token"`
	RefreshTokenExpiresIn int    `json:"refresh_token_expires_in"`
	Scope                 string `json:"scope"`
	TokenType             string `json:"token_type"`
	OwnerID               string `json:"owner_id"`
	EndpointID            string `json:"endpoint_id"`
	IDToken               string `json:"id_token"`
}

// TestGoSDKReplay replays ringcentral-go: Authorize posts the non-empty fields of GetTokenRequest as a form
// with Basic base64(id:secret); Get sends "Bearer <token>"; Revoke posts the literal `{token: "<token>"}`
// as application/json (an SDK bug the reference notes) and ignores the answer.
func TestGoSDKReplay(t *testing.T) {
	s := newSDKTarget(t)
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(s.ts.env["RC_CLIENT_ID"]+":"+s.ts.env["RC_CLIENT_SECRET"]))
	form := url.Values{"grant_type": {"password"}, "username": {s.ts.env["RC_USERNAME"]}, "extension": {s.ts.env["RC_EXTENSION"]}, "password": {s.ts.env["RC_PASSWORD"]}}
	status, b := s.send("POST", PathToken, form.Encode(), map[string]string{"Authorization": basic, "Content-Type": "application/x-www-form-urlencoded"})
	var tok goSDKTokenInfo
	if err := json.Unmarshal(b, &tok); err != nil || status != 200 || tok.AccessToken == "" {
		t.Fatalf("Authorize: %d %s (decode: %v)", status, b, err)
	}
	if status, _ := s.send("GET", PathAccount, "", map[string]string{"Authorization": "Bearer " + tok.AccessToken}); status != 200 {
		t.Fatalf("Get: %d", status)
	}
	status, _ = s.send("POST", PathRevoke, `{token: "`+tok.AccessToken+`"}`, map[string]string{"Authorization": basic, "Content-Type": "application/json"})
	if status >= 500 {
		t.Errorf("Revoke with the SDK's JSON body: %d; the SDK ignores the answer, but the mock must not fail", status)
	}
}
