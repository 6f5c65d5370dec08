package rcmock

import (
	"crypto/subtle"
	"slices"
)

// grantOTP is the one-time password grant (OpenAPI OtpTokenRequest): `code` is a one-time password of some
// user (the fixture's otp_codes). An unknown code is invalid_grant OAU-140 "Invalid resource owner
// credentials.", as for a wrong password; each code works once per realm, and a second use is OAU-140 too
// (the mock's choice: RingCentral's answer to a reused OTP is UNVERIFIED). The session is the user's, with
// a refresh token.
func grantOTP(g *grantCtx) (*tokenInfo, *Error) {
	code, e := g.require("code")
	if e != nil {
		return nil, e
	}
	scope, e := g.scope(g.app.Scopes)
	if e != nil {
		return nil, e
	}
	u := g.s.fx.userByOTP(code)
	if u == nil {
		return nil, errInvalidOwnerCredentials().withReason("no user has this one-time password")
	}
	if !g.rl.useOTP(u, code) {
		return nil, errInvalidOwnerCredentials().withReason("OTP code already used")
	}
	return g.issue(issueSpec{user: u, scope: scope})
}

// userByOTP returns the user whose one-time passwords include code, or nil.
func (x *fixture) userByOTP(code string) *User {
	for i := range x.Users {
		u := &x.Users[i]
		if slices.ContainsFunc(u.OTPCodes, func(c string) bool { return subtle.ConstantTimeCompare([]byte(c), []byte(code)) == 1 }) {
			return u
		}
	}
	return nil
}

// useOTP marks u's code as used and reports whether it was still unused. Check and mark happen under one
// lock, so two concurrent requests with the same code cannot both succeed. A code stays used even when the
// login then fails (a session limit in reject mode): a one-time password is spent by presenting it.
func (rl *realm) useOTP(u *User, code string) bool {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	key := u.ExtensionID + "\x00" + code
	if _, used := rl.usedOTP[key]; used {
		return false
	}
	rl.usedOTP[key] = rl.now()
	return true
}
