package rcmock

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"net/url"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/rcoauth/conformance/internal/pemkey"
)

// testDevice is a device's certificate chain (leaf first, DER) and private key.
type testDevice struct {
	chain [][]byte
	key   any // *rsa.PrivateKey or *ecdsa.PrivateKey
}

// envDevice is the device of env/mock.env: RC_DEVICE_CERTIFICATE, issued by the default fixture's device
// CA, and RC_DEVICE_PRIVATE_KEY.
func envDevice(tb testing.TB, env map[string]string) testDevice {
	tb.Helper()
	key, err := pemkey.PrivateKey(env["RC_DEVICE_PRIVATE_KEY"])
	if err != nil {
		tb.Fatalf("RC_DEVICE_PRIVATE_KEY: %v", err)
	}
	cert, err := pemkey.Certificate(env["RC_DEVICE_CERTIFICATE"])
	if err != nil {
		tb.Fatalf("RC_DEVICE_CERTIFICATE: %v", err)
	}
	return testDevice{chain: [][]byte{cert.Raw}, key: key}
}

// x5c renders the chain as RFC 7515 §4.1.6 requires: standard base64 DER.
func (d testDevice) x5c() []string {
	out := make([]string, len(d.chain))
	for i, der := range d.chain {
		out[i] = base64.StdEncoding.EncodeToString(der)
	}
	return out
}

// testCA is a test certificate authority.
type testCA struct {
	cert *x509.Certificate
	der  []byte
	key  *ecdsa.PrivateKey
}

// newTestCA makes a self-signed CA, or an intermediate CA when parent is not nil.
func newTestCA(tb testing.TB, name string, parent *testCA) *testCA {
	tb.Helper()
	key := ecKey(tb)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: name, Organization: []string{"rcmock tests"}},
		NotBefore:             testStart.Add(-24 * time.Hour),
		NotAfter:              testStart.Add(365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	issuer, issuerKey := tmpl, key
	if parent != nil {
		issuer, issuerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, &key.PublicKey, issuerKey)
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return &testCA{cert: cert, der: der, key: key}
}

// pem renders the CA certificate for a fixture.
func (ca *testCA) pem() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.der}))
}

// device issues a device certificate for id, valid until notAfter, for the given extended key usages, with a
// fresh P-256 key. intermediates are appended to the chain after the leaf.
func (ca *testCA) device(tb testing.TB, id string, notAfter time.Time, usages []x509.ExtKeyUsage, intermediates ...*testCA) testDevice {
	tb.Helper()
	key := ecKey(tb)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: id, Organization: []string{"rcmock tests"}},
		NotBefore:    testStart.Add(-time.Hour),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  usages,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		tb.Fatal(err)
	}
	d := testDevice{chain: [][]byte{der}, key: key}
	for _, i := range intermediates {
		d.chain = append(d.chain, i.der)
	}
	return d
}

// deviceClaims are valid claims of the default device for the mock at base URL issuer.
func deviceClaims(issuer string) jwt.MapClaims {
	return jwt.MapClaims{
		"iss": tDeviceID, "sub": tDeviceID, "aud": issuer + PathToken,
		"iat": testStart.Unix(), "exp": testStart.Add(5 * time.Minute).Unix(), "jti": rand.Text(),
	}
}

