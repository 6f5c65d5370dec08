package conformance

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cucumber/godog"

	"github.com/rcoauth/conformance/baseline"
	"github.com/rcoauth/conformance/env"
	"github.com/rcoauth/conformance/report"
	"github.com/rcoauth/conformance/results"
	"github.com/rcoauth/conformance/steps"
)

// featureRun is the outcome of running one inline feature against the embedded mock.
type featureRun struct {
	status  int
	console string
	run     *results.Run
	dir     string // the run's reports directory
}

// runFeature runs feature (Gherkin text) against the embedded mock with the console formatter format,
// strict, with the harness's own suite, and returns godog's status, the console and the run's results.
func runFeature(t *testing.T, feature, format string, strict bool) featureRun {
	t.Helper()
	return runFeatureWith(t, feature, format, strict, nil)
}

// runFeatureWith is runFeature with the suite's configuration changed by configure first (nil: none).
func runFeatureWith(t *testing.T, feature, format string, strict bool, configure func(*steps.Config)) featureRun {
	t.Helper()
	profile, err := env.Load("env", "mock", nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var console bytes.Buffer
	cfg := steps.Config{Profile: profile, ReportsDir: dir, Strict: strict, Out: &console, Seed: 1, Concurrency: 1}
	if configure != nil {
		configure(&cfg)
	}
	suite, err := newSuite(cfg)
	if err != nil {
		t.Fatal(err)
	}
	status := godog.TestSuite{
		Name:                 "harness",
		TestSuiteInitializer: suite.InitializeTestSuite,
		ScenarioInitializer:  suite.InitializeScenario,
		Options: &godog.Options{
			Format: format, Output: &console, Strict: true, NoColors: true,
			FeatureContents: []godog.Feature{{Name: "harness.feature", Contents: []byte(feature)}},
		},
	}.Run()
	run, err := results.Read(filepath.Join(dir, results.FileName))
	if err != nil {
		t.Fatal(err)
	}
	return featureRun{status: status, console: console.String(), run: run, dir: dir}
}

// scenario returns the named scenario's record.
func (f featureRun) scenario(t *testing.T, name string) results.Scenario {
	t.Helper()
	for _, s := range f.run.Scenarios {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no scenario %q in the run; console:\n%s", name, f.console)
	return results.Scenario{}
}

// TestThenStepsKeepWhatSentencesReferTo checks that a Then step that makes exchanges of its own (an API
// call, a refresh attempt) does not change what a later sentence calls "the token response" or "the
// request".
func TestThenStepsKeepWhatSentencesReferTo(t *testing.T) {
	f := runFeature(t, `Feature: what sentences refer to
  Scenario: The token response outlives an API check
    When the app requests a token with the password grant and access_token_ttl 600
    Then the access token works
    And the access token lifetime is 600 seconds
    And the response field "token_type" equals "bearer"

  Scenario: The revocation outlives the check that the session is gone
    Given the app requests a token with the password grant
    When the app revokes the access token
    Then the session is revoked
    And the revocation succeeds

  Scenario: A rejection outlives an API check of an earlier token
    Given the app requests a token with the password grant
    When the app requests a token with the password grant and password "not-the-password"
    Then the first access token works
    And the request is rejected with invalid_grant OAU-140
`, "progress", false)
	if f.status != 0 {
		t.Fatalf("status %d; want 0\n%s", f.status, f.console)
	}
	if f.run.Counts[results.Passed] != 3 {
		t.Errorf("counts %v; want 3 passed\n%s", f.run.Counts, f.console)
	}
}

// TestShouldWarnsOnlyForItsAssertion checks the severity rules end to end: in a @should scenario a
// failed Then step is a warning, and a failed Given or When step (the setup) is a failure.
func TestShouldWarnsOnlyForItsAssertion(t *testing.T) {
	t.Run("a failed assertion warns", func(t *testing.T) {
		f := runFeature(t, `Feature: severity
  @should @rfc6749-5.1
  Scenario: A SHOULD that is not met
    When the app requests a token with the password grant
    Then the request is rejected with invalid_request
`, "progress", false)
		if f.status != 0 || f.scenario(t, "A SHOULD that is not met").Status != results.Warned {
			t.Errorf("status %d, counts %v; want a warning and a passing run\n%s", f.status, f.run.Counts, f.console)
		}
	})
	t.Run("a failed setup fails", func(t *testing.T) {
		f := runFeature(t, `Feature: severity
  @should @rfc6749-5.1
  Scenario: A SHOULD whose setup fails
    Given the app requests a token with the password grant and password "not-the-password"
    And a token is issued
    When the app refreshes the token
    Then the token response has a refresh token
`, "progress", false)
		if f.status == 0 || f.scenario(t, "A SHOULD whose setup fails").Status != results.Failed {
			t.Errorf("status %d, counts %v; want a failure\n%s", f.status, f.run.Counts, f.console)
		}
	})
}

// TestConsoleShowsTheStepFunction checks that godog's pretty console names, for every step, the file and
// line in steps/ that defines it, not a wrapper.
func TestConsoleShowsTheStepFunction(t *testing.T) {
	f := runFeature(t, `Feature: locations
  Scenario: A token
    When the app requests a token with the password grant
    Then a token is issued
`, "pretty", false)
	for _, bad := range []string{"world.go", "makeFuncStub", "vocabulary.go"} {
		if strings.Contains(f.console, bad) {
			t.Errorf("the console names %s:\n%s", bad, f.console)
		}
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`When the app requests a token with the password grant\s+# token\.go:\d+ -> `),
		regexp.MustCompile(`Then a token is issued\s+# response\.go:\d+ -> `),
	} {
		if !want.MatchString(f.console) {
			t.Errorf("the console does not match %s:\n%s", want, f.console)
		}
	}
}

// TestGodogCLI runs the suite through the godog CLI from the repository root, as a QA engineer would:
// plain, and with the flags people add. The CLI sets GODOG_SEED itself (0 without --random), so the
// harness must not read that name as its own option. Every invocation must pass.
func TestGodogCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the godog CLI")
	}
	for _, args := range [][]string{
		{},
		{"--random"},
		{"--tags", "@password"},
		{"--format", "progress"},
		{"--strict"},
	} {
		t.Run(strings.Join(append([]string{"godog", "run"}, args...), " "), func(t *testing.T) {
			cmd := exec.Command("go", append([]string{"tool", "godog", "run"}, args...)...)
			cmd.Env = append(runEnviron(), "OAUTH_ENV=mock", "GODOG_SEED=")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%v\n%s", err, tail(string(out), 40))
			}
			plain := regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAll(out, nil)
			if !regexp.MustCompile(`\d+ scenarios \(\d+ passed\)`).Match(plain) {
				t.Errorf("no passing scenario summary:\n%s", tail(string(out), 40))
			}
		})
	}
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// TestLayering keeps the data flow of STYLE.md one-directional: steps/ speaks to its target over HTTP
// only and never imports the mock; the driver, the profiles and the results never import the steps; the
// mock never imports the harness.
func TestLayering(t *testing.T) {
	const mod = "github.com/rcoauth/conformance/"
	forbidden := map[string][]string{
		"steps":   {"rcmock", "cmd/rcmock"},
		"driver":  {"steps", "rcmock", "env", "results"},
		"env":     {"steps", "rcmock", "driver"},
		"results": {"steps", "rcmock"},
		"report":  {"steps", "rcmock", "env"},
		"rcmock":  {"steps", "driver", "env", "results", "jsoncheck", "openapi"},
	}
	for pkg, banned := range forbidden {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "./"+pkg).Output()
		if err != nil {
			t.Fatalf("go list ./%s: %v", pkg, err)
		}
		deps := strings.Fields(string(out))
		for _, b := range banned {
			if slices.Contains(deps, mod+b) {
				t.Errorf("%s imports %s (directly or not); the harness's layers must not", pkg, b)
			}
		}
	}
}

// TestSummaryNamesWhatExists checks the end of the console: a profile without a baseline file gets no
// baseline line, and the report is named once, by its full path.
func TestSummaryNamesWhatExists(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "mock.json")
	known, err := baseline.Load(missing, "mock")
	if err != nil {
		t.Fatal(err)
	}
	f := runFeatureWith(t, `Feature: the summary
  Scenario: A token is issued
    When the app requests a token with the password grant
    Then a token is issued
`, "progress", false, func(cfg *steps.Config) { cfg.Baseline = known })
	if strings.Contains(f.console, "Baseline ") {
		t.Errorf("the console names a baseline, but %s does not exist:\n%s", missing, tail(f.console, 5))
	}
	page, err := filepath.Abs(filepath.Join(f.dir, report.FileName("mock")))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(f.console, "The report: "); n != 1 || !strings.Contains(f.console, "The report: "+page+"\n") {
		t.Errorf("the console names the report %d times; want once, as %s:\n%s", n, page, tail(f.console, 5))
	}
}
