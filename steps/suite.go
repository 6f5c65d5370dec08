// Package steps is the conformance suite's step vocabulary: godog step definitions that turn the business
// sentences of features/*.feature into exchanges through the driver and assertions on their typed results.
//
// The vocabulary is grouped by subject, one file and one registration table each, registered in this order
// (vocabulary.register): apps and client authentication (apps.go), token requests (token.go), scope
// (scope.go), responses (response.go), API calls (api.go), WebSocket tokens (wstoken.go), the authorization
// endpoint (authorize.go), revocation (revoke.go), introspection (introspect.go), sessions (sessions.go),
// rate limits (ratelimit.go), the mock's clock (clock.go), faults (faults.go), grant-specific credentials
// (credentials.go), OpenID Connect (oidc.go) and authorization server metadata (metadata.go). HTTP details
// stay in the driver; a few explicit raw-request steps cover malformed input.
//
// State lives in a per-scenario world created by the scenario initializer; nothing scenario-related is
// held at package level, so scenarios run concurrently and in random order. Run-level state (the target,
// the run's notes, results and exchange log) lives in a Suite. The package knows its target only by the
// Target its caller hands it: it never starts or imports the mock.
package steps

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cucumber/godog"

	"github.com/rcoauth/conformance/baseline"
	"github.com/rcoauth/conformance/catalog"
	"github.com/rcoauth/conformance/driver"
	"github.com/rcoauth/conformance/env"
	"github.com/rcoauth/conformance/openapi"
	"github.com/rcoauth/conformance/report"
	"github.com/rcoauth/conformance/results"
	"github.com/rcoauth/conformance/signin"
)

// Target is where a Suite sends its requests.
type Target struct {
	// URL is the target's base URL, e.g. https://platform.ringcentral.com.
	URL string
	// Control says the target is an rcmock whose /__mock/ control API the scenarios may use: each scenario
	// then gets its own realm, clock and faults.
	Control bool
	// Embedded says the caller started the target in-process (recorded in run.json).
	Embedded bool
	// Close, if set, is called once when the Suite stops (the caller's embedded mock shuts down).
	Close func(context.Context) error
}

// Config is what a Suite needs from its caller, which reads it once from the process (flags and
// environment) and passes it down: nothing in this package reads the environment.
type Config struct {
	// Profile is the loaded environment profile (env.Load).
	Profile *env.Profile
	// Target is the server the suite runs against.
	Target Target
	// ReportsDir receives exchanges.jsonl, run.json, results.json, junit.xml and the run report
	// (report-<profile>.html); empty means no files.
	ReportsDir string
	// HistoryFile, if set, gets one line per run appended (results.HistoryLine).
	HistoryFile string
	// ReportInputs, if set, gives what the run report shows besides the run (baseline, drift, history);
	// it is called once the run is over, before the report is written. Nil shows none of them.
	ReportInputs func(*results.Run) (report.Inputs, error)
	// Commit is the harness's git commit, recorded in results.json, the history and the report.
	Commit string
	// Features is the catalogue of the features the run reads (their lines and example rows); nil means
	// scenarios are known by their names alone.
	Features *catalog.Catalog
	// Baseline is the target's known differences; nil means none.
	Baseline *baseline.Baseline
	// Assign, if set, names the test user a scenario runs as (its feature, name and example row), as the
	// run's plan scheduled it; 0 lets the scenario take any free user.
	Assign func(feature, name, example string) int
	// Strict makes a failed SHOULD-level scenario (@should) fail the run instead of warning.
	Strict bool
	// Out receives the end-of-run summary of warnings and skips; nil means os.Stdout.
	Out io.Writer
	// Seed, Tags and Concurrency are recorded in run.json.
	Seed        int64
	Tags        string
	Concurrency int
}

