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
	rl, f, e := s.postForm(w, r)
	if e != nil {
		writeError(w, e)
		return
	}
	q, e := queryForm(r.URL.RawQuery)
	if e != nil {
		writeError(w, e)
		return
	}
	bodyToken, queryToken := f.get("token"), q.get("token")
	token := bodyToken
	if token == "" {
		token = queryToken
	}
	if e := rl.throttleWithToken(w, r, f, token); e != nil {
		writeError(w, e)
		return
	}
	client, e := s.authenticateClient(r, f, rl)
	if e != nil {
		writeError(w, e)
		return
	}
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

// throttleWithToken charges a request that presents a token (revocation, introspection) to the Auth group
// as the (user, app) pair it concerns: the client it claims to be, before authentication, and the user of
// the token, when the mock knows the token and it has a user.
func (rl *realm) throttleWithToken(w http.ResponseWriter, r *http.Request, f form, token string) *Error {
	return rl.throttleBy(w, func() string {
		subject := ""
		if sess := rl.sessionOf(token); sess != nil && sess.user != nil {
			subject = sess.user.ExtensionID
		}
		return clientHint(r, f) + "|" + subject
	})
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
