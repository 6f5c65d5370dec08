package steps

import (
	"context"
	"fmt"

	"github.com/rcoauth/conformance/driver"
)

func (v *vocabulary) sessions() {
	w := v.w
	v.step(`^the first (\d+) sign-ins succeed$`, w.firstSucceed)
	v.step(`^the first session is revoked$`, func(ctx context.Context) error { return w.sessionState(ctx, 0, false) })
	v.step(`^the first session is active$`, func(ctx context.Context) error { return w.sessionState(ctx, 0, true) })
	v.step(`^the latest (\d+) sessions are active$`, w.latestActive)
	v.step(`^(\d+) of the (\d+) sessions are active$`, w.countActive)
	v.step(`^the last sign-in is refused with HTTP 429$`, w.lastRefused)
}

func (w *world) firstSucceed(n int) error {
	if len(w.batch) < n {
		return fmt.Errorf("only %d request(s) were made; want at least %d", len(w.batch), n)
	}
	var p problems
	for i, r := range w.batch[:n] {
		if r.resp == nil || r.resp.Status != 200 {
			p.addf("request %d: %s", i+1, r.describe())
		}
	}
	return p.err(w.batch[n-1])
}

// sessionState calls the API with the access token of the i-th sign-in: an evicted session (the sixth
// login beyond RingCentral's five concurrent sessions per user and app, FAQ oauth.md) answers 401.
func (w *world) sessionState(ctx context.Context, i int, active bool) error {
	if i >= len(w.sessions) {
		return fmt.Errorf("only %d session(s) were opened", len(w.sessions))
	}
	resp, err := w.callAPI(ctx, driver.APIRequest{Path: driver.AccountPath, AccessToken: w.sessions[i].AccessToken})
	r := w.setAPIResult(resp, err)
	switch {
	case r.resp == nil:
		return fmt.Errorf("%s", r.describe())
	case active && r.resp.Status != 200:
		return fmt.Errorf("session %d should be active: %s", i+1, r.describe())
	case !active && r.resp.Status != 401:
		return fmt.Errorf("session %d should have been ended: %s", i+1, r.describe())
	}
	return nil
}

func (w *world) latestActive(ctx context.Context, n int) error {
	if n > len(w.sessions) {
		return fmt.Errorf("only %d session(s) were opened; want %d active", len(w.sessions), n)
	}
	var p problems
	for i := len(w.sessions) - n; i < len(w.sessions); i++ {
		if err := w.sessionState(ctx, i, true); err != nil {
			p.addf("%v", err)
		}
	}
	return p.err(w.last)
}

// countActive checks how many of the scenario's sessions still work, without saying which: DOCS tokens.md
// says a sign-in beyond the limit of "usually five" parallel sessions invalidates tokens, but not which
// session's.
func (w *world) countActive(ctx context.Context, active, total int) error {
	if total != len(w.sessions) {
		return fmt.Errorf("%d session(s) were opened; the step speaks of %d", len(w.sessions), total)
	}
	var p problems
	n := 0
	for i, s := range w.sessions {
		resp, err := w.callAPI(ctx, driver.APIRequest{Path: driver.AccountPath, AccessToken: s.AccessToken})
		r := w.setAPIResult(resp, err)
		switch {
		case r.resp == nil:
			p.addf("session %d: API call failed: %s", i+1, r.describe())
		case r.resp.Status == 200:
			n++
		case r.resp.Status != 401:
			p.addf("session %d: want 200 (active) or 401 (ended): %s", i+1, r.describe())
		}
	}
	if n != active {
		p.addf("%d of the %d sessions are active; want %d", n, total, active)
	}
	return p.err(w.last)
}

// lastRefused checks the session-limit variant in which the server refuses a login beyond the limit
// with HTTP 429 (docs/basics/errors.md).
func (w *world) lastRefused() error {
	if len(w.batch) == 0 {
		return fmt.Errorf("no sign-in was attempted")
	}
	r := w.batch[len(w.batch)-1]
	var p problems
	if r.resp == nil || r.resp.Status != 429 {
		return fmt.Errorf("want HTTP 429: %s", r.describe())
	}
	if r.resp.Header.Get("Retry-After") == "" {
		p.addf("no Retry-After header")
	}
	return p.err(r)
}
