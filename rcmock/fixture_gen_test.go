package rcmock_test

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/rcoauth/conformance/rcmock"
)

// update regenerates rcmock/fixtures/default.json and env/mock.env with fresh keys:
//
//	go test ./rcmock -run TestGenerateDefaultFixture -update
var update = flag.Bool("update", false, "regenerate the default fixture and env/mock.env")

const (
	fixturePath = "fixtures/default.json"
	mockEnvPath = "../env/mock.env"

	mockIssuer   = "https://platform.rcmock.invalid"
	devtestURL   = "https://platform.devtest.ringcentral.com"
	redirectURI  = "https://client.example.com/oauth/callback"
	redirectURI2 = "https://client.example.com/oauth/second"
	deviceID     = "rcmock-device-001"
	pkjwtKID     = "rcmock-pkjwt-1"
	mainClientID = "rcmockConfidentialApp01"
	// The main app's secret contains ':', '%' and '+' so that every run exercises RFC 6749 §2.3.1's
	// form-encoding of Basic credentials.
	mainSecret = "mock:Secret%41+plus"
)

var scopes = []string{"ReadAccounts", "ReadCallLog", "ReadMessages", "SMS", "RingOut", "WebSocket", "openid", "profile", "email"}

// restrictedScopes are the restricted app's: every scope but WebSocket, so that the suite has an app without
// the permission POST /restapi/oauth/wstoken requires (OpenAPI authWsToken x-app-permission: WebSocket).
var restrictedScopes = []string{"ReadAccounts", "ReadCallLog", "ReadMessages", "SMS", "RingOut", "openid", "profile", "email"}

