package conformance

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cucumber/godog"

	"github.com/rcoauth/conformance/env"
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
// the run fails.
func runSuite(t *testing.T, name string, cfg steps.Config, opts *godog.Options) *steps.Suite {
	t.Helper()
	suite, err := newSuite(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("profile %s, target %s, seed %d, concurrency %d, tags %q", cfg.Profile.Name(), suite.Target(), opts.Randomize, opts.Concurrency, opts.Tags)
	opts.TestingT = t
	status := godog.TestSuite{
		Name:                 name,
		TestSuiteInitializer: suite.InitializeTestSuite,
		ScenarioInitializer:  suite.InitializeScenario,
		Options:              opts,
	}.Run()
	if status != 0 {
		t.Fatalf("the conformance suite failed against %s (status %d); reports in %s/, seed %d", suite.Target(), status, cfg.ReportsDir, opts.Randomize)
	}
	if suite.Ran() == 0 {
		// godog runs nothing, successfully, for a tag expression it cannot parse (such as "@a || @b").
		t.Fatalf("no scenario ran: the tag expression %q selects none (godog's syntax: @a && @b for and, @a,@b for or, ~@a for not)", opts.Tags)
	}
	return suite
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
	// Scenarios run four at a time on the mock, where each has its own realm; one at a time on a target
	// without per-scenario state, where they share the user's five sessions and the Auth rate limit.
	concurrency := 1
	if profile.Bool("RC_MOCK_EMBEDDED") || profile.Bool("RC_MOCK_CONTROL") {
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
	if format == "" {
		format = "pretty"
	}
	strict := false
	if v := get(envStrict); v != "" {
		if strict, err = strconv.ParseBool(v); err != nil {
			return steps.Config{}, nil, fmt.Errorf("%s=%q: want true or false", envStrict, v)
		}
	}
	if err := os.MkdirAll(reportsDir, 0o755); err != nil {
		return steps.Config{}, nil, err
	}
	opts := &godog.Options{
		Format:      format + ",cucumber:" + filepath.Join(reportsDir, "cucumber.json") + ",junit:" + filepath.Join(reportsDir, "junit.xml"),
		Paths:       []string{"features"},
		Tags:        get(envTags),
		Strict:      true,
		Randomize:   seed,
		Concurrency: concurrency,
	}
	cfg := steps.Config{
		Profile: profile, ReportsDir: reportsDir, Strict: strict,
		Seed: seed, Tags: opts.Tags, Concurrency: concurrency, Commit: gitCommit(),
	}
	return cfg, opts, nil
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
