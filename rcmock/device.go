package rcmock

import (
	"crypto/rand"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The device authorization grant (RFC 8628) is mock-only on the authorization side: RingCentral documents
// the token-side grant (SPEC-2025-09 DeviceCodeTokenRequest) but no device authorization endpoint
// (ringcentral-oauth.md §1.2), so the endpoint, its path and the verification page below are the mock's own,
// shaped by RFC 8628 alone.

// userCodeAlphabet is RFC 8628 §6.1's example character set: consonants only, which avoids vowels (words)
// and look-alike characters, for codes typed on a second device.
const userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ"

// userCodeLength is the number of characters of a user code: 20^8 ≈ 2^34.6, the entropy RFC 8628 §6.1
// discusses, shown as XXXX-XXXX.
const userCodeLength = 8

// deviceAuthorizationResponse is RFC 8628 §3.2's answer.
type deviceAuthorizationResponse struct {
	DeviceCode              string `json:"device_code"`
	UserCode                string `json:"user_code"`
	VerificationURI         string `json:"verification_uri"`
	VerificationURIComplete string `json:"verification_uri_complete"`
	ExpiresIn               int64  `json:"expires_in"`
	Interval                int64  `json:"interval"`
}

// handleDeviceAuthorization serves POST /restapi/oauth/device (RFC 8628 §3.1): a form body, the client
// authenticated as at the token endpoint, an app approved for the device_code grant (else OAU-251, as at
// the token endpoint), and an optional scope that must be among the app's. It is throttled in the Auth
// group like the other OAuth endpoints.
func (s *Server) handleDeviceAuthorization(w http.ResponseWriter, r *http.Request) {
	cf, e := s.openClientForm(w, r, func(rl *realm, f form) string { return s.rateSubject(r, f, rl) })
	if e != nil {
		writeError(w, e)
		return
	}
	g := &grantCtx{s: s, rl: cf.rl, r: r, f: cf.f, app: cf.client.app, client: cf.client, grant: GrantDeviceCode}
	resp, e := g.authorizeDevice()
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// authorizeDevice checks the app and scope and stores a new pending authorization.
func (g *grantCtx) authorizeDevice() (*deviceAuthorizationResponse, *Error) {
	if !slices.Contains(g.app.GrantTypes, GrantDeviceCode) {
		return nil, errUnauthorizedGrant().withReason("app %s is not approved for %s", g.app.ClientID, GrantDeviceCode)
	}
	scope, e := g.scope(g.app.Scopes)
	if e != nil {
		return nil, e
	}
	o := g.s.opts
	da := g.rl.newDeviceAuth(g.app, scope, o.DeviceCodeTTL, o.DevicePollInterval)
	shown := formatUserCode(da.userCode)
	verify := g.s.issuer(g.r) + PathDeviceCheck
	return &deviceAuthorizationResponse{
		DeviceCode:              da.deviceCode,
		UserCode:                shown,
		VerificationURI:         verify,
		VerificationURIComplete: verify + "?user_code=" + url.QueryEscape(shown),
		ExpiresIn:               ceilSeconds(o.DeviceCodeTTL),
		Interval:                ceilSeconds(o.DevicePollInterval),
	}, nil
}

// newDeviceAuth stores a pending authorization under a fresh device code and a fresh user code. User codes
// are short, so a collision with a code still known to the realm is possible and is drawn again.
func (rl *realm) newDeviceAuth(app *App, scope string, ttl, interval time.Duration) *deviceAuth {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	userCode := newUserCode()
	for rl.userCode[userCode] != nil {
		userCode = newUserCode()
	}
	da := &deviceAuth{
		deviceCode: randomToken(32),
		userCode:   userCode,
		app:        app,
		scope:      scope,
		expiresAt:  rl.now().Add(ttl),
		interval:   interval,
	}
	rl.devices[da.deviceCode] = da
	rl.userCode[userCode] = da
	return da
}

// newUserCode draws userCodeLength characters of userCodeAlphabet uniformly: bytes at or above the largest
// multiple of the alphabet size are rejected, so no character is more likely than another.
func newUserCode() string {
	const n = len(userCodeAlphabet)
	limit := byte(256 / n * n)
	out := make([]byte, 0, userCodeLength)
	buf := make([]byte, 2*userCodeLength)
	for len(out) < userCodeLength {
		_, _ = rand.Read(buf) // never fails (crypto/rand since Go 1.24)
		for _, b := range buf {
			if b < limit && len(out) < userCodeLength {
				out = append(out, userCodeAlphabet[int(b)%n])
			}
		}
	}
	return string(out)
}

// formatUserCode shows a stored user code as XXXX-XXXX (RFC 8628 §6.1: a separator makes it easier to
// read and type).
func formatUserCode(code string) string {
	if len(code) != userCodeLength {
		return code
	}
	return code[:4] + "-" + code[4:]
}

// normalizeUserCode undoes what a user may do while typing a code: dashes, spaces and lower case are
// ignored (RFC 8628 §6.1: the server should be lenient with the characters that do not carry entropy).
func normalizeUserCode(code string) string {
	return strings.ToUpper(strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, code))
}

// approveDevice records the user's decision on the authorization request of userCode: approved as the
// user named by login (an email, a phone number or an extension id; empty means the fixture's first user),
// or denied. It is shared by the verification page and the control API (POST /__mock/device/approve). A
// code is decided once: unknown codes are 404, expired ones expired_token, decided ones DEV-106.
func (s *Server) approveDevice(rl *realm, userCode, login string, deny bool) *Error {
	code := normalizeUserCode(userCode)
	if code == "" {
		return errMissingParameter("user_code")
	}
	var u *User
	if !deny {
		if u = s.fx.deviceUser(login); u == nil {
			return errInvalidParameter("login_hint", login).withReason("no user with login %q", login)
		}
	}
	rl.mu.Lock()
	defer rl.mu.Unlock()
	da := rl.userCode[code]
	switch {
	case da == nil:
		return errUserCodeNotFound().withReason("user code %q was never issued in this realm", userCode)
	case !rl.now().Before(da.expiresAt):
		return errDeviceCodeExpired().withReason("the user code expired at %s", da.expiresAt.UTC().Format(time.RFC3339))
	case da.used || da.denied || da.user != nil:
		return errUserCodeUsed()
	}
	if deny {
		da.denied = true
	} else {
		da.user = u
	}
	return nil
}

// deviceUser is the user a device authorization is approved as: the user of login, looked up as a
// password-grant username or as an extension id, or the fixture's first user when login is empty (the
// verification page has no sign-in; RingCentral publishes no device endpoint, ringcentral-oauth.md §1.2).
func (x *fixture) deviceUser(login string) *User {
	if login == "" {
		if len(x.Users) == 0 {
			return nil
		}
		return &x.Users[0]
	}
	if u := x.lookupLogin(login, ""); u != nil {
		return u
	}
	return x.users[login]
}

// deviceVerifyPage is the verification page. html/template escapes every value, including the user code as
// the visitor typed it.
var deviceVerifyPage = template.Must(template.New("device").Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>RingCentral mock: {{.Title}}</title></head>
<body>
<h1>{{.Title}}</h1>
<p>{{.Message}}</p>
{{- if .UserCode}}
<p>Code: <code>{{.UserCode}}</code></p>
{{- end}}
</body>
</html>
`))

// deviceVerifyView is what the verification page shows.
type deviceVerifyView struct {
	Title, Message, UserCode string
}

// handleDeviceVerification serves GET /restapi/oauth/device/verify?user_code=X[&login_hint=L][&deny=true],
// the verification_uri of RFC 8628 §3.3. The page has no sign-in of its own, so visiting it decides the
// request at once: approved as login_hint's user (or the fixture's first user), or denied with deny=true.
// The answer is a small HTML page: 200 approved or denied, 404 unknown code, 400 expired or already decided
// code or bad parameters.
func (s *Server) handleDeviceVerification(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeError(w, errMethodNotAllowed(http.MethodGet))
		return
	}
	q, e := queryForm(r.URL.RawQuery)
	deny := false
	if e == nil {
		deny, e = parseDeny(q)
	}
	if e == nil {
		e = s.approveDevice(s.realmFor(r), q.get("user_code"), q.get("login_hint"), deny)
	}
	view := deviceVerifyView{UserCode: q.get("user_code")}
	status := http.StatusOK
	switch {
	case e == nil && deny:
		view.Title, view.Message = "Request denied", "The device will not be given access."
	case e == nil:
		view.Title, view.Message = "Device approved", "You may return to your device."
	case e.Status == http.StatusNotFound:
		status = e.Status
		view.Title, view.Message = "Unknown code", "No device request has this code. Check the code on your device."
	case e.OAuth == "expired_token":
		status = e.Status
		view.Title, view.Message = "Code expired", "This code has expired. Start again on your device."
	default:
		status = e.Status
		view.Title, view.Message = "Request not completed", e.Message
	}
	reason := ""
	if e != nil {
		reason = e.Reason
	}
	writeHTML(w, status, deviceVerifyPage, view, reason)
}

// parseDeny reads the verification page's deny parameter; absent means approve.
func parseDeny(q form) (bool, *Error) {
	v := q.get("deny")
	if v == "" {
		return false, nil
	}
	deny, err := strconv.ParseBool(v)
	if err != nil {
		return false, errInvalidParameter("deny", v).withReason("deny must be true or false")
	}
	return deny, nil
}

// ceilSeconds renders a duration as whole seconds, rounding up so that a client never polls early.
func ceilSeconds(d time.Duration) int64 {
	return int64((d + time.Second - 1) / time.Second)
}
