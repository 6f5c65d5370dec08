package steps

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/rcoauth/conformance/driver"
	"github.com/rcoauth/conformance/results"
)

// RingCentral throttles its Auth group (token, revoke, authorize, userinfo and wstoken: OpenAPI
// x-throttling-group Auth) to 5 requests per user per app per minute, in a sliding window whose 60-second
// penalty restarts with every request made while throttled (docs/basics/rate-limits.md; ringcentral-oauth.md
// §7.2). On a real target the harness paces those requests per (user, app) so that a run never trips a 429:
// one golang.org/x/time/rate limiter per pair, at the profile's rate (RC_AUTH_RATE, default 5/60s) with a
// burst of 1, because a sliding window is stricter than a token bucket: evenly spaced requests are the only
// schedule that never has more than the limit in any window. A small margin absorbs clock differences.

// DefaultAuthRate is RingCentral's Auth-group limit: 5 requests per user per app per 60 s.
var DefaultAuthRate = AuthRate{Requests: 5, Window: 60 * time.Second}

// pacingMargin stretches the spacing of paced requests, and pacingSlack adds to it, so that requests spaced
// by the harness's clock are still far enough apart by the target's when the network delays some of them
// more than others: five requests carry a window's worth of slack, 125 ms, on top of 1 %.
const (
	pacingMargin = 1.01
	pacingSlack  = 25 * time.Millisecond
)

// AuthRate is a number of requests per window.
type AuthRate struct {
	Requests int
	Window   time.Duration
}

// String renders the rate as RC_AUTH_RATE is written, e.g. 5/60s.
func (r AuthRate) String() string {
	if r.Requests == 0 {
		return "off"
	}
	return fmt.Sprintf("%d/%s", r.Requests, r.Window)
}

// Spacing is the time between two paced requests of one (user, app).
func (r AuthRate) Spacing() time.Duration {
	return time.Duration(float64(r.Window)/float64(r.Requests)*pacingMargin) + pacingSlack
}

// ParseAuthRate reads RC_AUTH_RATE: "off", or N/duration such as 5/60s or 5/200ms.
func ParseAuthRate(s string) (AuthRate, error) {
	if s == "" || s == "off" {
		return AuthRate{}, nil
	}
	n, d, ok := strings.Cut(s, "/")
	requests, err := strconv.Atoi(n)
	if !ok || err != nil || requests < 1 {
		return AuthRate{}, fmt.Errorf("%q: want off or N/duration such as 5/60s", s)
	}
	window, err := time.ParseDuration(d)
	if err != nil || window <= 0 {
		return AuthRate{}, fmt.Errorf("%q: want off or N/duration such as 5/60s", s)
	}
	return AuthRate{Requests: requests, Window: window}, nil
}

// authGroup reports whether a request to path belongs to RingCentral's Auth rate-limit group, where
// SPEC-2024-04 also put the introspection endpoint.
func authGroup(path string) bool {
	switch path {
	case driver.TokenPath, driver.RevokePath, driver.AuthorizePath, driver.UserInfoPath, driver.WSTokenPath, driver.IntrospectPath:
		return true
	}
	return false
}

// Budget names whose Auth-group budget a request spends: a test user (1, 2, …; 0 for a request made for no
// user, such as the client_credentials grant) with one app (its client ID).
type Budget struct {
	User int
	App  string
}

// pacer is the run's pacing of the Auth group and its account of every budget.
type pacer struct {
	rate AuthRate

	mu       sync.Mutex
	limiters map[Budget]*rate.Limiter
	// usage counts each budget's Auth-group requests: ClientErrors are those answered 4xx (deliberate
	// refusals mostly, which count against a production app's standing), RateLimited those answered 429
	// anyway, Waited the time spent waiting for the budget (pacing and Retry-After).
	usage map[Budget]*results.Budget
}

func newPacer(r AuthRate) *pacer {
	return &pacer{rate: r, limiters: map[Budget]*rate.Limiter{}, usage: map[Budget]*results.Budget{}}
}

// wait blocks until b may send its next Auth-group request (at once when pacing is off).
func (p *pacer) wait(ctx context.Context, b Budget) error {
	if p.rate.Requests == 0 {
		return nil
	}
	p.mu.Lock()
	l := p.limiters[b]
	if l == nil {
		l = rate.NewLimiter(rate.Every(p.rate.Spacing()), 1)
		p.limiters[b] = l
	}
	p.mu.Unlock()
	start := time.Now()
	err := l.Wait(ctx)
	p.record(b, func(u *results.Budget) { u.Waited += time.Since(start) })
	return err
}

// burst blocks until b may send n Auth-group requests at once, and keeps its later requests far enough
// behind them. A burst fits a sliding window only when the window holds nothing else: burst waits a whole
// window after b's previous request, and spends a whole window's worth of spacing after it, so no window
// ever holds more than the limit. n may not exceed the limit.
func (p *pacer) burst(ctx context.Context, b Budget, n int) error {
	if p.rate.Requests == 0 {
		return nil
	}
	if n > p.rate.Requests {
		return fmt.Errorf("%d requests at once exceed the Auth-group limit of %s for %s", n, p.rate, b)
	}
	for range p.rate.Requests {
		if err := p.wait(ctx, b); err != nil {
			return err
		}
	}
	p.mu.Lock()
	l := p.limiters[b]
	p.mu.Unlock()
	for range p.rate.Requests - 1 {
		l.Reserve()
	}
	return nil
}

// count records an Auth-group request of b and its answer (nil when none came).
func (p *pacer) count(b Budget, resp *driver.Response) {
	p.record(b, func(u *results.Budget) {
		u.Requests++
		if resp != nil && resp.Status >= 400 && resp.Status < 500 {
			u.ClientErrors++
		}
		if resp != nil && resp.Status == 429 {
			u.RateLimited++
		}
	})
}

// record changes b's usage under the lock.
func (p *pacer) record(b Budget, change func(*results.Budget)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	u := p.usage[b]
	if u == nil {
		u = &results.Budget{User: b.User, App: b.App}
		p.usage[b] = u
	}
	change(u)
}

// snapshot returns every budget's usage, by user and app, as the run's results record it.
func (p *pacer) snapshot() []results.Budget {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]results.Budget, 0, len(p.usage))
	for _, u := range p.usage {
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].User != out[j].User {
			return out[i].User < out[j].User
		}
		return out[i].App < out[j].App
	})
	return out
}
