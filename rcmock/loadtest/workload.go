package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"golang.org/x/oauth2"

	"github.com/rcoauth/conformance/rcmock"
)

// sessionLimit is the mock's limit of concurrent sessions per user and app (cmd/rcmock runs with
// rcmock.DefaultOptions).
var sessionLimit = rcmock.DefaultOptions().SessionLimit

// pair is the tokens one sign-in or refresh issued; refresh is empty when none was (client_credentials).
type pair struct{ access, refresh string }

// session is the ledger's record of one session: who holds it, every pair it was issued in order, and
// whether and why it ended.
type session struct {
	user  string // extension id; empty for client_credentials
	app   AppCredentials
	grant string
	pairs []pair // the current pair last
	used  bool   // the current access token has answered an API call, which starts its predecessor's short grace
	ended string // why the session ended; empty while it lives
}

func (s *session) current() pair { return s.pairs[len(s.pairs)-1] }

// rotate records a refresh's new pair.
func (s *session) rotate(p pair) { s.pairs, s.used = append(s.pairs, p), false }

// reply is an answer read whole; status 0 means none came.
type reply struct {
	status int
	body   []byte
	header http.Header
}

// maxBody bounds what is read of an answer.
const maxBody = 1 << 20

// send sends req and records its answer, or its absence, in the ledger.
func (r *runner) send(what string, req *http.Request) reply {
	resp, err := r.client.Do(req)
	if err != nil {
		r.answers.answered(what, 0, err.Error())
		return reply{}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		r.answers.answered(what, 0, "reading the body: "+err.Error())
		return reply{}
	}
	r.answers.answered(what, resp.StatusCode, string(body))
	return reply{status: resp.StatusCode, body: body, header: resp.Header}
}

// newRequest builds a request to the mock; a request that cannot be built is a bug of this package.
func (r *runner) newRequest(method, path string, body io.Reader) *http.Request {
	req, err := http.NewRequest(method, r.base+path, body)
	if err != nil {
		panic("loadtest: " + err.Error())
	}
	return req
}

// post sends a form authenticated as app with client_secret_basic (RFC 6749 §2.3.1: form-encoded id and
// secret).
func (r *runner) post(what, path string, app AppCredentials, form url.Values) reply {
	req := r.newRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(app.ClientID), url.QueryEscape(app.ClientSecret))
	return r.send(what, req)
}

// token sends a token request and returns the issued pair when the answer is 200.
func (r *runner) token(what string, app AppCredentials, form url.Values) (pair, reply) {
	rep := r.post(what, rcmock.PathToken, app, form)
	var ti struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	if rep.status == http.StatusOK && json.Unmarshal(rep.body, &ti) == nil {
		return pair{ti.AccessToken, ti.RefreshToken}, rep
	}
	return pair{}, rep
}

// refresh presents a refresh token and records the answer against it.
func (r *runner) refresh(app AppCredentials, token string) (pair, int) {
	p, rep := r.token("refresh", app, url.Values{"grant_type": {rcmock.GrantRefreshToken}, "refresh_token": {token}})
	r.led.refreshed(token, rep.status, p)
	return p, rep.status
}

// get sends a GET, with a bearer access token unless it is empty (RFC 6750 §2.1).
func (r *runner) get(what, path, access string) reply {
	req := r.newRequest(http.MethodGet, path, nil)
	if access != "" {
		req.Header.Set("Authorization", "Bearer "+access)
	}
	return r.send(what, req)
}

