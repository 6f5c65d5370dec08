package rcmock

import "time"

// slowDownStep is how much RFC 8628 §3.5 makes the polling interval grow after a slow_down: "the interval
// MUST be increased by 5 seconds for this and all subsequent requests".
const slowDownStep = 5 * time.Second

// grantDeviceCode is the device authorization grant's token request (RFC 8628 §3.4; SPEC-2025-09
// DeviceCodeTokenRequest): the device polls with the device_code it got from the device authorization
// endpoint (device.go) until the user decides. The scope is the one fixed at the device authorization
// request (RFC 8628 §3.1); a scope parameter here is ignored, as §3.4 defines none. An approved request
// issues a session for the approving user, with a refresh token.
func grantDeviceCode(g *grantCtx) (*tokenInfo, *Error) {
	code, e := g.require("device_code")
	if e != nil {
		return nil, e
	}
	da, e := g.rl.pollDevice(code, g.app)
	if e != nil {
		return nil, e
	}
	ti, e := g.issue(issueSpec{user: da.user, scope: da.scope})
	if e != nil {
		// A refused issue (the session limit in reject mode, a 429) is worth retrying, so the device code
		// stays usable.
		g.rl.releaseDevice(da)
		return nil, e
	}
	return ti, nil
}

// pollDevice answers one poll (RFC 8628 §3.5). In order: an unknown device code, another app's code and a
// code already exchanged are invalid_grant (CMN-102 on device_code, so a client cannot tell another app's
// code from a made-up one); an expired code is expired_token; a denied request access_denied; a pending one
// authorization_pending, or slow_down when this poll comes sooner than the current interval after the
// previous one, which also makes the interval 5 s longer. Every poll of the app's own code is recorded as
// the previous poll. An approved request is marked used and returned.
func (rl *realm) pollDevice(code string, app *App) (*deviceAuth, *Error) {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	now := rl.now()
	da := rl.devices[code]
	switch {
	case da == nil:
		return nil, errResourceNotFound("device_code", "").withReason("unknown device code")
	case da.app.ClientID != app.ClientID:
		return nil, errResourceNotFound("device_code", "").withReason("device code was issued to another app")
	case da.used:
		return nil, errResourceNotFound("device_code", "").withReason("device code was already exchanged for tokens")
	}
	previous := da.lastPoll
	da.lastPoll = now
	switch {
	case !now.Before(da.expiresAt):
		return nil, errDeviceCodeExpired().withReason("device code expired at %s", da.expiresAt.UTC().Format(time.RFC3339))
	case da.denied:
		return nil, errAccessDenied()
	case da.user != nil:
		da.used = true
		return da, nil
	case !previous.IsZero() && now.Sub(previous) < da.interval:
		da.interval += slowDownStep
		return nil, errSlowDown().withReason("polled %s after the previous poll; the interval is now %s",
			now.Sub(previous), da.interval)
	}
	return nil, errAuthorizationPending()
}

// releaseDevice makes an approved device code usable again after its exchange failed.
func (rl *realm) releaseDevice(da *deviceAuth) {
	rl.mu.Lock()
	da.used = false
	rl.mu.Unlock()
}
