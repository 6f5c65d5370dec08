package driver

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// ClientAssertionType is the client_assertion_type of a JWT client assertion (RFC 7523 §2.2).
const ClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// DefaultAssertionLifetime is how long a client assertion is valid unless WithExpiry says otherwise.
const DefaultAssertionLifetime = 5 * time.Minute

// ClientAuth is a way for the client to authenticate at the token, revocation and device
// authorization endpoints (RFC 6749 §2.3), including deliberately wrong ways for negative tests.
type ClientAuth interface {
	// Name names the method in reports. Where one exists it is the token_endpoint_auth_method value of
	// RFC 7591 §2: "client_secret_basic", "client_secret_post", "client_secret_jwt",
	// "private_key_jwt", "none".
	Name() string
	// Apply adds the client's credentials to an outgoing request: a header, body parameters or both.
	Apply(t *AuthTarget) error
}

// AuthTarget is the part of an outgoing request that a [ClientAuth] may change.
type AuthTarget struct {
	// Header is the request's header.
	Header http.Header
	// Form is the request's parameters (the body, or the query string of a GET token request).
	// Parameters added to it are lost if the request sends a raw body instead.
	Form *Form
	// Audience is the token endpoint URL, the default "aud" of client assertions (RFC 7523 §3).
	Audience string
	// Now is the target's clock, which dates client assertions (iat, exp). Nil means the wall clock.
	Now func() time.Time
}

func (t *AuthTarget) setBasic(user, pass string, encode bool) {
	if encode {
		// RFC 6749 §2.3.1: "The client identifier is encoded using the application/x-www-form-urlencoded
		// encoding algorithm per Appendix B, and the encoded value is used as the username; the client
		// password is encoded using the same algorithm and used as the password."
		user, pass = url.QueryEscape(user), url.QueryEscape(pass)
	}
	t.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":"+pass)))
}

// basicAuth is client_secret_basic and its variants.
type basicAuth struct {
	name               string
	id, secret         string
	raw                bool // do not form-encode id and secret
	bodyID, bodySecret bool // also send client_id / client_secret in the body
}

func (a basicAuth) Name() string { return a.name }

func (a basicAuth) Apply(t *AuthTarget) error {
	t.setBasic(a.id, a.secret, !a.raw)
	if a.bodyID {
		t.Form.Set("client_id", a.id)
	}
	if a.bodySecret {
		t.Form.Set("client_secret", a.secret)
	}
	return nil
}

// ClientSecretBasic authenticates with HTTP Basic as RFC 6749 §2.3.1 specifies: client id and secret
// are each application/x-www-form-urlencoded before they are joined with ':' and base64-encoded, so a
// secret containing ':', '%' or '+' arrives intact. RingCentral documents this method
// (client_secret_basic) for confidential apps.
func ClientSecretBasic(id, secret string) ClientAuth {
	return basicAuth{name: "client_secret_basic", id: id, secret: secret}
}

// BasicRaw authenticates with HTTP Basic as base64(id ":" secret) without form-encoding the parts,
// which is what RingCentral's SDKs send. It differs from [ClientSecretBasic] only for ids or secrets
// with characters that form-encoding changes.
func BasicRaw(id, secret string) ClientAuth {
	return basicAuth{name: "client_secret_basic (unencoded)", id: id, secret: secret, raw: true}
}

// BasicWithBodyID authenticates with HTTP Basic and also sends client_id in the body, as @rc-ex/core
// does. RFC 6749 §2.3.1 allows a client_id parameter next to the Authorization header.
func BasicWithBodyID(id, secret string) ClientAuth {
	return basicAuth{name: "client_secret_basic+client_id", id: id, secret: secret, bodyID: true}
}

// BasicWithBodySecret authenticates with HTTP Basic and also sends client_id and client_secret in the
// body: two authentication methods in one request, which RFC 6749 §2.3 forbids ("The client MUST NOT
// use more than one authentication method in each request"). For negative tests.
func BasicWithBodySecret(id, secret string) ClientAuth {
	return basicAuth{name: "client_secret_basic+client_secret_post", id: id, secret: secret, bodyID: true, bodySecret: true}
}

// bodyAuth sends client credentials in the body only.
type bodyAuth struct {
	name       string
	id, secret string
	withSecret bool
}

func (a bodyAuth) Name() string { return a.name }

func (a bodyAuth) Apply(t *AuthTarget) error {
	t.Form.Set("client_id", a.id)
	if a.withSecret {
		t.Form.Set("client_secret", a.secret)
	}
	return nil
}

// BodySecret authenticates with client_id and client_secret in the request body (client_secret_post,
// RFC 6749 §2.3.1: "NOT RECOMMENDED"). RingCentral does not list it among its supported methods.
func BodySecret(id, secret string) ClientAuth {
	return bodyAuth{name: "client_secret_post", id: id, secret: secret, withSecret: true}
}

