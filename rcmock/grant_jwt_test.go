package rcmock

import (
	"crypto/ecdsa"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// jwtGrants are the three grants of the JWT bearer family.
var jwtGrants = []string{GrantJWTBearer, GrantPersonalJWT, GrantPartnerJWT}

// hmacJWT signs claims with an HMAC algorithm and an arbitrary key, as a client that misread the JWT flow
// would.
func hmacJWT(tb testing.TB, m jwt.SigningMethod) string {
	tb.Helper()
	s, err := jwt.NewWithClaims(m, jwt.MapClaims{"iss": tIssuer, "aud": tAudience, "sub": tJane, "jti": "rcmock-jwt-101"}).
		SignedString([]byte("any key at all, long enough for HS512 ................................"))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// unsignedJWT is an alg "none" JWT (RFC 7519 §6).
func unsignedJWT(tb testing.TB) string {
	tb.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"iss": tIssuer, "aud": tAudience, "sub": tJane, "jti": "rcmock-jwt-101"}).
		SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// tamper changes one character in the middle of a JWT's signature.
func tamper(token string) string {
	i := strings.LastIndexByte(token, '.') + (len(token)-strings.LastIndexByte(token, '.'))/2
	c := byte('A')
	if token[i] == 'A' {
		c = 'B'
	}
	return token[:i] + string(c) + token[i+1:]
}

// TestJWTGrants runs the three JWT grants with the credentials of env/mock.env against the default fixture.
func TestJWTGrants(t *testing.T) {
	t.Parallel()
	env := mockEnv(t)
	main, restricted := mainClient, restrictedClient
	full := &tokenShape{owner: tJane, refresh: true, scope: tAppScopes}
	type tc struct {
		name      string
		client    client
		grant     string
		assertion string
		extra     []string
		want      *tokenShape // success
		status    int
		oauth     string
		code      string
		reason    string // when set, X-Mock-Error-Reason contains it: the right check failed
	}
	cases := []tc{
		{name: "jwt-bearer with RC_JWT", client: main, grant: GrantJWTBearer, assertion: env["RC_JWT"], want: full},
		{name: "jwt-bearer with a personal credential", client: main, grant: GrantJWTBearer, assertion: env["RC_PERSONAL_JWT"], want: full},
		{name: "personal_jwt with RC_PERSONAL_JWT", client: main, grant: GrantPersonalJWT, assertion: env["RC_PERSONAL_JWT"], want: full},
		{name: "partner_jwt with RC_PARTNER_JWT", client: main, grant: GrantPartnerJWT, assertion: env["RC_PARTNER_JWT"], want: full},
		{name: "requested scope subset", client: main, grant: GrantJWTBearer, assertion: env["RC_JWT"],
			extra: []string{"scope", "SMS ReadAccounts"}, want: &tokenShape{owner: tJane, refresh: true, scope: "SMS ReadAccounts"}},
		{name: "scope not granted to the app", client: main, grant: GrantJWTBearer, assertion: env["RC_JWT"],
			extra: []string{"scope", "ReadAccounts EditAccounts"}, status: 400, oauth: "invalid_scope", code: "CMN-101"},
		{name: "refresh_token_ttl=0 drops the refresh token", client: main, grant: GrantJWTBearer, assertion: env["RC_JWT"],
			extra: []string{"refresh_token_ttl", "0"}, want: &tokenShape{owner: tJane, scope: tAppScopes}},

		{name: "jwt-bearer refuses a partner credential", reason: "grant urn:ietf:params:oauth:grant-type:jwt-bearer accepts", client: main, grant: GrantJWTBearer, assertion: env["RC_PARTNER_JWT"], status: 400, oauth: "invalid_grant", code: "CMN-101"},
		{name: "personal_jwt refuses a jwt credential", reason: "grant personal_jwt accepts", client: main, grant: GrantPersonalJWT, assertion: env["RC_JWT"], status: 400, oauth: "invalid_grant", code: "CMN-101"},
		{name: "personal_jwt refuses a partner credential", reason: "grant personal_jwt accepts", client: main, grant: GrantPersonalJWT, assertion: env["RC_PARTNER_JWT"], status: 400, oauth: "invalid_grant", code: "CMN-101"},
		{name: "partner_jwt refuses a jwt credential", reason: "grant partner_jwt accepts", client: main, grant: GrantPartnerJWT, assertion: env["RC_JWT"], status: 400, oauth: "invalid_grant", code: "CMN-101"},
		{name: "partner_jwt refuses a personal credential", reason: "grant partner_jwt accepts", client: main, grant: GrantPartnerJWT, assertion: env["RC_PERSONAL_JWT"], status: 400, oauth: "invalid_grant", code: "CMN-101"},

		{name: "expired credential", reason: "expired", client: main, grant: GrantJWTBearer, assertion: env["RC_JWT_EXPIRED"], status: 400, oauth: "invalid_grant", code: "CMN-101"},
		{name: "credential of another environment", reason: "another environment", client: main, grant: GrantJWTBearer, assertion: env["RC_JWT_OTHER_ENV"], status: 400, oauth: "invalid_grant", code: "CMN-101"},
		{name: "tampered signature", reason: "signature is invalid", client: main, grant: GrantJWTBearer, assertion: tamper(env["RC_JWT"]), status: 400, oauth: "invalid_grant", code: "CMN-101"},
		{name: "not a JWT", reason: "not a JWT", client: main, grant: GrantJWTBearer, assertion: "not-a-jwt", status: 400, oauth: "invalid_grant", code: "CMN-101"},
		{name: "alg none", reason: "\"none\" is not accepted", client: main, grant: GrantJWTBearer, assertion: unsignedJWT(t), status: 400, oauth: "invalid_grant", code: "CMN-101"},

		{name: "wrong client secret", client: client{main.id, tWrongSecret}, grant: GrantJWTBearer, assertion: env["RC_JWT"], status: 400, oauth: "invalid_client", code: "OAU-146"},
		{name: "no client authentication", grant: GrantJWTBearer, assertion: env["RC_JWT"], status: 400, oauth: "invalid_client", code: "OAU-123"},
	}
	for _, grant := range jwtGrants {
		cases = append(cases,
			tc{name: grant + " without assertion", client: main, grant: grant, status: 400, oauth: "invalid_request", code: "CMN-101"},
			tc{name: grant + " with HS256", client: main, grant: grant, assertion: hmacJWT(t, jwt.SigningMethodHS256), status: 400, oauth: "invalid_grant", code: "OAU-347"},
			tc{name: grant + " with HS512", client: main, grant: grant, assertion: hmacJWT(t, jwt.SigningMethodHS512), status: 400, oauth: "invalid_grant", code: "OAU-347"},
			tc{name: grant + " from an app not approved for it", client: restricted, grant: grant, assertion: env["RC_JWT"], status: 400, oauth: "unauthorized_client", code: "OAU-251"},
		)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m := newTestServer(t)
			params := formValues(append([]string{"grant_type", c.grant, "assertion", c.assertion}, c.extra...)...)
			r := m.token(t, c.client, params)
			if c.want != nil {
				wantToken(t, r, *c.want)
				return
			}
			e := wantError(t, r, c.status, c.oauth, c.code)
			wantReason(t, r, c.reason)
			if c.code == "CMN-101" && c.oauth != "invalid_scope" {
				if got := e["parameterName"]; got != "assertion" {
					t.Errorf("parameterName: got %v; want assertion", got)
				}
			}
		})
	}
}

