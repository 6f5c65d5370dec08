package steps

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

func (v *vocabulary) clock() {
	w := v.w
	v.sc.Step(v.re(`^(\d+) (seconds?|minutes?|hours?|days?) pass(?:es)?$`), w.timePasses)
	v.sc.Step(v.re(`^the (access token|refresh token|authorization code) expires$`), w.expire)
}

// timePasses moves the scenario's clock by n units.
func (w *world) timePasses(ctx context.Context, n int, unit string) (err error) {
	defer w.verdict(&err)
	d := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}[unit[:1]]
	return w.advance(ctx, time.Duration(n)*d)
}

// advance moves the scenario's mock clock (mock-only: expiry is tested by moving time, never by sleeping).
// From then on everything the harness dates (client assertions, device assertions) follows the mock's new
// time, since the mock checks them against the scenario's clock.
func (w *world) advance(ctx context.Context, d time.Duration) error {
	if err := w.needControl("moving the clock"); err != nil {
		return err
	}
	now, err := w.client.AdvanceClock(ctx, d)
	if err != nil {
		return err
	}
	w.clock.set(now)
	return nil
}

// expire moves the clock one second past the lifetime the server announced for the latest access token,
// refresh token or authorization code.
func (w *world) expire(ctx context.Context, what string) (err error) {
	defer w.verdict(&err)
	var secs int64
	switch what {
	case "access token", "refresh token":
		t, err := w.latestToken()
		if err != nil {
			return err
		}
		secs = t.ExpiresIn
		if what == "refresh token" {
			if t.RefreshToken == "" {
				return fmt.Errorf("the latest token response has no refresh token")
			}
			secs = t.RefreshTokenExpiresIn
		}
	case "authorization code":
		az, err := w.currentAuthorization()
		if err != nil {
			return err
		}
		n, err := strconv.ParseInt(az.res.ExpiresIn, 10, 64)
		if err != nil {
			return fmt.Errorf("the code's expires_in %q is not a number", az.res.ExpiresIn)
		}
		secs = n
	}
	return w.advance(ctx, time.Duration(secs+1)*time.Second)
}
