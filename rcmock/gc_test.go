package rcmock

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// The tests in this file prove that the mock's memory is bounded: what expires is forgotten after
// Options.Retention, evicted and rotated tokens are freed at once, and abandoned scenario realms are
// dropped. They are deterministic: mock time moves by FakeClock.Advance and real time (realm idleness) by
// the Server.realNow seam, never by sleeping.

// opsSweep makes a request to the scenario realm, which sweeps it if a second of mock time has passed
// since the last sweep (realm.maybeGC), and returns the realm's store sizes afterwards.
func opsSweep(tb testing.TB, ts *testServer, scenario string) map[string]int {
	tb.Helper()
	if r := ts.serve(request{method: http.MethodGet, path: PathAccount, header: map[string]string{ScenarioHeader: scenario}}); r.status != http.StatusUnauthorized {
		tb.Fatalf("sweep request: got %d %s; want 401", r.status, r.body)
	}
	return ts.srv.realm(scenario).counts()
}

// opsWantCounts compares the named store sizes.
func opsWantCounts(tb testing.TB, got, want map[string]int) {
	tb.Helper()
	for k, w := range want {
		if got[k] != w {
			tb.Errorf("%s: got %d; want %d (all counts %v)", k, got[k], w, got)
		}
	}
}

func TestGCForgetsExpiredState(t *testing.T) {
	const scenario = "gc"
	ts := newTestServer(t, func(o *Options) {
		o.Settings.RateLimit = true // so that rate-limit logs are created, and must be forgotten
		o.RateLimitMax = 100
	})
	s, env := ts.srv, ts.env
	inRealm := map[string]string{ScenarioHeader: scenario}
	inRealmAsMain := map[string]string{ScenarioHeader: scenario, "Authorization": basicAuth(tMainID, tMainSecret)}

	// Three password sessions and two sessions of the client_secret_jwt app, whose client assertions leave
	// two jtis; two authorization codes; one device authorization.
	for range 3 {
		if r := ts.serve(request{path: PathToken, body: benchPasswordBody, header: inRealmAsMain}); r.status != http.StatusOK {
			t.Fatalf("password grant: got %d %s; want 200", r.status, r.body)
		}
	}
	for _, jti := range []string{"gc-jti-1", "gc-jti-2"} {
		body := url.Values{"grant_type": {GrantPassword}, "username": {tUsername}, "password": {tPassword},
			"client_assertion_type": {ClientAssertionType}, "client_assertion": {opsClientAssertion(t, env, jti, ts.clock.Now())}}
		if r := ts.serve(request{path: PathToken, body: body.Encode(), header: inRealm}); r.status != http.StatusOK {
			t.Fatalf("client assertion %s: got %d %s; want 200", jti, r.status, r.body)
		}
	}
	for _, uri := range []string{"https://client.example.com/oauth/callback", "https://client.example.com/oauth/second"} {
		q := url.Values{"response_type": {"code"}, "client_id": {tMainID}, "redirect_uri": {uri}}
		r := ts.serve(request{method: http.MethodGet, path: PathAuthorize + "?" + q.Encode(), header: inRealm})
		if loc := r.header.Get("Location"); r.status != http.StatusFound || !strings.Contains(loc, "code=") {
			t.Fatalf("authorize: got %d Location %q; want 302 with a code", r.status, loc)
		}
	}
	if r := ts.serve(request{path: PathDevice, header: inRealmAsMain}); r.status != http.StatusOK {
		t.Fatalf("device authorization: got %d %s; want 200", r.status, r.body)
	}
	issuedCounts := s.realm(scenario).counts()
	opsWantCounts(t, issuedCounts, map[string]int{"sessions": 5, "tokens": 10, "codes": 2, "devices": 1, "jtis": 2})
	if issuedCounts["limits"] == 0 {
		t.Errorf("limits: got 0; want the rate-limit logs of the requests above")
	}

	// Each step advances the mock clock to an offset from issue time and sweeps. Lifetimes: rate-limit
	// logs 2×window+penalty (3 min) after their last request; codes 60 s, device codes 10 min and
	// assertions 1 h (+30 s leeway) plus Retention (1 h); access tokens 1 h, refresh tokens 7 days, and a
	// session is forgotten Retention after its refresh token expires.
	o := s.opts
	refreshEnd := time.Duration(s.fx.apps[tMainID].RefreshTokenTTL) * time.Second
	steps := []struct {
		name string
		at   time.Duration
		want map[string]int
	}{
		{"rate-limit logs idle for 3 min are forgotten", 4 * time.Minute,
			map[string]int{"sessions": 5, "tokens": 10, "codes": 2, "devices": 1, "jtis": 2, "limits": 0}},
		{"expired codes are kept for Retention", o.AuthCodeTTL + o.Retention,
			map[string]int{"sessions": 5, "tokens": 10, "codes": 2, "devices": 1, "jtis": 0}},
		{"codes, device codes and jtis are forgotten after Retention", o.DeviceCodeTTL + o.Retention + time.Second,
			map[string]int{"sessions": 5, "tokens": 10, "codes": 0, "devices": 0, "jtis": 0}},
		{"sessions with expired access tokens but live refresh tokens are kept", refreshEnd - time.Second,
			map[string]int{"sessions": 5, "tokens": 10}},
		{"expired sessions are kept for Retention", refreshEnd + o.Retention,
			map[string]int{"sessions": 5, "tokens": 10}},
		{"expired sessions are forgotten after Retention", refreshEnd + o.Retention + time.Second,
			map[string]int{"sessions": 0, "tokens": 0, "codes": 0, "devices": 0, "jtis": 0, "limits": 0}},
	}
	issued := ts.clock.Now()
	for _, st := range steps {
		ts.clock.Advance(issued.Add(st.at).Sub(ts.clock.Now()))
		got := opsSweep(t, ts, scenario)
		t.Run(st.name, func(t *testing.T) { opsWantCounts(t, got, st.want) })
	}

	rl := s.realm(scenario)
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if len(rl.owners) != 0 || len(rl.userCode) != 0 {
		t.Errorf("after the last sweep: %d session-limit owners and %d user codes remain; want none", len(rl.owners), len(rl.userCode))
	}
}

