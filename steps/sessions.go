package steps

import (
	"context"
	"fmt"
)

func (v *vocabulary) sessions() {
	w := v.w
	v.sc.Step(v.assertion(`^the first (\d+) sign-ins succeed$`), w.firstSucceed)
	v.sc.Step(v.assertion(`^the latest (\d+) sessions are active$`), w.latestActive)
	v.sc.Step(v.assertion(`^(\d+) of the (\d+) sessions are active$`), w.countActive)
}

// firstSucceed checks that the first n answers of the batch of sign-ins issued tokens: RingCentral allows
// five sessions per user and app (FAQ oauth.md) and five Auth-group requests a minute (DOCS rate-limits.md).
func (w *world) firstSucceed(n int) (err error) {
	defer w.verdict(&err)
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

// latestActive checks that the scenario's latest n sign-ins are all active: documented RingCentral
// behaviour, "up to 5 simultaneous OAuth sessions per user per application" (FAQ oauth.md). A session is
// active when the API accepts its newest access token.
func (w *world) latestActive(ctx context.Context, n int) (err error) {
	defer w.verdict(&err)
	if n > len(w.sessions) {
		return fmt.Errorf("only %d session(s) were opened; want %d active", len(w.sessions), n)
	}
	var p problems
	for i := len(w.sessions) - n; i < len(w.sessions); i++ {
		r, err := w.tryAccessToken(ctx, w.sessions[i].newest().AccessToken, "")
		if err != nil {
			return err
		}
		if r.resp == nil || r.resp.Status != 200 {
			p.addf("session %d should be active (FAQ oauth.md: up to 5 per user and app): %s", i+1, r.describe())
		}
	}
	return p.err(w.api)
}

// countActive checks how many of the scenario's sessions still work, without saying which: DOCS tokens.md
// says a sign-in beyond the limit of "usually five" parallel sessions invalidates tokens, but not which
// session's.
func (w *world) countActive(ctx context.Context, active, total int) (err error) {
	defer w.verdict(&err)
	if total != len(w.sessions) {
		return fmt.Errorf("%d session(s) were opened; the step speaks of %d", len(w.sessions), total)
	}
	var p problems
	n := 0
	for i, s := range w.sessions {
		r, err := w.tryAccessToken(ctx, s.newest().AccessToken, "")
		if err != nil {
			return err
		}
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
	return p.err(w.api)
}
