package steps

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/cucumber/godog"

	"github.com/rcoauth/conformance/driver"
	"github.com/rcoauth/conformance/results"
)

// Every exchange a step makes goes through send, so that one policy applies to all of them.
//
// On every target it counts the Auth-group requests per budget (test user and app), which the run's plan
// and summary report.
//
// On a real target (no mock control API) it also
//   - paces the Auth group per budget (pacing.go), so that the run does not trip RingCentral's limit;
//   - honours a 429 that comes anyway: it waits as Retry-After says (30 s without it, as rate-limits.md
//     advises), counts it, and sends the request again, rebuilt, so a client assertion gets a fresh jti
//     (except in @rate-limit scenarios, which are about the 429 itself);
//   - retries a request that failed before any response (refused, reset, timed out), whose answer was cut
//     off or stalled, or that got a 5xx, with a bounded backoff, and marks the scenario flaky; an answer
//     that fails an assertion is never retried;
//   - stops the run early after several consecutive failures to reach the target.
//
// The mock never throttles unless a @rate-limit scenario asks it to; a scenario that needs patience there
// too (w.patient) waits by moving the mock's clock.

const (
	tagRateLimit        = "@rate-limit"
	maxRateLimitRetries = 3
	maxRateLimitWait    = 2 * time.Minute
	defaultRetryAfter   = 30 * time.Second
	retryBackoff        = time.Second
)

// attempt is what send needs from one try of a request: its response (nil when none came) and error.
type attempt[T any] struct {
	value T
	resp  *driver.Response
	err   error
}

// send sends a request with try, on budget b, by the policy above.
func send[T any](ctx context.Context, w *world, path string, sp spend, try func() attempt[T]) (T, error) {
	b := sp.Budget
	real := !w.onMock()
	paced := authGroup(path)
	retries := 0
	for rateLimited := 0; ; {
		if paced && real {
			if err := w.s.pacer.wait(ctx, b); err != nil {
				var zero T
				return zero, fmt.Errorf("waiting for the Auth-group budget of %s: %w", b, err)
			}
		}
		a := try()
		if paced {
			w.countAuth(sp, a.resp, 0)
		}
		var te *driver.TransportError
		var be *driver.BodyError
		unreached := a.resp == nil && errors.As(a.err, &te)
		// An answer cut off or stalled on the way is lost as much as one that never came.
		lost := unreached || (errors.As(a.err, &be) && (be.Failure == driver.BodyCutOff || be.Failure == driver.BodyTimedOut))
		if unreached {
			if stop := w.s.unreachable(a.err); stop != nil {
				return a.value, stop
			}
		} else if a.resp != nil {
			w.s.reached()
		}
		if real && retries < w.s.retries && (lost || (a.resp != nil && a.resp.Status >= 500)) {
			retries++
			w.flaky = append(w.flaky, fmt.Sprintf("%s, retry %d of %d", describeAttempt(path, a.resp, a.err), retries, w.s.retries))
			if err := w.s.pause(ctx, retryBackoff<<(retries-1)); err != nil {
				return a.value, err
			}
			continue
		}
		patient := w.patient || (real && !w.tags[tagRateLimit])
		if !patient || a.resp == nil || a.resp.Status != 429 || rateLimited == maxRateLimitRetries {
			return a.value, a.err
		}
		rateLimited++
		d := defaultRetryAfter
		if n, perr := strconv.Atoi(a.resp.Header.Get("Retry-After")); perr == nil && n > 0 {
			d = time.Duration(n) * time.Second
		}
		if err := w.wait(ctx, d); err != nil {
			return a.value, fmt.Errorf("waiting out a rate limit: %w", err)
		}
		if paced {
			w.s.pacer.record(b, func(u *results.Budget) { u.Waited += d })
		}
	}
}

// countAuth records an Auth-group request of the scenario on its budget, for the run's account and plan;
// burst is the number of requests sent at once with it (0 for one alone).
func (w *world) countAuth(sp spend, resp *driver.Response, burst int) {
	w.s.pacer.count(sp.Budget, resp)
	status := 0
	if resp != nil {
		status = resp.Status
	}
	w.mu.Lock()
	w.authRequests = append(w.authRequests, results.AuthRequest{User: sp.User, App: sp.App, Cred: sp.Cred, Status: status, Burst: burst})
	w.mu.Unlock()
}

// describeAttempt names a failed attempt for the flaky record: what was sent and what came back.
func describeAttempt(path string, resp *driver.Response, err error) string {
	var be *driver.BodyError
	switch {
	case errors.As(err, &be) && be.Failure == driver.BodyTimedOut:
		return fmt.Sprintf("%s answered %d, but its body stalled", path, be.Response.Status)
	case errors.As(err, &be):
		return fmt.Sprintf("%s answered %d, but its body was cut off", path, be.Response.Status)
	case resp != nil:
		return fmt.Sprintf("%s answered %d", path, resp.Status)
	}
	return fmt.Sprintf("%s: %v", path, err)
}

