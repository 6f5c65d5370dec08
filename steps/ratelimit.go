package steps

import (
	"context"
	"fmt"
	"strconv"
)

func (v *vocabulary) rateLimits() {
	w := v.w
	v.sc.Step(v.assertion(`^the request is rate limited$`), w.rateLimited)
	v.sc.Step(v.assertion(`^the response carries the Auth group's rate limit headers$`), w.rateLimitHeaders)
	v.sc.Step(v.re(`^the app requests a token with the (`+grantNames+`) grant, waiting out any rate limit$`), w.tokenWaitingOutLimits)
	v.sc.Step(v.assertion(`^the harness waited as Retry-After said$`), w.waitedAsTold)
}

// rateLimited checks RingCentral's 429 (docs/basics/rate-limits.md, errors.md): Retry-After in seconds and
// errorCode CMN-301 "Request rate exceeded".
func (w *world) rateLimited() (err error) {
	defer w.verdict(&err)
	r, err := w.theRequest()
	if err != nil {
		return err
	}
	if r.resp == nil || r.resp.Status != 429 {
		return fmt.Errorf("want HTTP 429 (DOCS rate-limits.md): %s", r.describe())
	}
	var p problems
	if n, err := strconv.Atoi(r.resp.Header.Get("Retry-After")); err != nil || n <= 0 {
		p.addf("Retry-After %q; want a positive number of seconds (DOCS rate-limits.md)", r.resp.Header.Get("Retry-After"))
	}
	if c := firstErrorCode(r.oauthError()); c != "CMN-301" {
		p.addf("errors[0].errorCode %q; want CMN-301 (DOCS errors.md)", c)
	}
	return p.err(r)
}

// rateLimitHeaders checks the X-Rate-Limit-* headers of a throttled group, numbers but the group's name
// (documented RingCentral behaviour, DOCS rate-limits.md; whether the token endpoint sends them is
// UNVERIFIED, and the feature says so).
func (w *world) rateLimitHeaders() (err error) {
	defer w.verdict(&err)
	r, err := w.theAnswer()
	if err != nil {
		return err
	}
	var p problems
	for _, h := range []string{"X-Rate-Limit-Group", "X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Window"} {
		v := r.resp.Header.Get(h)
		if v == "" {
			p.addf("no %s header (DOCS rate-limits.md)", h)
			continue
		}
		if _, err := strconv.Atoi(v); err != nil && h != "X-Rate-Limit-Group" {
			p.addf("%s %q is not a number (DOCS rate-limits.md)", h, v)
		}
	}
	return p.err(r)
}

// tokenWaitingOutLimits requests a token as a well-behaved client does: on HTTP 429 it waits as
// Retry-After says and tries again (calls.go), here even on the mock, whose wait moves the scenario's
// clock instead of sleeping.
func (w *world) tokenWaitingOutLimits(ctx context.Context, grant string) (err error) {
	defer w.verdict(&err)
	w.patient = true
	defer func() { w.patient = false }()
	_, err = w.requestToken(ctx, grant, nil, tokenOptions{})
	return err
}

// waitedAsTold checks that the scenario met a rate limit and waited it out as a well-behaved client does
// (DOCS rate-limits.md: retry after Retry-After, or 30 seconds without it; calls.go does the waiting).
func (w *world) waitedAsTold() (err error) {
	defer w.verdict(&err)
	if len(w.waited) == 0 {
		return fmt.Errorf("the harness never had to wait: no request of this scenario was rate limited")
	}
	return nil
}
