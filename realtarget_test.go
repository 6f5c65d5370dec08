package conformance

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/joho/godotenv"

	"github.com/rcoauth/conformance/baseline"
	"github.com/rcoauth/conformance/catalog"
	"github.com/rcoauth/conformance/drift"
	"github.com/rcoauth/conformance/env"
	"github.com/rcoauth/conformance/results"
	"github.com/rcoauth/conformance/steps"
)

// The path of a run against RingCentral itself, end to end. RingCentral cannot be reached from here, so
// cmd/rcmock stands in for it, run as an external server with its control API off: the devtest profile,
// every credential from the environment as CI secrets provide them, rate limiting on over a short window,
// faults injected from the start (-faults).

// realRun configures one run along the real-target path.
type realRun struct {
	name     string
	target   string   // the standalone mock's URL
	tags     string   // the selection
	paths    []string // feature paths (file:line selects one scenario); default features/
	extra    []string // more environment, e.g. RC_AUTH_RATE=5/300ms
	omit     []string // credentials of env/mock.env not to pass
	baseline *baseline.Baseline
	reports  string // the reports root, where the drift from a mock run there is written (default: a new one)
}

// run executes r and returns its outcome; it judges nothing.
func (r realRun) run(t *testing.T) outcome {
	t.Helper()
	creds, err := godotenv.Read(filepath.Join("env", "mock.env"))
	if err != nil {
		t.Fatal(err)
	}
	environ := append(runEnviron(), "OAUTH_ENV=devtest", "RC_SERVER_URL="+r.target, "CONFORMANCE_SEED=7")
	for k, v := range creds {
		if !strings.HasPrefix(k, "RC_MOCK_") && k != "RC_SERVER_URL" && k != "RC_AUTH_RATE" && !slices.Contains(r.omit, k) {
			environ = append(environ, k+"="+v)
		}
	}
	environ = append(environ, r.extra...)
	cfg, opts, err := suiteConfig(environ)
	if err != nil {
		t.Fatal(err)
	}
	if r.reports == "" {
		r.reports = t.TempDir()
	}
	cfg.ReportsDir = filepath.Join(r.reports, r.name)
	if err := os.MkdirAll(cfg.ReportsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg.HistoryFile, cfg.Baseline = "", r.baseline
	cfg.ReportInputs = reportInputs(r.reports, r.baseline, true, testWriter{t})
	cfg.Tags, opts.Tags = r.tags, r.tags
	opts.Format = "progress"
	opts.Output = testWriter{t}
	if r.paths != nil {
		opts.Paths = r.paths
	}
	return execute(t, "real-target-"+r.name, cfg, opts)
}

// testWriter sends godog's console to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// scenarioPath is the feature path and line that select one scenario (godog's file:line).
func scenarioPath(t *testing.T, feature, name string) string {
	t.Helper()
	features, err := catalog.Load("features")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range features.Scenarios {
		if s.Feature == feature && s.Name == name {
			return fmt.Sprintf("%s:%d", s.Feature, s.Definition)
		}
	}
	t.Fatalf("no scenario %q in %s", name, feature)
	return ""
}

// TestRealTargetPacedRun runs a selection of @sandbox-safe scenarios against a target that enforces the
// Auth group's limit (5 requests per user and app in any 300 ms here): pacing keeps every request within
// the limit, the plan printed first equals the requests made, and no session is left open.
func TestRealTargetPacedRun(t *testing.T) {
	url := startStandaloneMock(t, "-control=false", "-inspect", "-rate-limit", "-rate-limit-max", "5", "-rate-limit-window", "300ms", "-rate-limit-penalty", "300ms")
	out := realRun{name: "paced", target: url, tags: "@sandbox-safe && @refresh,@revocation,@client-auth", extra: []string{"RC_AUTH_RATE=5/300ms"}}.run(t)
	if out.status != 0 {
		t.Fatalf("the run failed (status %d)", out.status)
	}
	run := out.suite.Results()
	if run.Counts[results.Passed] < 20 {
		t.Fatalf("counts %v; want at least 20 scenarios passed", run.Counts)
	}
	if n := total(run.Budgets, true); n != 0 {
		for _, sc := range run.Scenarios {
			for _, a := range sc.Auth {
				if a.Status == 429 {
					t.Logf("429: %s: %s (%+v)", sc.Feature, sc.Name, sc.Auth)
				}
			}
		}
		t.Errorf("the target answered %d request(s) with 429: pacing must keep a run within the limit", n)
	}
	if diffs := out.plan.Matches(run.Budgets); len(diffs) > 0 {
		t.Errorf("the requests made differ from the plan:\n  %s", strings.Join(diffs, "\n  "))
	}
	if n := activeSessions(t, url); n != 0 {
		t.Errorf("%d session(s) are still active after the run", n)
	}
	if out.plan.Duration <= 0 {
		t.Errorf("the plan expects no time at a pace of 5/300ms: %v", out.plan.Duration)
	}
}

// TestRealTargetFlaky injects a 503 and a reset connection into the first token requests: the harness
// retries them, the scenario passes, and run.json's results and the JUnit XML mark it flaky.
func TestRealTargetFlaky(t *testing.T) {
	faults := filepath.Join(t.TempDir(), "faults.json")
	if err := os.WriteFile(faults, []byte(`[{"path":"/restapi/oauth/token","count":1,"status":503},{"path":"/restapi/oauth/token","count":1,"kind":"reset_mid_body"}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	url := startStandaloneMock(t, "-control=false", "-faults", faults)
	out := realRun{name: "flaky", target: url, paths: []string{scenarioPath(t, "features/grants/jwt_bearer.feature", "A user's JWT credential is exchanged for tokens")},
		extra: []string{"RC_AUTH_RATE=off", "RC_RETRIES=2"}}.run(t)
	if out.status != 0 {
		t.Fatalf("the run failed (status %d); the retries should have hidden the faults", out.status)
	}
	run := out.suite.Results()
	if len(run.Scenarios) != 1 || len(run.Scenarios[0].Flaky) != 2 || run.Scenarios[0].Status != results.Passed {
		t.Fatalf("scenarios %+v; want one that passed after two retries", run.Scenarios)
	}
	for i, want := range []string{"answered 503", "cut off"} {
		if !strings.Contains(run.Scenarios[0].Flaky[i], want) {
			t.Errorf("flaky[%d] = %q; want it to say %q", i, run.Scenarios[0].Flaky[i], want)
		}
	}
	b, err := results.JUnit(run)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Cases []struct {
				Flaky []struct{} `xml:"flakyFailure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil || len(doc.Suites) != 1 || len(doc.Suites[0].Cases[0].Flaky) != 2 {
		t.Errorf("the JUnit XML does not carry two flakyFailure elements (%v):\n%s", err, b)
	}
}

// TestRealTargetDeadStopsEarly runs against a port where nothing listens: after RC_MAX_TRANSPORT_FAILURES
// failures in a row the run stops, names the target and the last error, and skips the rest at once.
func TestRealTargetDeadStopsEarly(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	l.Close()
	out := realRun{name: "dead", target: url, tags: "@sandbox-safe && @jwt-bearer",
		extra: []string{"RC_AUTH_RATE=off", "RC_RETRIES=0", "RC_MAX_TRANSPORT_FAILURES=3", "RC_HTTP_TIMEOUT=2s"}}.run(t)
	err = out.suite.Stopped()
	if err == nil || !strings.Contains(err.Error(), url) || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("Stopped() = %v; want the early stop naming %s and the connection refused", err, url)
	}
	run := out.suite.Results()
	if run.Stopped == "" || run.Counts[results.Skipped] == 0 || out.status == 0 {
		t.Errorf("stopped %q, counts %v, status %d; want the rest skipped and the run failed", run.Stopped, run.Counts, out.status)
	}
	// Stopping early means no request after the stop: only the scenarios that met the consecutive failures
	// (at most RC_MAX_TRANSPORT_FAILURES, plus those already under way beside them) sent any; a count, not
	// a wall-clock bound, so the test does not depend on the machine's speed.
	sent := 0
	for _, sc := range run.Scenarios {
		for _, st := range sc.Steps {
			if len(st.Exchanges) > 0 {
				sent++
				break
			}
		}
	}
	if limit := 3 + run.Concurrency; sent == 0 || sent > limit || sent == len(run.Scenarios) {
		t.Errorf("%d of %d scenarios sent requests to the dead target; want at most %d, the rest not run", sent, len(run.Scenarios), limit)
	}
}

// TestRealTargetBaseline plants a difference (the mock answers an unknown grant_type as RingCentral's
// specification text says, where the scenario asserts the RFC's code) and checks each rule of the
// baseline: listed, the failure is known and the run passes; not listed, it is a new failure; an entry for
// a scenario that passes is stale; an entry that names no scenario is unmatched.
func TestRealTargetBaseline(t *testing.T) {
	url := startStandaloneMock(t, "-control=false", "-unknown-grant-error", "ringcentral-text")
	failing := scenarioPath(t, "features/negatives.feature", "A grant type the server does not know is unsupported")
	passing := scenarioPath(t, "features/revocation.feature", "Revoking an unknown token succeeds")
	entry := func(feature, scenario, outcome string) baseline.Entry {
		return baseline.Entry{Feature: feature, Scenario: scenario, Outcome: outcome, Reason: "test", Recorded: "2026-12-01"}
	}
	known := &baseline.Baseline{Profile: "devtest", Entries: []baseline.Entry{
		entry("features/negatives.feature", "A grant type the server does not know is unsupported", baseline.Fail),
		entry("features/revocation.feature", "Revoking an unknown token succeeds", baseline.Fail),
		entry("features/revocation.feature", "A scenario that was renamed", baseline.Fail),
	}}
	withBaseline := realRun{name: "baseline", target: url, paths: []string{failing, passing}, extra: []string{"RC_AUTH_RATE=off"}, baseline: known}.run(t)
	review := withBaseline.suite.Review()
	run := withBaseline.suite.Results()
	if run.Counts[results.Known] != 4 || len(review.NewFailures) != 0 || review.Expected != 4 {
		t.Errorf("with the baseline: counts %v, review %+v; want the four rows known and expected", run.Counts, review)
	}
	if len(review.Stale) != 1 || review.Stale[0].Scenario != "Revoking an unknown token succeeds" {
		t.Errorf("stale %v; want the entry of the passing scenario", review.Stale)
	}
	if len(review.Unmatched) != 1 || review.Unmatched[0].Scenario != "A scenario that was renamed" {
		t.Errorf("unmatched %v; want the entry that names no scenario", review.Unmatched)
	}
	if review.OK() {
		t.Error("the review passes despite a stale and an unmatched entry")
	}
	if withBaseline.status != 0 {
		t.Errorf("godog status %d with every failure known; want 0", withBaseline.status)
	}

	without := realRun{name: "no-baseline", target: url, paths: []string{failing}, extra: []string{"RC_AUTH_RATE=5/300ms"}}.run(t)
	if r := without.suite.Review(); len(r.NewFailures) != 4 || r.OK() {
		t.Errorf("without a baseline: review %+v; want four new failures", r)
	}
	if entries := baseline.Suggest(without.suite.Results(), time.Now()); len(entries) != 4 || entries[0].Outcome != baseline.Fail {
		t.Errorf("suggested %+v; want four ready-to-paste fail entries", entries)
	}
}

// TestRealTargetAliases runs with the official SDKs' variable names instead of the harness's.
func TestRealTargetAliases(t *testing.T) {
	url := startStandaloneMock(t, "-control=false")
	creds, err := godotenv.Read(filepath.Join("env", "mock.env"))
	if err != nil {
		t.Fatal(err)
	}
	extra, omit := []string{"RC_AUTH_RATE=off"}, []string{}
	for alias, name := range map[string]string{"RINGCENTRAL_CLIENT_ID": "RC_CLIENT_ID", "RINGCENTRAL_CLIENT_SECRET": "RC_CLIENT_SECRET", "RINGCENTRAL_JWT_TOKEN": "RC_JWT"} {
		extra, omit = append(extra, alias+"="+creds[name]), append(omit, name)
	}
	out := realRun{name: "aliases", target: url, paths: []string{scenarioPath(t, "features/grants/jwt_bearer.feature", "A user's JWT credential is exchanged for tokens")}, extra: extra, omit: omit}.run(t)
	if out.status != 0 || out.suite.Results().Counts[results.Passed] != 1 {
		t.Errorf("status %d, counts %v; want the scenario passed with the SDKs' names", out.status, out.suite.Results().Counts)
	}
	_, _, err = suiteConfig(append(runEnviron(), "OAUTH_ENV=devtest", "RINGCENTRAL_CLIENT_ID=one", "RC_CLIENT_ID=two"))
	if err == nil || !strings.Contains(err.Error(), "RINGCENTRAL_CLIENT_ID and RC_CLIENT_ID") {
		t.Errorf("two names with different values: %v; want an error naming both", err)
	}
}

// TestRealTargetDrift runs one scenario on the embedded mock and then on a standalone mock whose
// revocation answer has a planted body, and finds the difference in the drift report the run writes to
// the reports root and in the run's report, written after it.
func TestRealTargetDrift(t *testing.T) {
	scenario := scenarioPath(t, "features/revocation.feature", "Revoking an unknown token succeeds")
	faults := filepath.Join(t.TempDir(), "faults.json")
	if err := os.WriteFile(faults, []byte(`[{"path":"/restapi/oauth/revoke","count":1,"status":200,"body":"{\"revoked\":true}","content_type":"application/json"}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	url := startStandaloneMock(t, "-control=false", "-faults", faults)
	root := t.TempDir()

	cfg, opts, err := suiteConfig(append(runEnviron(), "OAUTH_ENV=mock", "CONFORMANCE_SEED=7"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.ReportsDir, cfg.HistoryFile, cfg.ReportInputs = root, "", nil
	opts.Paths, opts.Format, opts.Output = []string{scenario}, "progress", testWriter{t}
	mock := execute(t, "drift-mock", cfg, opts)
	target := realRun{name: "drift", target: url, paths: []string{scenario}, extra: []string{"RC_AUTH_RATE=5/300ms"}, reports: root}.run(t)
	if mock.status != 0 || target.status != 0 {
		t.Fatalf("status: mock %d, standalone %d; want both runs to pass", mock.status, target.status)
	}
	var r drift.Report
	if b, err := os.ReadFile(filepath.Join(root, drift.FileName)); err != nil || json.Unmarshal(b, &r) != nil {
		t.Fatalf("the run wrote no drift report to the reports root: %v", err)
	}
	found := false
	for _, d := range r.Diffs {
		found = found || (d.Field == "shape" && strings.Contains(d.Actual, "revoked: boolean") && d.Mock == "empty")
	}
	if r.Scenarios != 1 || !found {
		t.Errorf("drift %+v; want a shape difference naming the planted field", r)
	}
	page, err := os.ReadFile(filepath.Join(root, "drift", "report-devtest.html"))
	if err != nil || !strings.Contains(string(page), "revoked: boolean") {
		t.Errorf("the run's report does not show the drift (%v); want it computed before the report is written", err)
	}
}

// TestPlanAttribution checks how a plan attributes a scenario's requests when it assigns the scenario to
// another test user than the dry run's: by the credential each request presented.
func TestPlanAttribution(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "p.env"), []byte("RC_JWT=a\nRC_JWT_2=b\nRC_USERNAME=u\nRC_USERNAME_2=v\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := env.Load(dir, "p", nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		cred      string
		user, got int
	}{
		{"-", 2, 0}, {"", 2, 2}, {"RC_JWT", 2, 2}, {"RC_IVR_PIN", 2, 1}, {"RC_IVR_PIN", 1, 1},
	}
	for _, tt := range tests {
		if got := attribute(results.AuthRequest{Cred: tt.cred}, tt.user, p); got != tt.got {
			t.Errorf("attribute(cred %q, user %d) = %d; want %d", tt.cred, tt.user, got, tt.got)
		}
	}
	plan := &Plan{Rate: steps.AuthRate{Requests: 5, Window: time.Minute}, Users: 2, Assign: map[string]int{}}
	scenarios := []results.Scenario{}
	for i := range 4 {
		scenarios = append(scenarios, results.Scenario{Feature: "f", Name: fmt.Sprint(i), Auth: []results.AuthRequest{{App: "app"}, {App: "app", Cred: "RC_IVR_PIN"}}})
	}
	plan.schedule(scenarios, p)
	// Each scenario makes one request as its user and one with the IVR PIN only user 1 has: run as user 2,
	// it spends one request of each user's budget, run as user 1 two of user 1's; so all go to user 2.
	got := map[string]int{}
	for _, b := range plan.Budgets {
		got[fmt.Sprintf("%d/%s", b.User, b.App)] = b.Requests
	}
	if got["1/app"] != 4 || got["2/app"] != 4 {
		t.Errorf("budgets %v; want 4 requests on each user's budget", got)
	}
	for k, u := range plan.Assign {
		if u != 2 {
			t.Errorf("scenario %q assigned to user %d; want user 2, which keeps user 1's budget from doubling", k, u)
		}
	}
}

// TestReportInputsReadTheRoot checks that the report of a run of any profile, whose reports go to
// reports/<profile>/, reads the one history and the one drift report in the reports root.
func TestReportInputsReadTheRoot(t *testing.T) {
	root := t.TempDir()
	line := results.HistoryLine{Started: time.Date(2026, 12, 1, 3, 17, 0, 0, time.UTC), Profile: "local", Target: "http://127.0.0.1:8910", Counts: map[string]int{"passed": 1}}
	if err := results.AppendHistory(filepath.Join(root, results.HistoryFile), line); err != nil {
		t.Fatal(err)
	}
	if err := drift.Write(filepath.Join(root, drift.FileName), drift.Report{Target: drift.RunRef{Profile: "local"}}); err != nil {
		t.Fatal(err)
	}
	in, err := reportInputs(root, nil, false, io.Discard)(&results.Run{Profile: "local", Target: line.Target})
	if err != nil || len(in.History) != 1 || in.Drift == nil || in.Drift.Target.Profile != "local" {
		t.Errorf("the inputs of a local run are %+v, %v; want the root's history line and drift report", in, err)
	}
}

// TestPlanEndsFirst checks that a plan gives each scenario to the test user with which it ends first. The
// second scenario below makes as many requests on either user's busiest budget, so evening out request
// counts cannot choose; run as user 1 its first request waits a spacing (12 s) behind the first scenario's, run as
// user 2 nothing waits.
func TestPlanEndsFirst(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "p.env"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := env.Load(dir, "p", nil)
	if err != nil {
		t.Fatal(err)
	}
	plan := &Plan{Rate: steps.AuthRate{Requests: 5, Window: time.Minute}, Users: 2, Assign: map[string]int{}}
	plan.schedule([]results.Scenario{
		{Feature: "f", Name: "one", Auth: []results.AuthRequest{{App: "x"}}},
		{Feature: "f", Name: "three", Auth: []results.AuthRequest{{App: "x"}, {App: "y"}, {App: "y"}}},
	}, p)
	if plan.Duration != plan.Rate.Spacing() || plan.Assign[PlanKey("f", "one", "")] != 1 || plan.Assign[PlanKey("f", "three", "")] != 2 {
		t.Errorf("schedule: %v, users %v; want one spacing with the scenarios on users 1 and 2", plan.Duration, plan.Assign)
	}
}
