package rcmock

import (
	"net/http"
	"strings"
	"time"
)

// permissionWebSocket is the app permission POST /restapi/oauth/wstoken requires (OpenAPI authWsToken
// x-app-permission: WebSocket; ringcentral-oauth.md §1.2).
const permissionWebSocket = "WebSocket"

// wsTokenResponse is RingCentral's WsTokenResponse (OpenAPI authWsToken; DOCS
// notifications/websockets/subscribing.md): ws_access_token and expires_in are required, uri optional.
type wsTokenResponse struct {
	WSAccessToken string `json:"ws_access_token"`
	URI           string `json:"uri"`
	ExpiresIn     int64  `json:"expires_in"`
}

// wsToken is an issued WebSocket access token: short-lived and single use (DOCS subscribing.md).
type wsToken struct {
	expiresAt time.Time
}

// handleWSToken serves POST /restapi/oauth/wstoken (OpenAPI authWsToken, Auth throttling group;
// ringcentral-oauth.md §1.2, §8.5): with a bearer access token (RFC 6750 §2.1), it answers a
// ws_access_token for RingCentral's WebSocket gateway, its uri, and expires_in (Options.WSTokenTTL, 30 s as
// the documentation's example shows; @rc-ex's WebSocket extension mentions 600 s, so the value is
// UNVERIFIED). A missing, unknown, revoked or expired access token is HTTP 401 with RingCentral's API body,
// as at any API resource. A token whose scope lacks the WebSocket permission (the spec's x-app-permission
// of authWsToken) is refused with 403 CMN-401 "In order to call this API endpoint, application needs to
// have [WebSocket] permission" (errAPIAppPermission): the mock's choice, UNVERIFIED, since the reference
// documents neither the code nor the status for this endpoint.
func (s *Server) handleWSToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeError(w, errAPIMethodNotAllowed("POST"))
		return
	}
	acc, e := s.bearerAuthGroup(w, r)
	if e != nil {
		writeError(w, e)
		return
	}
	if !acc.sess.hasScope(permissionWebSocket) {
		writeError(w, errAPIAppPermission(permissionWebSocket).withReason("the access token's scope has no WebSocket permission"))
		return
	}
	value := s.realmFor(r).issueWSToken()
	writeJSON(w, http.StatusOK, wsTokenResponse{
		WSAccessToken: value,
		URI:           wsGatewayURI(s.issuer(r)),
		ExpiresIn:     int64(s.opts.WSTokenTTL / time.Second),
	})
}

// wsGatewayURI is the uri the mock answers: its own PathWSGateway, with the issuer's scheme turned into
// ws or wss (RingCentral answers its gateway, e.g. wss://servername.ringcentral.com/ws).
func wsGatewayURI(issuer string) string {
	if rest, ok := strings.CutPrefix(issuer, "https://"); ok {
		return "wss://" + rest + PathWSGateway
	}
	return "ws://" + strings.TrimPrefix(issuer, "http://") + PathWSGateway
}

// issueWSToken stores a new WebSocket access token for Options.WSTokenTTL.
func (rl *realm) issueWSToken() string {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	v := randomToken(32)
	rl.wsTokens[v] = &wsToken{expiresAt: rl.now().Add(rl.srv.opts.WSTokenTTL)}
	return v
}

// useWSToken spends a WebSocket access token: it is single use, so a second presentation finds nothing.
func (rl *realm) useWSToken(value string) *Error {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	t := rl.wsTokens[value]
	switch {
	case t == nil:
		return errAPITokenNotFound().withReason("unknown or already used WebSocket access token")
	case !rl.now().Before(t.expiresAt):
		return errAPITokenExpired().withReason("WebSocket access token expired at %s", t.expiresAt.UTC().Format(time.RFC3339))
	}
	delete(rl.wsTokens, value)
	return nil
}

// handleWSGateway is MOCK-ONLY: it stands in for RingCentral's WebSocket gateway at the uri that wstoken
// answers, so that "single use" has a meaning the mock can check. The mock speaks no WebSocket protocol; a
// "use" of a ws_access_token is the gateway's handshake, GET uri?access_token=<ws_access_token> (DOCS
// subscribing.md: connect to uri with the token as access_token). The first presentation of a known,
// unexpired token spends it and answers 204; afterwards, or for an unknown token, 401 OAU-213 "Token not
// found"; after expires_in, 401 OAU-210 "Token expired".
func (s *Server) handleWSGateway(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeError(w, errAPIMethodNotAllowed("GET"))
		return
	}
	q, e := queryForm(r.URL.RawQuery)
	if e != nil {
		writeError(w, e)
		return
	}
	if e := s.realmFor(r).useWSToken(q.get("access_token")); e != nil {
		writeError(w, e)
		return
	}
	noStore(w.Header())
	w.WriteHeader(http.StatusNoContent)
}
