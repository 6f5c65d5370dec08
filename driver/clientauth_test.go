package driver

import (
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/rcoauth/conformance/internal/testkeys"
)

// A secret with every character that form-encoding changes.
const (
	trickyID     = "client+id%1"
	trickySecret = "s3:cr%et+with space/é"
)

func decodeBasic(tb testing.TB, header string) (user, pass string) {
	tb.Helper()
	scheme, b64, ok := strings.Cut(header, " ")
	if !ok || scheme != "Basic" {
		tb.Fatalf("Authorization = %q; want Basic credentials", header)
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		tb.Fatalf("Authorization %q is not base64: %v", header, err)
	}
	user, pass, ok = strings.Cut(string(raw), ":")
	if !ok {
		tb.Fatalf("decoded credentials %q have no ':'", raw)
	}
	return user, pass
}

func TestBasicEncoding(t *testing.T) {
	tests := []struct {
		name               string
		auth               ClientAuth
		wantUser, wantPass string
	}{
		// RFC 6749 §2.3.1: each half form-encoded before joining with ':'.
		{"ClientSecretBasic form-encodes both halves", ClientSecretBasic(trickyID, trickySecret),
			url.QueryEscape(trickyID), url.QueryEscape(trickySecret)},
		{"BasicRaw does not", BasicRaw(trickyID, trickySecret), trickyID, trickySecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newTestServer(t, respond(200, "application/json", tokenJSON))
			c := newTestClient(t, srv.URL)
			if _, err := c.Token(ctx, TokenRequest{Form: NewForm("grant_type", "client_credentials"), Auth: tt.auth}); err != nil {
				t.Fatal(err)
			}
			user, pass := decodeBasic(t, srv.last(t).Header.Get("Authorization"))
			if user != tt.wantUser || pass != tt.wantPass {
				t.Errorf("credentials = %q:%q; want %q:%q", user, pass, tt.wantUser, tt.wantPass)
			}
		})
	}

	// The server side of RFC 6749 §2.3.1: decoding each half gives back the exact id and secret, even
	// though the secret contains ':'.
	srv := newTestServer(t, respond(200, "application/json", tokenJSON))
	c := newTestClient(t, srv.URL)
	if _, err := c.Token(ctx, TokenRequest{Auth: ClientSecretBasic(trickyID, trickySecret)}); err != nil {
		t.Fatal(err)
	}
	user, pass := decodeBasic(t, srv.last(t).Header.Get("Authorization"))
	gotID, err1 := url.QueryUnescape(user)
	gotSecret, err2 := url.QueryUnescape(pass)
	if err1 != nil || err2 != nil || gotID != trickyID || gotSecret != trickySecret {
		t.Errorf("decoded = %q, %q (%v, %v); want %q, %q", gotID, gotSecret, err1, err2, trickyID, trickySecret)
	}
}

func TestClientAuthPlacement(t *testing.T) {
	tests := []struct {
		name       string
		auth       ClientAuth
		wantName   string
		wantBasic  bool
		wantID     string // client_id in the body; "" = absent
		wantSecret string // client_secret in the body; "" = absent
	}{
		{"basic", ClientSecretBasic("id", "sec"), "client_secret_basic", true, "", ""},
		{"basic raw", BasicRaw("id", "sec"), "client_secret_basic (unencoded)", true, "", ""},
		{"basic with body id", BasicWithBodyID("id", "sec"), "client_secret_basic+client_id", true, "id", ""},
		{"basic with body secret", BasicWithBodySecret("id", "sec"), "client_secret_basic+client_secret_post", true, "id", "sec"},
		{"body secret", BodySecret("id", "sec"), "client_secret_post", false, "id", "sec"},
		{"public client", PublicClient("id"), "none", false, "id", ""},
		{"no client auth", NoClientAuth(), "no client authentication", false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newTestServer(t, respond(200, "application/json", tokenJSON))
			c := newTestClient(t, srv.URL)
			if _, err := c.Token(ctx, TokenRequest{Form: NewForm("grant_type", "authorization_code", "code", "c"), Auth: tt.auth}); err != nil {
				t.Fatal(err)
			}
			got := srv.last(t)
			if n := tt.auth.Name(); n != tt.wantName {
				t.Errorf("Name() = %q; want %q", n, tt.wantName)
			}
			if has := got.Header.Get("Authorization") != ""; has != tt.wantBasic {
				t.Errorf("Authorization header present = %v; want %v", has, tt.wantBasic)
			}
			form := got.form(t)
			if g := form.Get("client_id"); g != tt.wantID || form.Has("client_id") != (tt.wantID != "") {
				t.Errorf("client_id = %q (present %v); want %q", g, form.Has("client_id"), tt.wantID)
			}
			if g := form.Get("client_secret"); g != tt.wantSecret || form.Has("client_secret") != (tt.wantSecret != "") {
				t.Errorf("client_secret = %q (present %v); want %q", g, form.Has("client_secret"), tt.wantSecret)
			}
			if form.Get("grant_type") != "authorization_code" || form.Get("code") != "c" {
				t.Errorf("grant parameters lost: %v", form)
			}
		})
	}
}

