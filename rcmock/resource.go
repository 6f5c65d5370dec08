package rcmock

import (
	"net/http"
	"strconv"
	"strings"
)

// bearer authenticates an API request with an access token (RFC 6750 §2.1). The scheme is compared
// case-insensitively: the JS and Python SDKs build the header from token_type, which is lower-case
// "bearer" (ringcentral-oauth.md §3). Failures are HTTP 401 with RingCentral's API body.
func (s *Server) bearer(r *http.Request) (accessLookup, *Error) {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	if h == "" {
		return accessLookup{}, errAuthHeaderMissing()
	}
	scheme, value, ok := strings.Cut(h, " ")
	value = strings.TrimSpace(value)
	if !ok || !strings.EqualFold(scheme, "Bearer") || value == "" || strings.ContainsAny(value, " \t") {
		return accessLookup{}, errAuthHeaderMalformed()
	}
	return s.realmFor(r).useAccessToken(value)
}

// bearerAuthGroup is bearer for the bearer-authenticated endpoints of the Auth throttling group (userinfo,
// wstoken: OpenAPI x-throttling-group Auth): once the token is known, the request is charged to its app and
// user, as the token, revoke and authorize requests of the same pair are (docs/basics/rate-limits.md).
func (s *Server) bearerAuthGroup(w http.ResponseWriter, r *http.Request) (accessLookup, *Error) {
	acc, e := s.bearer(r)
	if e != nil {
		return acc, e
	}
	subject := acc.sess.app.ClientID + "|"
	if acc.sess.user != nil {
		subject += acc.sess.user.ExtensionID
	}
	return acc, s.realmFor(r).throttle(w, subject)
}

// resourceAllowed answers GET only, like the two read endpoints modelled here.
func resourceAllowed(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeError(w, errAPIMethodNotAllowed("GET"))
		return false
	}
	return true
}

// handleAccount serves GET /restapi/v1.0/account/{accountId|~}: a minimal GetAccountInfoResponse, enough to
// show whether an access token works.
func (s *Server) handleAccount(w http.ResponseWriter, r *http.Request) {
	if !resourceAllowed(w, r) {
		return
	}
	acc, e := s.bearer(r)
	if e != nil {
		writeError(w, e)
		return
	}
	account := s.sessionAccount(acc.sess)
	if account == nil || (r.PathValue("account") != "~" && r.PathValue("account") != account.ID) {
		writeError(w, errNotFound())
		return
	}
	base := s.issuer(r) + "/restapi/v1.0/account/" + account.ID
	writeJSON(w, http.StatusOK, map[string]any{
		"uri":        base,
		"id":         jsonID(account.ID),
		"mainNumber": account.MainNumber,
		"status":     "Confirmed",
		"serviceInfo": map[string]any{
			"brand": map[string]any{"id": account.BrandID, "name": s.fx.brands[account.BrandID].Name},
		},
	})
}

// handleExtension serves GET /restapi/v1.0/account/{accountId|~}/extension/{extensionId|~}: a minimal
// GetExtensionInfoResponse of the token's owner.
func (s *Server) handleExtension(w http.ResponseWriter, r *http.Request) {
	if !resourceAllowed(w, r) {
		return
	}
	acc, e := s.bearer(r)
	if e != nil {
		writeError(w, e)
		return
	}
	u := acc.sess.user
	account := s.sessionAccount(acc.sess)
	if u == nil || account == nil ||
		(r.PathValue("account") != "~" && r.PathValue("account") != account.ID) ||
		(r.PathValue("extension") != "~" && r.PathValue("extension") != u.ExtensionID) {
		writeError(w, errNotFound())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"uri":             s.issuer(r) + "/restapi/v1.0/account/" + account.ID + "/extension/" + u.ExtensionID,
		"id":              jsonID(u.ExtensionID),
		"extensionNumber": u.ExtensionNumber,
		"name":            strings.TrimSpace(u.FirstName + " " + u.LastName),
		"type":            "User",
		"status":          "Enabled",
		"contact": map[string]any{
			"firstName": u.FirstName,
			"lastName":  u.LastName,
			"email":     u.Email,
		},
		"account": map[string]any{"id": account.ID, "uri": s.issuer(r) + "/restapi/v1.0/account/" + account.ID},
	})
}

// sessionAccount returns the account a session acts for: the user's, or for client_credentials the
// account it was issued for.
func (s *Server) sessionAccount(sess *session) *Account {
	if sess.user != nil {
		return s.fx.account(sess.user)
	}
	return sess.account
}

// jsonID renders a numeric id as a JSON number, as RingCentral's API does for account and extension ids.
func jsonID(id string) any {
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		return n
	}
	return id
}
