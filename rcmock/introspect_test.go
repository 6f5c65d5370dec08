package rcmock

import (
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"testing"
	"time"
)

// withIntrospection serves the introspection endpoint (Options.Introspection).
func withIntrospection(o *Options) { o.Introspection = true }

// introspect posts an introspection request for token (none when empty) with c's credentials and extra
// parameters.
func (ts *testServer) introspect(tb testing.TB, c client, token string, extra ...string) response {
	tb.Helper()
	params := formValues(extra...)
	if token != "" {
		params.Set("token", token)
	}
	return ts.postAs(tb, PathIntrospect, c, params)
}

// wantInactive checks RFC 7662 §2.2's answer for a token that is not active: HTTP 200, JSON, and
// {"active": false} with no other member.
func wantInactive(tb testing.TB, r response) {
	tb.Helper()
	if r.status != http.StatusOK {
		tb.Fatalf("status: got %d; want 200 (reason %q)\n%s", r.status, r.reason(), r.body)
	}
	wantNoStore(tb, r)
	if got := r.json(tb); !reflect.DeepEqual(got, map[string]any{"active": false}) {
		tb.Errorf("body: got %s; want {\"active\":false} and nothing else (RFC 7662 §2.2)", r.body)
	}
}

// TestIntrospectionIsOffByDefault: RingCentral removed POST /restapi/oauth/introspect after SPEC-2024-04, so
// the default mock answers it as any unknown path and its discovery document names no such endpoint.
func TestIntrospectionIsOffByDefault(t *testing.T) {
	ts := newTestServer(t)
	access := ts.login(t)["access_token"].(string)
	wantError(t, ts.introspect(t, mainClient, access), http.StatusNotFound, "", "CMN-102")
	doc := ts.do(t, request{method: http.MethodGet, path: PathDiscovery}).json(t)
	for _, k := range []string{"introspection_endpoint", "introspection_endpoint_auth_methods_supported"} {
		if v, ok := doc[k]; ok {
			t.Errorf("discovery names %s = %v; want no such member", k, v)
		}
	}
}

// TestIntrospectionDiscovery: with Options.Introspection the discovery document advertises the endpoint and
// its client authentication methods under RFC 8414 §2's names, and still conforms to OpenIdDiscovery.
func TestIntrospectionDiscovery(t *testing.T) {
	ts := newTestServer(t, withIntrospection)
	r := ts.do(t, request{method: http.MethodGet, path: PathDiscovery})
	if err := testSpec(t).ValidateSchema("OpenIdDiscovery", r.body); err != nil {
		t.Errorf("discovery document does not conform: %v", err)
	}
	var doc openIDConfiguration
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatal(err)
	}
	if want := ts.url + PathIntrospect; doc.IntrospectionEndpoint != want {
		t.Errorf("introspection_endpoint: got %q; want %q", doc.IntrospectionEndpoint, want)
	}
	if want := []string{AuthClientSecretBasic, AuthClientSecretJWT, AuthPrivateKeyJWT}; !slices.Equal(doc.IntrospectionEndpointAuthMethodsSupported, want) {
		t.Errorf("introspection_endpoint_auth_methods_supported: got %v; want %v", doc.IntrospectionEndpointAuthMethodsSupported, want)
	}
}

