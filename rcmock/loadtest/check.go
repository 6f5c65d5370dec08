package loadtest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/rcoauth/conformance/rcmock"
)

// owner is a (user, app) pair, the unit of RingCentral's session limit.
type owner struct{ user, app string }

func (o owner) String() string { return o.user + "/" + o.app }

// refreshAnswer is one answer to a presented refresh token.
type refreshAnswer struct {
	status int
	pair   pair
}

// probe is a token presented again after the load: a refresh token to the token endpoint, an access token
// to the API. want is the pair a refresh token must answer within its grace; zero, it must be refused.
type probe struct {
	what    string
	session *session
	token   string
	refresh bool
	want    pair
	// status and got are the answer.
	status int
	got    pair
}

// ledger is the evidence the checks judge (but for the tally of answers): the requests that had to
// succeed, the sessions with their pairs and ends, the answers to every refresh token and code, the session
// counts read during the load, and the probes after it. Workers write it concurrently; the checks read it
// once they are done.
type ledger struct {
	mu         sync.Mutex
	expected   int      // requests that must succeed: sign-ins, and calls with the tokens of live sessions
	unexpected []string // those that did not, described
	sessions   []*session
	refreshes  map[string][]refreshAnswer // by the refresh token presented
	codes      map[string][]int           // statuses of the exchanges of each authorization code
	samples    []map[owner]int            // GET /__mock/state/owners during the load

	finalOwners map[owner]int // GET /__mock/state/owners once the load is done
	endedProbes []probe       // tokens of ended sessions, presented once the load is done
	graceProbes []probe       // replaced refresh tokens of live sessions, presented after the clock moved
}

func newLedger() *ledger {
	return &ledger{refreshes: map[string][]refreshAnswer{}, codes: map[string][]int{}}
}

// tally counts the answers of every request of the run, the load's, the probes' and the control API's. It
// is kept apart from the ledger, which is released before the mock's memory is measured.
type tally struct {
	mu       sync.Mutex
	statuses map[int]int // answers by status; 0 counts requests without an answer
	failures []string    // the first 5xx answers and requests without an answer, described
}

func (t *tally) answered(what string, status int, detail string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.statuses[status]++
	if (status == 0 || status >= 500) && len(t.failures) < maxExamples {
		t.failures = append(t.failures, fmt.Sprintf("%s: %s %.200s", what, statusText(status), detail))
	}
}

// expect records a request that must succeed, and whether it did.
func (l *ledger) expect(ok bool, format string, args ...any) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.expected++
	if !ok {
		l.unexpected = append(l.unexpected, fmt.Sprintf(format, args...))
	}
	return ok
}

func (l *ledger) addSession(s *session) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sessions = append(l.sessions, s)
}

func (l *ledger) refreshed(token string, status int, p pair) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.refreshes[token] = append(l.refreshes[token], refreshAnswer{status, p})
}

func (l *ledger) exchanged(code string, status int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.codes[code] = append(l.codes[code], status)
}

func (l *ledger) sampled(o map[owner]int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.samples = append(l.samples, o)
}

func statusText(status int) string {
	if status == 0 {
		return "no answer"
	}
	return strconv.Itoa(status)
}

// short names a token by its first characters, enough to find it in a log.
func short(token string) string {
	if len(token) > 8 {
		return token[:8] + "…"
	}
	return token
}

// check counts one case of inv and records it as a violation unless ok.
func (inv *Invariant) check(ok bool, format string, args ...any) {
	inv.Checked++
	if ok {
		return
	}
	inv.Violations++
	if len(inv.Examples) < maxExamples {
		inv.Examples = append(inv.Examples, fmt.Sprintf(format, args...))
	}
}

// verdicts judges the ledger against the invariants it holds the evidence of: all but the answers' and
// memory's.
func (l *ledger) verdicts() []Invariant {
	return []Invariant{l.checkValid(), l.checkEnded(), l.checkSessionLimit(), l.checkRefresh(), l.checkCodes()}
}

// checkValid: sign-ins with valid credentials, first code exchanges, and API calls, refreshes and
// revocations with the tokens of live sessions all succeed. Without it a mock that refused everything
// would keep every other rule.
func (l *ledger) checkValid() Invariant {
	inv := Invariant{Name: "valid requests succeed", Checked: l.expected, Violations: len(l.unexpected)}
	inv.Examples = l.unexpected[:min(len(l.unexpected), maxExamples)]
	return inv
}

// check: every request, of the load and of the checks, is answered, and never with a 5xx.
func (t *tally) check() Invariant {
	inv := Invariant{Name: "no 5xx, every request answered", Examples: t.failures}
	for status, n := range t.statuses {
		inv.Checked += n
		if status == 0 || status >= 500 {
			inv.Violations += n
		}
	}
	return inv
}