// signDevice signs claims with method and key, with x5c in the header when not nil.
func signDevice(tb testing.TB, method jwt.SigningMethod, key any, x5c []string, claims jwt.MapClaims) string {
	tb.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if x5c != nil {
		tok.Header["x5c"] = x5c
	}
	s, err := tok.SignedString(key)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// deviceAlg is the JWS algorithm that fits a device key.
func deviceAlg(key any) jwt.SigningMethod {
	if _, ok := key.(*ecdsa.PrivateKey); ok {
		return jwt.SigningMethodES256
	}
	return jwt.SigningMethodRS256
}

// TestDeviceCertificateGrant mutates one element of a device assertion at a time: the header, the chain,
// the signature and each claim, against the default fixture's device CA and env/mock.env's device.
func TestDeviceCertificateGrant(t *testing.T) {
	t.Parallel()
	env := mockEnv(t)
	dev := envDevice(t, env)
	untrusted := newTestCA(t, "Untrusted CA", nil)
	impostor := untrusted.device(t, tDeviceID, testStart.Add(24*time.Hour), []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth})
	other := ecKey(t)
	type assertion struct {
		method jwt.SigningMethod
		key    any
		x5c    []string
	}
	valid := assertion{jwt.SigningMethodRS256, dev.key, dev.x5c()}
	cases := []struct {
		name   string
		a      assertion
		claims func(c jwt.MapClaims, issuer string)
		raw    string // sent instead of a minted assertion when set
		client client
		want   bool // success
		status int
		oauth  string
		code   string
		reason string
	}{
		{name: "valid RS256", a: valid, want: true},
		{name: "valid PS256", a: assertion{jwt.SigningMethodPS256, dev.key, dev.x5c()}, want: true},
		{name: "aud is the issuer", a: valid, claims: func(c jwt.MapClaims, iss string) { c["aud"] = iss }, want: true},
		{name: "aud among others", a: valid, claims: func(c jwt.MapClaims, iss string) { c["aud"] = []string{"https://example.com", iss + PathToken} }, want: true},
		{name: "exp passed within the leeway", a: valid, claims: func(c jwt.MapClaims, _ string) { c["exp"] = testStart.Add(-10 * time.Second).Unix() }, want: true},

		{name: "HS256", a: assertion{jwt.SigningMethodHS256, []byte("0123456789abcdef0123456789abcdef"), dev.x5c()}, reason: "algorithm \"HS256\""},
		{name: "alg none", a: assertion{jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, dev.x5c()}, reason: "algorithm \"none\""},
		{name: "not a JWT", raw: "device", reason: "not a JWT"},
		{name: "no x5c", a: assertion{jwt.SigningMethodRS256, dev.key, nil}, reason: "no x5c"},
		{name: "empty x5c", a: assertion{jwt.SigningMethodRS256, dev.key, []string{}}, reason: "empty"},
		{name: "x5c not base64", a: assertion{jwt.SigningMethodRS256, dev.key, []string{"!not base64!"}}, reason: "not standard base64"},
		{name: "x5c not a certificate", a: assertion{jwt.SigningMethodRS256, dev.key, []string{base64.StdEncoding.EncodeToString([]byte("junk"))}}, reason: "x5c[0]"},
		{name: "certificate of an untrusted CA", a: assertion{jwt.SigningMethodES256, impostor.key, impostor.x5c()}, reason: "not trusted"},
		{name: "signed with another key", a: assertion{jwt.SigningMethodES256, other, dev.x5c()}, reason: "signature is invalid"},
		{name: "tampered signature", a: valid, reason: "signature is invalid"}, // raw set below
		{name: "sub is not the certificate's", a: valid, claims: func(c jwt.MapClaims, _ string) { c["sub"] = "rcmock-device-002" }, reason: "common name"},
		{name: "no sub", a: valid, claims: func(c jwt.MapClaims, _ string) { delete(c, "sub") }, reason: "common name"},
		{name: "aud of the JWT credential environment", a: valid, claims: func(c jwt.MapClaims, _ string) { c["aud"] = tAudience }, reason: "does not name this server"},
		{name: "no aud", a: valid, claims: func(c jwt.MapClaims, _ string) { delete(c, "aud") }, reason: "does not name this server"},
		{name: "no exp", a: valid, claims: func(c jwt.MapClaims, _ string) { delete(c, "exp") }, reason: "exp claim is required"},
		{name: "exp passed", a: valid, claims: func(c jwt.MapClaims, _ string) { c["exp"] = testStart.Add(-time.Minute).Unix() }, reason: "expired"},
		{name: "nbf in the future", a: valid, claims: func(c jwt.MapClaims, _ string) { c["nbf"] = testStart.Add(time.Minute).Unix() }, reason: "not valid yet"},
		{name: "no jti", a: valid, claims: func(c jwt.MapClaims, _ string) { delete(c, "jti") }, reason: "no jti"},

		{name: "wrong client secret", a: valid, client: client{mainClient.id, tWrongSecret}, status: 400, oauth: "invalid_client", code: "OAU-146"},
		{name: "app not approved", a: valid, client: restrictedClient, status: 400, oauth: "unauthorized_client", code: "OAU-251"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m := newTestServer(t)
			claims := deviceClaims(m.url)
			if c.claims != nil {
				c.claims(claims, m.url)
			}
			raw := c.raw
			if raw == "" {
				raw = signDevice(t, c.a.method, c.a.key, c.a.x5c, claims)
			}
			if c.name == "tampered signature" {
				raw = tamper(raw)
			}
			client := c.client
			if client.id == "" {
				client = mainClient
			}
			r := m.token(t, client, formValues("grant_type", GrantDeviceCertificate, "assertion", raw))
			switch {
			case c.want:
				wantToken(t, r, tokenShape{owner: tJane, refresh: true, scope: tAppScopes})
			case c.status != 0:
				wantError(t, r, c.status, c.oauth, c.code)
			default:
				e := wantError(t, r, 400, "invalid_grant", "CMN-101")
				if e["parameterName"] != "assertion" {
					t.Errorf("parameterName: got %v; want assertion", e["parameterName"])
				}
				wantReason(t, r, c.reason)
			}
		})
	}
}

