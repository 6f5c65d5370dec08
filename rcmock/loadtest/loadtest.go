// Package loadtest puts a running rcmock under a bounded load over loopback HTTP and then checks that the
// mock kept RingCentral's rules (issue 11, "The mock under load").
//
// Many users and apps work at once: each (user, app) pair signs in with the password, JWT bearer (RFC 7523)
// and authorization code grants (the mock approves at once), calls the API, refreshes (also with one refresh
// token several times at the same moment), revokes, and replays authorization codes; each app also signs in
// with client_credentials. The load stops after a fixed number of requests, or earlier when the context ends.
// A ledger records every answer, what was revoked, and what a sixth sign-in evicted; then the checks probe
// the API and read the control API for these invariants:
//
//   - valid requests succeed (so that the other checks are not met by a mock that refuses everything);
//   - no answer is a 5xx, and every request is answered;
//   - no token of a revoked or evicted session works (RFC 7009 §2; ringcentral-oauth.md §7.1);
//   - no user and app ever holds more than five sessions, and the mock holds exactly the ledger's;
//   - a refresh token answers at most one pair: again within its grace, refused after it
//     (ringcentral-oauth.md §7.3);
//   - an authorization code is exchanged at most once, and a replay revokes what it gave (RFC 6749 §4.1.2);
//   - once the mock's clock has passed every lifetime, the mock holds nothing, and its heap is back near
//     its baseline when the caller can measure it (Config.HeapAlloc).
//
// One worker per (user, app) pair keeps that pair's sign-ins in order, so the ledger knows which session a
// sixth sign-in evicts (the oldest, rcmock.SessionLimitEvict), while the pairs run concurrently. The load
// uses net/http rather than the harness's driver: it is the mock's own tool and needs no exchange log or
// redaction slowing it down. It only ever targets 127.0.0.1, in the mock's default realm, as SDKs and curl
// do.
package loadtest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// Config is one load run.
type Config struct {
	// BaseURL is the mock's base URL, such as the one cmd/rcmock prints; its host must be 127.0.0.1. The
	// mock must serve the control API (cmd/rcmock -control, the default).
	BaseURL string
	// Population is who signs in: the users and apps NewFixture added to the mock's fixture.
	Population Population
	// Requests is the number of load requests; the checks' probes and control requests come on top.
	Requests int
	// Seed makes each worker's sequence of actions repeatable.
	Seed uint64
	// HeapAlloc, when set, returns the mock's live heap after a garbage collection (runtime.ReadMemStats after
	// runtime.GC, for a mock running in the caller's process). Run then checks that the heap after the
	// sessions expired is back near its value before the load.
	HeapAlloc func() uint64
}

// Invariant is the verdict on one rule: how many cases were checked and how many broke it.
type Invariant struct {
	Name       string
	Checked    int
	Violations int
	// Examples describe the first few violations.
	Examples []string
}

// maxExamples bounds Invariant.Examples.
const maxExamples = 5

// Report is the outcome of Run.
type Report struct {
	// Requests is the number of load requests sent.
	Requests int
	// Elapsed is the wall time of the load, without the checks.
	Elapsed time.Duration
	// CutShort says the context ended before Config.Requests were sent.
	CutShort bool
	// Workers is the number of concurrent workers: one per (user, app) pair and one per app.
	Workers int
	// Invariants are the verdicts, in the order of the package documentation.
	Invariants []Invariant
	// HeapBefore and HeapAfter are Config.HeapAlloc before the load and once every lifetime passed; zero
	// without it.
	HeapBefore, HeapAfter uint64
}

