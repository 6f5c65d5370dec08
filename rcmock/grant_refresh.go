package rcmock

import "strings"

// grantRefreshToken is the refresh grant (RFC 6749 §6) with RingCentral's rotation (DOCS
// refresh-tokens.md): a new pair, the old access token invalid at once, and the old refresh token answering
// with the same new pair within its grace; afterwards, and for unknown or other apps' tokens, invalid_grant
// OAU-213 "Token not found"; an expired refresh token is OAU-210 "Token expired".
//
// The TTL parameters apply to the new pair as at login; without refresh_token_ttl the refresh token gets the
// app's default lifetime again (whether RingCentral restarts it is UNVERIFIED; its samples show 604799 after
// a refresh). refresh_token_ttl=0 ends the chain: no new refresh token.
func grantRefreshToken(g *grantCtx) (*tokenInfo, *Error) {
	rt, e := g.require("refresh_token")
	if e != nil {
		return nil, e
	}
	if sess := g.rl.sessionOf(rt); sess != nil && sess.app.ClientID == g.app.ClientID {
		if _, e := g.scope(strings.Fields(sess.scope)); e != nil {
			return nil, e
		}
	}
	return g.rl.refresh(rt, g.app, g.accessTTL(), g.refreshTTL())
}
