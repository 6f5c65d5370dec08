package rcmock_test

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

	"github.com/rcoauth/conformance/rcmock"
)

// grDevice is a device's certificate chain (leaf first, DER) and private key.
type grDevice struct {
	chain [][]byte
	key   any // *rsa.PrivateKey or *ecdsa.PrivateKey
}

// grEnvDevice is the device of env/mock.env: RC_DEVICE_CERTIFICATE, issued by the default fixture's device
// CA, and RC_DEVICE_PRIVATE_KEY.
func grEnvDevice(tb testing.TB, env map[string]string) grDevice {
	tb.Helper()
	key, err := x509.ParsePKCS8PrivateKey(grPEMBlock(tb, env["RC_DEVICE_PRIVATE_KEY"]))
	if err != nil {
		tb.Fatalf("RC_DEVICE_PRIVATE_KEY: %v", err)
	}
	return grDevice{chain: [][]byte{grPEMBlock(tb, env["RC_DEVICE_CERTIFICATE"])}, key: key}
}

// x5c renders the chain as RFC 7515 §4.1.6 requires: standard base64 DER.
func (d grDevice) x5c() []string {
	out := make([]string, len(d.chain))
	for i, der := range d.chain {
		out[i] = base64.StdEncoding.EncodeToString(der)
	}
	return out
}

// grCA is a test certificate authority.
type grCA struct {
	cert *x509.Certificate
	der  []byte
	key  *ecdsa.PrivateKey
}

// grNewCA makes a self-signed CA, or an intermediate CA when parent is not nil.
func grNewCA(tb testing.TB, name string, parent *grCA) *grCA {
	tb.Helper()
	key := grECKey(tb)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: name, Organization: []string{"rcmock tests"}},
		NotBefore:             grStart.Add(-24 * time.Hour),
		NotAfter:              grStart.Add(365 * 24 * time.Hour),
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
	return &grCA{cert: cert, der: der, key: key}
}

// pem renders the CA certificate for a fixture.
func (ca *grCA) pem() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.der}))
}

// device issues a device certificate for id, valid until notAfter, for the given extended key usages, with a
// fresh P-256 key. intermediates are appended to the chain after the leaf.
func (ca *grCA) device(tb testing.TB, id string, notAfter time.Time, usages []x509.ExtKeyUsage, intermediates ...*grCA) grDevice {
	tb.Helper()
	key := grECKey(tb)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: id, Organization: []string{"rcmock tests"}},
		NotBefore:    grStart.Add(-time.Hour),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  usages,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		tb.Fatal(err)
	}
	d := grDevice{chain: [][]byte{der}, key: key}
	for _, i := range intermediates {
		d.chain = append(d.chain, i.der)
	}
	return d
}

// grDeviceClaims are valid claims of the default device for the mock at base URL issuer.
func grDeviceClaims(issuer string) jwt.MapClaims {
	return jwt.MapClaims{
		"iss": grDeviceID, "sub": grDeviceID, "aud": issuer + rcmock.PathToken,
		"iat": grStart.Unix(), "exp": grStart.Add(5 * time.Minute).Unix(), "jti": rand.Text(),
	}
}

