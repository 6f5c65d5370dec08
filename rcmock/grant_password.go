package rcmock

import "crypto/subtle"

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
	u := g.s.fx.lookupLogin(username, g.f.get("extension"))
	if u == nil {
		return nil, errInvalidOwnerCredentials().withReason("no user with login %q", username)
	}
	if subtle.ConstantTimeCompare([]byte(password), []byte(u.Password)) != 1 {
		return nil, errInvalidOwnerCredentials().withReason("wrong password")
	}
	return g.issue(issueSpec{user: u, scope: scope})
}
