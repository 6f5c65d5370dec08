package rcmock

import "crypto/subtle"

// grantIVRPin is the IVR pin grant (OpenAPI IvrPinTokenRequest: "User's IVR pin"; RopcTokenRequest.pin is
// deprecated in its favour). The schema has no other parameter; the mock also accepts an optional
// `username` (an email or phone number, as for the password grant) that says whose pin it is, because a pin
// alone need not identify a user (UNVERIFIED). A wrong pin or username is invalid_grant OAU-140, as for a
// wrong password. The session is the user's, with a refresh token.
func grantIVRPin(g *grantCtx) (*tokenInfo, *Error) {
	pin, e := g.require("ivr_pin")
	if e != nil {
		return nil, e
	}
	scope, e := g.scope(g.app.Scopes)
	if e != nil {
		return nil, e
	}
	u, e := g.s.fx.userByIVRPin(pin, g.f.get("username"))
	if e != nil {
		return nil, e
	}
	return g.issue(issueSpec{user: u, scope: scope})
}

// userByIVRPin finds the user of a pin: the user named by username, whose pin must match, or else the one
// user with that pin. A pin shared by several users is refused (OAU-140 with a Reason) rather than resolved
// to an arbitrary one of them: the client must send username.
func (x *fixture) userByIVRPin(pin, username string) (*User, *Error) {
	matches := func(u *User) bool {
		return u.IVRPin != "" && subtle.ConstantTimeCompare([]byte(u.IVRPin), []byte(pin)) == 1
	}
	if username != "" {
		u := x.lookupLogin(username, "")
		switch {
		case u == nil:
			return nil, errInvalidOwnerCredentials().withReason("no user with login %q", username)
		case !matches(u):
			return nil, errInvalidOwnerCredentials().withReason("wrong IVR pin for %q", username)
		}
		return u, nil
	}
	var found []*User
	for i := range x.Users {
		if u := &x.Users[i]; matches(u) {
			found = append(found, u)
		}
	}
	switch len(found) {
	case 0:
		return nil, errInvalidOwnerCredentials().withReason("no user has this IVR pin")
	case 1:
		return found[0], nil
	}
	return nil, errInvalidOwnerCredentials().withReason("this IVR pin belongs to %d users; send username to say whose it is", len(found))
}