// String names a budget in plans and summaries.
func (b Budget) String() string {
	if b.User == 0 {
		return "no user with app " + b.App
	}
	return fmt.Sprintf("user %d with app %s", b.User, b.App)
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

// spend is the budget a request spends and why: Cred is the per-user variable whose owner it is ("RC_JWT":
// user n when RC_JWT_n is set, else user 1), "" when it follows the scenario's test user, and "-" for a
// request made for no user. The run's plan uses Cred to attribute a scenario's requests when it assigns
// the scenario to another user than in its dry run.
type spend struct {
	Budget
	Cred string
}

// appSpend is a request of the scenario's app for its test user.
func (w *world) appSpend() spend { return spend{Budget: w.appBudget(w.user)} }

// appBudget is the budget of a request the scenario's app makes for user.
func (w *world) appBudget(user int) Budget {
	if w.app == nil {
		return Budget{User: user}
	}
	return Budget{User: user, App: w.app.id}
}

// tokenSpend is the budget a token request spends: a refresh spends its session's, a sign-in the user's
// whose credential it presents (RC_JWT_2 is user 2's), a grant without a user (client_credentials, guest)
// no user's, and any other the scenario's user's. The app is the one the request claims, authenticated or
// not: a rate limiter counts requests before it authenticates them, by the client and user they name (the
// mock's documented reading of "per user per app", rcmock.Server.rateSubject; RingCentral's is UNVERIFIED),
// so a request that names no client spends an unidentified app's budget.
func (w *world) tokenSpend(form driver.Form) spend {
	var sp spend
	switch form.Get("grant_type") {
	case "refresh_token":
		if s := w.sessionOf(form.Get("refresh_token")); s != nil {
			sp = s.spend
			break
		}
		sp = w.appSpend()
	case "client_credentials", "guest":
		sp = spend{Budget: w.appBudget(0), Cred: "-"}
	default:
		sp = w.appSpend()
		if w.signer > 0 {
			sp = spend{Budget: w.appBudget(w.signer), Cred: w.signerVar}
		}
	}
	return w.claimedApp(sp)
}

// claimedApp is sp with the app a request whose client authentication the scenario breaks on purpose
// claims: none for a request without client credentials or with an unknown client.
func (w *world) claimedApp(sp spend) spend {
	switch w.auth.method {
	case authNone, authUnknownClient:
		sp.App = "unidentified"
	}
	return sp
}

// tokenSpendOf is the budget of a request that presents token (a revocation, a UserInfo call): its
// session's, or the scenario's when the token is none of the scenario's.
func (w *world) tokenSpendOf(token string) spend {
	if s := w.sessionOf(token); s != nil {
		return w.claimedApp(s.spend)
	}
	return w.claimedApp(w.appSpend())
}

// sessionOf returns the scenario's session that was issued token (access or refresh), or nil.
func (w *world) sessionOf(token string) *session {
	if token == "" {
		return nil
	}
	for _, s := range w.sessions {
		for _, t := range s.tokens {
			if t.AccessToken == token || t.RefreshToken == token {
				return s
			}
		}
	}
	return nil
}

func (w *world) callToken(ctx context.Context, req driver.TokenRequest) (*driver.TokenResult, error) {
	return send(ctx, w, driver.TokenPath, w.tokenSpend(req.Form), func() attempt[*driver.TokenResult] {
		res, err := w.client.Token(ctx, req)
		if res == nil {
			return attempt[*driver.TokenResult]{res, nil, err}
		}
		return attempt[*driver.TokenResult]{res, res.Response, err}
	})
}

func (w *world) callAPI(ctx context.Context, req driver.APIRequest) (*driver.Response, error) {
	return send(ctx, w, req.Path, w.tokenSpendOf(req.AccessToken), func() attempt[*driver.Response] {
		resp, err := w.client.API(ctx, req)
		return attempt[*driver.Response]{resp, resp, err}
	})
}

func (w *world) callRevoke(ctx context.Context, req driver.RevokeRequest) (*driver.Response, error) {
	token := req.Form.Get("token")
	if token == "" {
		token = req.Query.Get("token")
	}
	return send(ctx, w, driver.RevokePath, w.tokenSpendOf(token), func() attempt[*driver.Response] {
		resp, err := w.client.Revoke(ctx, req)
		return attempt[*driver.Response]{resp, resp, err}
	})
}

// callAuthorize sends an authorization request. It spends the scenario user's budget with its app: the user
// it signs in, where the target knows who that is (the mock, which approves as its user; on RingCentral the
// request comes before the login, and charging the user is the careful reading).
func (w *world) callAuthorize(ctx context.Context, req driver.AuthorizeRequest) (*driver.AuthorizeResult, error) {
	return send(ctx, w, driver.AuthorizePath, w.appSpend(), func() attempt[*driver.AuthorizeResult] {
		res, err := w.client.Authorize(ctx, req)
		if res == nil {
			return attempt[*driver.AuthorizeResult]{res, nil, err}
		}
		return attempt[*driver.AuthorizeResult]{res, res.Response, err}
	})
}

func (w *world) callGet(ctx context.Context, path string) (*driver.Response, error) {
	p := path
	if u, err := url.Parse(path); err == nil && u.Path != "" {
		p = u.Path
	}
	return send(ctx, w, p, w.appSpend(), func() attempt[*driver.Response] {
		resp, err := w.client.Get(ctx, path)
		return attempt[*driver.Response]{resp, resp, err}
	})
}
