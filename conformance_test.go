package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cucumber/godog"

	"github.com/rcoauth/conformance/baseline"
	"github.com/rcoauth/conformance/catalog"
	"github.com/rcoauth/conformance/drift"
	"github.com/rcoauth/conformance/env"
	"github.com/rcoauth/conformance/report"
	"github.com/rcoauth/conformance/results"
	"github.com/rcoauth/conformance/steps"
)

// Run options of TestFeatures, read from the environment once here and passed down (README "Running the
// suite"); the Makefile sets them from make variables. None of them is a GODOG_* name: the godog CLI sets
// and reads those itself (it sets GODOG_SEED to 0 for a run without --random), so a harness option under
// such a name would be overwritten under `godog run`.
const (
	envTags        = "CONFORMANCE_TAGS"        // tag expression, e.g. "@revocation && ~@slow"
	envConcurrency = "CONFORMANCE_CONCURRENCY" // scenarios in parallel (default 4 on the mock, 1 elsewhere)
	envSeed        = "CONFORMANCE_SEED"        // random order seed (default: a fresh one, printed)
	envFormat      = "CONFORMANCE_FORMAT"      // console formatter (default pretty)
	envStrict      = "CONFORMANCE_STRICT"      // true: a failed SHOULD (@should) fails the run
	reportsDir     = "reports"
)

// TestFeatures runs the conformance suite: strict (undefined or pending steps fail), in random order with
// the seed printed, several scenarios at once, with pretty console output plus cucumber JSON and JUnit XML
// reports in reports/.
func TestFeatures(t *testing.T) {
	cfg, opts, err := suiteConfig(os.Environ())
	if err != nil {
		t.Fatal(err)
	}
	runSuite(t, "ringcentral-oauth", cfg, opts)
}

// runSuite starts the target and a suite for cfg and runs it with opts as subtests of t, failing t when
// the run fails: a failed scenario, a run stopped early, or a difference from the target's baseline.
// Against a real target (no mock control API) it first plans the run, prints the plan, and afterwards
// compares it with the requests the run made.
func runSuite(t *testing.T, name string, cfg steps.Config, opts *godog.Options) *steps.Suite {
	t.Helper()
	opts.TestingT = t
	run := execute(t, name, cfg, opts)
	if run.status != 0 {
		t.Fatalf("the conformance suite failed against %s (status %d); reports in %s/, seed %d", run.suite.Target(), run.status, cfg.ReportsDir, opts.Randomize)
	}
	if err := run.suite.Stopped(); err != nil {
		t.Error(err)
	}
	if review := run.suite.Review(); !review.OK() {
		t.Errorf("the run does not match the baseline of profile %s:\n  %s", cfg.Profile.Name(), strings.Join(review.Problems(), "\n  "))
	}
	if run.suite.Ran() == 0 {
		// godog runs nothing, successfully, for a tag expression it cannot parse (such as "@a || @b").
		t.Fatalf("no scenario ran: the tag expression %q selects none (godog's syntax: @a && @b for and, @a,@b for or, ~@a for not)", opts.Tags)
	}
	return run.suite
}

// outcome is a run of the suite: the suite with its results, its plan (against a real target), and
// godog's status.
type outcome struct {
	suite  *steps.Suite
	plan   *Plan
	status int
}

// execute starts cfg's target, plans the run when the target is real (printing the plan and writing it to
// the reports), runs the suite with opts and reports the Auth-group requests planned and made; it judges
// nothing.
func execute(t *testing.T, name string, cfg steps.Config, opts *godog.Options) outcome {
	t.Helper()
	target, err := startTarget(cfg.Profile)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Target = target
	var plan *Plan
	dialect, err := steps.Dialect(cfg.Profile)
	if err != nil {
		t.Fatal(err)
	}
	// The plan budgets RingCentral's Auth rate group on a real target: another dialect has no such group.
	if !target.Control && dialect == steps.DialectRingCentral {
		if plan, err = planRun(cfg, opts); err != nil {
			t.Fatal(err)
		}
		plan.Print(os.Stdout)
		if cfg.ReportsDir != "" {
			if err := plan.Write(filepath.Join(cfg.ReportsDir, PlanFile)); err != nil {
				t.Fatal(err)
			}
		}
		cfg.Assign = func(feature, name, example string) int { return plan.Assign[PlanKey(feature, name, example)] }
	}
	suite, err := steps.NewSuite(cfg)
	if err != nil {
		if target.Close != nil {
			_ = target.Close(context.Background())
		}
		t.Fatal(err)
	}
	t.Logf("profile %s, target %s, seed %d, concurrency %d, tags %q", cfg.Profile.Name(), suite.Target(), opts.Randomize, opts.Concurrency, opts.Tags)
	status := godog.TestSuite{
		Name:                 name,
		TestSuiteInitializer: suite.InitializeTestSuite,
		ScenarioInitializer:  suite.InitializeScenario,
		Options:              opts,
	}.Run()
	if plan != nil {
		used := suite.Results().Budgets
		fmt.Printf("Auth-group requests: planned %d, made %d; answered 429 anyway: %d.\n", total(plan.Budgets, false), total(used, false), total(used, true))
	}
	return outcome{suite: suite, plan: plan, status: status}
}