// checkEnded: no token of a revoked or evicted session (or of one whose code was replayed) works.
func (l *ledger) checkEnded() Invariant {
	inv := Invariant{Name: "no token of a revoked or evicted session works"}
	for _, p := range l.endedProbes {
		inv.check(p.status != http.StatusOK, "%s %s (%s session, %s): got %d", p.what, short(p.token), p.session.grant, p.session.ended, p.status)
	}
	return inv
}

// checkSessionLimit: no (user, app) pair ever held more than sessionLimit active sessions, and once the
// load is done the mock holds exactly as many per pair as the ledger counts live: the sessions it evicted
// are the ones the ledger holds evicted.
func (l *ledger) checkSessionLimit() Invariant {
	inv := Invariant{Name: fmt.Sprintf("at most %d sessions per user and app", sessionLimit)}
	for i, sample := range l.samples {
		for _, o := range sortedOwners(sample) {
			inv.check(sample[o] <= sessionLimit, "reading %d during the load: %s holds %d active sessions", i+1, o, sample[o])
		}
	}
	live := map[owner]int{}
	for _, s := range l.sessions {
		if s.user != "" && s.ended == "" {
			live[owner{s.user, s.app.ClientID}]++
		}
	}
	all := maps.Clone(live)
	maps.Copy(all, l.finalOwners)
	for _, o := range sortedOwners(all) {
		inv.check(l.finalOwners[o] == live[o] && live[o] <= sessionLimit,
			"after the load: %s holds %d active sessions; the ledger counts %d live", o, l.finalOwners[o], live[o])
	}
	return inv
}

func sortedOwners(m map[owner]int) []owner {
	return slices.SortedFunc(maps.Keys(m), func(a, b owner) int {
		return cmp.Or(cmp.Compare(a.user, b.user), cmp.Compare(a.app, b.app))
	})
}

// checkRefresh: a refresh token answers at most one pair however often it is presented; within its grace
// a replaced refresh token answers that same pair again, and outside the grace it is refused
// (ringcentral-oauth.md §7.3).
func (l *ledger) checkRefresh() Invariant {
	inv := Invariant{Name: "a refresh token answers one pair, then none"}
	for _, token := range slices.Sorted(maps.Keys(l.refreshes)) {
		var first pair
		other := pair{}
		for _, a := range l.refreshes[token] {
			switch {
			case a.status != http.StatusOK:
			case first == pair{}:
				first = a.pair
			case a.pair != first && other == pair{}:
				other = a.pair
			}
		}
		inv.check(other == pair{}, "refresh token %s answered two pairs: access %s and access %s", short(token), short(first.access), short(other.access))
	}
	for _, p := range l.graceProbes {
		if p.want == (pair{}) {
			inv.check(p.status != http.StatusOK, "%s %s: got %d; want it refused", p.what, short(p.token), p.status)
			continue
		}
		inv.check(p.status == http.StatusOK && p.got == p.want, "%s %s: got %d with access %s; want 200 with access %s",
			p.what, short(p.token), p.status, short(p.got.access), short(p.want.access))
	}
	return inv
}

// checkCodes: an authorization code is exchanged at most once (RFC 6749 §4.1.2); that a replay revokes
// what the code gave is checked with the other ended sessions.
func (l *ledger) checkCodes() Invariant {
	inv := Invariant{Name: "an authorization code is exchanged at most once"}
	for _, code := range slices.Sorted(maps.Keys(l.codes)) {
		ok := 0
		for _, status := range l.codes[code] {
			if status == http.StatusOK {
				ok++
			}
		}
		inv.check(ok <= 1, "code %s was exchanged %d times in %d attempts", short(code), ok, len(l.codes[code]))
	}
	return inv
}

// The mock's grace and lifetimes (cmd/rcmock runs with rcmock.DefaultOptions).
var (
	mockOptions = rcmock.DefaultOptions()
	// pastGraceAfterUse is past the ~10 s a replaced refresh token still answers once its successor's
	// access token was used.
	pastGraceAfterUse = mockOptions.RefreshGraceAfterUse + time.Second
	// pastGraceUnused is, added to pastGraceAfterUse, past the 60 min it answers while the successor is
	// unused.
	pastGraceUnused = mockOptions.RefreshGraceUnused
	// pastEveryLifetime is past the longest lifetime, a refresh token's 7 days (the population's apps'
	// refresh_token_ttl), and the time the mock keeps what expired (Options.Retention), with an hour to spare.
	pastEveryLifetime = 7*24*time.Hour + mockOptions.Retention + time.Hour
)

