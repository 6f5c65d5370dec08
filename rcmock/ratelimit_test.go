package rcmock

import (
	"strconv"
	"testing"
	"time"
)

// rateLimited starts a server with the Auth group's rate limit on, optionally reshaped by mutate.
func rateLimited(tb testing.TB, mutate ...func(*Options)) *testServer {
	tb.Helper()
	return newTestServer(tb, append([]func(*Options){func(o *Options) { o.Settings.RateLimit = true }}, mutate...)...)
}

// at is a request made at an offset from the start of a test, and whether it must be admitted; when it is
// refused, retryAfter is the Retry-After it must carry (0: not checked).
type at struct {
	offset     time.Duration
	admitted   bool
	retryAfter int
}

// sendAt makes each request at its offset (moving the fake clock) and checks its outcome.
func sendAt(t *testing.T, ts *testServer, requests []at) {
	t.Helper()
	start := ts.clock.Now()
	for i, rq := range requests {
		ts.clock.Advance(start.Add(rq.offset).Sub(ts.clock.Now()))
		r := ts.password(t)
		switch {
		case rq.admitted && r.status != 200:
			t.Fatalf("request %d at +%s: got %d %s (Retry-After %q); want 200", i+1, rq.offset, r.status, r.body, r.header.Get("Retry-After"))
		case !rq.admitted && r.status != 429:
			t.Fatalf("request %d at +%s: got %d; want 429", i+1, rq.offset, r.status)
		case !rq.admitted:
			wantError(t, r, 429, "", "CMN-301")
			if got := r.header.Get("Retry-After"); rq.retryAfter != 0 && got != strconv.Itoa(rq.retryAfter) {
				t.Errorf("request %d at +%s: Retry-After %q; want %d", i+1, rq.offset, got, rq.retryAfter)
			}
		}
	}
}

// TestRateLimitSlidingWindow: the Auth group allows 5 requests per user and app in a sliding 60-second
// window; the request that finds the window full starts a 60-second penalty (docs/basics/rate-limits.md,
// ringcentral-oauth.md §7.2).
func TestRateLimitSlidingWindow(t *testing.T) {
	t.Run("9 requests in 50 seconds: the first 5 pass", func(t *testing.T) {
		ts := rateLimited(t)
		var reqs []at
		for i := range 9 {
			reqs = append(reqs, at{offset: time.Duration(i) * 6250 * time.Millisecond, admitted: i < 5})
		}
		sendAt(t, ts, reqs)
	})
	t.Run("the window slides: a slot frees 60 seconds after each admitted request", func(t *testing.T) {
		sendAt(t, rateLimited(t), []at{
			{0, true, 0}, {time.Second, true, 0}, {2 * time.Second, true, 0}, {3 * time.Second, true, 0},
			{50 * time.Second, true, 0},
			// (1 s, 61 s] holds the requests at 2, 3 and 50 s: two slots are free, not five.
			{61 * time.Second, true, 0}, {61*time.Second + 500*time.Millisecond, true, 0},
			{61*time.Second + 900*time.Millisecond, false, 60},
		})
	})
	t.Run("never more than 5 in any 60 seconds", func(t *testing.T) {
		ts := rateLimited(t)
		start := ts.clock.Now()
		var admitted []time.Duration
		for i := range 200 {
			// Irregular gaps from 1 to 29 s, over about 50 minutes.
			ts.clock.Advance(time.Duration(1+(i*7)%29) * time.Second)
			if r := ts.password(t); r.status == 200 {
				admitted = append(admitted, ts.clock.Now().Sub(start))
			}
		}
		if len(admitted) < 10 {
			t.Fatalf("only %d requests admitted in 200; want the limiter to let requests through between penalties", len(admitted))
		}
		for i := range admitted {
			n := 0
			for j := i; j < len(admitted) && admitted[j]-admitted[i] < time.Minute; j++ {
				n++
			}
			if n > 5 {
				t.Fatalf("%d requests admitted within 60 s from +%s; want at most 5", n, admitted[i])
			}
		}
	})
}

// TestRateLimitPenalty: "Every time you send a request that is caught by our rate limiting system, we reset
// the clock on your penalty window" (docs/basics/rate-limits.md): a request during the penalty is refused and
// restarts it; Retry-After is the seconds until the penalty ends; once it has, requests pass again.
func TestRateLimitPenalty(t *testing.T) {
	five := []at{{0, true, 0}, {time.Second, true, 0}, {2 * time.Second, true, 0}, {3 * time.Second, true, 0}, {4 * time.Second, true, 0}}
	t.Run("a request during the penalty restarts it", func(t *testing.T) {
		sendAt(t, rateLimited(t), append(five,
			at{10 * time.Second, false, 60},  // penalty until +70 s
			at{40 * time.Second, false, 60},  // restarted: until +100 s
			at{99 * time.Second, false, 60},  // restarted: until +159 s
			at{158 * time.Second, false, 60}, // restarted: until +218 s
			at{218 * time.Second, true, 0},
		))
	})
	t.Run("requests pass again once the penalty is over", func(t *testing.T) {
		sendAt(t, rateLimited(t), append(five,
			at{10 * time.Second, false, 60},
			at{70 * time.Second, true, 0}, at{71 * time.Second, true, 0}, at{72 * time.Second, true, 0},
			at{73 * time.Second, true, 0}, at{74 * time.Second, true, 0},
			at{75 * time.Second, false, 60},
		))
	})
	t.Run("Retry-After counts down to the end of the penalty", func(t *testing.T) {
		ts := rateLimited(t, func(o *Options) { o.RateLimitPenalty = 90 * time.Second })
		sendAt(t, ts, append(five, at{10 * time.Second, false, 90}))
	})
}

// TestRateLimitShape: the limit, window and penalty come from Options, so that tests can use a short window,
// and the X-Rate-Limit-* headers describe them.
func TestRateLimitShape(t *testing.T) {
	ts := rateLimited(t, func(o *Options) {
		o.RateLimitMax, o.RateLimitWindow, o.RateLimitPenalty = 2, 10*time.Second, 10*time.Second
	})
	sendAt(t, ts, []at{{0, true, 0}, {time.Second, true, 0}, {2 * time.Second, false, 10}, {12 * time.Second, true, 0}})
	r := ts.password(t)
	for k, want := range map[string]string{"X-Rate-Limit-Group": "auth", "X-Rate-Limit-Limit": "2", "X-Rate-Limit-Window": "10", "X-Rate-Limit-Remaining": "0"} {
		if got := r.header.Get(k); got != want {
			t.Errorf("%s: got %q; want %q", k, got, want)
		}
	}
}
