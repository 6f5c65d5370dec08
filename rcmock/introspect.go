package rcmock

import "net/http"

// Token introspection (RFC 7662), served at PathIntrospect only with Options.Introspection. RingCentral's
// specification had it from SPEC-2024-03 to SPEC-2024-04 (operation introspectToken, Auth throttling group,
// x-app-permission Interoperability) and removed it afterwards (ringcentral-oauth.md §1.2): form body token
// and scope, answer TokenIntrospectionResponse {active (required), scope, client_id, token_type, exp, iat,
// sub, account_id, session_id}. Where that description stops, the mock follows RFC 7662 and says so.

// introspectionResponse is SPEC-2024-04's TokenIntrospectionResponse (RFC 7662 §2.2). Every member but
// active is omitted when empty, so an inactive token is answered {"active": false} and nothing else: RFC
// 7662 §2.2 requires only active then, and §4 warns that more would tell a caller about a token it may not
// see.
type introspectionResponse struct {
	Active    bool   `json:"active"`
	Scope     string `json:"scope,omitempty"`
	ClientID  string `json:"client_id,omitempty"`
	TokenType string `json:"token_type,omitempty"`
	Exp       int64  `json:"exp,omitempty"`
	Iat       int64  `json:"iat,omitempty"`
	Sub       string `json:"sub,omitempty"`
	AccountID string `json:"account_id,omitempty"`
	SessionID string `json:"session_id,omitempty"`
}

// handleIntrospect serves POST /restapi/oauth/introspect (RFC 7662 §2; SPEC-2024-04 introspectToken): the
// caller authenticates as at the token endpoint (RFC 7662 §2.1: the endpoint MUST require authorization,
// "to prevent token scanning attacks"), and a failure is invalid_client, HTTP 400 as SPEC-2024-04 documents
// or 401 as RFC 7662 §2.3 says, by Settings.IntrospectClientError (errIntrospectionClient).
// A public app cannot authenticate, since its client_id is no secret, and is refused the same way (the
// mock's reading of §2.1). Without token the answer is 400 invalid_request CMN-101, as at the revocation
// endpoint. The request counts in the Auth group, charged like a revocation to the client and the token's
// user. token_type_hint is not needed: the mock looks a token up among everything it issued, which §2.1
// requires when a hint does not find it. SPEC-2024-04's scope parameter had no description; the mock
// ignores it, and does not ask the caller for the Interoperability permission either, since the fixture's
// apps do not carry it (both UNVERIFIED).
func (s *Server) handleIntrospect(w http.ResponseWriter, r *http.Request) {
	cf, e := s.openClientForm(w, r, func(rl *realm, f form) string { return rl.tokenSubject(r, f, f.get("token")) })
	rl, token, client := cf.rl, cf.f.get("token"), cf.client
	if e == nil && client.method == AuthNone {
		e = errClientAuthRequired().withReason("a public app cannot authenticate, and RFC 7662 §2.1 requires the caller's authorization")
	}
	if e != nil {
		// Only a failed client authentication is invalid_client; errIntrospectionClient leaves the rest.
		writeError(w, errIntrospectionClient(e, rl.currentSettings().IntrospectClientError))
		return
	}
	if token == "" {
		writeError(w, errMissingParameter("token"))
		return
	}
	writeJSON(w, http.StatusOK, rl.introspect(token, client.app))
}

// introspect describes the token value to app (RFC 7662 §2.2), by the realm's clock.
//
// Active is a token the realm issued, live and not expired: an access token not yet replaced by a refresh,
// or the session's current refresh token. Inactive ({"active": false}) is a token the realm never issued or
// has forgotten (revoked, evicted, swept after Retention), one past its expiry, an access token a refresh
// replaced (DOCS refresh-tokens.md: "invalidated immediately"), and a refresh token a refresh replaced, even
// during its grace: the grace only repeats the answer of that refresh for a client that lost it, it issues
// nothing new.
//
// Another app's token is inactive too. RFC 7662 §2.1 and §4 let the server decide whom it tells about which
// token; the mock tells an app about its own tokens only, as its other endpoints do (a refresh with another
// app's token is "Token not found", a revocation of one does nothing). This is the mock's choice,
// UNVERIFIED for RingCentral.
//
// An active token is described by its session: scope, client_id, exp and iat of the token itself, sub (the
// owner_id of the token response, absent for a token without a user), account_id (the user's account, or the
// account a client_credentials session acts for) and session_id. token_type is "bearer", as in the token
// response, for an access token; a refresh token has none, since RFC 7662 §2.2 takes token_type from RFC 6749
// §5.1, whose types (§7.1) are those of access tokens.
func (rl *realm) introspect(value string, app *App) introspectionResponse {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	t := rl.tokens[value]
	if t == nil || t.state != tokenLive || !rl.now().Before(t.expiresAt) || t.sess.app.ClientID != app.ClientID {
		return introspectionResponse{}
	}
	s := t.sess
	ir := introspectionResponse{
		Active:    true,
		Scope:     s.scope,
		ClientID:  s.app.ClientID,
		Exp:       t.expiresAt.Unix(),
		Iat:       t.issuedAt.Unix(),
		Sub:       s.owner,
		SessionID: s.id,
	}
	if t.kind == accessToken {
		ir.TokenType = "bearer"
	}
	switch {
	case s.user != nil:
		ir.AccountID = s.user.AccountID
	case s.account != nil:
		ir.AccountID = s.account.ID
	}
	return ir
}
