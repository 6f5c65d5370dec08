package rcmock

import (
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// TestDiscovery: the OpenID Connect discovery document conforms to RingCentral's OpenIdDiscovery schema,
// names this server (or Options.Issuer) as issuer and derives every endpoint from it (ringcentral-oauth.md
// §8.4).
func TestDiscovery(t *testing.T) {
	tests := []struct {
		name       string
		issuer     string // Options.Issuer
		wantIssuer string // "" means the httptest URL
	}{
		{"issuer from the request", "", ""},
		{"configured issuer", "https://platform.rcmock.invalid/", "https://platform.rcmock.invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestServer(t, withTestApps, func(o *Options) { o.Issuer = tt.issuer })
			want := tt.wantIssuer
			if want == "" {
				want = e.url
			}
			r := e.do(t, request{method: http.MethodGet, path: PathDiscovery})
			if r.status != http.StatusOK {
				t.Fatalf("got status %d; want 200\n%s", r.status, r.body)
			}
			spec := testSpec(t)
			if err := spec.ValidateResponse(http.MethodGet, PathDiscovery, r.status, r.header.Get("Content-Type"), r.body); err != nil {
				t.Errorf("discovery response does not conform: %v", err)
			}
			if err := spec.ValidateSchema("OpenIdDiscovery", r.body); err != nil {
				t.Errorf("discovery document does not conform: %v", err)
			}
			var got openIDConfiguration
			if err := json.Unmarshal(r.body, &got); err != nil {
				t.Fatal(err)
			}
			endpoints := map[string]string{
				"issuer":                        got.Issuer,
				"authorization_endpoint":        got.AuthorizationEndpoint,
				"token_endpoint":                got.TokenEndpoint,
				"revocation_endpoint":           got.RevocationEndpoint,
				"userinfo_endpoint":             got.UserinfoEndpoint,
				"jwks_uri":                      got.JWKSURI,
				"device_authorization_endpoint": got.DeviceAuthorizationEndpoint,
			}
			wantEndpoints := map[string]string{
				"issuer":                        want,
				"authorization_endpoint":        want + "/restapi/oauth/authorize",
				"token_endpoint":                want + "/restapi/oauth/token",
				"revocation_endpoint":           want + "/restapi/oauth/revoke",
				"userinfo_endpoint":             want + "/restapi/oauth/userinfo",
				"jwks_uri":                      want + "/restapi/oauth/jwks",
				"device_authorization_endpoint": want + "/restapi/oauth/device",
			}
			for k, w := range wantEndpoints {
				if endpoints[k] != w {
					t.Errorf("got %s %q; want %q", k, endpoints[k], w)
				}
			}
			lists := []struct {
				name      string
				got, want []string
			}{
				{"scopes_supported", got.ScopesSupported, []string{"openid", "email", "profile"}},
				{"token_endpoint_auth_methods_supported", got.TokenEndpointAuthMethodsSupported, []string{"client_secret_basic", "client_secret_jwt", "private_key_jwt"}},
				{"response_types_supported", got.ResponseTypesSupported, []string{"code"}},
				{"subject_types_supported", got.SubjectTypesSupported, []string{"public"}},
				{"userinfo_signing_alg_values_supported", got.UserinfoSigningAlgValuesSupported, []string{"none"}},
				{"id_token_signing_alg_values_supported", got.IDTokenSigningAlgValuesSupported, []string{"RS256"}},
				{"display_values_supported", got.DisplayValuesSupported, []string{"page", "popup", "touch", "mobile"}},
				{"code_challenge_methods_supported", got.CodeChallengeMethodsSupported, []string{"plain", "S256"}},
				{"claims_supported", got.ClaimsSupported, []string{"sub", "iss", "auth_time", "aud", "exp", "iat", "jti", "nonce",
					"account_id", "email", "email_verified", "given_name", "family_name"}},
			}
			for _, l := range lists {
				if !slices.Equal(l.got, l.want) {
					t.Errorf("got %s %v; want %v", l.name, l.got, l.want)
				}
			}
			if got.ClaimsParameterSupported || got.RequestParameterSupported || got.RequestURIParameterSupported {
				t.Errorf("got claims/request/request_uri parameter support; want none")
			}
		})
	}
}

// TestOIDCMethods: discovery and JWKS are read-only; UserInfo takes GET and POST (OpenID Connect Core
// §5.3.1).
func TestOIDCMethods(t *testing.T) {
	e := newTestServer(t, withTestApps)
	tests := []struct {
		method, path string
		wantAllow    string
	}{
		{http.MethodPost, PathDiscovery, "GET"},
		{http.MethodPost, PathJWKS, "GET"},
		{http.MethodDelete, PathUserInfo, "GET, POST"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			r := e.do(t, request{method: tt.method, path: tt.path})
			if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != tt.wantAllow {
				t.Errorf("got status %d, Allow %q; want 405, %q", r.status, r.header.Get("Allow"), tt.wantAllow)
			}
		})
	}
}