// PublicClient identifies a public client by client_id in the body, without any Authorization header
// (RFC 6749 §3.2.1; RingCentral's client-side web apps using PKCE).
func PublicClient(id string) ClientAuth {
	return bodyAuth{name: "none", id: id}
}

type noAuth struct{}

func (noAuth) Name() string            { return "no client authentication" }
func (noAuth) Apply(*AuthTarget) error { return nil }

// NoClientAuth sends neither credentials nor client_id: a request from an unidentified client, which a
// confidential flow must reject with invalid_client (RFC 6749 §5.2).
func NoClientAuth() ClientAuth { return noAuth{} }

// AssertionOption changes one thing about a client assertion, for negative tests of RFC 7523 §3.
type AssertionOption func(*assertionConfig)

type assertionConfig struct {
	aud      string
	audSet   bool
	lifetime time.Duration
	jti      string
	alg      string
	now      func() time.Time // the target's clock (AuthTarget.Now)
	set      map[string]any
	unset    map[string]bool
	headers  map[string]any
}

// WithClaim sets a claim of the assertion, overriding a default one (iss, sub, aud, exp, iat, jti).
func WithClaim(name string, value any) AssertionOption {
	return func(c *assertionConfig) {
		c.set[name] = value
		delete(c.unset, name)
	}
}

// WithoutClaim removes a claim from the assertion, e.g. "exp" (REQUIRED by RFC 7523 §3, item 4).
func WithoutClaim(name string) AssertionOption {
	return func(c *assertionConfig) {
		c.unset[name] = true
		delete(c.set, name)
	}
}

// WithAudience sets the aud claim instead of the token endpoint URL.
func WithAudience(aud string) AssertionOption {
	return func(c *assertionConfig) { c.aud, c.audSet = aud, true }
}

// WithExpiry sets exp to now+d instead of now+5m. A negative d makes an assertion that has already
// expired (RFC 7523 §3, item 4).
func WithExpiry(d time.Duration) AssertionOption {
	return func(c *assertionConfig) { c.lifetime = d }
}

// WithJTI fixes the jti claim instead of a random one, so that a test can replay it (RFC 7523 §3,
// item 7).
func WithJTI(jti string) AssertionOption {
	return func(c *assertionConfig) { c.jti = jti }
}

// WithAlgorithm signs with alg instead of the default (HS256 for a client secret; RS256, ES256, ES384,
// ES512 or EdDSA by private key type). "none" makes an unsigned assertion (RFC 7519 §6, which
// RFC 7523 §3, item 9 forbids). An HS* algorithm on a private-key client MACs with the PEM encoding of
// the public key, the classic algorithm-confusion attack.
func WithAlgorithm(alg string) AssertionOption {
	return func(c *assertionConfig) { c.alg = alg }
}

// WithHeader sets a JOSE header parameter (RFC 7515 §4), e.g. "kid" or "typ". A nil value removes it.
func WithHeader(name string, value any) AssertionOption {
	return func(c *assertionConfig) { c.headers[name] = value }
}

// jwtAuth is client_secret_jwt or private_key_jwt (RFC 7523 §2.2).
type jwtAuth struct {
	name   string
	id     string
	secret []byte        // client_secret_jwt
	key    crypto.Signer // private_key_jwt
	kid    string
	opts   []AssertionOption
}

func (a jwtAuth) Name() string { return a.name }

// ClientSecretJWT authenticates with a client assertion MACed with the client secret (HS256 by default;
// client_secret_jwt, OpenID Connect Core §9; RFC 7523 §2.2). The assertion has iss = sub = client id,
// aud = the token endpoint URL, exp = now+5m, iat = now and a random 128-bit jti.
func ClientSecretJWT(id, secret string, opts ...AssertionOption) ClientAuth {
	return jwtAuth{name: "client_secret_jwt", id: id, secret: []byte(secret), opts: opts}
}

// PrivateKeyJWT authenticates with a client assertion signed with key (private_key_jwt, OpenID Connect
// Core §9; RFC 7523 §2.2): RS256 for an RSA key, ES256/ES384/ES512 for a P-256/P-384/P-521 key, EdDSA
// for an Ed25519 key. kid, if not empty, goes into the JOSE header. Claims as for [ClientSecretJWT].
func PrivateKeyJWT(id string, key crypto.Signer, kid string, opts ...AssertionOption) ClientAuth {
	return jwtAuth{name: "private_key_jwt", id: id, key: key, kid: kid, opts: opts}
}

// Apply signs a fresh assertion and adds client_assertion_type and client_assertion to the form.
func (a jwtAuth) Apply(t *AuthTarget) error {
	assertion, err := a.assertionAt(t.Audience, t.Now)
	if err != nil {
		return err
	}
	t.Form.Set("client_assertion_type", ClientAssertionType)
	t.Form.Set("client_assertion", assertion)
	return nil
}