// Suite is one run of the conformance suite against one target.
type Suite struct {
	cfg      Config
	spec     *openapi.Spec
	dialect  string           // the rules beyond the RFCs the target is judged by (Dialect)
	meta     *driver.Metadata // the target's metadata, when the profile names an issuer (OAUTH_ISSUER)
	recipe   *signin.Recipe   // how a user signs in at the target's login page (OAUTH_SIGNIN), or nil
	browser  *signin.Browser  // the browser that follows the recipe, started on first use
	seq      atomic.Int64
	stopOnce sync.Once
	started  time.Time
	timeout  time.Duration
	secrets  []string

	// introspection is the introspection endpoint a target known by RingCentral's paths advertises, read
	// when a scenario first needs it (Suite.advertisedIntrospection).
	introspection advertised

	pause   func(ctx context.Context, d time.Duration) error // how a real target's Retry-After and backoff are waited out
	pacer   *pacer
	retries int          // retries of a request that got no answer or a 5xx, on a real target
	cleanup bool         // revoke every session a scenario opened, on a real target
	users   *userPool    // the test users, and which of them run a scenario right now
	nUsers  int          // how many test users the profile configures
	maxDown int          // consecutive failures to reach the target that stop the run
	down    atomic.Int64 // the current run of consecutive failures to reach the target
	stop    atomic.Value // error: why the run stopped early

	// fingerprints names redacted values in every output of the run: one key per run, shared by the
	// Redactor of every scenario (driver.Fingerprinter).
	fingerprints *driver.Fingerprinter
	base         *driver.Redactor // the profile's secrets, forked for each scenario

	mu        sync.Mutex
	claims    map[string]string // single-use credential -> the scenario that spends it
	notes     []Note
	exchanges []scenarioExchange
	counts    map[string]int
	running   map[*world]*results.Scenario
	finished  []results.Scenario
	report    string // the HTML report's path, once written
}

// Note is something a reader of the run must see besides pass and fail: a skipped scenario and why, or
// a SHOULD-level requirement that was not met.
type Note = results.Note

type scenarioExchange struct {
	Scenario string `json:"scenario"`
	driver.Exchange
}

// NewSuite checks cfg and prepares a Suite.
func NewSuite(cfg Config) (*Suite, error) {
	if cfg.Profile == nil {
		return nil, errors.New("steps: Config.Profile is required")
	}
	if cfg.Target.URL == "" {
		return nil, fmt.Errorf("steps: profile %q: there is no target (Config.Target.URL is empty)", cfg.Profile.Name())
	}
	cfg.Target.URL = strings.TrimRight(cfg.Target.URL, "/")
	if _, err := driver.New(driver.Config{BaseURL: cfg.Target.URL}); err != nil {
		return nil, fmt.Errorf("steps: profile %q: %w", cfg.Profile.Name(), err)
	}
	if cfg.Out == nil {
		cfg.Out = os.Stdout
	}
	spec, err := openapi.Load(openapi.Latest)
	if err != nil {
		return nil, fmt.Errorf("steps: loading RingCentral's OpenAPI description: %w", err)
	}
	timeout, err := cfg.Profile.Duration("RC_HTTP_TIMEOUT", driver.DefaultTimeout)
	if err != nil {
		return nil, fmt.Errorf("steps: profile %q: %w", cfg.Profile.Name(), err)
	}
	run, err := runSettings(cfg.Profile, cfg.Target)
	if err != nil {
		return nil, err
	}
	dialect, err := Dialect(cfg.Profile)
	if err != nil {
		return nil, err
	}
	meta, err := discover(cfg.Profile, timeout)
	if err != nil {
		return nil, err
	}
	var recipe *signin.Recipe
	if name := cfg.Profile.Value("OAUTH_SIGNIN"); name != "" {
		if recipe, err = signin.Load(name); err != nil {
			return nil, fmt.Errorf("steps: profile %q: OAUTH_SIGNIN: %w", cfg.Profile.Name(), err)
		}
	}
	s := &Suite{
		cfg: cfg, spec: spec, timeout: timeout, dialect: dialect, meta: meta, recipe: recipe,
		browser: signin.NewBrowser(cfg.Profile.Value("OAUTH_BROWSER")), secrets: cfg.Profile.Secrets(), started: time.Now(),
		counts: map[string]int{}, running: map[*world]*results.Scenario{}, pause: pauseOnTimer,
		pacer: newPacer(run.rate), retries: run.retries, cleanup: run.cleanup, maxDown: run.maxDown,
		nUsers: cfg.Profile.Users(), fingerprints: driver.NewFingerprinter(),
	}
	s.base = driver.NewRedactor(s.fingerprints, s.secrets...)
	// A test user runs one scenario at a time on RingCentral, where two scenarios of one user would share
	// its five sessions and its rate budget. On the mock with its control API every scenario has a realm
	// of its own, and a server of another dialect has neither limit, so scenarios run side by side there
	// whatever the user.
	s.users = newUserPool(s.nUsers, !cfg.Target.Control && dialect == DialectRingCentral)
	return s, nil
}