// TestJWKS: the key set conforms to RingCentral's JWKeySet schema and holds the public half of the fixture's
// signing key under its kid.
func TestJWKS(t *testing.T) {
	e := newTestServer(t, withTestApps)
	r := e.do(t, request{method: http.MethodGet, path: PathJWKS})
	if r.status != http.StatusOK {
		t.Fatalf("got status %d; want 200\n%s", r.status, r.body)
	}
	spec := testSpec(t)
	if err := spec.ValidateResponse(http.MethodGet, PathJWKS, r.status, r.header.Get("Content-Type"), r.body); err != nil {
		t.Errorf("JWKS response does not conform: %v", err)
	}
	if err := spec.ValidateSchema("JWKeySet", r.body); err != nil {
		t.Errorf("JWKS does not conform: %v", err)
	}
	keys, _ := r.json(t)["keys"].([]any)
	if len(keys) != 1 {
		t.Fatalf("got %d keys; want 1", len(keys))
	}
	k, _ := keys[0].(map[string]any)
	wantMembers := map[string]string{"kty": "RSA", "alg": "RS256", "use": "sig", "kid": e.srv.fx.Environment.SigningKeyID}
	for name, want := range wantMembers {
		if got, _ := k[name].(string); got != want {
			t.Errorf("got %s %q; want %q", name, got, want)
		}
	}
	if _, private := k["d"]; private {
		t.Fatalf("JWKS publishes the private exponent")
	}
	pub := jwksKey(t, e, e.srv.fx.Environment.SigningKeyID)
	if !pub.Equal(e.srv.fx.signingKey.Public()) {
		t.Errorf("JWKS key is not the public half of the signing key")
	}
}

// jwksKey fetches the JWKS and returns the RSA key with kid.
func jwksKey(tb testing.TB, e *testServer, kid string) *rsa.PublicKey {
	tb.Helper()
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(e.do(tb, request{method: http.MethodGet, path: PathJWKS}).body, &set); err != nil {
		tb.Fatalf("decoding JWKS: %v", err)
	}
	found := set.Key(kid)
	if len(found) != 1 {
		tb.Fatalf("JWKS has %d keys with kid %q; want 1", len(found), kid)
	}
	pub, ok := found[0].Key.(*rsa.PublicKey)
	if !ok {
		tb.Fatalf("JWKS key is %T; want *rsa.PublicKey", found[0].Key)
	}
	return pub
}

// TestIDToken: with the openid scope the token response carries an id_token that verifies with the JWKS key
// and carries the claims of OpenID Connect Core §2 and RingCentral's claims_supported (nonce only when it
// was sent, Core §3.1.2.1).
func TestIDToken(t *testing.T) {
	tests := []struct {
		name      string
		params    url.Values
		advance   time.Duration // between authorization and token request, so auth_time < iat
		wantSub   string
		wantEmail string
		wantGiven string
		wantNonce string
	}{
		{"with nonce", authzParams("scope", "openid ReadAccounts", "nonce", "n-0S6_WzA2Mj"), 5 * time.Second, tJane, "jane.doe@example.com", "Jane", "n-0S6_WzA2Mj"},
		{"without nonce, other user", authzParams("scope", "openid profile email", "login_hint", "+16505550100*102"), 0, tJohn, "john.roe@example.com", "John", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestServer(t, withTestApps)
			code := e.code(t, tt.params)
			e.clock.Advance(tt.advance)
			r := e.redeem(t, code)
			if r.status != http.StatusOK {
				t.Fatalf("got status %d; want 200\n%s", r.status, r.body)
			}
			raw, _ := r.json(t)["id_token"].(string)
			if raw == "" {
				t.Fatalf("token response has no id_token\n%s", r.body)
			}
			kid := e.srv.fx.Environment.SigningKeyID
			pub := jwksKey(t, e, kid)
			claims := jwt.MapClaims{}
			tok, err := jwt.ParseWithClaims(raw, claims, func(tok *jwt.Token) (any, error) { return pub, nil },
				jwt.WithValidMethods([]string{"RS256"}),
				jwt.WithIssuer(e.url),
				jwt.WithAudience(tMainID),
				jwt.WithTimeFunc(e.clock.Now),
				jwt.WithIssuedAt(),
				jwt.WithExpirationRequired(),
			)
			if err != nil {
				t.Fatalf("id_token does not verify: %v", err)
			}
			if got := tok.Header["kid"]; got != kid {
				t.Errorf("got kid %v; want %s", got, kid)
			}
			now := e.clock.Now().Unix()
			wantClaims := map[string]any{
				"sub":            tt.wantSub,
				"aud":            tMainID,
				"account_id":     "37439510",
				"email":          tt.wantEmail,
				"email_verified": true,
				"given_name":     tt.wantGiven,
				"iat":            float64(now),
				"exp":            float64(now + 3600),
				"auth_time":      float64(testStart.Unix()),
			}
			for name, want := range wantClaims {
				if got := claims[name]; got != want {
					t.Errorf("got claim %s = %v (%T); want %v", name, got, got, want)
				}
			}
			if got, has := claims["nonce"]; (tt.wantNonce != "") != has || (has && got != tt.wantNonce) {
				t.Errorf("got nonce %v (present %v); want %q", got, has, tt.wantNonce)
			}
			if jti, _ := claims["jti"].(string); jti == "" {
				t.Errorf("id_token has no jti")
			}
		})
	}
}