// TestDeviceCertificateReplay: a device assertion's jti works once while the assertion is unexpired.
func TestDeviceCertificateReplay(t *testing.T) {
	t.Parallel()
	m := newTestServer(t)
	dev := envDevice(t, m.env)
	params := formValues("grant_type", GrantDeviceCertificate,
		"assertion", signDevice(t, jwt.SigningMethodRS256, dev.key, dev.x5c(), deviceClaims(m.url)))
	wantToken(t, m.token(t, mainClient, params), tokenShape{owner: tJane, refresh: true})
	r := m.token(t, mainClient, params)
	wantError(t, r, 400, "invalid_grant", "CMN-101")
	wantReason(t, r, "already used")
	// Another realm keeps its own record of used jtis.
	wantToken(t, m.token(t, mainClient, params, "another-scenario"), tokenShape{owner: tJane, refresh: true})
}

// TestDeviceCertificateChain issues device certificates from a test CA configured as the fixture's device
// CA, to check what the default device cannot show: intermediates, unregistered devices, key usage and
// certificate expiry at the realm's time.
func TestDeviceCertificateChain(t *testing.T) {
	t.Parallel()
	root := newTestCA(t, "Test Device CA", nil)
	intermediate := newTestCA(t, "Test Intermediate CA", root)
	clientAuth := []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	day := testStart.Add(24 * time.Hour)
	cases := []struct {
		name    string
		dev     testDevice
		advance time.Duration
		want    bool
		reason  string
	}{
		{name: "issued by the CA", dev: root.device(t, tDeviceID, day, clientAuth), want: true},
		{name: "through an intermediate", dev: intermediate.device(t, tDeviceID, day, clientAuth, intermediate), want: true},
		{name: "any extended key usage", dev: root.device(t, tDeviceID, day, []x509.ExtKeyUsage{x509.ExtKeyUsageAny}), want: true},
		{name: "intermediate missing from x5c", dev: intermediate.device(t, tDeviceID, day, clientAuth), reason: "not trusted"},
		{name: "not for client authentication", dev: root.device(t, tDeviceID, day, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}), reason: "not trusted"},
		{name: "certificate expired at the realm's time", dev: root.device(t, tDeviceID, testStart.Add(time.Hour), clientAuth), advance: 2 * time.Hour, reason: "not trusted"},
		{name: "unregistered device", dev: root.device(t, "rcmock-device-999", day, clientAuth), reason: "not registered"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m := newTestServer(t, func(o *Options) { o.Fixture.Environment.DeviceCACertificate = root.pem() })
			m.clock.Advance(c.advance)
			claims := deviceClaims(m.url)
			claims["sub"] = c.dev.cn(t)
			claims["exp"] = testStart.Add(c.advance + 5*time.Minute).Unix()
			raw := signDevice(t, deviceAlg(c.dev.key), c.dev.key, c.dev.x5c(), claims)
			r := m.token(t, mainClient, formValues("grant_type", GrantDeviceCertificate, "assertion", raw))
			if c.want {
				wantToken(t, r, tokenShape{owner: tJane, refresh: true})
				return
			}
			wantError(t, r, 400, "invalid_grant", "CMN-101")
			wantReason(t, r, c.reason)
		})
	}
}

// cn is the subject common name of the device certificate.
func (d testDevice) cn(tb testing.TB) string {
	tb.Helper()
	c, err := x509.ParseCertificate(d.chain[0])
	if err != nil {
		tb.Fatal(err)
	}
	return c.Subject.CommonName
}

// TestDeviceCertificateParam: Options.DeviceCertificateParam names the parameter that carries the assertion.
func TestDeviceCertificateParam(t *testing.T) {
	t.Parallel()
	m := newTestServer(t, func(o *Options) { o.DeviceCertificateParam = "device_assertion" })
	dev := envDevice(t, m.env)
	sign := func() string {
		return signDevice(t, jwt.SigningMethodRS256, dev.key, dev.x5c(), deviceClaims(m.url))
	}
	cases := []struct {
		name   string
		params url.Values
		want   bool
	}{
		{"configured parameter", formValues("grant_type", GrantDeviceCertificate, "device_assertion", sign()), true},
		{"default parameter", formValues("grant_type", GrantDeviceCertificate, "assertion", sign()), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := m.token(t, mainClient, c.params)
			if c.want {
				wantToken(t, r, tokenShape{owner: tJane, refresh: true})
				return
			}
			if e := wantError(t, r, 400, "invalid_request", "CMN-101"); e["parameterName"] != "device_assertion" {
				t.Errorf("parameterName: got %v; want device_assertion", e["parameterName"])
			}
		})
	}
}