// settings are the profile's settings of a run against a real target (README "The nightly run").
type settings struct {
	rate    AuthRate
	retries int
	cleanup bool
	maxDown int
}

// runSettings reads RC_AUTH_RATE, RC_RETRIES, RC_CLEANUP and RC_MAX_TRANSPORT_FAILURES. On a target with
// the mock's control API (the mock, where each scenario has its realm) pacing and retries are off unless
// the profile sets them; the Auth group's pacing is RingCentral's rule, off by default in another dialect.
func runSettings(p *env.Profile, target Target) (settings, error) {
	s := settings{rate: DefaultAuthRate, retries: 2, cleanup: true, maxDown: 5}
	if target.Control {
		s.rate, s.retries = AuthRate{}, 0
	}
	if d, err := Dialect(p); err != nil {
		return settings{}, err
	} else if d != DialectRingCentral {
		s.rate = AuthRate{}
	}
	bad := func(key string, err error) (settings, error) {
		return settings{}, fmt.Errorf("steps: profile %q: %s=%q: %v", p.Name(), key, p.Value(key), err)
	}
	var err error
	if v := p.Value("RC_AUTH_RATE"); v != "" {
		if s.rate, err = ParseAuthRate(v); err != nil {
			return bad("RC_AUTH_RATE", err)
		}
	}
	for _, n := range []struct {
		key string
		to  *int
	}{{"RC_RETRIES", &s.retries}, {"RC_MAX_TRANSPORT_FAILURES", &s.maxDown}} {
		if v := p.Value(n.key); v != "" {
			if *n.to, err = strconv.Atoi(v); err != nil || *n.to < 0 {
				return bad(n.key, errors.New("want a whole number, 0 or more"))
			}
		}
	}
	switch v := p.Value("RC_CLEANUP"); v {
	case "", "revoke":
	case "none":
		s.cleanup = false
	default:
		return bad("RC_CLEANUP", errors.New("want revoke or none"))
	}
	return s, nil
}

// Pacing returns the Auth-group pacing a run of profile p against target uses (RC_AUTH_RATE; off on a
// target with the mock's control API unless the profile sets it).
func Pacing(p *env.Profile, target Target) (AuthRate, error) {
	s, err := runSettings(p, target)
	return s.rate, err
}

// takeUser waits for a test user that runs no scenario and gives it to the scenario, so that no two
// scenarios share a user's sessions and rate budget at once: the user the plan assigned (Config.Assign),
// or else the first that is free.
func (s *Suite) takeUser(id catalog.Scenario) int {
	want := 0
	if s.cfg.Assign != nil {
		want = s.cfg.Assign(id.Feature, id.Name, id.Example)
	}
	return s.users.take(want)
}

// releaseUser gives a scenario's test user back.
func (s *Suite) releaseUser(n int) { s.users.release(n) }

// userPool tracks which test users run a scenario. An exclusive pool gives a user to one scenario at a
// time; another lends every scenario the user it asks for (user 1 by default) at once.
type userPool struct {
	mu        sync.Mutex
	cond      *sync.Cond
	busy      []bool // by user number; index 0 unused
	exclusive bool
}

func newUserPool(n int, exclusive bool) *userPool {
	p := &userPool{busy: make([]bool, n+1), exclusive: exclusive}
	p.cond = sync.NewCond(&p.mu)
	return p
}

// take waits until user want (or, for 0 or an unknown user, any user) is free and marks it busy.
func (p *userPool) take(want int) int {
	if want < 1 || want >= len(p.busy) {
		want = 0
	}
	if !p.exclusive {
		return max(want, 1)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		for n := 1; n < len(p.busy); n++ {
			if !p.busy[n] && (want == 0 || n == want) {
				p.busy[n] = true
				return n
			}
		}
		p.cond.Wait()
	}
}

// release marks user n free.
func (p *userPool) release(n int) {
	if !p.exclusive {
		return
	}
	p.mu.Lock()
	p.busy[n] = false
	p.mu.Unlock()
	p.cond.Broadcast()
}

// unreachable counts a failure to reach the target; after maxDown in a row it stops the run and returns
// why, and the scenarios that have not started yet are skipped with that reason.
func (s *Suite) unreachable(err error) error {
	n := s.down.Add(1)
	if s.maxDown == 0 || n < int64(s.maxDown) {
		return nil
	}
	stop := fmt.Errorf("the run stopped early: %s could not be reached %d times in a row; the last error: %v", s.cfg.Target.URL, n, err)
	s.stop.CompareAndSwap(nil, stop)
	return s.stopped()
}

