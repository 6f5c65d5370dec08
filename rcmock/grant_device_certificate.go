package rcmock

import (
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// maxCertificateChain bounds the x5c chain the mock will parse.
const maxCertificateChain = 8

// grantDeviceCertificate is the device_certificate grant. RingCentral publishes no schema for it
// (SPEC-2025-03 lists only the enum value), so everything below is the mock's documented choice
// (UNVERIFIED), modelled on RFC 7523 §2.1 with certificate-bound keys:
//
//   - the form parameter Options.DeviceCertificateParam (default "assertion") carries a JWT signed with the
//     device's private key (RS*, PS* or ES*; HMAC and "none" are refused);
//   - its JOSE header carries x5c (RFC 7515 §4.1.6): the device certificate first, as standard base64 (not
//     base64url) DER, then any intermediates; the chain must lead to the environment's device CA at the
//     realm's time, for TLS client authentication (extended key usage clientAuth);
//   - sub is the device id, which is the certificate subject's common name and a device registered to a user;
//   - aud names this server (its token endpoint or its issuer), exp is required and not passed, and jti is
//     required and not replayed (RFC 7523 §3 items 3, 4 and 7).
//
// Every failure is invalid_grant (RFC 7523 §3.1) with CMN-101 on the parameter and a Reason. The session is
// the device's user's, with a refresh token.
func grantDeviceCertificate(g *grantCtx) (*tokenInfo, *Error) {
	param := g.s.opts.DeviceCertificateParam
	raw, e := g.require(param)
	if e != nil {
		return nil, e
	}
	scope, e := g.scope(g.app.Scopes)
	if e != nil {
		return nil, e
	}
	u, e := g.verifyDeviceAssertion(param, raw)
	if e != nil {
		return nil, e
	}
	return g.issue(issueSpec{user: u, scope: scope})
}

// verifyDeviceAssertion checks a device assertion as described on grantDeviceCertificate and returns the
// device's user.
func (g *grantCtx) verifyDeviceAssertion(param, raw string) (*User, *Error) {
	bad := func(format string, args ...any) (*User, *Error) {
		return nil, errInvalidAssertion(param).withReason(format, args...)
	}
	header, err := jwtHeader(raw)
	if err != nil {
		return bad("device assertion is not a JWT: %v", err)
	}
	if alg, _ := header["alg"].(string); !slices.Contains(keyAlgorithms, alg) {
		return bad("device assertion algorithm %q is not accepted; it must be signed with the device key (RS*, PS* or ES*)", alg)
	}
	chain, err := x5cChain(header)
	if err != nil {
		return bad("device assertion x5c: %v", err)
	}
	leaf := chain[0]
	now := g.rl.Now()
	intermediates := x509.NewCertPool()
	for _, c := range chain[1:] {
		intermediates.AddCert(c)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{
		Roots:         g.s.fx.deviceCAs,
		Intermediates: intermediates,
		CurrentTime:   now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}); err != nil {
		return bad("device certificate is not trusted: %v", err)
	}

	var claims jwt.RegisteredClaims
	leeway := g.s.opts.ClientAssertionLeeway
	parser := jwt.NewParser(
		jwt.WithValidMethods(keyAlgorithms),
		jwt.WithTimeFunc(func() time.Time { return now }),
		jwt.WithLeeway(leeway),
		jwt.WithExpirationRequired(),
	)
	if _, err := parser.ParseWithClaims(raw, &claims, func(*jwt.Token) (any, error) { return leaf.PublicKey, nil }); err != nil {
		return bad("device assertion rejected (signature checked with the certificate's key): %v", err)
	}
	device := leaf.Subject.CommonName
	if claims.Subject != device {
		return bad("device assertion sub %q is not the certificate's common name %q", claims.Subject, device)
	}
	u := g.s.fx.devices[device]
	if u == nil {
		return bad("device %q is not registered to any user", device)
	}
	iss := g.s.issuer(g.r)
	if !slices.ContainsFunc(claims.Audience, func(a string) bool {
		a = strings.TrimRight(a, "/")
		return a == iss+PathToken || a == iss
	}) {
		return bad("device assertion aud %v does not name this server (%s)", []string(claims.Audience), iss+PathToken)
	}
	if claims.ID == "" {
		return bad("device assertion has no jti")
	}
	if g.rl.seenJTI("device:"+device, claims.ID, claims.ExpiresAt.Add(leeway)) {
		return bad("device assertion jti %q was already used", claims.ID)
	}
	return u, nil
}

// x5cChain decodes the x5c header parameter (RFC 7515 §4.1.6): a non-empty JSON array of standard base64
// DER certificates, the one holding the signing key first.
func x5cChain(header map[string]any) ([]*x509.Certificate, error) {
	list, ok := header["x5c"].([]any)
	switch {
	case !ok:
		return nil, fmt.Errorf("the header has no x5c certificate chain")
	case len(list) == 0:
		return nil, fmt.Errorf("the chain is empty")
	case len(list) > maxCertificateChain:
		return nil, fmt.Errorf("the chain has %d certificates, more than %d", len(list), maxCertificateChain)
	}
	chain := make([]*x509.Certificate, 0, len(list))
	for i, v := range list {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("x5c[%d] is not a string", i)
		}
		der, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("x5c[%d] is not standard base64: %v", i, err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("x5c[%d]: %v", i, err)
		}
		chain = append(chain, c)
	}
	return chain, nil
}
