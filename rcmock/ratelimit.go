package rcmock

import (
	"net/http"
	"strconv"
	"time"
)

// rateGroupAuth is the throttling group of the OAuth endpoints (OpenAPI x-throttling-group: Auth): token,
// revoke, authorize, userinfo and wstoken, and introspect where the mock serves it (SPEC-2024-04 put it in
// the Auth group too).
const rateGroupAuth = "auth"

// rateLog is the throttling state of one (user, app) pair in the Auth group, as docs/basics/rate-limits.md
// describes it (ringcentral-oauth.md §7.2): Options.RateLimitMax requests are admitted in any sliding
// Options.RateLimitWindow ("Auth 5 requests/user/minute", "counted ... over a sliding window"), and a
// request that is refused starts, or restarts, a penalty of Options.RateLimitPenalty ("Every time you send a
// request that is caught by our rate limiting system, we reset the clock on your penalty window"). A request
// is admitted when no penalty runs and fewer than RateLimitMax requests were admitted in the window that
// ends with it; refused requests do not count in the window. A token bucket (golang.org/x/time/rate) cannot
// express this: refilled continuously, it admits 9 requests in 50 s.
type rateLog struct {
	admitted     []time.Time // times of the admitted requests still inside the window, oldest first
	penaltyUntil time.Time
	lastSeen     time.Time
}

// throttleBy is throttle with the subject named only when the realm throttles: naming it costs a login
// lookup, a Basic header decode or a token lookup, which requests do not need while rate limiting is off
// (the default).
func (rl *realm) throttleBy(w http.ResponseWriter, subject func() string) *Error {
	if !rl.currentSettings().RateLimit {
		return nil
	}
	return rl.throttle(w, subject())
}

// throttle charges one Auth-group request to subject (user and app) when rate limiting is on for the realm.
// It sets the X-Rate-Limit-* headers on w and returns the 429 error when the request is refused. Time is the
// realm's clock, so a scenario waits out a penalty by advancing the clock.
func (rl *realm) throttle(w http.ResponseWriter, subject string) *Error {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if !rl.settings.RateLimit {
		return nil
	}
	o := rl.srv.opts
	now := rl.now()
	lg := rl.limits[subject]
	if lg == nil {
		lg = &rateLog{}
		rl.limits[subject] = lg
	}
	lg.lastSeen = now
	// The window is (now-RateLimitWindow, now]: a request exactly one window old no longer counts.
	n := 0
	for n < len(lg.admitted) && !lg.admitted[n].After(now.Add(-o.RateLimitWindow)) {
		n++
	}
	lg.admitted = lg.admitted[n:]

	h := w.Header()
	h.Set("X-Rate-Limit-Group", rateGroupAuth)
	h.Set("X-Rate-Limit-Limit", strconv.Itoa(o.RateLimitMax))
	h.Set("X-Rate-Limit-Window", strconv.Itoa(int(o.RateLimitWindow/time.Second)))
	if now.Before(lg.penaltyUntil) || len(lg.admitted) >= o.RateLimitMax {
		lg.penaltyUntil = now.Add(o.RateLimitPenalty)
		h.Set("X-Rate-Limit-Remaining", "0")
		return errRateLimited(lg.retryAt(o).Sub(now))
	}
	lg.admitted = append(lg.admitted, now)
	h.Set("X-Rate-Limit-Remaining", strconv.Itoa(o.RateLimitMax-len(lg.admitted)))
	return nil
}

// retryAt is when a request would next be admitted: the end of the penalty, or later if the window is still
// full then (only when RateLimitPenalty is shorter than RateLimitWindow). Retry-After says the seconds until
// then ("recommended retry interval in seconds", rate-limits.md).
func (lg *rateLog) retryAt(o Options) time.Time {
	t := lg.penaltyUntil
	if len(lg.admitted) >= o.RateLimitMax {
		if free := lg.admitted[len(lg.admitted)-o.RateLimitMax].Add(o.RateLimitWindow); free.After(t) {
			t = free
		}
	}
	return t
}
