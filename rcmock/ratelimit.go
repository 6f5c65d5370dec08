package rcmock

import (
	"net/http"
	"strconv"
	"time"

	"golang.org/x/time/rate"
)

// rateGroupAuth is the throttling group of the OAuth endpoints (OpenAPI x-throttling-group: Auth).
const rateGroupAuth = "auth"

// bucket is the throttling state of one (user, app) pair in the Auth group: a token bucket from
// golang.org/x/time/rate refilled at RateLimitMax per RateLimitWindow, plus RingCentral's penalty interval:
// "Every time you send a request that is caught by our rate limiting system, we reset the clock on your
// penalty window" (docs/basics/rate-limits.md).
type bucket struct {
	limiter      *rate.Limiter
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
// It sets the X-Rate-Limit-* headers on w and returns a 429 error once the limit is exceeded. The limiter is
// driven by the realm's clock (rate.Limiter.AllowN with an explicit time), so a scenario waits out a
// penalty by advancing the clock.
func (rl *realm) throttle(w http.ResponseWriter, subject string) *Error {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if !rl.settings.RateLimit {
		return nil
	}
	o := rl.srv.opts
	now := rl.now()
	b := rl.limits[subject]
	if b == nil {
		b = &bucket{limiter: rate.NewLimiter(rate.Every(o.RateLimitWindow/time.Duration(o.RateLimitMax)), o.RateLimitMax)}
		rl.limits[subject] = b
	}
	b.lastSeen = now
	h := w.Header()
	h.Set("X-Rate-Limit-Group", rateGroupAuth)
	h.Set("X-Rate-Limit-Limit", strconv.Itoa(o.RateLimitMax))
	h.Set("X-Rate-Limit-Window", strconv.Itoa(int(o.RateLimitWindow/time.Second)))
	if now.Before(b.penaltyUntil) || !b.limiter.AllowN(now, 1) {
		b.penaltyUntil = now.Add(o.RateLimitPenalty)
		h.Set("X-Rate-Limit-Remaining", "0")
		return errRateLimited(b.penaltyUntil.Sub(now))
	}
	remaining := int(b.limiter.TokensAt(now))
	if remaining < 0 {
		remaining = 0
	}
	h.Set("X-Rate-Limit-Remaining", strconv.Itoa(remaining))
	return nil
}
