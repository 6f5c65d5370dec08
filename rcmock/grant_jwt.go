package rcmock

import (
	"errors"
	"slices"

	"github.com/golang-jwt/jwt/v5"
)

// The JWT bearer family: three grant types that exchange a user's JWT credential (created in the Developer
// Console, jwt-flow.md) for tokens. All three take the credential in `assertion` (OpenAPI JwtTokenRequest,
// RFC 7523 §2.1) and share one verifier; they differ only in the credential kinds they accept (see the
// Credential* constants in fixture.go):
//
//   - urn:ietf:params:oauth:grant-type:jwt-bearer accepts "jwt" and "personal" credentials (JwtTokenRequest:
//     the "Personal JWT" flow uses this grant type);
//   - personal_jwt accepts "personal" credentials and partner_jwt "partner" ones. personal_jwt has no
//     published schema (SPEC-2025-03 lists only the enum value), so taking `assertion` for it is UNVERIFIED.

// grantJWTBearer is the JWT bearer grant (RFC 7523 §2.1; RingCentral's "JWT flow", jwt-flow.md).
func grantJWTBearer(g *grantCtx) (*tokenInfo, *Error) {
	return grantJWTCredential(g, CredentialJWT, CredentialPersonal)
}

// grantPersonalJWT is the personal_jwt grant (UNVERIFIED parameters, see above).
func grantPersonalJWT(g *grantCtx) (*tokenInfo, *Error) {
	return grantJWTCredential(g, CredentialPersonal)
}

// grantPartnerJWT is the partner_jwt grant (OpenAPI JwtTokenRequest).
func grantPartnerJWT(g *grantCtx) (*tokenInfo, *Error) {
	return grantJWTCredential(g, CredentialPartner)
}

// grantJWTCredential reads `assertion`, verifies it as a credential of one of kinds and issues a session for
// the credential's user, with a refresh token (jwt-flow.md: the response is the usual TokenInfo).
func grantJWTCredential(g *grantCtx, kinds ...string) (*tokenInfo, *Error) {
	assertion, e := g.require("assertion")
	if e != nil {
		return nil, e
	}
	scope, e := g.scope(g.app.Scopes)
	if e != nil {
		return nil, e
	}
	u, e := g.verifyCredential(assertion, kinds)
	if e != nil {
		return nil, e
	}
	return g.issue(issueSpec{user: u, scope: scope})
}

