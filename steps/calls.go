package steps

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/cucumber/godog"

	"github.com/rcoauth/conformance/driver"
)

// Every exchange a step makes goes through these helpers, so that one policy applies to all of them:
// RingCentral throttles the Auth group to 5 requests per user per minute (docs/basics/rate-limits.md), so a
// long run against the sandbox meets HTTP 429. Outside @rate-limit scenarios, and on targets without the
// mock's control API, the harness then waits as Retry-After says (30 s without it, as rate-limits.md
// advises) and sends the request again — rebuilt, so a client assertion gets a fresh jti — at most
// maxRateLimitRetries more times. The mock never throttles unless a @rate-limit scenario asks it to.

const (
	tagRateLimit        = "@rate-limit"
	maxRateLimitRetries = 3
	maxRateLimitWait    = 2 * time.Minute
	defaultRetryAfter   = 30 * time.Second
)

// patiently sends with send and waits out rate limits when the policy above applies or the scenario asked
// for patience (w.patient).
func patiently[T any](ctx context.Context, w *world, send func() (T, *driver.Response, error)) (T, error) {
	for attempt := 0; ; attempt++ {
		v, resp, err := send()
		patient := w.patient || (!w.onMock() && !w.tags[tagRateLimit])
		if !patient || resp == nil || resp.Status != 429 || attempt == maxRateLimitRetries {
			return v, err
		}
		d := defaultRetryAfter
		if n, perr := strconv.Atoi(resp.Header.Get("Retry-After")); perr == nil && n > 0 {
			d = time.Duration(n) * time.Second
		}
		if werr := w.wait(ctx, d); werr != nil {
			return v, fmt.Errorf("waiting out a rate limit: %w", werr)
		}
	}
}

// wait lets d pass: on the mock by advancing the scenario's clock, on a real target on a timer (bounded,
// and cancelled with the step's context). Every wait is recorded for the scenario.
func (w *world) wait(ctx context.Context, d time.Duration) error {
	w.waited = append(w.waited, d)
	if w.onMock() {
		return w.advance(ctx, d)
	}
	if d > maxRateLimitWait {
		return fmt.Errorf("the target asks to wait %s, more than the harness's limit of %s", d, maxRateLimitWait)
	}
	godog.Logf(ctx, "rate limited: waiting %s as Retry-After says", d)
	return w.s.pause(ctx, d)
}

// pauseOnTimer waits d on a timer, or until ctx is done.
func pauseOnTimer(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *world) callToken(ctx context.Context, req driver.TokenRequest) (*driver.TokenResult, error) {
	return patiently(ctx, w, func() (*driver.TokenResult, *driver.Response, error) {
		res, err := w.client.Token(ctx, req)
		if res == nil {
			return res, nil, err
		}
		return res, res.Response, err
	})
}

func (w *world) callAPI(ctx context.Context, req driver.APIRequest) (*driver.Response, error) {
	return patiently(ctx, w, func() (*driver.Response, *driver.Response, error) {
		resp, err := w.client.API(ctx, req)
		return resp, resp, err
	})
}

func (w *world) callRevoke(ctx context.Context, req driver.RevokeRequest) (*driver.Response, error) {
	return patiently(ctx, w, func() (*driver.Response, *driver.Response, error) {
		resp, err := w.client.Revoke(ctx, req)
		return resp, resp, err
	})
}

func (w *world) callAuthorize(ctx context.Context, req driver.AuthorizeRequest) (*driver.AuthorizeResult, error) {
	return patiently(ctx, w, func() (*driver.AuthorizeResult, *driver.Response, error) {
		res, err := w.client.Authorize(ctx, req)
		if res == nil {
			return res, nil, err
		}
		return res, res.Response, err
	})
}

func (w *world) callGet(ctx context.Context, path string) (*driver.Response, error) {
	return patiently(ctx, w, func() (*driver.Response, *driver.Response, error) {
		resp, err := w.client.Get(ctx, path)
		return resp, resp, err
	})
}
