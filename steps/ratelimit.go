package steps

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// maxRateLimitWait bounds how long the harness waits for a rate limit on a real target.
const maxRateLimitWait = 2 * time.Minute

func (v *vocabulary) rateLimits() {
	w := v.w
	v.step(`^the request is rate limited$`, w.rateLimited)
	v.step(`^the response carries the Auth group's rate limit headers$`, w.rateLimitHeaders)
	v.step(`^the app requests a token with the (`+grantNames+`) grant, waiting out any rate limit$`, w.tokenWaitingOutLimits)
}

// rateLimited checks RingCentral's 429 (docs/basics/rate-limits.md, errors.md): Retry-After in seconds and
// errorCode CMN-301 "Request rate exceeded".
func (w *world) rateLimited() error {
	r, err := w.lastResult()
	if err != nil {
		return err
	}
	if r.resp == nil || r.resp.Status != 429 {
		return fmt.Errorf("want HTTP 429: %s", r.describe())
	}
	var p problems
	if n, err := strconv.Atoi(r.resp.Header.Get("Retry-After")); err != nil || n <= 0 {
		p.addf("Retry-After %q; want a positive number of seconds", r.resp.Header.Get("Retry-After"))
	}
	body := r.resp.JSON()
	if c := body.Get("errors.0.errorCode").String(); c != "CMN-301" {
		p.addf("errors[0].errorCode %q; want CMN-301", c)
	}
	return p.err(r)
}

// rateLimitHeaders checks the X-Rate-Limit-* headers of a throttled group (rate-limits.md).
func (w *world) rateLimitHeaders() error {
	r, err := w.lastResult()
	if err != nil {
		return err
	}
	var p problems
	for _, h := range []string{"X-Rate-Limit-Group", "X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Window"} {
		if r.resp == nil || r.resp.Header.Get(h) == "" {
			p.addf("no %s header", h)
		}
	}
	if r.resp != nil {
		for _, h := range []string{"X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Window"} {
			if v := r.resp.Header.Get(h); v != "" {
				if _, err := strconv.Atoi(v); err != nil {
					p.addf("%s %q is not a number", h, v)
				}
			}
		}
	}
	return p.err(r)
}

// tokenWaitingOutLimits requests a token and, on HTTP 429, waits as Retry-After says (30 s without it,
// as rate-limits.md advises) and tries again, at most three times. On the mock the wait moves the
// scenario's clock instead of sleeping.
func (w *world) tokenWaitingOutLimits(ctx context.Context, grant string) error {
	for attempt := 0; ; attempt++ {
		r, err := w.requestToken(ctx, grant, nil, tokenOptions{})
		if err != nil {
			return err
		}
		if r.resp == nil || r.resp.Status != 429 || attempt == 3 {
			return nil
		}
		wait := 30 * time.Second
		if n, err := strconv.Atoi(r.resp.Header.Get("Retry-After")); err == nil && n > 0 {
			wait = time.Duration(n) * time.Second
		}
		if err := w.wait(ctx, wait); err != nil {
			return err
		}
	}
}

// wait lets d pass: on the mock by advancing the scenario's clock, on a real target by waiting on a timer
// (bounded, and cancelled with the step's context).
func (w *world) wait(ctx context.Context, d time.Duration) error {
	if w.client.Scenario() != "" {
		_, err := w.client.AdvanceClock(ctx, d)
		return err
	}
	if d > maxRateLimitWait {
		return fmt.Errorf("the target asks to wait %s, more than the harness's limit of %s", d, maxRateLimitWait)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