// verifyCredential checks a JWT credential and returns its user. Every failure is invalid_grant (RFC 7523
// §3.1), with a Reason naming the check that failed:
//
//  1. HS256/HS384/HS512 are refused with OAU-347 before anything else (DOCS changelog 1_0_41, "HS256 Signed
//     Tokens Restriction"); "none" and any algorithm other than RS*, PS*, ES* are refused too (RFC 7523 §3
//     item 9: the JWT MUST be signed).
//  2. The signature must verify with the environment's credential key; nbf and exp are checked against the
//     realm's clock with Options.ClientAssertionLeeway. exp is optional, because "Credentials do not expire
//     (unless you elect otherwise)" (jwt-flow.md), but a credential past its exp is refused. The code for
//     that is CMN-101 on `assertion` (errInvalidAssertion), not OAU-210 "Token expired": OAU-210 is only
//     documented for OAuth tokens (community article "My access token expired (error OAU-210)"), and what
//     RingCentral answers for an expired credential is UNVERIFIED.
//  3. iss and aud must be the environment's (RFC 7523 §3 items 1 and 3): "A JWT configured for sandbox
//     cannot be used to authenticate in production" (removed using-sandbox.md). RingCentral's claim rules
//     are not published (ringcentral-oauth.md §8.1), so the fixture's credential_issuer and
//     credential_audience stand in for them.
//  4. jti must name a registered credential whose user is sub (RFC 7523 §3 item 2: sub identifies the
//     principal), of a kind the grant accepts, and, when the credential is restricted to some apps ("can be
//     restricted to specific client IDs", jwt-flow.md), allowed for this app.
func (g *grantCtx) verifyCredential(raw string, kinds []string) (*User, *Error) {
	bad := func(format string, args ...any) (*User, *Error) {
		return nil, errInvalidAssertion("assertion").withReason(format, args...)
	}
	header, err := jwtHeader(raw)
	if err != nil {
		return bad("assertion is not a JWT: %v", err)
	}
	alg, _ := header["alg"].(string)
	switch {
	case slices.Contains(hmacAlgorithms, alg):
		return nil, errAssertionAlgorithm().withReason("assertion is signed with %s; only RS*, PS* and ES* are accepted", alg)
	case !slices.Contains(keyAlgorithms, alg):
		return bad("assertion algorithm %q is not accepted; the JWT must be signed with RS*, PS* or ES*", alg)
	}

	fx := g.s.fx
	var claims jwt.RegisteredClaims
	parser := jwt.NewParser(
		jwt.WithValidMethods(keyAlgorithms),
		jwt.WithTimeFunc(g.rl.Now),
		jwt.WithLeeway(g.s.opts.ClientAssertionLeeway),
	)
	if _, err := parser.ParseWithClaims(raw, &claims, func(*jwt.Token) (any, error) { return fx.credentialKey, nil }); err != nil {
		return bad("%s", g.credentialFailure(raw, err))
	}
	env := fx.Environment
	if claims.Issuer != env.CredentialIssuer {
		return bad("credential iss %q is not this environment's issuer %q", claims.Issuer, env.CredentialIssuer)
	}
	if !slices.Contains(claims.Audience, env.CredentialAudience) {
		return bad("credential aud %v does not contain this environment's audience %q", []string(claims.Audience), env.CredentialAudience)
	}
	if claims.ID == "" {
		return bad("credential has no jti naming a JWT credential")
	}
	ref, ok := fx.credentials[claims.ID]
	switch {
	case !ok:
		return bad("no JWT credential with jti %q is registered (unknown or revoked)", claims.ID)
	case ref.user.ExtensionID != claims.Subject:
		return bad("credential %q belongs to extension %s, not to sub %q", claims.ID, ref.user.ExtensionID, claims.Subject)
	case !slices.Contains(kinds, ref.cred.Kind):
		return bad("credential %q is a %q credential; grant %s accepts %v", claims.ID, ref.cred.Kind, g.grant, kinds)
	case len(ref.cred.AllowedClients) > 0 && !slices.Contains(ref.cred.AllowedClients, g.app.ClientID):
		return bad("credential %q is restricted to the apps %v", claims.ID, ref.cred.AllowedClients)
	}
	return ref.user, nil
}

// credentialFailure explains a failed signature or time check. A credential of another environment fails
// its signature (it was signed with that environment's key), so the explanation names its iss as well.
func (g *grantCtx) credentialFailure(raw string, err error) string {
	msg := "credential rejected: " + err.Error()
	if errors.Is(err, jwt.ErrTokenExpired) {
		return msg + " (a credential past its exp cannot be used)"
	}
	var c jwt.RegisteredClaims
	if _, _, perr := jwt.NewParser().ParseUnverified(raw, &c); perr == nil && c.Issuer != g.s.fx.Environment.CredentialIssuer {
		msg += "; its iss " + c.Issuer + " is not this environment's (a credential of another environment)"
	}
	return msg
}

// jwtHeader decodes the JOSE header of a compact JWS without verifying anything, so that the algorithm can be
// judged before the rest (OAU-347 comes first) and the device_certificate grant can read x5c. A header that
// decodes is returned even when the claims do not; those fail later, at verification.
func jwtHeader(raw string) (map[string]any, error) {
	tok, _, err := jwt.NewParser().ParseUnverified(raw, jwt.MapClaims{})
	if tok == nil || tok.Header == nil {
		if err == nil {
			err = errors.New("the JOSE header is not a JSON object")
		}
		return nil, err
	}
	return tok.Header, nil
}