// TestUserInfo: UserInfo answers the token's user as UserInfoResource for GET and POST; it needs a valid
// bearer token (401), a user behind the token and the openid scope (403).
func TestUserInfo(t *testing.T) {
	e := newTestServer(t, withTestApps)
	tokenFor := func(t *testing.T, params url.Values) string {
		t.Helper()
		r := e.redeem(t, e.code(t, params))
		access, _ := r.json(t)["access_token"].(string)
		if access == "" {
			t.Fatalf("no access token\n%s", r.body)
		}
		return access
	}
	jane := tokenFor(t, authzParams("scope", "openid ReadAccounts"))
	john := tokenFor(t, authzParams("scope", "openid", "login_hint", "john.roe@example.com"))
	// The authorization endpoint ignores scope (authorize.go authorizeScope); the token endpoint honours it.
	noOpenID, _ := e.login(t, "scope", "ReadAccounts")["access_token"].(string)
	userless := userlessToken(t, e)

	tests := []struct {
		name       string
		header     map[string]string
		wantStatus int
		wantCode   string
		wantUser   userInfo
	}{
		{"jane", map[string]string{"Authorization": "Bearer " + jane}, 200, "", userInfo{Sub: tJane, Email: "jane.doe@example.com", AccountID: "37439510", GivenName: "Jane", FamilyName: "Doe"}},
		{"john, lower-case scheme", map[string]string{"Authorization": "bearer " + john}, 200, "", userInfo{Sub: tJohn, Email: "john.roe@example.com", AccountID: "37439510", GivenName: "John", FamilyName: "Roe"}},
		{"no Authorization", nil, 401, "OAU-123", userInfo{}},
		{"unknown token", map[string]string{"Authorization": "Bearer nope"}, 401, "OAU-213", userInfo{}},
		{"token without openid", map[string]string{"Authorization": "Bearer " + noOpenID}, 403, "CMN-401", userInfo{}},
		{"token without a user", map[string]string{"Authorization": "Bearer " + userless}, 403, "CMN-405", userInfo{}},
	}
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		for _, tt := range tests {
			t.Run(method+"/"+tt.name, func(t *testing.T) {
				r := e.do(t, request{method: method, path: PathUserInfo, header: tt.header})
				if tt.wantStatus != http.StatusOK {
					wantError(t, r, tt.wantStatus, "", tt.wantCode)
					if r.header.Get("WWW-Authenticate") == "" {
						t.Errorf("no WWW-Authenticate challenge (RFC 6750 §3)")
					}
					return
				}
				if r.status != http.StatusOK {
					t.Fatalf("got status %d; want 200\n%s", r.status, r.body)
				}
				if err := testSpec(t).ValidateSchema("UserInfoResource", r.body); err != nil {
					t.Errorf("userinfo does not conform: %v", err)
				}
				if method == http.MethodGet {
					if err := testSpec(t).ValidateResponse(method, PathUserInfo, r.status, r.header.Get("Content-Type"), r.body); err != nil {
						t.Errorf("userinfo response does not conform: %v", err)
					}
				}
				var got userInfo
				if err := json.Unmarshal(r.body, &got); err != nil {
					t.Fatal(err)
				}
				if got.EmailVerified == nil || !*got.EmailVerified {
					t.Errorf("got email_verified %v; want true", got.EmailVerified)
				}
				got.EmailVerified = nil
				if got != tt.wantUser {
					t.Errorf("got %+v; want %+v", got, tt.wantUser)
				}
			})
		}
	}
}

// userlessToken stores a session without a user, as client_credentials issues, and returns its access
// token.
func userlessToken(tb testing.TB, e *testServer) string {
	tb.Helper()
	fx := e.srv.fx
	sess, err := e.srv.realm("").createSession(newSessionSpec{
		app:       fx.apps[tPrivateKeyID],
		account:   fx.accounts["37439510"],
		grant:     GrantClientCredentials,
		scope:     "ReadAccounts openid",
		accessTTL: time.Hour,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return sess.access.value
}

// TestUserInfoRateLimited: UserInfo is in the Auth throttling group, counted with the authorization and token
// requests of the same app and user.
func TestUserInfoRateLimited(t *testing.T) {
	e := newTestServer(t, withTestApps, func(o *Options) { o.Settings.RateLimit = true })
	r := e.redeem(t, e.code(t, authzParams("scope", "openid"))) // two Auth requests
	access, _ := r.json(t)["access_token"].(string)
	h := map[string]string{"Authorization": "Bearer " + access}
	for i := 3; i <= e.srv.opts.RateLimitMax; i++ {
		if r := e.do(t, request{method: http.MethodGet, path: PathUserInfo, header: h}); r.status != http.StatusOK {
			t.Fatalf("Auth request %d: got status %d; want 200\n%s", i, r.status, r.body)
		}
	}
	r = e.do(t, request{method: http.MethodGet, path: PathUserInfo, header: h})
	wantError(t, r, http.StatusTooManyRequests, "", "CMN-301")
}