// probe presents again, once the load is done, the tokens whose fate the ledger knows: first every token
// of an ended session that could still work (the current pair and the replaced refresh token still within
// its grace); then, with the clock past the short grace, the replaced refresh tokens of live sessions;
// then, past the long grace, those once more.
func (r *runner) probe() error {
	final, err := r.owners()
	if err != nil {
		return err
	}
	r.led.finalOwners = final
	// The access tokens of ended sessions go first: a refresh token that wrongly still works rotates its
	// session, which would make whether its access token works a matter of which probe came first.
	var endedAccess, endedRefresh, afterUse, unused []probe
	for _, s := range r.led.sessions {
		cur, n := s.current(), len(s.pairs)
		if s.ended != "" {
			endedAccess = append(endedAccess, probe{what: "access token", session: s, token: cur.access})
			if cur.refresh != "" {
				endedRefresh = append(endedRefresh, probe{what: "refresh token", session: s, token: cur.refresh, refresh: true})
			}
			if n > 1 {
				endedRefresh = append(endedRefresh, probe{what: "replaced refresh token", session: s, token: s.pairs[n-2].refresh, refresh: true})
			}
			continue
		}
		if n > 1 {
			p := probe{what: "replaced refresh token, its successor used, past the short grace,", session: s, token: s.pairs[n-2].refresh, refresh: true}
			if !s.used {
				p.what, p.want = "replaced refresh token, its successor unused, within the long grace,", cur
			}
			afterUse = append(afterUse, p)
			unused = append(unused, probe{what: "replaced refresh token past the long grace", session: s, token: s.pairs[n-2].refresh, refresh: true})
		}
		if n > 2 {
			afterUse = append(afterUse, probe{what: "refresh token replaced twice", session: s, token: s.pairs[n-3].refresh, refresh: true})
		}
	}
	r.led.endedProbes = append(r.presentAll(endedAccess), r.presentAll(endedRefresh)...)
	if err := r.advance(pastGraceAfterUse); err != nil {
		return err
	}
	r.led.graceProbes = r.presentAll(afterUse)
	if err := r.advance(pastGraceUnused); err != nil {
		return err
	}
	r.led.graceProbes = append(r.led.graceProbes, r.presentAll(unused)...)
	return nil
}

// probeWorkers bounds the probes in flight.
const probeWorkers = 8

// presentAll presents every probe's token and records the answers, probeWorkers at a time.
func (r *runner) presentAll(probes []probe) []probe {
	next := make(chan int)
	var wg sync.WaitGroup
	for range probeWorkers {
		wg.Go(func() {
			for i := range next {
				p := &probes[i]
				if p.refresh {
					p.got, p.status = r.refresh(p.session.app, p.token)
				} else {
					p.status = r.get("probe", p.session.apiPath(), p.token).status
				}
			}
		})
	}
	for i := range probes {
		next <- i
	}
	close(next)
	wg.Wait()
	return probes
}

// advance moves the mock's clock forward (control API, default realm).
func (r *runner) advance(d time.Duration) error {
	_, err := r.control(http.MethodPost, "clock", fmt.Sprintf(`{"advance_seconds":%d}`, int64(d/time.Second)))
	return err
}

// memory is what the mock holds once every lifetime has passed: its counts (GET /__mock/state) and, when
// measured, its heap before the load and after.
type memory struct {
	counts                map[string]int
	heapBefore, heapAfter uint64
	heapMeasured          bool
}

// expireAll moves the mock's clock past every lifetime, makes the mock sweep (any request outside the
// control API does, at most once per second of mock time), and reads its counts.
func (r *runner) expireAll() (memory, error) {
	if err := r.advance(pastEveryLifetime); err != nil {
		return memory{}, err
	}
	if rep := r.get("sweep", rcmock.PathAccount, ""); rep.status != http.StatusUnauthorized {
		return memory{}, fmt.Errorf("loadtest: the request that makes the mock sweep: got %d; want 401", rep.status)
	}
	rep, err := r.control(http.MethodGet, "state", "")
	if err != nil {
		return memory{}, err
	}
	m := memory{counts: map[string]int{}}
	if err := json.Unmarshal(rep.body, &m.counts); err != nil {
		return memory{}, fmt.Errorf("loadtest: GET state: %w", err)
	}
	return m, nil
}

// heapSlack is how far above its baseline the heap may stay: generous (runs leave about 1 MiB, the
// client's and the server's buffers among it), so the check is not flaky; the sessions of a run of make
// bench's size that were never forgotten would be several times more, and the counts catch a leak of any size.
func heapSlack(before uint64) uint64 { return max(before/2, 4<<20) }

// checkMemory: after every lifetime passed, the mock holds no session, token, code or other record, and its
// heap is back near its baseline.
func checkMemory(m memory) Invariant {
	inv := Invariant{Name: "memory back to its baseline after expiry"}
	for _, name := range slices.Sorted(maps.Keys(m.counts)) {
		inv.check(m.counts[name] == 0, "%s: %d left once every lifetime passed", name, m.counts[name])
	}
	if m.heapMeasured {
		inv.check(m.heapAfter <= m.heapBefore+heapSlack(m.heapBefore), "heap: %d MiB after; %d MiB before the load",
			m.heapAfter>>20, m.heapBefore>>20)
	}
	return inv
}