// RequestsPerSecond is the load's throughput.
func (r *Report) RequestsPerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// String renders the report as a table, with the examples of every violated invariant.
func (r *Report) String() string {
	var b strings.Builder
	cut := ""
	if r.CutShort {
		cut = ", cut short by the deadline"
	}
	fmt.Fprintf(&b, "load: %d requests in %s (%.0f req/s), %d workers%s\n", r.Requests, r.Elapsed.Round(time.Millisecond), r.RequestsPerSecond(), r.Workers, cut)
	fmt.Fprintf(&b, "%-52s %8s %10s\n", "invariant", "checked", "violations")
	for _, inv := range r.Invariants {
		fmt.Fprintf(&b, "%-52s %8d %10d\n", inv.Name, inv.Checked, inv.Violations)
	}
	if r.HeapAfter > 0 {
		fmt.Fprintf(&b, "heap: %.1f MiB before the load, %.1f MiB once every lifetime passed\n", float64(r.HeapBefore)/(1<<20), float64(r.HeapAfter)/(1<<20))
	}
	for _, inv := range r.Invariants {
		for _, e := range inv.Examples {
			fmt.Fprintf(&b, "  %s: %s\n", inv.Name, e)
		}
	}
	return b.String()
}

// requestTimeout bounds every request, so that a mock that stops answering ends the run as a violation
// rather than a hang.
const requestTimeout = 30 * time.Second

// Run sends the load and checks the invariants. The load stops after cfg.Requests requests or when ctx
// ends, whichever comes first; requests in flight then finish, so the ledger stays exact. An error means
// the run could not be made (a host other than 127.0.0.1, no control API); a broken rule is a violation
// in the report, never an error.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	u, err := url.Parse(cfg.BaseURL)
	switch {
	case err != nil:
		return nil, fmt.Errorf("loadtest: base URL: %w", err)
	case u.Scheme != "http" || u.Hostname() != "127.0.0.1":
		return nil, fmt.Errorf("loadtest: base URL %q: a load test only targets http://127.0.0.1", cfg.BaseURL)
	case cfg.Requests < 1 || len(cfg.Population.Users) == 0 || len(cfg.Population.Apps) == 0:
		return nil, errors.New("loadtest: a run needs requests, users and apps")
	}
	workers := len(cfg.Population.Users)*len(cfg.Population.Apps) + len(cfg.Population.Apps)
	r := &runner{
		base:    strings.TrimRight(cfg.BaseURL, "/"),
		pop:     cfg.Population,
		led:     newLedger(),
		answers: &tally{statuses: map[int]int{}},
		client: &http.Client{
			Timeout:       requestTimeout,
			Transport:     &http.Transport{MaxIdleConnsPerHost: 4 * workers, DisableCompression: true},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	defer r.client.CloseIdleConnections()
	// The run's own settings, whatever the mock's flags: no throttling (-rate-limit would refuse most of the
	// load), the sixth session evicting the oldest, and a replayed code revoking what it gave.
	if _, err := r.control(http.MethodPatch, "settings", `{"rate_limit":false,"session_limit_mode":"evict","revoke_on_code_reuse":true}`); err != nil {
		return nil, err
	}
	var heapBefore uint64
	if cfg.HeapAlloc != nil {
		heapBefore = cfg.HeapAlloc()
	}
	rep := &Report{Workers: workers}
	start := time.Now()
	r.load(ctx, cfg.Requests, cfg.Seed)
	rep.Elapsed = time.Since(start)
	rep.Requests, rep.CutShort = int(r.sent.Load()), r.cut.Load()
	if err := r.probe(); err != nil {
		return nil, err
	}
	verdicts := r.led.verdicts()
	r.led = nil // the ledger's tokens are not the mock's memory

	m, err := r.expireAll()
	if err != nil {
		return nil, err
	}
	r.client.CloseIdleConnections()
	if cfg.HeapAlloc != nil {
		m.heapBefore, m.heapAfter, m.heapMeasured = heapBefore, cfg.HeapAlloc(), true
		rep.HeapBefore, rep.HeapAfter = m.heapBefore, m.heapAfter
	}
	// In the order of the package documentation.
	rep.Invariants = slices.Concat(verdicts[:1], []Invariant{r.answers.check()}, verdicts[1:], []Invariant{checkMemory(m)})
	return rep, nil
}

// runner is one load run: the client, the ledger, and the tally of every answer.
type runner struct {
	base    string
	pop     Population
	client  *http.Client
	led     *ledger
	answers *tally
	sent    atomic.Int64 // load requests sent
	cut     atomic.Bool  // a worker stopped because the context ended
}