// TestJWTBearerSession checks that the JWT bearer grant's tokens act for the credential's user.
func TestJWTBearerSession(t *testing.T) {
	t.Parallel()
	m := newTestServer(t)
	body := wantToken(t, m.token(t, mainClient, formValues("grant_type", GrantJWTBearer, "assertion", m.env["RC_JWT"])),
		tokenShape{owner: tJane, refresh: true})
	r := m.get(t, PathExtension, body["access_token"].(string))
	if r.status != http.StatusOK {
		t.Fatalf("GET extension: got %d; want 200\n%s", r.status, r.body)
	}
	if got := r.json(t)["id"]; got != 62264425016.0 {
		t.Errorf("extension id: got %v; want %s", got, tJane)
	}
	refreshed := m.token(t, mainClient, formValues("grant_type", GrantRefreshToken, "refresh_token", body["refresh_token"].(string)))
	wantToken(t, refreshed, tokenShape{owner: tJane, refresh: true})
}

// credentialServer is a mock whose environment credential key is key, so that the test can mint
// credentials with any claims. John's credential rcmock-jwt-102 is restricted to another app, and he gets a
// second credential restricted to the main app among others.
func credentialServer(t *testing.T, key *ecdsa.PrivateKey) *testServer {
	t.Helper()
	return newTestServer(t, func(o *Options) {
		o.Fixture.Environment.CredentialPublicKey = publicKeyPEM(t, &key.PublicKey)
		john := &o.Fixture.Users[1]
		john.JWTCredentials[0].AllowedClients = []string{"rcmockPrivateKeyJwtApp01"}
		john.JWTCredentials = append(john.JWTCredentials, JWTCredential{
			ID: "rcmock-jwt-102-main", Kind: CredentialJWT,
			AllowedClients: []string{"rcmockPrivateKeyJwtApp01", "rcmockConfidentialApp01"},
		})
	})
}

// signCredential signs claims as an ES256 JWT credential.
func signCredential(tb testing.TB, key *ecdsa.PrivateKey, claims jwt.MapClaims) string {
	tb.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodES256, claims).SignedString(key)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// credentialClaims are the claims of a valid credential of Jane's at testStart.
