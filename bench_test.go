package conformance

import (
	"io"
	"testing"

	"github.com/cucumber/godog"

	"github.com/rcoauth/conformance/env"
	"github.com/rcoauth/conformance/steps"
)

// BenchmarkSuite runs the whole suite against the embedded mock, as `make conformance` does but without
// console output, and reports the time per scenario (goal, README "Development": at most 2.5 ms per
// scenario on 2 cores, the test binary prebuilt). The reports go to a temporary directory.
func BenchmarkSuite(b *testing.B) {
	profile, err := env.Load("env", "mock", nil)
	if err != nil {
		b.Fatal(err)
	}
	scenarios := 0
	for b.Loop() {
		scenarios += runWholeSuite(b, profile, b.TempDir()).Ran()
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(scenarios), "ms/scenario")
	b.ReportMetric(float64(scenarios)/float64(b.N), "scenarios/op")
}

// runWholeSuite runs every feature against the embedded mock with the profile, four scenarios at a time
// in seed-1 order, without console output and with the reports in dir, and fails b unless it passes.
func runWholeSuite(b *testing.B, profile *env.Profile, dir string) *steps.Suite {
	b.Helper()
	suite, err := newSuite(steps.Config{Profile: profile, ReportsDir: dir, Out: io.Discard, Seed: 1, Concurrency: 4})
	if err != nil {
		b.Fatal(err)
	}
	status := godog.TestSuite{
		Name:                 "bench",
		TestSuiteInitializer: suite.InitializeTestSuite,
		ScenarioInitializer:  suite.InitializeScenario,
		Options: &godog.Options{
			Format: "progress", Output: io.Discard, Paths: []string{"features"},
			Strict: true, Randomize: 1, Concurrency: 4,
		},
	}.Run()
	if status != 0 {
		b.Fatalf("the suite failed (status %d)", status)
	}
	return suite
}