func TestEvictedSessionFreesItsTokens(t *testing.T) {
	ts := newTestServer(t)
	first := ts.login(t)
	for range ts.srv.opts.SessionLimit {
		ts.login(t)
	}
	rl := ts.srv.realm("")
	opsWantCounts(t, rl.counts(), map[string]int{"sessions": 5, "tokens": 10})
	rl.mu.Lock()
	limited := len(rl.owners[ownerKey{user: tJane, app: tMainID}])
	rl.mu.Unlock()
	if limited != ts.srv.opts.SessionLimit {
		t.Errorf("sessions counted against the limit: got %d; want %d", limited, ts.srv.opts.SessionLimit)
	}
	for _, key := range []string{"access_token", "refresh_token"} {
		if sess := rl.sessionOf(first[key].(string)); sess != nil {
			t.Errorf("the evicted session's %s is still stored", key)
		}
	}
	if r := ts.api(t, first["access_token"].(string)); r.status != http.StatusUnauthorized || r.errorCode(t) != "OAU-213" {
		t.Errorf("API call with the evicted access token: got %d %s; want 401 OAU-213", r.status, r.body)
	}
}

func TestRefreshChainKeepsConstantTokens(t *testing.T) {
	const refreshes = 100
	grace := DefaultOptions().RotatedAccessTokenGrace
	tests := []struct {
		name        string
		step        time.Duration // mock time between refreshes
		wantRetired int           // replaced access tokens still answering "Access token corrupted"
	}{
		{"a refresh per 11 s keeps only the last replaced token", grace + time.Second, 1},
		{"a refresh per second keeps the tokens replaced within the grace", time.Second, int(grace / time.Second)},
		{"a burst is capped at maxRetiredTokens", 0, maxRetiredTokens},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t)
			tok := ts.login(t)
			var accessTokens []string
			for i := range refreshes {
				accessTokens = append(accessTokens, tok["access_token"].(string))
				ts.clock.Advance(tt.step)
				r := ts.refresh(t, tok["refresh_token"].(string))
				if r.status != http.StatusOK {
					t.Fatalf("refresh %d: got %d %s; want 200", i+1, r.status, r.body)
				}
				tok = r.json(t)
			}
			// access + refresh + the grace refresh token + the retired access tokens.
			opsWantCounts(t, ts.srv.realm("").counts(), map[string]int{"sessions": 1, "tokens": 3 + tt.wantRetired})

			// The newest replaced tokens still answer "Access token corrupted"; older ones "Token not found".
			for i, at := range accessTokens {
				want := "OAU-213"
				if i >= len(accessTokens)-tt.wantRetired {
					want = "OAU-129"
				}
				if r := ts.api(t, at); r.errorCode(t) != want {
					t.Errorf("access token %d of %d: got %d %s; want %s", i+1, refreshes, r.status, r.errorCode(t), want)
				}
			}
		})
	}
}

func TestIdleRealmsAreDropped(t *testing.T) {
	ts := newTestServer(t)
	s := ts.srv
	real := NewFakeClock(testStart)
	s.mu.Lock()
	s.realNow = real.Now
	idle := s.realmIdle
	s.mu.Unlock()

	login := func(scenario string) {
		t.Helper()
		r := ts.serve(request{path: PathToken, body: benchPasswordBody, header: map[string]string{ScenarioHeader: scenario, "Authorization": basicAuth(tMainID, tMainSecret)}})
		if r.status != http.StatusOK {
			t.Fatalf("login in %q: got %d %s; want 200", scenario, r.status, r.body)
		}
	}
	realms := func() []string {
		s.mu.Lock()
		defer s.mu.Unlock()
		ids := make([]string, 0, len(s.realms))
		for id := range s.realms {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		return ids
	}

	login("")
	login("abandoned")
	login("busy")
	steps := []struct {
		name    string
		advance time.Duration
		request string // scenario of the request made after advancing real time
		want    []string
	}{
		{"nothing is idle yet", idle - time.Minute, "busy", []string{"", "abandoned", "busy"}},
		{"a realm idle for realmIdle is dropped; a busy one is kept", 2 * time.Minute, "busy", []string{"", "busy"}},
		{"the default realm is never dropped", 2 * idle, "other", []string{"", "other"}},
	}
	for _, st := range steps {
		real.Advance(st.advance)
		login(st.request)
		if got := realms(); !slices.Equal(got, st.want) {
			t.Errorf("%s: realms %q; want %q", st.name, got, st.want)
		}
	}
	if got := s.realm("").counts()["sessions"]; got != 1 {
		t.Errorf("default realm sessions after its idle time: got %d; want 1 (kept)", got)
	}
	if got := s.realm("abandoned").counts()["sessions"]; got != 0 {
		t.Errorf("a dropped realm used again: got %d sessions; want 0 (a fresh realm)", got)
	}
}