// grSignDevice signs claims with method and key, with x5c in the header when not nil.
func grSignDevice(tb testing.TB, method jwt.SigningMethod, key any, x5c []string, claims jwt.MapClaims) string {
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

// grDeviceAlg is the JWS algorithm that fits a device key.
func grDeviceAlg(key any) jwt.SigningMethod {
	if _, ok := key.(*ecdsa.PrivateKey); ok {
		return jwt.SigningMethodES256
	}
	return jwt.SigningMethodRS256
}

// TestDeviceCertificateGrant mutates one element of a device assertion at a time: the header, the chain,
// the signature and each claim, against the default fixture's device CA and env/mock.env's device.
func TestDeviceCertificateGrant(t *testing.T) {
	t.Parallel()
	env := grEnv(t)
	dev := grEnvDevice(t, env)
	untrusted := grNewCA(t, "Untrusted CA", nil)
	impostor := untrusted.device(t, grDeviceID, grStart.Add(24*time.Hour), []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth})
	other := grECKey(t)
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
		client grClient
		want   bool // success
		status int
		oauth  string
		code   string
		reason string
	}{
		{name: "valid RS256", a: valid, want: true},
		{name: "valid PS256", a: assertion{jwt.SigningMethodPS256, dev.key, dev.x5c()}, want: true},
		{name: "aud is the issuer", a: valid, claims: func(c jwt.MapClaims, iss string) { c["aud"] = iss }, want: true},
		{name: "aud among others", a: valid, claims: func(c jwt.MapClaims, iss string) { c["aud"] = []string{"https://example.com", iss + rcmock.PathToken} }, want: true},
		{name: "exp passed within the leeway", a: valid, claims: func(c jwt.MapClaims, _ string) { c["exp"] = grStart.Add(-10 * time.Second).Unix() }, want: true},

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
		{name: "aud of the JWT credential environment", a: valid, claims: func(c jwt.MapClaims, _ string) { c["aud"] = grAudience }, reason: "does not name this server"},
		{name: "no aud", a: valid, claims: func(c jwt.MapClaims, _ string) { delete(c, "aud") }, reason: "does not name this server"},
		{name: "no exp", a: valid, claims: func(c jwt.MapClaims, _ string) { delete(c, "exp") }, reason: "exp claim is required"},
		{name: "exp passed", a: valid, claims: func(c jwt.MapClaims, _ string) { c["exp"] = grStart.Add(-time.Minute).Unix() }, reason: "expired"},
		{name: "nbf in the future", a: valid, claims: func(c jwt.MapClaims, _ string) { c["nbf"] = grStart.Add(time.Minute).Unix() }, reason: "not valid yet"},
		{name: "no jti", a: valid, claims: func(c jwt.MapClaims, _ string) { delete(c, "jti") }, reason: "no jti"},

		{name: "wrong client secret", a: valid, client: grClient{grMainClient(env).id, grOtherSecret}, status: 400, oauth: "invalid_client", code: "OAU-146"},
		{name: "app not approved", a: valid, client: grRestrictedClient(env), status: 400, oauth: "unauthorized_client", code: "OAU-251"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m := grNewMock(t)
			claims := grDeviceClaims(m.url)
			if c.claims != nil {
				c.claims(claims, m.url)
			}
			raw := c.raw
			if raw == "" {
				raw = grSignDevice(t, c.a.method, c.a.key, c.a.x5c, claims)
			}
			if c.name == "tampered signature" {
				raw = grTamper(raw)
			}
			client := c.client
			if client.id == "" {
				client = grMainClient(env)
			}
			r := m.token(t, client, grForm("grant_type", rcmock.GrantDeviceCertificate, "assertion", raw))
			switch {
			case c.want:
				grWantToken(t, r, grShape{owner: grJane, refresh: true, scope: grAppScopes})
			case c.status != 0:
				grWantError(t, r, c.status, c.oauth, c.code)
			default:
				e := grWantError(t, r, 400, "invalid_grant", "CMN-101")
				if e["parameterName"] != "assertion" {
					t.Errorf("parameterName: got %v; want assertion", e["parameterName"])
				}
				grWantReason(t, r, c.reason)
			}
		})
	}
}

// TestDeviceCertificateReplay: a device assertion's jti works once while the assertion is unexpired.
func TestDeviceCertificateReplay(t *testing.T) {
	t.Parallel()
	m := grNewMock(t)
	dev := grEnvDevice(t, m.env)
	params := grForm("grant_type", rcmock.GrantDeviceCertificate,
		"assertion", grSignDevice(t, jwt.SigningMethodRS256, dev.key, dev.x5c(), grDeviceClaims(m.url)))
	grWantToken(t, m.token(t, grMainClient(m.env), params), grShape{owner: grJane, refresh: true})
	r := m.token(t, grMainClient(m.env), params)
	grWantError(t, r, 400, "invalid_grant", "CMN-101")
	grWantReason(t, r, "already used")
	// Another realm keeps its own record of used jtis.
	grWantToken(t, m.do(t, "POST", rcmock.PathToken, grMainClient(m.env), params, "another-scenario"), grShape{owner: grJane, refresh: true})
}