// reached notes an answer from the target.
func (s *Suite) reached() { s.down.Store(0) }

// stopped returns why the run stopped early, or nil.
func (s *Suite) stopped() error {
	if err, ok := s.stop.Load().(error); ok {
		return err
	}
	return nil
}

// Stopped returns why the run stopped early (the target could not be reached), or nil.
func (s *Suite) Stopped() error { return s.stopped() }

// Target is the base URL the suite runs against.
func (s *Suite) Target() string { return s.cfg.Target.URL }

// redactor returns a redactor that knows the profile's secrets, for one scenario's driver.
func (s *Suite) redactor() *driver.Redactor { return s.base.Fork() }

// Stop writes the run's reports and summary, then closes the target if the caller asked for it. It is
// safe to call more than once.
func (s *Suite) Stop() error {
	var err error
	s.stopOnce.Do(func() {
		s.browser.Close()
		err = s.writeReports()
		s.printSummary()
		if s.cfg.Target.Close != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err = errors.Join(err, s.cfg.Target.Close(ctx))
		}
	})
	return err
}

// InitializeTestSuite wires Stop into godog's suite hooks.
func (s *Suite) InitializeTestSuite(ctx *godog.TestSuiteContext) {
	ctx.AfterSuite(func() {
		if err := s.Stop(); err != nil {
			fmt.Fprintln(s.cfg.Out, "steps:", err)
		}
	})
}

// InitializeScenario creates the scenario's world and registers the whole vocabulary against it.
func (s *Suite) InitializeScenario(sc *godog.ScenarioContext) {
	w := newWorld(s)
	sc.Before(w.before)
	sc.After(w.after)
	sc.StepContext().Before(w.beforeStep)
	sc.StepContext().After(w.afterStep)
	(&vocabulary{sc: sc, w: w}).register()
}

// spentBy returns the scenario that spent a single-use credential, or "".
func (s *Suite) spentBy(variable string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.claims[variable]
}

// markSpent records the first scenario that spent a single-use credential.
func (s *Suite) markSpent(variable, scenario string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.claims == nil {
		s.claims = map[string]string{}
	}
	if _, ok := s.claims[variable]; !ok {
		s.claims[variable] = scenario
	}
}

// Ran is the number of scenarios that have finished (passed, failed, skipped or warned).
func (s *Suite) Ran() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.counts {
		n += c
	}
	return n
}

// note records a skip or a warning.
func (s *Suite) note(n Note) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notes = append(s.notes, n)
}

// identify finds a scenario in the features catalogue, by its feature, name and step texts (which tell the
// rows of an outline apart).
func (s *Suite) identify(sc *godog.Scenario) catalog.Scenario {
	id := catalog.Scenario{Feature: featurePath(sc.Uri), Name: sc.Name}
	if s.cfg.Features == nil {
		return id
	}
	texts := make([]string, len(sc.Steps))
	for i, st := range sc.Steps {
		texts[i] = st.Text
	}
	if found, ok := s.cfg.Features.Lookup(id.Feature, sc.Name, texts); ok {
		return found
	}
	return id
}

// scenarioStarted opens the record of a scenario.
func (s *Suite) scenarioStarted(w *world, sc *godog.Scenario) {
	rec := &results.Scenario{Name: sc.Name, Feature: w.feature, Line: w.id.Line, Example: w.id.Example, Clauses: w.clauses, Started: time.Now()}
	for _, t := range sc.Tags {
		rec.Tags = append(rec.Tags, t.Name)
	}
	s.mu.Lock()
	s.running[w] = rec
	s.mu.Unlock()
}