// TestIntrospectActive: an active token is described by its session (SPEC-2024-04 TokenIntrospectionResponse,
// RFC 7662 §2.2), every time by the realm's clock.
func TestIntrospectActive(t *testing.T) {
	hour, week := int64(3600), int64(7*24*3600)
	start := testStart.Unix()
	tests := []struct {
		name string
		// setup signs in and returns the token to introspect and the token response it came from.
		setup func(t *testing.T, ts *testServer) (token string, tr map[string]any)
		want  map[string]any // besides active, scope, client_id and session_id, which the token response gives
	}{
		{
			name: "access token",
			setup: func(t *testing.T, ts *testServer) (string, map[string]any) {
				tr := ts.login(t)
				return tr["access_token"].(string), tr
			},
			want: map[string]any{"token_type": "bearer", "exp": start + hour, "iat": start, "sub": tJane, "account_id": tAccountID},
		},
		{
			name: "access token a second before it expires",
			setup: func(t *testing.T, ts *testServer) (string, map[string]any) {
				tr := ts.login(t)
				ts.clock.Advance(time.Duration(hour-1) * time.Second)
				return tr["access_token"].(string), tr
			},
			want: map[string]any{"token_type": "bearer", "exp": start + hour, "iat": start, "sub": tJane, "account_id": tAccountID},
		},
		{
			name: "refresh token, which has no token_type",
			setup: func(t *testing.T, ts *testServer) (string, map[string]any) {
				tr := ts.login(t)
				return tr["refresh_token"].(string), tr
			},
			want: map[string]any{"exp": start + week, "iat": start, "sub": tJane, "account_id": tAccountID},
		},
		{
			name: "access token of a refresh, dated by it",
			setup: func(t *testing.T, ts *testServer) (string, map[string]any) {
				old := ts.login(t)
				ts.clock.Advance(5 * time.Minute)
				r := ts.refresh(t, old["refresh_token"].(string))
				if r.status != http.StatusOK {
					t.Fatalf("refresh: got %d %s", r.status, r.body)
				}
				tr := r.json(t)
				return tr["access_token"].(string), tr
			},
			want: map[string]any{"token_type": "bearer", "exp": start + 300 + hour, "iat": start + 300, "sub": tJane, "account_id": tAccountID},
		},
		{
			name: "client_credentials token, which has no user and names the account it acts for",
			setup: func(t *testing.T, ts *testServer) (string, map[string]any) {
				r := ts.token(t, mainClient, formValues("grant_type", GrantClientCredentials, "account_id", tAccountID))
				if r.status != http.StatusOK {
					t.Fatalf("client_credentials: got %d %s", r.status, r.body)
				}
				tr := r.json(t)
				return tr["access_token"].(string), tr
			},
			want: map[string]any{"token_type": "bearer", "exp": start + hour, "iat": start, "account_id": tAccountID},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, withIntrospection)
			token, tr := tt.setup(t, ts)
			// The same hint for every kind: RFC 7662 §2.1 makes the server search on when a hint is wrong.
			r := ts.introspect(t, mainClient, token, "token_type_hint", "access_token")
			if r.status != http.StatusOK {
				t.Fatalf("status: got %d; want 200 (reason %q)\n%s", r.status, r.reason(), r.body)
			}
			wantNoStore(t, r)
			want := map[string]any{"active": true, "scope": tr["scope"], "client_id": tMainID, "session_id": tr["session_id"]}
			for k, v := range tt.want {
				if n, ok := v.(int64); ok {
					v = float64(n) // as encoding/json decodes a number into any
				}
				want[k] = v
			}
			if got := r.json(t); !reflect.DeepEqual(got, want) {
				t.Errorf("body: got %s\nwant %v", r.body, want)
			}
		})
	}
}

