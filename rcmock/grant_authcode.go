package rcmock

import (
	"crypto/subtle"
	"slices"
	"time"

	"golang.org/x/oauth2"
)

// grantAuthorizationCode is the authorization code grant (RFC 6749 §4.1.3; OpenAPI AuthCodeTokenRequest):
// the code must exist, belong to the app, be unused and unexpired (OAU-106, OAU-110, OAU-108), the
// redirect_uri must repeat the authorization request's (OAU-109), and the PKCE verifier must match the
// challenge (RFC 7636 §4.6). The code is consumed before anything is checked beyond its ownership and
// lifetime, so a wrong redirect_uri or verifier burns it too and a verifier cannot be guessed by retrying.
// When the authorization request was an OpenID Connect request (it asked for the `openid` scope, authorize.go
// authorizeScope), the answer carries an OpenID Connect id_token (oidc.go).
func grantAuthorizationCode(g *grantCtx) (*tokenInfo, *Error) {
	value, e := g.require("code")
	if e != nil {
		return nil, e
	}
	code, e := g.rl.redeemCode(value, g.app)
	if e != nil {
		return nil, e
	}
	if e := checkCodeRedirect(code, g.app, g.f.get("redirect_uri")); e != nil {
		return nil, e
	}
	if e := verifyPKCE(code, g.f.get("code_verifier"), g.s.opts.RejectVerifierWithoutChallenge); e != nil {
		return nil, e
	}
	var idToken string
	if code.oidc {
		if idToken, e = g.s.signIDToken(g.s.issuer(g.r), code, g.rl.Now()); e != nil {
			return nil, e
		}
	}
	ti, e := g.issue(issueSpec{user: code.user, scope: code.scope, code: code, idToken: idToken})
	if e != nil {
		return nil, e
	}
	g.rl.settleCode(code)
	return ti, nil
}

// redeemCode consumes the authorization code value for app, atomically under the realm lock, so that of
// two concurrent requests with one code exactly one gets it (RFC 6749 §4.1.2: "The client MUST NOT use the
// authorization code more than once"). A code presented again is refused and, when the realm's
// RevokeOnCodeReuse is set, every session issued from it is revoked (RFC 6749 §4.1.2: the server "SHOULD
// revoke (when possible) all tokens previously issued based on that authorization code"). A code presented
// by another app is refused without consuming it: that app could not use it anyway.
func (rl *realm) redeemCode(value string, app *App) (*authCode, *Error) {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	c := rl.codes[value]
	switch {
	case c == nil:
		return nil, errInvalidCode().withReason("unknown authorization code")
	case c.app.ClientID != app.ClientID:
		return nil, errCodeOtherApp().withReason("code was issued to %s", c.app.ClientID)
	case c.used:
		if rl.settings.RevokeOnCodeReuse {
			c.reused = true
			rl.revokeCodeSessionsLocked(c)
			return nil, errInvalidCode().withReason("authorization code was already used; the tokens issued from it are revoked")
		}
		return nil, errInvalidCode().withReason("authorization code was already used")
	case !rl.now().Before(c.expiresAt):
		return nil, errCodeExpired().withReason("code expired at %s", c.expiresAt.UTC().Format(time.RFC3339))
	}
	c.used = true
	return c, nil
}

// settleCode runs after a session was issued from c. If the code was replayed while that session was being
// created, the replay could not revoke it yet; it is revoked now, so the outcome is the same as if the replay
// had come after the issue.
func (rl *realm) settleCode(c *authCode) {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if c.reused {
		rl.revokeCodeSessionsLocked(c)
	}
}

// revokeCodeSessionsLocked ends every session still alive that was issued from c.
func (rl *realm) revokeCodeSessionsLocked(c *authCode) {
	for _, id := range c.sessionIDs {
		if s := rl.sessions[id]; s != nil {
			rl.endSessionLocked(s)
		}
	}
}

// checkCodeRedirect applies RFC 6749 §4.1.3 to the token request's redirect_uri: if the authorization
// request included one, the token request must include the identical value; if it did not, a value sent now
// must still be one the app registered (exact match, RFC 9700 §2.1). Failures are OAU-109 "Redirect URIs do
// not match" (docs/basics/errors.md; real body in googleworkspace/apps-script-oauth2#129).
func checkCodeRedirect(c *authCode, app *App, sent string) *Error {
	switch {
	case c.redirectURI != "" && sent == "":
		return errRedirectMismatch().withReason("the authorization request had redirect_uri; the token request must repeat it")
	case c.redirectURI != "" && sent != c.redirectURI:
		return errRedirectMismatch().withReason("redirect_uri differs from the authorization request's")
	case c.redirectURI == "" && sent != "" && !slices.Contains(app.RedirectURIs, sent):
		return errRedirectMismatch().withReason("redirect_uri is not registered for the app")
	}
	return nil
}

// verifyPKCE checks the code_verifier against the code's challenge (RFC 7636 §4.6): a code issued with a
// challenge needs a verifier of the RFC 7636 §4.1 syntax that matches it, by equality for plain and by
// BASE64URL(SHA256(verifier)) for S256 (oauth2.S256ChallengeFromVerifier), compared in constant time. A
// verifier for a code issued without a challenge is refused when rejectDowngrade is set (RFC 9700 §2.1.1,
// PKCE downgrade attack). Every failure is invalid_grant (errPKCE).
func verifyPKCE(c *authCode, verifier string, rejectDowngrade bool) *Error {
	if c.challenge == "" {
		if verifier != "" && rejectDowngrade {
			return errPKCE("code_verifier sent for a code issued without code_challenge (PKCE downgrade, RFC 9700 §2.1.1)")
		}
		return nil
	}
	if verifier == "" {
		return errPKCE("the code was issued with code_challenge; code_verifier is required")
	}
	if !validPKCEValue(verifier) {
		return errPKCE("code_verifier must be 43-128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.1)")
	}
	derived := verifier
	if c.method == "S256" {
		derived = oauth2.S256ChallengeFromVerifier(verifier)
	}
	if subtle.ConstantTimeCompare([]byte(derived), []byte(c.challenge)) != 1 {
		return errPKCE("code_verifier does not match the " + c.method + " code_challenge")
	}
	return nil
}