// TestGenerateDefaultFixture writes the default fixture and env/mock.env. It only runs with -update.
func TestGenerateDefaultFixture(t *testing.T) {
	if !*update {
		t.Skip("run with -update to regenerate the default fixture and env/mock.env")
	}
	credKey, otherEnvKey, signingKey, pkjwtKey, caKey, deviceKey := rsaKey(t), rsaKey(t), rsaKey(t), rsaKey(t), rsaKey(t), rsaKey(t)
	notBefore := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	notAfter := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)

	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "RCMock Device CA", Organization: []string{"rcmock"}},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	devTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: deviceID, Organization: []string{"rcmock"}},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	devDER, err := x509.CreateCertificate(rand.Reader, devTmpl, caCert, &deviceKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}

	f := rcmock.Fixture{
		Environment: rcmock.Environment{
			Name:                "rcmock",
			CredentialIssuer:    mockIssuer,
			CredentialAudience:  mockIssuer + rcmock.PathToken,
			CredentialPublicKey: publicPEM(t, &credKey.PublicKey),
			SigningKey:          privatePEM(t, signingKey),
			SigningKeyID:        "rcmock-signing-1",
			DeviceCACertificate: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})),
		},
		Brands: []rcmock.Brand{{ID: "1210", Name: "RingCentral"}},
		Accounts: []rcmock.Account{{
			ID: "37439510", BrandID: "1210", Name: "RCMock Inc.", MainNumber: "+16505550100",
			PartnerAccountID: "rcmock-partner-001",
		}},
		Apps: []rcmock.App{
			{
				Name: "main", ClientID: mainClientID, ClientSecret: mainSecret, Type: "confidential",
				AuthMethods: []string{rcmock.AuthClientSecretBasic}, GrantTypes: rcmock.AllGrantTypes,
				RedirectURIs: []string{redirectURI, redirectURI2}, Scopes: scopes,
				IssueRefreshTokens: true, RefreshTokenTTL: 604800,
			},
			{
				Name: "public", ClientID: "rcmockPublicApp01", Type: "public",
				AuthMethods:  []string{rcmock.AuthNone},
				GrantTypes:   []string{rcmock.GrantAuthorizationCode, rcmock.GrantRefreshToken},
				RedirectURIs: []string{redirectURI}, Scopes: scopes,
				IssueRefreshTokens: true, RefreshTokenTTL: 604800,
			},
			{
				Name: "restricted", ClientID: "rcmockRestrictedApp01", ClientSecret: "restricted-Secret-01", Type: "confidential",
				AuthMethods:  []string{rcmock.AuthClientSecretBasic},
				GrantTypes:   []string{rcmock.GrantAuthorizationCode},
				RedirectURIs: []string{redirectURI}, Scopes: restrictedScopes,
				IssueRefreshTokens: false,
			},
			{
				Name: "secret-jwt", ClientID: "rcmockSecretJwtApp01", ClientSecret: "secret-jwt-HMAC-key-0123456789abcdef0123", Type: "confidential",
				AuthMethods:  []string{rcmock.AuthClientSecretJWT},
				GrantTypes:   []string{rcmock.GrantPassword, rcmock.GrantRefreshToken, rcmock.GrantJWTBearer, rcmock.GrantAuthorizationCode},
				RedirectURIs: []string{redirectURI}, Scopes: scopes,
				IssueRefreshTokens: true, RefreshTokenTTL: 604800,
			},
			{
				Name: "private-key-jwt", ClientID: "rcmockPrivateKeyJwtApp01", Type: "confidential",
				AuthMethods: []string{rcmock.AuthPrivateKeyJWT},
				GrantTypes:  []string{rcmock.GrantJWTBearer, rcmock.GrantClientCredentials},
				Scopes:      scopes, IssueRefreshTokens: true, RefreshTokenTTL: 604800,
				Keys: []rcmock.AppKey{{KID: pkjwtKID, PublicKey: publicPEM(t, &pkjwtKey.PublicKey)}},
			},
		},
		Users: []rcmock.User{
			{
				ExtensionID: "62264425016", AccountID: "37439510", ExtensionNumber: "101",
				Email: "jane.doe@example.com", DirectNumber: "+16505550101", FirstName: "Jane", LastName: "Doe",
				Password: "Mock-Pa55word!", Admin: true, IVRPin: "246810",
				OTPCodes: []string{"314159", "271828", "161803"},
				JWTCredentials: []rcmock.JWTCredential{
					{ID: "rcmock-jwt-101", Kind: rcmock.CredentialJWT},
					{ID: "rcmock-jwt-101-expired", Kind: rcmock.CredentialJWT},
					{ID: "rcmock-personal-jwt-101", Kind: rcmock.CredentialPersonal},
					{ID: "rcmock-partner-jwt-101", Kind: rcmock.CredentialPartner},
				},
				Devices: []rcmock.Device{{ID: deviceID}},
			},
			{
				ExtensionID: "62264425017", AccountID: "37439510", ExtensionNumber: "102",
				Email: "john.roe@example.com", FirstName: "John", LastName: "Roe",
				Password: "Second-Pa55word!", IVRPin: "135790",
				JWTCredentials: []rcmock.JWTCredential{{ID: "rcmock-jwt-102", Kind: rcmock.CredentialJWT}},
			},
		},
		GuestResources: []rcmock.GuestResource{{
			ResourceType: "meeting", Resource: "https://meetings.rcmock.invalid/j/1234567890",
			BrandID: "1210", Scope: "Meetings",
		}},
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rcmock.ParseFixture(b); err != nil {
		t.Fatalf("generated fixture is invalid: %v", err)
	}
	if err := os.WriteFile(fixturePath, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}

	issued := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cred := func(key *rsa.PrivateKey, iss, jti string, exp time.Time) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.RegisteredClaims{
			Issuer: iss, Audience: jwt.ClaimStrings{iss + rcmock.PathToken}, Subject: "62264425016",
			IssuedAt: jwt.NewNumericDate(issued), ExpiresAt: jwt.NewNumericDate(exp), ID: jti,
		})
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	vals := map[string]string{
		"RC_CLIENT_ID":                 mainClientID,
		"RC_CLIENT_SECRET":             mainSecret,
		"RC_REDIRECT_URI":              redirectURI,
		"RC_USERNAME":                  "+16505550100",
		"RC_EXTENSION":                 "101",
		"RC_PASSWORD":                  "Mock-Pa55word!",
		"RC_JWT":                       cred(credKey, mockIssuer, "rcmock-jwt-101", notAfter),
		"RC_JWT_EXPIRED":               cred(credKey, mockIssuer, "rcmock-jwt-101-expired", time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)),
		"RC_JWT_OTHER_ENV":             cred(otherEnvKey, devtestURL, "rcmock-jwt-other-env", notAfter),
		"RC_PERSONAL_JWT":              cred(credKey, mockIssuer, "rcmock-personal-jwt-101", notAfter),
		"RC_PARTNER_JWT":               cred(credKey, mockIssuer, "rcmock-partner-jwt-101", notAfter),
		"RC_PUBLIC_CLIENT_ID":          "rcmockPublicApp01",
		"RC_RESTRICTED_CLIENT_ID":      "rcmockRestrictedApp01",
		"RC_RESTRICTED_CLIENT_SECRET":  "restricted-Secret-01",
		"RC_SECRET_JWT_CLIENT_ID":      "rcmockSecretJwtApp01",
		"RC_SECRET_JWT_CLIENT_SECRET":  "secret-jwt-HMAC-key-0123456789abcdef0123",
		"RC_PRIVATE_KEY_JWT_CLIENT_ID": "rcmockPrivateKeyJwtApp01",
		"RC_PRIVATE_KEY_JWT_KEY":       escapeNewlines(privatePEM(t, pkjwtKey)),
		"RC_PRIVATE_KEY_JWT_KID":       pkjwtKID,
		"RC_BRAND_ID":                  "1210",
		"RC_ACCOUNT_ID":                "37439510",
		"RC_PARTNER_ACCOUNT_ID":        "rcmock-partner-001",
		"RC_IVR_PIN":                   "246810",
		"RC_OTP_CODE":                  "314159",
		"RC_GUEST_RESOURCE_TYPE":       "meeting",
		"RC_GUEST_RESOURCE":            "https://meetings.rcmock.invalid/j/1234567890",
		"RC_DEVICE_CERTIFICATE":        escapeNewlines(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: devDER}))),
		"RC_DEVICE_PRIVATE_KEY":        escapeNewlines(privatePEM(t, deviceKey)),
	}
	var out bytes.Buffer
	out.WriteString(mockEnvHeader)
	for _, sec := range mockEnvSections {
		fmt.Fprintf(&out, "\n## %s\n", sec.title)
		for _, line := range sec.lines {
			if strings.HasPrefix(line, "#") || strings.Contains(line, "=") {
				out.WriteString(line + "\n")
				continue
			}
			v, ok := vals[line]
			if !ok {
				t.Fatalf("no value for %s", line)
			}
			fmt.Fprintf(&out, "%s=%s\n", line, quoteEnv(v))
		}
	}
	if err := os.WriteFile(mockEnvPath, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

const mockEnvHeader = `# Profile "mock": the embedded in-process rcmock (the default profile; zero configuration).
#
# The values below are the credentials that rcmock seeds by default (rcmock/fixtures/default.json). They
# are fixtures of the mock, valid nowhere else, which is why this file is committed. Real credentials go
# into env/<profile>.local.env (git-ignored) or the process environment, never into a committed file.
# Regenerate this file and the fixture together with:
#   go test ./rcmock -run TestGenerateDefaultFixture -update
`

var mockEnvSections = []struct {
	title string
	lines []string
}{
	{"Target", []string{
		"# RC_SERVER_URL: base URL of the target; empty here, so the suite starts the embedded mock and uses its URL.",
		"RC_SERVER_URL=",
		"# RC_MOCK_EMBEDDED: true starts the embedded in-process mock on 127.0.0.1:0.",
		"RC_MOCK_EMBEDDED=true",
		"# RC_MOCK_CONTROL: true when the target is an rcmock whose /__mock/ control API (clock, faults) may be used.",
		"RC_MOCK_CONTROL=true",
		"# RC_MOCK_FIXTURE: optional fixture file for the embedded mock (default: the built-in fixture).",
		"# RC_MOCK_FIXTURE=",
		"# RC_MOCK_INTROSPECTION: true serves token introspection (RFC 7662), which RingCentral removed after SPEC-2024-04; off: none.",
		"# RC_MOCK_INTROSPECTION=false",
		"# RC_HTTP_TIMEOUT: per-request timeout of the driver (Go duration or seconds).",
		"RC_HTTP_TIMEOUT=15s",
		"# RC_ALLOW_DESTRUCTIVE: @destructive scenarios (session eviction) always run on the mock; this matters on real targets.",
		"# RC_ALLOW_DESTRUCTIVE=false",
		"# RC_AUTH_RATE: Auth-group pace per test user and app on a real target (N/duration, e.g. 5/60s); off on the mock.",
		"# RC_AUTH_RATE=off",
		"# RC_CLEANUP, RC_RETRIES, RC_MAX_TRANSPORT_FAILURES: real-target run settings (README \"The nightly run\").",
		"# RC_CLEANUP=revoke",
		"# RC_RETRIES=0",
		"# RC_MAX_TRANSPORT_FAILURES=5",
	}},
	{"Main confidential app (client_secret_basic; every grant it is approved for)", []string{
		"# RC_CLIENT_ID, RC_CLIENT_SECRET: the main app; this secret contains ':', '%' and '+' on purpose.",
		"RC_CLIENT_ID", "RC_CLIENT_SECRET",
		"# RC_REDIRECT_URI: a redirect URI registered for the main, public and restricted apps.",
		"RC_REDIRECT_URI",
	}},
	{"User", []string{
		"# RC_USERNAME: email or E.164 phone number (optionally number*ext); RC_EXTENSION: extension number; RC_PASSWORD.",
		"RC_USERNAME", "RC_EXTENSION", "RC_PASSWORD",
		"# RC_JWT: the user's JWT credential (JWT bearer grant); RC_JWT_EXPIRED: an expired one;",
		"# RC_JWT_OTHER_ENV: one from another environment; RC_PERSONAL_JWT, RC_PARTNER_JWT: for personal_jwt and partner_jwt.",
		"RC_JWT", "RC_JWT_EXPIRED", "RC_JWT_OTHER_ENV", "RC_PERSONAL_JWT", "RC_PARTNER_JWT",
	}},
	{"Other apps", []string{
		"# RC_PUBLIC_CLIENT_ID: a public PKCE app (client_id in the body, no secret).",
		"RC_PUBLIC_CLIENT_ID",
		"# RC_RESTRICTED_CLIENT_ID, RC_RESTRICTED_CLIENT_SECRET: approved for the authorization code grant only, refresh tokens disabled.",
		"RC_RESTRICTED_CLIENT_ID", "RC_RESTRICTED_CLIENT_SECRET",
		"# RC_SECRET_JWT_CLIENT_ID, RC_SECRET_JWT_CLIENT_SECRET: an app that authenticates with client_secret_jwt.",
		"RC_SECRET_JWT_CLIENT_ID", "RC_SECRET_JWT_CLIENT_SECRET",
		"# RC_PRIVATE_KEY_JWT_CLIENT_ID, RC_PRIVATE_KEY_JWT_KEY (PEM), RC_PRIVATE_KEY_JWT_KID: private_key_jwt; JWT bearer and client_credentials only.",
		"RC_PRIVATE_KEY_JWT_CLIENT_ID", "RC_PRIVATE_KEY_JWT_KEY", "RC_PRIVATE_KEY_JWT_KID",
	}},
	{"Partner and device grants", []string{
		"# RC_BRAND_ID, RC_ACCOUNT_ID, RC_PARTNER_ACCOUNT_ID: client_credentials grant.",
		"RC_BRAND_ID", "RC_ACCOUNT_ID", "RC_PARTNER_ACCOUNT_ID",
		"# RC_IVR_PIN: ivr_pin grant; RC_OTP_CODE: otp grant (single use per scenario).",
		"RC_IVR_PIN", "RC_OTP_CODE",
		"# RC_GUEST_RESOURCE_TYPE, RC_GUEST_RESOURCE: guest grant.",
		"RC_GUEST_RESOURCE_TYPE", "RC_GUEST_RESOURCE",
		"# RC_DEVICE_CERTIFICATE (PEM), RC_DEVICE_PRIVATE_KEY (PEM): device_certificate grant.",
		"RC_DEVICE_CERTIFICATE", "RC_DEVICE_PRIVATE_KEY",
	}},
	{"Any OAuth 2.0 server and browser sign-in (the mock speaks RingCentral's dialect)", []string{
		"# OAUTH_DIALECT: ringcentral, the default: the mock is judged by RingCentral's rules on top of the RFCs.",
		"# OAUTH_DIALECT=ringcentral",
		"# OAUTH_ISSUER: unset: the mock's endpoints are RingCentral's paths, so the RC_ names above configure it, not",
		"# OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, OAUTH_POST_CLIENT_ID, OAUTH_POST_CLIENT_SECRET, OAUTH_SECRET_JWT_CLIENT_ID,",
		"# OAUTH_SECRET_JWT_CLIENT_SECRET, OAUTH_PRIVATE_KEY_JWT_CLIENT_ID, OAUTH_PRIVATE_KEY_JWT_KEY, OAUTH_PRIVATE_KEY_JWT_KID,",
		"# OAUTH_PUBLIC_CLIENT_ID, OAUTH_REDIRECT_URI, OAUTH_SCOPE, OAUTH_USERNAME and OAUTH_PASSWORD (see env/rfc.env).",
		"# OAUTH_ISSUER=",
		"# OAUTH_SIGNIN: a sign-in recipe; rcmock-login signs in at the mock's login page (with RC_MOCK_LOGIN_PAGE=true).",
		"# OAUTH_SIGNIN=",
		"# OAUTH_BROWSER: the Chromium binary of the browser sign-in (default: chromium on PATH).",
		"# OAUTH_BROWSER=",
		"# RC_MOCK_LOGIN_PAGE: true sends the user to the mock's sign-in page first, as RingCentral does; off: auto-approval.",
		"# RC_MOCK_LOGIN_PAGE=false",
	}},
}

func rsaKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func publicPEM(t *testing.T, k crypto.PublicKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func privatePEM(t *testing.T, k crypto.Signer) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func escapeNewlines(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "\n", `\n`) }

// quoteEnv single-quotes values that contain characters a dotenv parser could interpret; PEMs carry
// literal \n sequences, which the harness expands.
func quoteEnv(v string) string {
	if strings.ContainsAny(v, " #'\"$:%+\\") {
		return "'" + v + "'"
	}
	return v
}
