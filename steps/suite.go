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
// the embedded mock, the run's notes and exchange log) lives in a Suite.
package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cucumber/godog"

	"github.com/rcoauth/conformance/driver"
	"github.com/rcoauth/conformance/env"
	"github.com/rcoauth/conformance/openapi"
	"github.com/rcoauth/conformance/rcmock"
)

// Config is what a Suite needs from its caller, which reads it once from the process (flags and
// environment) and passes it down: nothing in this package reads the environment.
type Config struct {
	// Profile is the loaded environment profile (env.Load).
	Profile *env.Profile
	// ReportsDir receives exchanges.jsonl and run.json; empty means no files.
	ReportsDir string
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
	cfg     Config
	spec    *openapi.Spec
	seq     atomic.Int64
	started sync.Once
	stopped sync.Once
	err     error

	pause    func(ctx context.Context, d time.Duration) error // how a real target's Retry-After is waited out
	target   string                                           // base URL of the target
	control  bool                                             // the target is an rcmock with its control API
	embedded *rcmock.Instance
	timeout  time.Duration
	// fingerprints names redacted values in every output of the run: one key per run, shared by the
	// Redactor of every scenario (driver.Fingerprinter).
	fingerprints *driver.Fingerprinter

	mu        sync.Mutex
	claims    map[string]string // single-use credential -> the scenario that spends it
	notes     []Note
	exchanges []scenarioExchange
	counts    map[string]int
}

// Note is something a reader of the run must see besides pass and fail: a skipped scenario and why, or
// a SHOULD-level requirement that was not met.
type Note struct {
	Kind     string   `json:"kind"` // "skip" or "warning"
	Scenario string   `json:"scenario"`
	Feature  string   `json:"feature"`
	Clauses  []string `json:"clauses,omitempty"`
	Message  string   `json:"message"`
}

type scenarioExchange struct {
	Scenario string `json:"scenario"`
	driver.Exchange
}

// NewSuite checks cfg and prepares a Suite; Start connects it to its target.
func NewSuite(cfg Config) (*Suite, error) {
	if cfg.Profile == nil {
		return nil, errors.New("steps: Config.Profile is required")
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
	return &Suite{cfg: cfg, spec: spec, timeout: timeout, counts: map[string]int{}, pause: pauseOnTimer,
		fingerprints: driver.NewFingerprinter()}, nil
}

// Start resolves the target: with RC_MOCK_EMBEDDED it starts the embedded mock on 127.0.0.1:0 (the
// harness then talks to it over HTTP exactly as to the sandbox); otherwise it needs RC_SERVER_URL. It is
// safe to call more than once; later calls return the first result.
func (s *Suite) Start() error {
	s.started.Do(func() { s.err = s.start() })
	return s.err
}

func (s *Suite) start() error {
	p := s.cfg.Profile
	s.control = p.Bool("RC_MOCK_CONTROL")
	if p.Bool("RC_MOCK_EMBEDDED") {
		opts := rcmock.DefaultOptions()
		opts.Control = true
		if path := p.Value("RC_MOCK_FIXTURE"); path != "" {
			f, err := rcmock.LoadFixture(path)
			if err != nil {
				return fmt.Errorf("steps: profile %q: RC_MOCK_FIXTURE: %w", p.Name(), err)
			}
			opts.Fixture = f
		}
		srv, err := rcmock.New(opts)
		if err != nil {
			return fmt.Errorf("steps: starting the embedded mock: %w", err)
		}
		in, err := srv.Start("127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("steps: starting the embedded mock: %w", err)
		}
		s.embedded, s.target, s.control = in, in.URL, true
		return nil
	}
	target := strings.TrimRight(p.Value("RC_SERVER_URL"), "/")
	if target == "" {
		return fmt.Errorf("steps: profile %q sets neither RC_SERVER_URL nor RC_MOCK_EMBEDDED=true: there is no target", p.Name())
	}
	if _, err := driver.New(driver.Config{BaseURL: target}); err != nil {
		return fmt.Errorf("steps: profile %q: RC_SERVER_URL: %w", p.Name(), err)
	}
	s.target = target
	return nil
}

// Target is the base URL the suite runs against (after Start).
func (s *Suite) Target() string { return s.target }

// Stop shuts the embedded mock down and writes the run's reports and summary.
func (s *Suite) Stop() error {
	var err error
	s.stopped.Do(func() {
		if s.embedded != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err = s.embedded.Close(ctx)
		}
		err = errors.Join(err, s.writeReports())
		s.printSummary()
	})
	return err
}

// InitializeTestSuite wires Start and Stop into godog's suite hooks. A target that cannot be reached is
// reported by every scenario's first step, so the run fails loudly rather than silently passing nothing.
func (s *Suite) InitializeTestSuite(ctx *godog.TestSuiteContext) {
	ctx.BeforeSuite(func() { _ = s.Start() })
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

// count records a scenario outcome for run.json.
func (s *Suite) count(kind string) {
	s.mu.Lock()
	s.counts[kind]++
	s.mu.Unlock()
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
	out := append([]Note(nil), s.notes...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Feature != out[j].Feature {
			return out[i].Feature < out[j].Feature
		}
		return out[i].Scenario < out[j].Scenario
	})
	return out
}

// runReport is reports/run.json.
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
	s.mu.Lock()
	xs := append([]scenarioExchange(nil), s.exchanges...)
	counts := map[string]int{}
	for k, v := range s.counts {
		counts[k] = v
	}
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
		Profile: s.cfg.Profile.Name(), Target: s.target, Embedded: s.embedded != nil, Control: s.control,
		Seed: s.cfg.Seed, Tags: s.cfg.Tags, Concurrency: s.cfg.Concurrency, Strict: s.cfg.Strict,
		Counts: counts, Notes: s.Notes(),
	}
	if rep.Notes == nil {
		rep.Notes = []Note{}
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return fmt.Errorf("steps: encoding run.json: %w", err)
	}
	return os.WriteFile(filepath.Join(dir, "run.json"), append(b, '\n'), 0o644)
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
		s.target, s.cfg.Profile.Name(), len(warnings), len(skips))
	for _, n := range warnings {
		fmt.Fprintf(out, "  WARNING %s — %s: %s\n", strings.Join(n.Clauses, " "), n.Scenario, n.Message)
	}
	for _, n := range skips {
		fmt.Fprintf(out, "  SKIPPED %s: %s\n", n.Scenario, n.Message)
	}
}
