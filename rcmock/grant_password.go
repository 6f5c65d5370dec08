package rcmock

import "crypto/subtle"

// checkPassword is the resource owner's sign-in, shared by the password grant and the login page
// (login.go): the user username (and the deprecated extension) names, if password is theirs; otherwise
// invalid_grant OAU-140 with the reason.
func (x *fixture) checkPassword(username, extension, password string) (*User, *Error) {
	u := x.lookupLogin(username, extension)
	if u == nil {
		return nil, errInvalidOwnerCredentials().withReason("no user with login %q", username)
	}
	if subtle.ConstantTimeCompare([]byte(password), []byte(u.Password)) != 1 {
		return nil, errInvalidOwnerCredentials().withReason("wrong password")
	}
	return u, nil
}

// grantPassword is the resource owner password credentials grant (RFC 6749 §4.3; RingCentral
// RopcTokenRequest, deprecated): username is an email or an E.164 phone number, optionally `number*ext`;
// extension is the deprecated separate parameter; wrong credentials are invalid_grant OAU-140 (real
// response, ringcentral-java#24).
func grantPassword(g *grantCtx) (*tokenInfo, *Error) {
	username, e := g.require("username")
	if e != nil {
		return nil, e
	}
	password, e := g.require("password")
	if e != nil {
		return nil, e
	}
	scope, e := g.scope(g.app.Scopes)
	if e != nil {
		return nil, e
	}
	u, e := g.s.fx.checkPassword(username, g.f.get("extension"), password)
	if e != nil {
		return nil, e
	}
	return g.issue(issueSpec{user: u, scope: scope})
}