func credentialClaims() jwt.MapClaims {
	return jwt.MapClaims{
		"iss": tIssuer, "aud": []string{tAudience}, "sub": tJane, "jti": "rcmock-jwt-101",
		"iat": testStart.Add(-time.Hour).Unix(), "exp": testStart.Add(time.Hour).Unix(),
	}
}

// TestJWTCredentialClaims mutates one claim at a time of a credential signed with a test environment key.
func TestJWTCredentialClaims(t *testing.T) {
	t.Parallel()
	key := ecKey(t)
	cases := []struct {
		name   string
		mutate func(jwt.MapClaims)
		key    *ecdsa.PrivateKey // signing key; nil means the environment's
		owner  string            // success when set
		reason string            // a failure's X-Mock-Error-Reason contains it: the right check failed
	}{
		{name: "valid", mutate: func(jwt.MapClaims) {}, owner: tJane},
		{name: "no exp: credentials need not expire", mutate: func(c jwt.MapClaims) { delete(c, "exp") }, owner: tJane},
		{name: "exp passed within the leeway", mutate: func(c jwt.MapClaims) { c["exp"] = testStart.Add(-10 * time.Second).Unix() }, owner: tJane},
		{name: "aud as a string", mutate: func(c jwt.MapClaims) { c["aud"] = tAudience }, owner: tJane},
		{name: "aud among others", mutate: func(c jwt.MapClaims) { c["aud"] = []string{"https://example.com", tAudience} }, owner: tJane},
		{name: "credential allowed for the app", mutate: func(c jwt.MapClaims) { c["sub"], c["jti"] = tJohn, "rcmock-jwt-102-main" }, owner: tJohn},

		{name: "exp passed", reason: "expired", mutate: func(c jwt.MapClaims) { c["exp"] = testStart.Add(-time.Minute).Unix() }},
		{name: "nbf in the future", reason: "not valid yet", mutate: func(c jwt.MapClaims) { c["nbf"] = testStart.Add(time.Hour).Unix() }},
		{name: "iss of another environment", reason: "is not this environment's issuer", mutate: func(c jwt.MapClaims) { c["iss"] = "https://platform.devtest.ringcentral.com" }},
		{name: "no iss", reason: "is not this environment's issuer", mutate: func(c jwt.MapClaims) { delete(c, "iss") }},
		{name: "aud of another environment", reason: "does not contain this environment's audience", mutate: func(c jwt.MapClaims) {
			c["aud"] = "https://platform.devtest.ringcentral.com" + PathToken
		}},
		{name: "no aud", reason: "does not contain this environment's audience", mutate: func(c jwt.MapClaims) { delete(c, "aud") }},
		{name: "no jti", reason: "has no jti", mutate: func(c jwt.MapClaims) { delete(c, "jti") }},
		{name: "unknown jti", reason: "is registered", mutate: func(c jwt.MapClaims) { c["jti"] = "rcmock-jwt-999" }},
		{name: "sub is not the credential's user", reason: "not to sub", mutate: func(c jwt.MapClaims) { c["sub"] = tJohn }},
		{name: "no sub", reason: "not to sub", mutate: func(c jwt.MapClaims) { delete(c, "sub") }},
		{name: "credential restricted to another app", reason: "restricted to the apps", mutate: func(c jwt.MapClaims) { c["sub"], c["jti"] = tJohn, "rcmock-jwt-102" }},
		{name: "signed by another key", reason: "signature is invalid", mutate: func(jwt.MapClaims) {}, key: ecKey(t)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m := credentialServer(t, key)
			claims := credentialClaims()
			c.mutate(claims)
			signer := key
			if c.key != nil {
				signer = c.key
			}
			r := m.token(t, mainClient, formValues("grant_type", GrantJWTBearer, "assertion", signCredential(t, signer, claims)))
			if c.owner != "" {
				wantToken(t, r, tokenShape{owner: c.owner, refresh: true, scope: tAppScopes})
				return
			}
			wantError(t, r, 400, "invalid_grant", "CMN-101")
			wantReason(t, r, c.reason)
		})
	}
}

// TestJWTCredentialExpiresWithTheClock: a credential with exp works until the realm's clock passes exp plus
// the leeway.
func TestJWTCredentialExpiresWithTheClock(t *testing.T) {
	t.Parallel()
	key := ecKey(t)
	m := credentialServer(t, key)
	assertion := signCredential(t, key, credentialClaims()) // exp = testStart + 1h
	params := formValues("grant_type", GrantJWTBearer, "assertion", assertion)
	wantToken(t, m.token(t, mainClient, params), tokenShape{owner: tJane, refresh: true})
	m.clock.Advance(time.Hour + 20*time.Second)
	wantToken(t, m.token(t, mainClient, params), tokenShape{owner: tJane, refresh: true})
	m.clock.Advance(20 * time.Second)
	wantError(t, m.token(t, mainClient, params), 400, "invalid_grant", "CMN-101")
}