// reportInputs gives the run report, once a run is over, what it shows besides the run: the profile's
// baseline known, and the history and drift in the reports root root. The drift of a run against a real
// RingCentral target (withDrift) from the latest run against the mock under root is computed first
// and written to root/drift.json — the one drift report, which `make drift` also writes and the
// documentation and `harness summary` read — so the report shows it; it is also listed on out.
func reportInputs(root string, known *baseline.Baseline, withDrift bool, out io.Writer) func(*results.Run) (report.Inputs, error) {
	return func(run *results.Run) (report.Inputs, error) {
		var errs []error
		if withDrift && !run.Control {
			mock, _, err := drift.Latest(root, drift.RingCentral)
			var r *drift.Report
			if err == nil && mock != nil {
				d := drift.Compare(mock, run)
				r, err = &d, drift.Write(filepath.Join(root, drift.FileName), d)
			}
			errs = append(errs, err)
			printDrift(out, r, root)
		}
		in, err := report.LoadInputs(root)
		in.Baseline = known
		return in, errors.Join(append(errs, err)...)
	}
}

// printDrift lists a run's drift from the mock (r, nil when there was no mock run under root) on w, up to
// twenty differences.
func printDrift(w io.Writer, r *drift.Report, root string) {
	path := filepath.Join(root, drift.FileName)
	if r == nil {
		fmt.Fprintf(w, "Drift: no run against the mock under %s/ to compare with (make conformance, then make drift).\n", root)
		return
	}
	fmt.Fprintf(w, "Drift from the mock run of %s: %d differences in %d scenarios compared.\n", r.Mock.Started.Format(time.RFC3339), len(r.Diffs), r.Scenarios)
	for i, d := range r.Diffs {
		if i == 20 {
			fmt.Fprintf(w, "  … and %d more in %s\n", len(r.Diffs)-i, path)
			break
		}
		fmt.Fprintln(w, "  "+d.String())
	}
}

// planRun plans a run of cfg against its (real) target with opts' selection and order.
func planRun(cfg steps.Config, opts *godog.Options) (*Plan, error) {
	rate, err := steps.Pacing(cfg.Profile, cfg.Target)
	if err != nil {
		return nil, err
	}
	return MakePlan(cfg.Profile, cfg.Target.URL, PlanOptions{
		Tags: opts.Tags, Seed: opts.Randomize, Rate: rate, Users: cfg.Profile.Users(), Features: cfg.Features,
	})
}

// total sums the requests of budgets, or their 429s.
func total(budgets []results.Budget, rateLimited bool) int {
	n := 0
	for _, b := range budgets {
		if rateLimited {
			n += b.RateLimited
		} else {
			n += b.Requests
		}
	}
	return n
}

// newSuite starts cfg's target (the embedded mock, for the mock profile) and a Suite for it; the Suite
// closes the target when it stops.
func newSuite(cfg steps.Config) (*steps.Suite, error) {
	target, err := startTarget(cfg.Profile)
	if err != nil {
		return nil, err
	}
	cfg.Target = target
	s, err := steps.NewSuite(cfg)
	if err != nil && target.Close != nil {
		_ = target.Close(context.Background())
	}
	return s, err
}