// testKeys are the tests' RSA, EC and Ed25519 keys.
var testKeys = testkeys.Get

// sentAssertion sends a token request with auth and returns the client_assertion the server received.
func sentAssertion(tb testing.TB, auth ClientAuth) (assertion string, c *Client) {
	tb.Helper()
	srv := newTestServer(tb, respond(200, "application/json", tokenJSON))
	c = newTestClient(tb, srv.URL)
	return assertionVia(tb, srv, c, auth), c
}

// assertionVia sends a token request with auth through c and returns the client_assertion that srv
// received.
func assertionVia(tb testing.TB, srv *testServer, c *Client, auth ClientAuth) string {
	tb.Helper()
	if _, err := c.Token(ctx, TokenRequest{Form: NewForm("grant_type", "client_credentials"), Auth: auth}); err != nil {
		tb.Fatal(err)
	}
	got := srv.last(tb)
	form := got.form(tb)
	if typ := form.Get("client_assertion_type"); typ != ClientAssertionType {
		tb.Errorf("client_assertion_type = %q; want %q", typ, ClientAssertionType)
	}
	if a := got.Header.Get("Authorization"); a != "" {
		tb.Errorf("Authorization = %q; want none with a client assertion", a)
	}
	return form.Get("client_assertion")
}

func TestClientAssertionSignatureAndClaims(t *testing.T) {
	keys := testKeys()
	tests := []struct {
		name    string
		auth    ClientAuth
		alg     string
		kid     string
		verify  any // key to verify with
		wantErr bool
	}{
		{"client_secret_jwt HS256", ClientSecretJWT("cid", "the-secret"), "HS256", "", []byte("the-secret"), false},
		{"private_key_jwt RS256", PrivateKeyJWT("cid", keys.RSA, "rsa-1"), "RS256", "rsa-1", &keys.RSA.PublicKey, false},
		{"private_key_jwt ES256", PrivateKeyJWT("cid", keys.EC, "ec-1"), "ES256", "ec-1", &keys.EC.PublicKey, false},
		{"private_key_jwt EdDSA", PrivateKeyJWT("cid", keys.Ed25519, ""), "EdDSA", "", keys.Ed25519.Public(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := time.Now().Add(-time.Second)
			assertion, c := sentAssertion(t, tt.auth)
			tok, err := jwt.Parse(assertion, func(*jwt.Token) (any, error) { return tt.verify, nil },
				jwt.WithValidMethods([]string{tt.alg}),
				jwt.WithAudience(c.TokenURL()),
				jwt.WithIssuer("cid"),
				jwt.WithSubject("cid"),
				jwt.WithIssuedAt(),
				jwt.WithExpirationRequired())
			if err != nil {
				t.Fatalf("server-side verification failed: %v", err)
			}
			if kid, _ := tok.Header["kid"].(string); kid != tt.kid {
				t.Errorf("kid = %q; want %q", kid, tt.kid)
			}
			claims := tok.Claims.(jwt.MapClaims)
			iat, _ := claims.GetIssuedAt()
			exp, _ := claims.GetExpirationTime()
			if iat.Before(before.Truncate(time.Second)) || iat.After(time.Now()) {
				t.Errorf("iat = %v; want about now", iat)
			}
			if got := exp.Sub(iat.Time); got != DefaultAssertionLifetime {
				t.Errorf("exp - iat = %v; want %v", got, DefaultAssertionLifetime)
			}
			jti, _ := claims["jti"].(string)
			if raw, err := base64.RawURLEncoding.DecodeString(jti); err != nil || len(raw) != 16 {
				t.Errorf("jti = %q; want 128 random bits, base64url", jti)
			}
		})
	}
}