// stepFinished adds a step with its status, redacted error and exchanges to its scenario's record.
func (s *Suite) stepFinished(w *world, st *godog.Step, status godog.StepResultStatus, err error, xs []driver.Exchange) {
	step := results.Step{Type: st.Type.String(), Text: st.Text, Status: status.String(), Exchanges: xs}
	if err != nil {
		step.Error = w.redact(err).Error()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if rec := s.running[w]; rec != nil {
		rec.Steps = append(rec.Steps, step)
	}
}

// scenarioFinished counts a scenario's outcome and closes its record, with the exchanges its cleanup made.
func (s *Suite) scenarioFinished(w *world, outcome string) {
	var cleanup []driver.Exchange
	if w.rec != nil {
		cleanup = w.rec.Drain()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts[outcome]++
	if rec := s.running[w]; rec != nil {
		rec.Status, rec.Duration, rec.Cleanup = outcome, time.Since(rec.Started), cleanup
		rec.User, rec.Flaky = w.user, w.flaky
		w.mu.Lock()
		rec.Auth = append([]results.AuthRequest(nil), w.authRequests...)
		w.mu.Unlock()
		s.finished = append(s.finished, *rec)
		delete(s.running, w)
	}
}

// addExchanges appends a scenario's (already redacted) exchanges to the run's exchange log.
func (s *Suite) addExchanges(scenario string, xs []driver.Exchange) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range xs {
		s.exchanges = append(s.exchanges, scenarioExchange{Scenario: scenario, Exchange: x})
	}
}

// Notes returns the run's notes so far, sorted by feature and scenario.
func (s *Suite) Notes() []Note {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sortedNotes()
}

func (s *Suite) sortedNotes() []Note {
	out := append([]Note{}, s.notes...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Feature != out[j].Feature {
			return out[i].Feature < out[j].Feature
		}
		return out[i].Scenario < out[j].Scenario
	})
	return out
}

// Results returns the run's record so far.
func (s *Suite) Results() *results.Run {
	s.mu.Lock()
	defer s.mu.Unlock()
	counts := map[string]int{}
	for k, v := range s.counts {
		counts[k] = v
	}
	return &results.Run{
		Harness: harnessVersion(), Commit: s.cfg.Commit, Profile: s.cfg.Profile.Name(), Target: s.cfg.Target.URL,
		Embedded: s.cfg.Target.Embedded, Control: s.cfg.Target.Control,
		Kind: results.TargetKind(s.cfg.Target.URL, s.cfg.Target.Embedded, s.dialect), Dialect: s.dialect,
		Seed: s.cfg.Seed, Tags: s.cfg.Tags, TagLimited: s.cfg.Tags != "", Concurrency: s.cfg.Concurrency, Strict: s.cfg.Strict,
		Started: s.started, Duration: time.Since(s.started),
		Counts: counts, SecretVariables: s.secretVariables(), Notes: s.sortedNotes(), Scenarios: append([]results.Scenario{}, s.finished...),
		Users: s.nUsers, Rate: s.pacer.rate.String(), Budgets: s.pacer.snapshot(), Stopped: errString(s.stopped()),
	}
}

// secretVariables maps the fingerprint of each secret the profile sets to its variable's name, and the
// fingerprint of each app's Basic credential (as the driver sends it, form-encoded or not) to the pair
// "ID_VARIABLE:SECRET_VARIABLE", so a report can name the variable where an exchange shows a fingerprint.
// The fingerprints come from the run's own redactor, as the exchanges' do.
func (s *Suite) secretVariables() map[string]string {
	r := s.redactor()
	out := map[string]string{}
	p := s.cfg.Profile
	for _, v := range env.Catalogue() {
		value := p.Value(v.Name)
		if fp := r.Text(value); v.Secret && value != "" && !strings.Contains(fp, value) {
			out[fp] = v.Name
		}
		idVar, ok := strings.CutSuffix(v.Name, "_SECRET")
		idVar += "_ID"
		if !ok || !v.Secret || value == "" || p.Value(idVar) == "" {
			continue
		}
		for _, pair := range [][2]string{{p.Value(idVar), value}, {url.QueryEscape(p.Value(idVar)), url.QueryEscape(value)}} {
			h := r.Header(http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(pair[0]+":"+pair[1]))}})
			if _, fp, _ := strings.Cut(h.Get("Authorization"), " "); fp != "" {
				out[fp] = idVar + ":" + v.Name
			}
		}
	}
	return out
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// harnessVersion is the harness's module version, or its VCS revision when built from a checkout.
func harnessVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	version := info.Main.Version
	for _, kv := range info.Settings {
		if kv.Key == "vcs.revision" && len(kv.Value) >= 12 {
			version = kv.Value[:12]
		}
	}
	if version == "" || version == "(devel)" {
		return "devel"
	}
	return version
}

// Review compares the run's results with the target's baseline (no baseline: every failure is new).
func (s *Suite) Review() baseline.Review {
	return baseline.Compare(s.cfg.Baseline, s.Results(), s.cfg.Features)
}

