package steps

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

func (v *vocabulary) clock() {
	w := v.w
	v.step(`^(\d+) (seconds?|minutes?|hours?|days?) pass(?:es)?$`, func(ctx context.Context, n int, unit string) error {
		d := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}[unit[:1]]
		return w.advance(ctx, time.Duration(n)*d)
	})
	v.step(`^the access token expires$`, func(ctx context.Context) error { return w.expire(ctx, "access") })
	v.step(`^the refresh token expires$`, func(ctx context.Context) error { return w.expire(ctx, "refresh") })
	v.step(`^the authorization code expires$`, func(ctx context.Context) error { return w.expire(ctx, "code") })
}

// advance moves the scenario's mock clock (mock-only: expiry is tested by moving time, never by sleeping).
func (w *world) advance(ctx context.Context, d time.Duration) error {
	if err := w.needControl("moving the clock"); err != nil {
		return err
	}
	_, err := w.client.AdvanceClock(ctx, d)
	return err
}

// expire moves the clock one second past the lifetime the server announced for the latest access token,
// refresh token or authorization code.
func (w *world) expire(ctx context.Context, what string) error {
	var secs int64
	switch what {
	case "access", "refresh":
		t, err := w.latestToken()
		if err != nil {
			return err
		}
		secs = t.ExpiresIn
		if what == "refresh" {
			if t.RefreshToken == "" {
				return fmt.Errorf("the latest token response has no refresh token")
			}
			secs = t.RefreshTokenExpiresIn
		}
	case "code":
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