func TestClientAssertionJTIIsFresh(t *testing.T) {
	auth := ClientSecretJWT("cid", "secret")
	a1, _ := sentAssertion(t, auth)
	a2, _ := sentAssertion(t, auth)
	if claimsOf(t, a1)["jti"] == claimsOf(t, a2)["jti"] {
		t.Errorf("two assertions share jti %v; want a fresh jti per request", claimsOf(t, a1)["jti"])
	}
}

// claimsOf decodes an assertion's payload without verifying it.
func claimsOf(tb testing.TB, assertion string) jwt.MapClaims {
	tb.Helper()
	tok, _, err := jwt.NewParser().ParseUnverified(assertion, jwt.MapClaims{})
	if err != nil {
		tb.Fatalf("ParseUnverified(%q): %v", assertion, err)
	}
	return tok.Claims.(jwt.MapClaims)
}

func headerOf(tb testing.TB, assertion string) map[string]any {
	tb.Helper()
	tok, _, err := jwt.NewParser().ParseUnverified(assertion, jwt.MapClaims{})
	if err != nil {
		tb.Fatalf("ParseUnverified(%q): %v", assertion, err)
	}
	return tok.Header
}

// TestAssertionHooks checks that each negative-test hook changes exactly one thing compared with a
// baseline assertion made with the same clock and jti.
func TestAssertionHooks(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	base := []AssertionOption{WithJTI("fixed-jti")}
	srv := newTestServer(t, respond(200, "application/json", tokenJSON))
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.Clock = func() time.Time { return now } })
	baseline := assertionVia(t, srv, c, ClientSecretJWT("cid", "secret", base...))
	baseClaims := claimsOf(t, baseline)
	baseHeader := headerOf(t, baseline)
	if want := (jwt.MapClaims{"iss": "cid", "sub": "cid", "aud": c.TokenURL(), "exp": float64(now.Add(5 * time.Minute).Unix()),
		"iat": float64(now.Unix()), "jti": "fixed-jti"}); !reflect.DeepEqual(baseClaims, want) {
		t.Fatalf("baseline claims = %v; want %v", baseClaims, want)
	}

	tests := []struct {
		name       string
		opt        AssertionOption
		wantClaims map[string]any // claims that differ; nil value = removed
		wantHeader map[string]any // header parameters that differ; nil value = removed
	}{
		{"WithAudience", WithAudience("https://elsewhere.example/token"), map[string]any{"aud": "https://elsewhere.example/token"}, nil},
		{"WithExpiry negative", WithExpiry(-time.Minute), map[string]any{"exp": float64(now.Add(-time.Minute).Unix())}, nil},
		{"WithJTI", WithJTI("replayed"), map[string]any{"jti": "replayed"}, nil},
		{"WithClaim overrides", WithClaim("iss", "intruder"), map[string]any{"iss": "intruder"}, nil},
		{"WithClaim adds", WithClaim("nbf", float64(now.Unix())), map[string]any{"nbf": float64(now.Unix())}, nil},
		{"WithoutClaim", WithoutClaim("sub"), map[string]any{"sub": nil}, nil},
		{"WithHeader sets", WithHeader("kid", "k2"), nil, map[string]any{"kid": "k2"}},
		{"WithHeader removes", WithHeader("typ", nil), nil, map[string]any{"typ": nil}},
		{"WithAlgorithm HS512", WithAlgorithm("HS512"), nil, map[string]any{"alg": "HS512"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := assertionVia(t, srv, c, ClientSecretJWT("cid", "secret", append(base[:len(base):len(base)], tt.opt)...))
			if d := diff(baseClaims, claimsOf(t, got)); !reflect.DeepEqual(d, orEmpty(tt.wantClaims)) {
				t.Errorf("changed claims = %v; want %v", d, tt.wantClaims)
			}
			if d := diff(baseHeader, headerOf(t, got)); !reflect.DeepEqual(d, orEmpty(tt.wantHeader)) {
				t.Errorf("changed header = %v; want %v", d, tt.wantHeader)
			}
		})
	}
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// diff returns the entries of b that differ from a; removed keys map to nil.
func diff(a, b map[string]any) map[string]any {
	d := map[string]any{}
	for k, v := range b {
		if !reflect.DeepEqual(a[k], v) {
			d[k] = v
		}
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			d[k] = nil
		}
	}
	return d
}