// TestIntrospectInactive: a token that is unknown, expired by the realm's clock, revoked, evicted,
// replaced by a refresh, or another app's is {"active": false} and nothing else (RFC 7662 §2.2).
func TestIntrospectInactive(t *testing.T) {
	tests := []struct {
		name   string
		caller client
		// setup returns the token to introspect.
		setup func(t *testing.T, ts *testServer) string
	}{
		{"unknown token", mainClient, func(*testing.T, *testServer) string { return "U1BCMDFUMDRKV1MwMXxzLFSvXdw5PHMsVLEn_MrtcyxUsw" }},
		{"access token at its expiry", mainClient, func(t *testing.T, ts *testServer) string {
			access := ts.login(t)["access_token"].(string)
			ts.clock.Advance(time.Hour)
			return access
		}},
		{"refresh token at its expiry", mainClient, func(t *testing.T, ts *testServer) string {
			refresh := ts.login(t)["refresh_token"].(string)
			ts.clock.Advance(7 * 24 * time.Hour)
			return refresh
		}},
		{"revoked access token", mainClient, func(t *testing.T, ts *testServer) string {
			access := ts.login(t)["access_token"].(string)
			ts.revoke(t, access)
			return access
		}},
		{"refresh token of a session revoked by its access token", mainClient, func(t *testing.T, ts *testServer) string {
			tr := ts.login(t)
			ts.revoke(t, tr["access_token"].(string))
			return tr["refresh_token"].(string)
		}},
		{"access token of a session the sixth sign-in evicted", mainClient, func(t *testing.T, ts *testServer) string {
			first := ts.login(t)["access_token"].(string)
			for range 5 {
				ts.login(t)
			}
			return first
		}},
		{"access token a refresh replaced", mainClient, func(t *testing.T, ts *testServer) string {
			tr := ts.login(t)
			if r := ts.refresh(t, tr["refresh_token"].(string)); r.status != http.StatusOK {
				t.Fatalf("refresh: got %d %s", r.status, r.body)
			}
			return tr["access_token"].(string)
		}},
		{"refresh token a refresh replaced, during its grace", mainClient, func(t *testing.T, ts *testServer) string {
			tr := ts.login(t)
			if r := ts.refresh(t, tr["refresh_token"].(string)); r.status != http.StatusOK {
				t.Fatalf("refresh: got %d %s", r.status, r.body)
			}
			return tr["refresh_token"].(string)
		}},
		{"another app's access token", restrictedClient, func(t *testing.T, ts *testServer) string {
			return ts.login(t)["access_token"].(string)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, withIntrospection)
			wantInactive(t, ts.introspect(t, tt.caller, tt.setup(t, ts)))
		})
	}
}

// revoke revokes token as the main app, which must succeed.
func (ts *testServer) revoke(tb testing.TB, token string) {
	tb.Helper()
	if r := ts.do(tb, request{path: PathRevoke, body: formOf("token", token), header: mainAuth()}); r.status != http.StatusOK {
		tb.Fatalf("revoke: got %d %s", r.status, r.body)
	}
}

// TestIntrospectCallerAuthentication: the caller authenticates as at the token endpoint, by any method its
// app is registered for, Basic credentials form-encoded or raw.
func TestIntrospectCallerAuthentication(t *testing.T) {
	ts := newTestServer(t, withIntrospection)
	access := ts.login(t)["access_token"].(string)
	tests := []struct {
		name   string
		header map[string]string
		form   []string
	}{
		{"client_secret_basic, form-encoded", mainAuth(), nil},
		{"client_secret_basic, raw as the SDKs send it", map[string]string{"Authorization": rawBasic(tMainID, tMainSecret)}, nil},
		{"client_secret_jwt addressed to the introspection endpoint", map[string]string{}, []string{
			"client_assertion_type", ClientAssertionType,
			"client_assertion", secretJWTAssertion(t, ts.env, ts.url+PathIntrospect, "introspect-jti", testStart),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := formValues(append([]string{"token", access}, tt.form...)...)
			r := ts.do(t, request{path: PathIntrospect, body: form.Encode(), header: tt.header})
			if r.status != http.StatusOK {
				t.Fatalf("status: got %d; want 200 (reason %q)\n%s", r.status, r.reason(), r.body)
			}
			// The main app's token is active for the main app; the client_secret_jwt app may not see it.
			if want := tt.form == nil; r.json(t)["active"] != want {
				t.Errorf("active: got %v; want %v\n%s", r.json(t)["active"], want, r.body)
			}
		})
	}
}

// TestIntrospectRefusals: a caller that does not authenticate gets RingCentral's body of the failure
// (invalid_client), with HTTP 400 as SPEC-2024-04 documents by default, or 401 with a Basic challenge (RFC
// 7662 §2.3) under Settings.IntrospectClientError "rfc"; a request without token, or not a form POST, is
// refused as at the revocation endpoint in either mode.
func TestIntrospectRefusals(t *testing.T) {
	for _, mode := range []string{IntrospectClientErrorSpec, IntrospectClientErrorRFC} {
		t.Run(mode, func(t *testing.T) { testIntrospectRefusals(t, mode) })
	}
}

