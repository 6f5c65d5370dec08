package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rcoauth/conformance/baseline"
	"github.com/rcoauth/conformance/driver"
	"github.com/rcoauth/conformance/results"
)

// The commands read features/, env/ and baselines/ from the repository root, as `make` runs them.
func inRepositoryRoot(t *testing.T) {
	t.Helper()
	t.Chdir(filepath.Join("..", ".."))
}

func harness(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errs bytes.Buffer
	err = run(args, &out, &errs)
	return out.String(), errs.String(), err
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"deploy"}} {
		if _, _, err := harness(t, args...); !errors.Is(err, errUsage) {
			t.Errorf("harness %v = %v; want the usage", args, err)
		}
	}
	if _, _, err := harness(t, "plan", "-nope"); err == nil || !strings.Contains(err.Error(), "-nope") {
		t.Errorf("an unknown flag gave %v; want an error naming it", err)
	}
}

func TestPlan(t *testing.T) {
	inRepositoryRoot(t)
	t.Setenv("RC_CLEANUP", "none")
	out, _, err := harness(t, "plan", "-env", "production", "-all", "-users", "3", "-goal", "15m", "-top", "3")
	if err != nil {
		t.Fatalf("the nightly's plan with three users: %v\n%s", err, out)
	}
	for _, want := range []string{"Expected duration: ", "over 3 user(s)", "  1. ", "  3. ", "Within the goal of 15m0s."} {
		if !strings.Contains(out, want) {
			t.Errorf("the plan does not say %q:\n%s", want, out)
		}
	}
	if _, _, err := harness(t, "plan", "-env", "production", "-all", "-users", "1", "-goal", "1m"); err == nil || !strings.Contains(err.Error(), "exceeds the goal of 1m0s") {
		t.Errorf("a plan over its goal gave %v; want an error saying so", err)
	}
	if _, _, err := harness(t, "plan", "-env", "production", "-rate", "fast"); err == nil || !strings.Contains(err.Error(), "-rate") {
		t.Errorf("a malformed -rate gave %v; want an error naming the flag", err)
	}
	if _, _, err := harness(t, "plan", "-env", "nosuchprofile"); err == nil || !strings.Contains(err.Error(), "nosuchprofile") {
		t.Errorf("an unknown profile gave %v; want an error naming it", err)
	}
}

var started = time.Date(2026, 11, 30, 22, 0, 0, 0, time.UTC)

// exchange is a token request answered with status and body.
func exchange(status int, body string) driver.Exchange {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	return driver.Exchange{Method: "POST", URL: "https://x.test/restapi/oauth/token", Status: status, ResponseHeader: h, ResponseBody: body}
}

// writeRun writes a run of one scenario of features/refresh.feature, failed or passed, whose refresh was
// answered with body, to dir/results.json.
func writeRun(t *testing.T, dir, profile string, control bool, status, body string) {
	t.Helper()
	r := &results.Run{Profile: profile, Target: "https://platform.ringcentral.com", Control: control, Started: started,
		Counts: map[string]int{status: 1}, Scenarios: []results.Scenario{{
			Feature: "features/refresh.feature", Name: "A refresh issues a new pair of tokens in the same session", Status: status,
			Steps: []results.Step{{Text: "the app refreshes the token", Status: status, Exchanges: []driver.Exchange{exchange(400, body)}}},
		}}}
	if control {
		r.Target = "http://127.0.0.1:8910"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := results.Write(filepath.Join(dir, results.FileName), r); err != nil {
		t.Fatal(err)
	}
}

const (
	mockAnswer = `{"error":"invalid_grant","errors":[{"errorCode":"OAU-211","message":"Token revoked"}],"error_description":"Token revoked"}`
	realAnswer = `{"error":"invalid_grant","errors":[{"errorCode":"OAU-240","message":"Token is expired"}],"error_description":"Token is expired"}`
)

func TestDrift(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "drift.json")
	if _, _, err := harness(t, "drift", "-dir", dir, "-out", out); err == nil || !strings.Contains(err.Error(), "make conformance") {
		t.Errorf("no runs gave %v; want an error saying which run to make", err)
	}
	writeRun(t, dir, "mock", true, results.Passed, mockAnswer)
	if _, _, err := harness(t, "drift", "-dir", dir, "-out", out); err == nil || !strings.Contains(err.Error(), "ENV=production") {
		t.Errorf("no real-target run gave %v; want an error saying how to make one", err)
	}
	writeRun(t, filepath.Join(dir, "production"), "production", false, results.Failed, realAnswer)
	stdout, _, err := harness(t, "drift", "-dir", dir, "-out", out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "1 differences in 1 scenarios") || !strings.Contains(stdout, "OAU-211") || !strings.Contains(stdout, "OAU-240") {
		t.Errorf("the drift says:\n%s\nwant the errorCode difference", stdout)
	}
	if _, err := os.Stat(out); err != nil {
		t.Errorf("no drift report written: %v", err)
	}
}

func TestBaselineSuggestion(t *testing.T) {
	dir := t.TempDir()
	writeRun(t, dir, "production", false, results.Failed, realAnswer)
	stdout, stderr, err := harness(t, "baseline", "-results", filepath.Join(dir, results.FileName))
	if err != nil {
		t.Fatal(err)
	}
	var entries []baseline.Entry
	if err := json.Unmarshal([]byte(stdout), &entries); err != nil {
		t.Fatalf("the suggestion is not a JSON list of entries: %v\n%s", err, stdout)
	}
	if len(entries) != 1 || entries[0].Outcome != baseline.Fail || entries[0].Feature != "features/refresh.feature" || !strings.Contains(entries[0].Reason, "TODO") {
		t.Errorf("suggested %+v; want one fail entry for the scenario with a TODO reason", entries)
	}
	if !strings.Contains(stderr, "baselines/production.json") {
		t.Errorf("the instructions %q do not say where the entries go", stderr)
	}
	if _, _, err := harness(t, "baseline", "-results", filepath.Join(dir, "missing.json")); err == nil {
		t.Error("a missing results file gave no error")
	}
}

func TestSummary(t *testing.T) {
	inRepositoryRoot(t)
	dir := t.TempDir()
	stdout, _, err := harness(t, "summary", "-env", "production", "-dir", dir)
	if err != nil || !strings.Contains(stdout, "No results") {
		t.Errorf("a run that wrote nothing gave %q, %v; want a summary saying so", stdout, err)
	}
	writeRun(t, filepath.Join(dir, "production"), "production", false, results.Failed, realAnswer)
	stdout, _, err = harness(t, "summary", "-env", "production", "-dir", dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"### Conformance run against production", "**failed**", "| new failures | 1 |", "A refresh issues a new pair of tokens in the same session"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the summary does not say %q:\n%s", want, stdout)
		}
	}
}