// control calls the mock's control API in the default realm; anything but a 2xx is an error.
func (r *runner) control(method, route, body string) (reply, error) {
	req := r.newRequest(method, rcmock.PathControl+route, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rep := r.send("control "+route, req)
	if rep.status/100 != 2 {
		return rep, fmt.Errorf("loadtest: %s %s%s: got %d %s; the mock must serve the control API", method, rcmock.PathControl, route, rep.status, rep.body)
	}
	return rep, nil
}

// owners reads the mock's active sessions per (user, app).
func (r *runner) owners() (map[owner]int, error) {
	rep, err := r.control(http.MethodGet, "state/owners", "")
	if err != nil {
		return nil, err
	}
	var st struct {
		Owners []struct {
			ExtensionID    string `json:"extension_id"`
			ClientID       string `json:"client_id"`
			ActiveSessions int    `json:"active_sessions"`
		} `json:"owners"`
	}
	if err := json.Unmarshal(rep.body, &st); err != nil {
		return nil, fmt.Errorf("loadtest: GET state/owners: %w", err)
	}
	out := map[owner]int{}
	for _, o := range st.Owners {
		out[owner{o.ExtensionID, o.ClientID}] = o.ActiveSessions
	}
	return out, nil
}

// load runs one worker per (user, app) pair and one client_credentials worker per app, each with an equal
// share of the requests, until the shares are spent or ctx ends. A share of its own, rather than one budget
// for all, makes each worker's actions depend only on its seed and the mock's answers, not on scheduling.
func (r *runner) load(ctx context.Context, requests int, seed uint64) {
	var workers []*worker
	for i := range r.pop.Users {
		for _, app := range r.pop.Apps {
			workers = append(workers, &worker{user: &r.pop.Users[i], app: app})
		}
	}
	for _, app := range r.pop.Apps {
		workers = append(workers, &worker{app: app})
	}
	var wg sync.WaitGroup
	for i, w := range workers {
		w.r, w.rng = r, rand.New(rand.NewPCG(seed, uint64(i)))
		w.left = requests / len(workers)
		if i < requests%len(workers) {
			w.left++
		}
		wg.Go(func() { w.run(ctx) })
	}
	wg.Wait()
}

// worker signs one user in to one app again and again and acts on the sessions it holds; without a user it
// is the app's client_credentials worker. Only the worker touches its sessions, so they need no lock, and
// its sign-ins reach the mock in the order it sends them, so the ledger knows which session a sixth one
// evicts.
type worker struct {
	r    *runner
	rng  *rand.Rand
	user *UserCredentials
	app  AppCredentials
	left int        // load requests of the worker's share not yet sent
	live []*session // oldest first
}

// run acts until the worker's share is spent or ctx ends. Every step spends at least one request of the
// finite share, so the loop ends.
func (w *worker) run(ctx context.Context) {
	for w.step() {
		if ctx.Err() != nil {
			w.r.cut.Store(true)
			return
		}
	}
}

// How a code flow replays its code.
const (
	noReplay     = iota
	replayAfter  // a second exchange after the first answered
	replayAtOnce // two exchanges at the same moment
)

// maxCost is the most requests one action sends (refreshAtOnce with k = 3).
const maxCost = 4

// step does one action, chosen at random among those a client does; false when the share is spent.
func (w *worker) step() bool {
	n := w.rng.IntN(100)
	switch {
	case len(w.live) == 0:
		n = 0 // nothing to act on: sign in
	case w.left < maxCost:
		n = 20 + w.rng.IntN(40) // the share's last requests: actions of one request, an API call or a refresh
	}
	var s *session
	if len(w.live) > 0 {
		s = w.live[w.rng.IntN(len(w.live))]
	}
	if w.user == nil {
		switch {
		case n < 35:
			return w.signInApp()
		case n < 80:
			return w.callAPI(s)
		default:
			return w.revoke(s)
		}
	}
	switch {
	case n < 20:
		return w.signIn()
	case n < 45:
		return w.callAPI(s)
	case n < 60:
		return w.refresh(s)
	case n < 70:
		return w.refreshAtOnce(s, 3)
	case n < 78:
		return w.revoke(s)
	case n < 89:
		return w.codeFlow(replayAfter)
	default:
		return w.codeFlow(replayAtOnce)
	}
}

// sampleEvery is how many of a worker's load requests pass between two readings of the session counts.
const sampleEvery = 100

// spend reserves n load requests of the worker's share; false, ending the worker, when fewer are left.
// Every sampleEvery requests the worker reads the session counts of every pair.
func (w *worker) spend(n int) bool {
	if w.left < n {
		return false
	}
	before := w.left
	w.left -= n
	w.r.sent.Add(int64(n))
	if before/sampleEvery != w.left/sampleEvery {
		if o, err := w.r.owners(); err == nil {
			w.r.led.sampled(o)
		}
	}
	return true
}

// add records a new session; a user's sixth live session for the app evicts the oldest
// (rcmock.SessionLimitEvict).
func (w *worker) add(grant string, p pair) *session {
	s := &session{app: w.app, grant: grant, pairs: []pair{p}}
	if w.user != nil {
		s.user = w.user.ExtensionID
		if len(w.live) >= sessionLimit {
			w.end(w.live[0], "evicted by a sixth sign-in")
		}
	}
	w.live = append(w.live, s)
	w.r.led.addSession(s)
	return s
}

// end records that s ended.
func (w *worker) end(s *session, why string) {
	s.ended = why
	w.live = slices.DeleteFunc(w.live, func(x *session) bool { return x == s })
}

// signIn signs the user in with the password grant, the JWT bearer grant or an authorization code.
func (w *worker) signIn() bool {
	grant, form := "password", url.Values{"grant_type": {rcmock.GrantPassword}, "username": {w.user.Email}, "password": {w.user.Password}}
	switch w.rng.IntN(3) {
	case 0:
		if w.left >= 2 {
			return w.codeFlow(noReplay)
		}
	case 1:
		grant, form = "JWT bearer", url.Values{"grant_type": {rcmock.GrantJWTBearer}, "assertion": {w.user.JWT}}
	}
	if !w.spend(1) {
		return false
	}
	p, rep := w.r.token(grant+" sign-in", w.app, form)
	if w.r.led.expect(rep.status == http.StatusOK, "%s sign-in of %s to %s: got %d %.200s", grant, w.user.ExtensionID, w.app.ClientID, rep.status, rep.body) {
		w.add(grant, p)
	}
	return true
}

// signInApp signs the app in with client_credentials, for the population's account.
func (w *worker) signInApp() bool {
	if !w.spend(1) {
		return false
	}
	p, rep := w.r.token("client_credentials sign-in", w.app, url.Values{"grant_type": {rcmock.GrantClientCredentials}, "account_id": {w.r.pop.AccountID}})
	if w.r.led.expect(rep.status == http.StatusOK, "client_credentials sign-in of %s: got %d %.200s", w.app.ClientID, rep.status, rep.body) {
		w.add("client_credentials", p)
	}
	return true
}

// apiPath is the resource a session reads: its extension, or the account for a session without a user.
func (s *session) apiPath() string {
	if s.user == "" {
		return rcmock.PathAccount
	}
	return rcmock.PathExtension
}

// callAPI reads a resource with the session's access token, which must work while the session lives.
func (w *worker) callAPI(s *session) bool {
	if !w.spend(1) {
		return false
	}
	rep := w.r.get("API call", s.apiPath(), s.current().access)
	if w.r.led.expect(rep.status == http.StatusOK, "API call with the access token of a live %s session: got %d %.200s", s.grant, rep.status, rep.body) {
		s.used = true
	}
	return true
}

// refresh rotates the session's pair.
func (w *worker) refresh(s *session) bool {
	if !w.spend(1) {
		return false
	}
	p, status := w.r.refresh(w.app, s.current().refresh)
	if w.r.led.expect(status == http.StatusOK, "refresh of a live %s session: got %d", s.grant, status) {
		s.rotate(p)
	}
	return true
}

// refreshAtOnce presents the session's refresh token k times at the same moment, as a client that retries
// does; the first presenter refreshes the new pair at once, while the others may still be in flight. Within
// the grace every presentation of the old refresh token answers the same pair (ringcentral-oauth.md §7.3),
// or is refused once that pair was itself replaced; never another pair.
func (w *worker) refreshAtOnce(s *session, k int) bool {
	if !w.spend(k + 1) {
		return false
	}
	old := s.current().refresh
	var first, chained pair
	var firstStatus, chainedStatus int
	var wg sync.WaitGroup
	for i := range k {
		wg.Go(func() {
			p, status := w.r.refresh(w.app, old)
			if i == 0 {
				first, firstStatus = p, status
				if status == http.StatusOK {
					chained, chainedStatus = w.r.refresh(w.app, p.refresh)
				}
			}
		})
	}
	wg.Wait()
	if w.r.led.expect(firstStatus == http.StatusOK, "refresh of a live %s session, presented %d times at once: got %d", s.grant, k, firstStatus) {
		s.rotate(first)
		if w.r.led.expect(chainedStatus == http.StatusOK, "refresh with the pair just issued: got %d", chainedStatus) {
			s.rotate(chained)
		}
	}
	return true
}

// revoke ends the session with its access or its refresh token (RFC 7009 §2.1; the whole session ends).
func (w *worker) revoke(s *session) bool {
	if !w.spend(1) {
		return false
	}
	token := s.current().access
	if s.current().refresh != "" && w.rng.IntN(2) == 0 {
		token = s.current().refresh
	}
	rep := w.r.post("revoke", rcmock.PathRevoke, w.app, url.Values{"token": {token}})
	if w.r.led.expect(rep.status == http.StatusOK, "revocation: got %d %.200s", rep.status, rep.body) {
		w.end(s, "revoked")
	}
	return true
}

// codeFlow runs the authorization code grant with PKCE S256 (RFC 7636): the mock approves as login_hint's
// user at once; the code is exchanged once, or replayed after or alongside the first exchange. A code is
// good for one exchange; a replay is refused and revokes what the code gave (RFC 6749 §4.1.2; the run sets
// revoke_on_code_reuse).
func (w *worker) codeFlow(replay int) bool {
	cost := 2
	if replay != noReplay {
		cost = 3
	}
	if !w.spend(cost) {
		return false
	}
	verifier := oauth2.GenerateVerifier()
	q := url.Values{"response_type": {"code"}, "client_id": {w.app.ClientID}, "redirect_uri": {w.app.RedirectURI},
		"login_hint": {w.user.Email}, "state": {"load"}, "code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"}}
	rep := w.r.get("authorize", rcmock.PathAuthorize+"?"+q.Encode(), "")
	code := ""
	if loc, err := url.Parse(rep.header.Get("Location")); err == nil && rep.status == http.StatusFound {
		code = loc.Query().Get("code")
	}
	if !w.r.led.expect(code != "", "authorization request: got %d, Location %q", rep.status, rep.header.Get("Location")) {
		return true
	}
	form := url.Values{"grant_type": {rcmock.GrantAuthorizationCode}, "code": {code}, "redirect_uri": {w.app.RedirectURI}, "code_verifier": {verifier}}
	var pairs [2]pair
	var statuses [2]int
	exchange := func(i int) {
		p, rep := w.r.token("code exchange", w.app, form)
		w.r.led.exchanged(code, rep.status)
		pairs[i], statuses[i] = p, rep.status
	}
	switch replay {
	case noReplay:
		exchange(0)
	case replayAfter:
		exchange(0)
		exchange(1)
	case replayAtOnce:
		var wg sync.WaitGroup
		wg.Go(func() { exchange(0) })
		wg.Go(func() { exchange(1) })
		wg.Wait()
	}
	w.r.led.expect(statuses[0] == http.StatusOK || (replay == replayAtOnce && statuses[1] == http.StatusOK),
		"code exchange: got %d", statuses[0])
	var issued []*session
	refused := false
	for i, status := range statuses[:cost-1] {
		if status == http.StatusOK {
			issued = append(issued, w.add("authorization code", pairs[i]))
		} else {
			refused = true
		}
	}
	if replay != noReplay && refused {
		for _, s := range issued {
			w.end(s, "its code was replayed")
		}
	}
	return true
}
