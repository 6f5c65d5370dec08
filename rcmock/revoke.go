package rcmock

import (
	"net/http"

	"github.com/golang-jwt/jwt/v5"
)

// handleRevoke serves POST /restapi/oauth/revoke (RFC 7009; OpenAPI revokeToken): the token, access or
// refresh, comes in the body (preferred) or the query string; the client authenticates as at the token
// endpoint; the whole session of the token ends ("Revokes all active access/refresh tokens and invalidates
// the OAuth session basing on token provided"). Unknown, expired and other apps' tokens still answer 200
// (RFC 7009 §2.2; legacy guide: "successful response is returned even if revocation was not successful");
// no token at all is CMN-101 (changelog 1.0.39); a query token different from the body token is OAU-150.
// Success is 200 with an empty body, which every SDK accepts.
func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) {
	// The token of a malformed query is refused below; until then it may still name whom to charge.
	q, qe := queryForm(r.URL.RawQuery)
	queryToken := q.get("token")
	revoked := func(f form) string {
		if t := f.get("token"); t != "" {
			return t
		}
		return queryToken
	}
	cf, e := s.openClientForm(w, r, func(rl *realm, f form) string { return rl.tokenSubject(r, f, revoked(f)) })
	if e == nil {
		e = qe
	}
	if e != nil {
		writeError(w, e)
		return
	}
	rl, client, bodyToken, token := cf.rl, cf.client, cf.f.get("token"), revoked(cf.f)
	switch {
	case token == "":
		writeError(w, errRevokeNoToken())
		return
	case bodyToken != "" && queryToken != "" && bodyToken != queryToken:
		writeError(w, errRevokeQueryMismatch())
		return
	}
	rl.revokeSession(token, client.app)
	noStore(w.Header())
	w.WriteHeader(http.StatusOK)
}

// tokenSubject names the (app, user) pair a request that presents a token (revocation, introspection) is
// charged to in the Auth group: the client it claims to be, before authentication, and the user of the
// token, when the mock knows the token and it has a user.
func (rl *realm) tokenSubject(r *http.Request, f form, token string) string {
	user := ""
	if sess := rl.sessionOf(token); sess != nil && sess.user != nil {
		user = sess.user.ExtensionID
	}
	return clientHint(r, f) + "|" + user
}

// clientHint names the client a request claims to be, before authentication, for rate-limit subjects.
func clientHint(r *http.Request, f form) string {
	if id, _, ok := parseBasic(r.Header.Get("Authorization")); ok {
		return formDecoded(id)
	}
	if id := f.get("client_id"); id != "" {
		return id
	}
	// A client assertion names its client as iss and sub (RFC 7523 §3); unverified here, as the limiter
	// counts a request before it is authenticated.
	if a := f.get("client_assertion"); a != "" {
		var c jwt.RegisteredClaims
		if _, _, err := jwt.NewParser().ParseUnverified(a, &c); err == nil {
			return c.Subject
		}
	}
	return ""
}