func TestAssertionAlgorithms(t *testing.T) {
	keys := testKeys()
	pubPEM := func(k crypto.Signer) []byte {
		der, err := x509.MarshalPKIXPublicKey(k.Public())
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	}
	tests := []struct {
		name    string
		auth    ClientAuth
		alg     string
		verify  any
		wantErr string // error from Token, if any
	}{
		{"none is unsigned", PrivateKeyJWT("cid", keys.RSA, "k", WithAlgorithm("none")), "none", jwt.UnsafeAllowNoneSignatureType, ""},
		{"none with a secret", ClientSecretJWT("cid", "s", WithAlgorithm("none")), "none", jwt.UnsafeAllowNoneSignatureType, ""},
		{"HS256 with a private key MACs with the public key", PrivateKeyJWT("cid", keys.RSA, "k", WithAlgorithm("HS256")), "HS256", pubPEM(keys.RSA), ""},
		{"RS384", PrivateKeyJWT("cid", keys.RSA, "k", WithAlgorithm("RS384")), "RS384", &keys.RSA.PublicKey, ""},
		{"PS256", PrivateKeyJWT("cid", keys.RSA, "k", WithAlgorithm("PS256")), "PS256", &keys.RSA.PublicKey, ""},
		{"ES256 with an RSA key", PrivateKeyJWT("cid", keys.RSA, "k", WithAlgorithm("ES256")), "", nil, "an RSA key cannot sign with ES256"},
		{"RS256 with a secret", ClientSecretJWT("cid", "s", WithAlgorithm("RS256")), "", nil, "client_secret_jwt cannot sign with \"RS256\""},
		{"unknown algorithm", ClientSecretJWT("cid", "s", WithAlgorithm("HS999")), "", nil, "unknown JWT algorithm \"HS999\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.wantErr != "" {
				srv := newTestServer(t, respond(200, "application/json", tokenJSON))
				c := newTestClient(t, srv.URL)
				_, err := c.Token(ctx, TokenRequest{Auth: tt.auth})
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "driver: ") {
					t.Fatalf("error = %v; want one containing %q", err, tt.wantErr)
				}
				if n := len(srv.requests()); n != 0 {
					t.Errorf("the server received %d requests; want none after a signing error", n)
				}
				return
			}
			assertion, _ := sentAssertion(t, tt.auth)
			if tt.alg == "none" && !strings.HasSuffix(assertion, ".") {
				t.Errorf("assertion %q has a signature; want an empty one for alg none", assertion)
			}
			_, err := jwt.Parse(assertion, func(*jwt.Token) (any, error) { return tt.verify, nil },
				jwt.WithValidMethods([]string{tt.alg}))
			if err != nil {
				t.Errorf("verification with %s failed: %v", tt.alg, err)
			}
		})
	}
}

// TestClientAssertionFollowsTheTargetClock checks that a client assertion is dated by Config.Clock, the
// target's clock, so a target whose clock a test moved (the mock's scenario clock) finds it current.
func TestClientAssertionFollowsTheTargetClock(t *testing.T) {
	target := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	srv := newTestServer(t, respond(200, "application/json", tokenJSON))
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.Clock = func() time.Time { return target } })
	for _, auth := range []ClientAuth{ClientSecretJWT("cid", "secret"), PrivateKeyJWT("cid", testKeys().EC, "kid")} {
		claims := claimsOf(t, assertionVia(t, srv, c, auth))
		if iat, _ := claims.GetIssuedAt(); iat == nil || !iat.Equal(target) {
			t.Errorf("iat %v; want the target's time %v", iat, target)
		}
		if exp, _ := claims.GetExpirationTime(); exp == nil || !exp.Equal(target.Add(DefaultAssertionLifetime)) {
			t.Errorf("exp %v; want the target's time plus %v", exp, DefaultAssertionLifetime)
		}
	}
}