func (s *Suite) writeReports() error {
	dir := s.cfg.ReportsDir
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("steps: reports: %w", err)
	}
	run := s.Results()
	s.mu.Lock()
	xs := append([]scenarioExchange(nil), s.exchanges...)
	s.mu.Unlock()
	var lines []byte
	for _, x := range xs {
		b, err := json.Marshal(x)
		if err != nil {
			return fmt.Errorf("steps: encoding an exchange: %w", err)
		}
		lines = append(append(lines, b...), '\n')
	}
	if err := os.WriteFile(filepath.Join(dir, "exchanges.jsonl"), lines, 0o644); err != nil {
		return fmt.Errorf("steps: reports: %w", err)
	}
	// run.json is the run's short summary: its record without the scenarios, which results.json holds.
	brief := *run
	brief.Scenarios = nil
	b, err := json.MarshalIndent(brief, "", "  ")
	if err != nil {
		return fmt.Errorf("steps: encoding run.json: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "run.json"), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("steps: reports: %w", err)
	}
	if err := results.WriteJUnit(filepath.Join(dir, "junit.xml"), run); err != nil {
		return err
	}
	path := filepath.Join(dir, results.FileName)
	if err := results.Write(path, run); err != nil {
		return err
	}
	var in report.Inputs
	var inErr error
	if s.cfg.ReportInputs != nil {
		in, inErr = s.cfg.ReportInputs(run)
	}
	reportPath, err := report.WriteRun(dir, run, in)
	if err == nil {
		err = inErr // a missing or malformed input is reported after the report is written without it
	}
	if reportPath != "" {
		s.mu.Lock()
		s.report = reportPath
		s.mu.Unlock()
	}
	if err != nil || s.cfg.HistoryFile == "" {
		return err
	}
	rel, err := filepath.Rel(filepath.Dir(s.cfg.HistoryFile), path)
	if err != nil {
		rel = path
	}
	return results.AppendHistory(s.cfg.HistoryFile, results.Line(run, filepath.ToSlash(rel)))
}

// printSummary lists what a reader must see beyond godog's own summary, because godog's formatters show a
// skipped step but not why: SHOULD-level warnings, deviations from the mock's documented choices, known
// failures, skips with their reasons, and the review against the target's baseline.
func (s *Suite) printSummary() {
	byKind := map[string][]Note{}
	for _, n := range s.Notes() {
		byKind[n.Kind] = append(byKind[n.Kind], n)
	}
	out := s.cfg.Out
	fmt.Fprintf(out, "\nConformance run against %s (profile %s): %d SHOULD-level warnings, %d deviations, %d known failures, %d skipped scenarios.\n",
		s.cfg.Target.URL, s.cfg.Profile.Name(), len(byKind[results.NoteWarning]), len(byKind[results.NoteDeviation]),
		len(byKind[results.NoteKnown]), len(byKind[results.NoteSkip]))
	for _, k := range []struct{ kind, label string }{
		{results.NoteWarning, "WARNING"}, {results.NoteDeviation, "DEVIATION"}, {results.NoteKnown, "KNOWN"}, {results.NoteSkip, "SKIPPED"},
	} {
		for _, n := range byKind[k.kind] {
			label := k.label
			if len(n.Clauses) > 0 && k.kind == results.NoteWarning {
				label += " " + strings.Join(n.Clauses, " ")
			}
			expected := ""
			if n.Baseline != "" && k.kind != results.NoteKnown {
				expected = " (expected by the baseline: " + n.Baseline + ")"
			}
			fmt.Fprintf(out, "  %s — %s: %s%s\n", label, n.Scenario, strings.ReplaceAll(n.Message, "\n", "\n      "), expected)
		}
	}
	if s.cfg.Baseline != nil && s.cfg.Baseline.Path != "" { // a profile without a baseline file has none to review
		review := s.Review()
		fmt.Fprintf(out, "Baseline %s: %d expected outcomes, %d new failures, %d stale, %d changed, %d unmatched entries.\n",
			s.cfg.Baseline.Path, review.Expected, len(review.NewFailures), len(review.Stale), len(review.Changed), len(review.Unmatched))
		for _, p := range review.Problems() {
			fmt.Fprintf(out, "  %s\n", p)
		}
	}
	s.mu.Lock()
	path := s.report
	s.mu.Unlock()
	if path != "" {
		// The one line naming the report, in full, so it opens from wherever the console is read.
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		fmt.Fprintf(out, "The report: %s\n", path)
	}
}