func testIntrospectRefusals(t *testing.T, mode string) {
	ts := newTestServer(t, withIntrospection, func(o *Options) { o.Settings.IntrospectClientError = mode })
	access := ts.login(t)["access_token"].(string)
	clientStatus := map[string]int{IntrospectClientErrorSpec: 400, IntrospectClientErrorRFC: 401}[mode]
	tests := []struct {
		name   string
		rq     request
		status int
		oauth  string
		code   string
		reason string
	}{
		{name: "no client credentials", rq: request{body: formOf("token", access)},
			status: clientStatus, oauth: "invalid_client", code: "OAU-123"},
		{name: "wrong client secret", rq: request{body: formOf("token", access), header: map[string]string{"Authorization": basicAuth(tMainID, tWrongSecret)}},
			status: clientStatus, oauth: "invalid_client", code: "OAU-146", reason: "wrong client secret"},
		{name: "unknown client", rq: request{body: formOf("token", access), header: map[string]string{"Authorization": basicAuth("nobody", tMainSecret)}},
			status: clientStatus, oauth: "invalid_client", code: "OAU-146", reason: "unknown client_id"},
		{name: "a public app, which cannot authenticate", rq: request{body: formOf("token", access, "client_id", tPublicID)},
			status: clientStatus, oauth: "invalid_client", code: "OAU-123", reason: "public app"},
		{name: "two authentication methods", rq: request{body: formOf("token", access, "client_id", tMainID, "client_secret", tMainSecret), header: mainAuth()},
			status: clientStatus, oauth: "invalid_client", code: "OAU-153", reason: "more than one"},
		{name: "no token", rq: request{body: formOf("token_type_hint", "access_token"), header: mainAuth()},
			status: 400, oauth: "invalid_request", code: "CMN-101"},
		{name: "token twice", rq: request{body: "token=a&token=b", header: mainAuth()},
			status: 400, oauth: "invalid_request", code: "OAU-111"},
		{name: "GET", rq: request{method: http.MethodGet, path: PathIntrospect + "?" + formOf("token", access), header: mainAuth()},
			status: 405, oauth: "invalid_request", code: "HTTP-405"},
		{name: "JSON body", rq: request{body: `{"token":"` + access + `"}`, header: map[string]string{"Authorization": basicAuth(tMainID, tMainSecret), "Content-Type": "application/json"}},
			status: 415, oauth: "invalid_request", code: "HTTP-415"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.rq.path == "" {
				tt.rq.path = PathIntrospect
			}
			r := ts.do(t, tt.rq)
			wantError(t, r, tt.status, tt.oauth, tt.code)
			wantReason(t, r, tt.reason)
			challenge := r.header.Get("WWW-Authenticate")
			if want := `Basic realm="RingCentral"`; tt.oauth == "invalid_client" && mode == IntrospectClientErrorRFC && challenge != want {
				t.Errorf("WWW-Authenticate: got %q; want %q (RFC 6749 §5.2)", challenge, want)
			} else if (tt.oauth != "invalid_client" || mode != IntrospectClientErrorRFC) && challenge != "" {
				t.Errorf("WWW-Authenticate: got %q on a %d; want none", challenge, tt.status)
			}
		})
	}
}

// TestIntrospectCountsInTheAuthGroup: an introspection is an Auth-group request (SPEC-2024-04), charged to
// the caller and the token's user like the sign-in that issued the token: the sixth request of the pair in
// a window is refused with 429 CMN-301.
func TestIntrospectCountsInTheAuthGroup(t *testing.T) {
	ts := newTestServer(t, withIntrospection, func(o *Options) { o.Settings.RateLimit = true })
	access := ts.login(t)["access_token"].(string)
	for i := 2; i <= 5; i++ {
		if r := ts.introspect(t, mainClient, access); r.status != http.StatusOK || r.header.Get("X-Rate-Limit-Group") != rateGroupAuth {
			t.Fatalf("request %d: got %d, X-Rate-Limit-Group %q; want 200 in the Auth group\n%s", i, r.status, r.header.Get("X-Rate-Limit-Group"), r.body)
		}
	}
	r := ts.introspect(t, mainClient, access)
	wantError(t, r, http.StatusTooManyRequests, "", "CMN-301")
	if r.header.Get("Retry-After") == "" {
		t.Errorf("429 without Retry-After")
	}
}