// assertionAt signs a client assertion dated by now, the target's clock: a target whose clock a test has
// moved (the mock's scenario clock) checks iat and exp against its own time, not the harness's.
func (a jwtAuth) assertionAt(audience string, now func() time.Time) (string, error) {
	if now == nil {
		now = time.Now
	}
	cfg := assertionConfig{
		aud:      audience,
		lifetime: DefaultAssertionLifetime,
		now:      now,
		set:      map[string]any{},
		unset:    map[string]bool{},
		headers:  map[string]any{},
	}
	for _, o := range a.opts {
		o(&cfg)
	}
	jti := cfg.jti
	if jti == "" {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", fmt.Errorf("driver: %s: jti: %w", a.name, err)
		}
		jti = base64.RawURLEncoding.EncodeToString(b[:])
	}
	issued := cfg.now()
	claims := jwt.MapClaims{
		"iss": a.id,
		"sub": a.id,
		"aud": cfg.aud,
		"exp": issued.Add(cfg.lifetime).Unix(),
		"iat": issued.Unix(),
		"jti": jti,
	}
	for k, v := range cfg.set {
		claims[k] = v
	}
	for k := range cfg.unset {
		delete(claims, k)
	}

	method, key, err := a.signing(cfg.alg)
	if err != nil {
		return "", err
	}
	tok := jwt.NewWithClaims(method, claims)
	if a.kid != "" {
		tok.Header["kid"] = a.kid
	}
	for k, v := range cfg.headers {
		if v == nil {
			delete(tok.Header, k)
		} else {
			tok.Header[k] = v
		}
	}
	s, err := tok.SignedString(key)
	if err != nil {
		return "", fmt.Errorf("driver: %s: signing with %s: %w", a.name, method.Alg(), err)
	}
	return s, nil
}

// signing returns the signing method and key for alg ("" = the default for the credential).
func (a jwtAuth) signing(alg string) (jwt.SigningMethod, any, error) {
	if alg == "none" {
		return jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, nil
	}
	if a.key == nil {
		if alg == "" {
			alg = "HS256"
		}
		if !strings.HasPrefix(alg, "HS") {
			return nil, nil, fmt.Errorf("driver: client_secret_jwt cannot sign with %q: a client secret only supports HS256, HS384, HS512 or none", alg)
		}
		m := jwt.GetSigningMethod(alg)
		if m == nil {
			return nil, nil, fmt.Errorf("driver: unknown JWT algorithm %q", alg)
		}
		return m, a.secret, nil
	}

	if alg == "" {
		var err error
		if alg, err = defaultAlgorithm(a.key); err != nil {
			return nil, nil, err
		}
	}
	m := jwt.GetSigningMethod(alg)
	if m == nil {
		return nil, nil, fmt.Errorf("driver: unknown JWT algorithm %q", alg)
	}
	if strings.HasPrefix(alg, "HS") {
		der, err := x509.MarshalPKIXPublicKey(a.key.Public())
		if err != nil {
			return nil, nil, fmt.Errorf("driver: private_key_jwt: encoding the public key for %s: %w", alg, err)
		}
		return m, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
	}
	switch k := a.key.(type) {
	case *rsa.PrivateKey:
		if !strings.HasPrefix(alg, "RS") && !strings.HasPrefix(alg, "PS") {
			return nil, nil, fmt.Errorf("driver: private_key_jwt: an RSA key cannot sign with %s", alg)
		}
		return m, k, nil
	case *ecdsa.PrivateKey:
		if !strings.HasPrefix(alg, "ES") {
			return nil, nil, fmt.Errorf("driver: private_key_jwt: an EC key cannot sign with %s", alg)
		}
		return m, k, nil
	case ed25519.PrivateKey:
		if alg != "EdDSA" {
			return nil, nil, fmt.Errorf("driver: private_key_jwt: an Ed25519 key cannot sign with %s", alg)
		}
		return m, k, nil
	}
	return nil, nil, fmt.Errorf("driver: private_key_jwt: unsupported key type %T", a.key)
}

// defaultAlgorithm picks the JWS algorithm for a key (RFC 7518 §3.1).
func defaultAlgorithm(key crypto.Signer) (string, error) {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return "RS256", nil
	case *ecdsa.PrivateKey:
		switch k.Curve {
		case elliptic.P256():
			return "ES256", nil
		case elliptic.P384():
			return "ES384", nil
		case elliptic.P521():
			return "ES512", nil
		}
		return "", fmt.Errorf("driver: private_key_jwt: unsupported EC curve %s", k.Curve.Params().Name)
	case ed25519.PrivateKey:
		return "EdDSA", nil
	case nil:
		return "", errors.New("driver: private_key_jwt: no private key")
	}
	return "", fmt.Errorf("driver: private_key_jwt: unsupported key type %T", key)
}