// suiteConfig builds the suite configuration and godog options from environ.
func suiteConfig(environ []string) (steps.Config, *godog.Options, error) {
	get := func(key string) string {
		for _, kv := range environ {
			if k, v, ok := strings.Cut(kv, "="); ok && k == key {
				return v
			}
		}
		return ""
	}
	profile, err := env.Load("env", "", environ)
	if err != nil {
		return steps.Config{}, nil, err
	}
	// Scenarios run four at a time on the mock, where each has its own realm. On a target without
	// per-scenario state a test user runs one scenario at a time, since its scenarios share its five
	// sessions and its Auth rate budget; with several users, more scenarios are started than there are
	// users, so that one waiting for the user its plan assigned does not hold up the others.
	concurrency := 1
	if n := profile.Users(); n > 1 {
		concurrency = 4 * n
	}
	// A target of another dialect than RingCentral's has no five-session limit or Auth budget to share.
	if d, _ := steps.Dialect(profile); profile.Bool("RC_MOCK_EMBEDDED") || profile.Bool("RC_MOCK_CONTROL") || d != steps.DialectRingCentral {
		concurrency = 4
	}
	if v := get(envConcurrency); v != "" {
		if concurrency, err = strconv.Atoi(v); err != nil || concurrency < 1 {
			return steps.Config{}, nil, fmt.Errorf("%s=%q: want a positive whole number", envConcurrency, v)
		}
	}
	seed := rand.Int64N(1<<53) + 1
	if v := get(envSeed); v != "" {
		if seed, err = strconv.ParseInt(v, 10, 64); err != nil || seed == 0 {
			return steps.Config{}, nil, fmt.Errorf("%s=%q: want a non-zero whole number", envSeed, v)
		}
	}
	format := get(envFormat)
	if format == "" || format == "pretty" {
		format = prettyFormat // godog's pretty console, a whole scenario or outline at a time (console.go)
	}
	strict := false
	if v := get(envStrict); v != "" {
		if strict, err = strconv.ParseBool(v); err != nil {
			return steps.Config{}, nil, fmt.Errorf("%s=%q: want true or false", envStrict, v)
		}
	}
	dir := runReportsDir(profile.Name())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return steps.Config{}, nil, err
	}
	opts := &godog.Options{
		Format:      format + ",cucumber:" + filepath.Join(dir, "cucumber.json"),
		Paths:       []string{"features"},
		Tags:        get(envTags),
		Strict:      true,
		Randomize:   seed,
		Concurrency: concurrency,
	}
	features, err := catalog.Load("features")
	if err != nil {
		return steps.Config{}, nil, err
	}
	dialect, err := steps.Dialect(profile)
	if err != nil {
		return steps.Config{}, nil, err
	}
	known, err := baseline.Load(filepath.Join(baseline.Dir, profile.Name()+".json"), profile.Name())
	if err != nil {
		return steps.Config{}, nil, err
	}
	cfg := steps.Config{
		Profile: profile, ReportsDir: dir, Strict: strict, Features: features, Baseline: known,
		HistoryFile: filepath.Join(reportsDir, results.HistoryFile), Commit: gitCommit(),
		Seed: seed, Tags: opts.Tags, Concurrency: concurrency,
	}
	cfg.ReportInputs = reportInputs(reportsDir, known, dialect == steps.DialectRingCentral, os.Stdout)
	return cfg, opts, nil
}

// runReportsDir is where a run of profile writes its reports: reports/ for the mock, reports/<profile>/
// for any other profile, so runs against different targets do not overwrite each other.
func runReportsDir(profile string) string {
	if profile == env.DefaultProfile {
		return reportsDir
	}
	return filepath.Join(reportsDir, profile)
}

// gitCommit is the checkout's commit, with "-dirty" when tracked files have changed, or "" outside a git
// checkout. Test binaries carry no VCS stamp, so the run asks git.
func gitCommit() string {
	out, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		return ""
	}
	commit := strings.TrimSpace(string(out))
	if status, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(bytes.TrimSpace(status)) > 0 {
		commit += "-dirty"
	}
	return commit
}

// cliSuite is the suite of a godog CLI run (`godog run` from the repository root), which calls the two
// exported initializers below instead of TestFeatures. It is run-level state, created once. The run's
// options are godog's own flags; the seed godog chose (GODOG_SEED, which the CLI sets: 0 without
// --random) is only recorded.
var cliSuite = sync.OnceValues(func() (*steps.Suite, error) {
	cfg, _, err := suiteConfig(os.Environ())
	if err != nil {
		return nil, err
	}
	cfg.Seed, _ = strconv.ParseInt(os.Getenv("GODOG_SEED"), 10, 64)
	cfg.Tags, cfg.Concurrency = "", 0
	return newSuite(cfg)
})

// InitializeTestSuite is the godog CLI's suite initializer: it loads the profile named by OAUTH_ENV and
// connects to its target; a bad profile stops the run before any scenario.
func InitializeTestSuite(ctx *godog.TestSuiteContext) {
	s, err := cliSuite()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	s.InitializeTestSuite(ctx)
}

// InitializeScenario is the godog CLI's scenario initializer: the same vocabulary as TestFeatures.
func InitializeScenario(ctx *godog.ScenarioContext) {
	s, err := cliSuite()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	s.InitializeScenario(ctx)
}
