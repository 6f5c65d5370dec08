// Package steps is the conformance suite's step vocabulary: godog step definitions that turn the business
// sentences of features/*.feature into exchanges through the driver and assertions on their typed results.
//
// The vocabulary is grouped by subject, one file and one registration table each: apps and client
// authentication (apps.go), token requests (token.go), responses (response.go), API calls (api.go), the
// authorization endpoint (authorize.go), revocation (revoke.go), sessions (sessions.go), rate limits
// (ratelimit.go), the mock's clock (clock.go) and faults (faults.go). HTTP details stay in the driver; a
// few explicit raw-request steps cover malformed input.
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
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cucumber/godog"

	"github.com/rcoauth/conformance/driver"
	"github.com/rcoauth/conformance/env"
	"github.com/rcoauth/conformance/openapi"
	"github.com/rcoauth/conformance/report"
	"github.com/rcoauth/conformance/results"
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
	// ReportsDir receives exchanges.jsonl, run.json and results.json; empty means no files.
	ReportsDir string
	// Strict makes a failed SHOULD-level scenario (@should) fail the run instead of warning.
	Strict bool
	// Out receives the end-of-run summary of warnings and skips; nil means os.Stdout.
	Out io.Writer
	// Seed, Tags and Concurrency are recorded in run.json.
	Seed        int64
	Tags        string
	Concurrency int
	// Commit is the harness's git commit, recorded in results.json and the report.
	Commit string
}

// Suite is one run of the conformance suite against one target.
type Suite struct {
	cfg     Config
	spec    *openapi.Spec
	seq     atomic.Int64
	stopped sync.Once
	started time.Time
	timeout time.Duration
	secrets []string

	pause func(ctx context.Context, d time.Duration) error // how a real target's Retry-After is waited out

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
	return &Suite{
		cfg: cfg, spec: spec, timeout: timeout, secrets: cfg.Profile.Secrets(), started: time.Now(),
		counts: map[string]int{}, running: map[*world]*results.Scenario{}, pause: pauseOnTimer,
	}, nil
}

// Target is the base URL the suite runs against.
func (s *Suite) Target() string { return s.cfg.Target.URL }

// redactor returns a redactor that knows the profile's secrets, for one scenario's driver.
func (s *Suite) redactor() *driver.Redactor { return driver.NewRedactor(s.secrets...) }

// Stop writes the run's reports and summary, then closes the target if the caller asked for it. It is
// safe to call more than once.
func (s *Suite) Stop() error {
	var err error
	s.stopped.Do(func() {
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

// scenarioStarted opens the record of a scenario.
func (s *Suite) scenarioStarted(w *world, sc *godog.Scenario) {
	rec := &results.Scenario{Name: sc.Name, Feature: sc.Uri, Clauses: w.clauses, Started: time.Now()}
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
		Seed: s.cfg.Seed, Tags: s.cfg.Tags, Concurrency: s.cfg.Concurrency, Strict: s.cfg.Strict,
		Started: s.started, Duration: time.Since(s.started),
		Counts: counts, SecretVariables: s.secretVariables(),
		Notes: s.sortedNotes(), Scenarios: append([]results.Scenario{}, s.finished...),
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

// runReport is reports/run.json, the run's short summary.
type runReport struct {
	Profile     string         `json:"profile"`
	Target      string         `json:"target"`
	Embedded    bool           `json:"embedded_mock"`
	Control     bool           `json:"mock_control"`
	Seed        int64          `json:"seed"`
	Tags        string         `json:"tags,omitempty"`
	Concurrency int            `json:"concurrency"`
	Strict      bool           `json:"strict"`
	Counts      map[string]int `json:"counts"`
	Notes       []Note         `json:"notes"`
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
	rep := runReport{
		Profile: run.Profile, Target: run.Target, Embedded: run.Embedded, Control: run.Control,
		Seed: run.Seed, Tags: run.Tags, Concurrency: run.Concurrency, Strict: run.Strict,
		Counts: run.Counts, Notes: run.Notes,
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return fmt.Errorf("steps: encoding run.json: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "run.json"), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("steps: reports: %w", err)
	}
	if err := results.Write(filepath.Join(dir, results.FileName), run); err != nil {
		return err
	}
	path, err := report.WriteRun(dir, run)
	if path != "" {
		s.mu.Lock()
		s.report = path
		s.mu.Unlock()
	}
	return err
}

// printSummary lists warnings and skips with their reasons after godog's own summary, because godog's
// formatters show a skipped step but not why.
func (s *Suite) printSummary() {
	notes := s.Notes()
	var warnings, skips []Note
	for _, n := range notes {
		if n.Kind == "warning" {
			warnings = append(warnings, n)
		} else {
			skips = append(skips, n)
		}
	}
	out := s.cfg.Out
	fmt.Fprintf(out, "\nConformance run against %s (profile %s): %d SHOULD-level warnings, %d skipped scenarios.\n",
		s.cfg.Target.URL, s.cfg.Profile.Name(), len(warnings), len(skips))
	for _, n := range warnings {
		fmt.Fprintf(out, "  WARNING %s — %s: %s\n", strings.Join(n.Clauses, " "), n.Scenario, n.Message)
	}
	for _, n := range skips {
		fmt.Fprintf(out, "  SKIPPED %s: %s\n", n.Scenario, n.Message)
	}
	s.mu.Lock()
	path := s.report
	s.mu.Unlock()
	if path != "" {
		fmt.Fprintf(out, "The report: %s\n", path)
	}
}