// TestDeviceCertificateChain issues device certificates from a test CA configured as the fixture's device
// CA, to check what the default device cannot show: intermediates, unregistered devices, key usage and
// certificate expiry at the realm's time.
func TestDeviceCertificateChain(t *testing.T) {
	t.Parallel()
	root := grNewCA(t, "Test Device CA", nil)
	intermediate := grNewCA(t, "Test Intermediate CA", root)
	clientAuth := []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	day := grStart.Add(24 * time.Hour)
	cases := []struct {
		name    string
		dev     grDevice
		advance time.Duration
		want    bool
		reason  string
	}{
		{name: "issued by the CA", dev: root.device(t, grDeviceID, day, clientAuth), want: true},
		{name: "through an intermediate", dev: intermediate.device(t, grDeviceID, day, clientAuth, intermediate), want: true},
		{name: "any extended key usage", dev: root.device(t, grDeviceID, day, []x509.ExtKeyUsage{x509.ExtKeyUsageAny}), want: true},
		{name: "intermediate missing from x5c", dev: intermediate.device(t, grDeviceID, day, clientAuth), reason: "not trusted"},
		{name: "not for client authentication", dev: root.device(t, grDeviceID, day, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}), reason: "not trusted"},
		{name: "certificate expired at the realm's time", dev: root.device(t, grDeviceID, grStart.Add(time.Hour), clientAuth), advance: 2 * time.Hour, reason: "not trusted"},
		{name: "unregistered device", dev: root.device(t, "rcmock-device-999", day, clientAuth), reason: "not registered"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m := grNewMock(t, func(o *rcmock.Options) { o.Fixture.Environment.DeviceCACertificate = root.pem() })
			m.clock.Advance(c.advance)
			claims := grDeviceClaims(m.url)
			claims["sub"] = c.dev.cn(t)
			claims["exp"] = grStart.Add(c.advance + 5*time.Minute).Unix()
			raw := grSignDevice(t, grDeviceAlg(c.dev.key), c.dev.key, c.dev.x5c(), claims)
			r := m.token(t, grMainClient(m.env), grForm("grant_type", rcmock.GrantDeviceCertificate, "assertion", raw))
			if c.want {
				grWantToken(t, r, grShape{owner: grJane, refresh: true})
				return
			}
			grWantError(t, r, 400, "invalid_grant", "CMN-101")
			grWantReason(t, r, c.reason)
		})
	}
}

// cn is the subject common name of the device certificate.
func (d grDevice) cn(tb testing.TB) string {
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
	m := grNewMock(t, func(o *rcmock.Options) { o.DeviceCertificateParam = "device_assertion" })
	dev := grEnvDevice(t, m.env)
	sign := func() string {
		return grSignDevice(t, jwt.SigningMethodRS256, dev.key, dev.x5c(), grDeviceClaims(m.url))
	}
	cases := []struct {
		name   string
		params url.Values
		want   bool
	}{
		{"configured parameter", grForm("grant_type", rcmock.GrantDeviceCertificate, "device_assertion", sign()), true},
		{"default parameter", grForm("grant_type", rcmock.GrantDeviceCertificate, "assertion", sign()), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := m.token(t, grMainClient(m.env), c.params)
			if c.want {
				grWantToken(t, r, grShape{owner: grJane, refresh: true})
				return
			}
			if e := grWantError(t, r, 400, "invalid_request", "CMN-101"); e["parameterName"] != "device_assertion" {
				t.Errorf("parameterName: got %v; want device_assertion", e["parameterName"])
			}
		})
	}
}
