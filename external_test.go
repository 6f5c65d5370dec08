package conformance

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/joho/godotenv"

	"github.com/rcoauth/conformance/steps"
)

// TestFeaturesStandaloneMock runs the suite against cmd/rcmock started as a separate process, through the
// `local` profile (README "Profiles"): every scenario must pass or be skipped with its reason.
//
// The mock runs with -introspection, so this is the run where the @introspection scenarios run against the
// mock, "An expired access token is inactive" (which needs the mock's clock) among them; the suite finds the
// endpoint in the mock's discovery document, as it would on any target. It costs eight scenarios. The default
// embedded run (make conformance) keeps the option off: its report is the mock as faithful to today's API,
// where those scenarios are skipped with the reason, as they are against RingCentral.
func TestFeaturesStandaloneMock(t *testing.T) {
	url := startStandaloneMock(t, "-introspection")
	environ := append(runEnviron(), "OAUTH_ENV=local", "RC_SERVER_URL="+url)
	runSuiteAgainst(t, environ, "standalone", 4, false)
}

// TestFeaturesSandboxPath exercises the path a run against the RingCentral sandbox takes: the devtest
// profile, every credential from the process environment (as CI secrets provide them), and a target
// without the mock's control API — here cmd/rcmock with -control=false, since the sandbox cannot be
// reached from CI. Scenarios that need the mock are skipped with their reason; none may fail. It runs one
// scenario at a time, as README recommends for real targets, because they share the user's five sessions.
// Afterwards no session a scenario opened may still be active: each scenario's cleanup must have revoked
// them all (read through the mock's read-only -inspect state, which the harness never sees).
//
// The standalone mock answers an unknown grant_type as RingCentral's specification text says, so the
// committed devtest baseline (baselines/devtest.json) meets the failure it expects.
func TestFeaturesSandboxPath(t *testing.T) {
	url := startStandaloneMock(t, "-control=false", "-inspect", "-unknown-grant-error", "ringcentral-text")
	creds, err := godotenv.Read(filepath.Join("env", "mock.env"))
	if err != nil {
		t.Fatal(err)
	}
	environ := append(runEnviron(), "OAUTH_ENV=devtest", "RC_SERVER_URL="+url, "RC_AUTH_RATE=off")
	for k, v := range creds {
		if strings.HasPrefix(k, "RC_MOCK_") || k == "RC_SERVER_URL" {
			continue
		}
		environ = append(environ, k+"="+v)
	}
	runSuiteAgainst(t, environ, "sandbox-path", 1, true)
	if n := activeSessions(t, url); n != 0 {
		t.Errorf("%d session(s) opened by the run are still active on the target; every scenario must revoke its sessions with their newest tokens", n)
	}
}

// activeSessions reads the number of active sessions in the standalone mock's shared realm (the one a
// target without the control API puts every request in).
func activeSessions(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url + "/__mock/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var state map[string]int
	if err := json.NewDecoder(resp.Body).Decode(&state); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /__mock/state: %d, %v", resp.StatusCode, err)
	}
	n, ok := state["active_sessions"]
	if !ok {
		t.Fatalf("GET /__mock/state answered %v without active_sessions", state)
	}
	return n
}

// runEnviron is the process environment without profile variables, so that only what a test sets
// reaches the profile loader (run options such as GODOG_TAGS pass through).
func runEnviron() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "RC_") || strings.HasPrefix(k, "OAUTH_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// runSuiteAgainst runs the suite with environ and checks run.json: no failures, and skips only when
// expected.
func runSuiteAgainst(t *testing.T, environ []string, name string, concurrency int, wantSkips bool) {
	t.Helper()
	cfg, opts, err := suiteConfig(environ)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ReportsDir = filepath.Join(reportsDir, name)
	cfg.Concurrency, opts.Concurrency = concurrency, concurrency
	cfg.HistoryFile = ""
	opts.Format = "progress,cucumber:" + filepath.Join(cfg.ReportsDir, "cucumber.json")
	if err := os.MkdirAll(cfg.ReportsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	runSuite(t, "ringcentral-oauth-"+name, cfg, opts)
	b, err := os.ReadFile(filepath.Join(cfg.ReportsDir, "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	var run struct {
		Counts map[string]int `json:"counts"`
		Notes  []steps.Note   `json:"notes"`
	}
	if err := json.Unmarshal(b, &run); err != nil {
		t.Fatal(err)
	}
	if run.Counts["failed"] != 0 {
		t.Errorf("%d scenario(s) failed", run.Counts["failed"])
	}
	if wantSkips && run.Counts["skipped"] == 0 && opts.Tags == "" {
		t.Errorf("no scenario was skipped against a target without the control API; @mock-only scenarios should have been")
	}
	for _, n := range run.Notes {
		if n.Kind == "skip" && n.Message == "" {
			t.Errorf("scenario %q was skipped without a reason", n.Scenario)
		}
	}
}

// startStandaloneMock builds cmd/rcmock, starts it on an ephemeral port with args, waits for its
// "listening" line and stops it with SIGINT when the test ends.
func startStandaloneMock(t *testing.T, args ...string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and starts cmd/rcmock")
	}
	bin := filepath.Join(t.TempDir(), "rcmock")
	build := exec.Command("go", "build", "-o", bin, "./cmd/rcmock")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building cmd/rcmock: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("cmd/rcmock did not stop cleanly: %v", err)
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("cmd/rcmock did not stop within 10s of SIGINT")
		}
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		done <- cmd.Wait()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	select {
	case line, ok := <-lines:
		url, found := strings.CutPrefix(line, "rcmock listening on ")
		if !ok || !found {
			t.Fatalf("cmd/rcmock printed %q; want its listening line", line)
		}
		return url
	case <-ctx.Done():
		t.Fatal(fmt.Errorf("cmd/rcmock did not report listening within 30s"))
	}
	return ""
}
