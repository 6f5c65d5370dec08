package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rcoauth/conformance/baseline"
	"github.com/rcoauth/conformance/drift"
	"github.com/rcoauth/conformance/driver"
	"github.com/rcoauth/conformance/results"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/<name>, or rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the rendering; if the change is intended, run: go test ./report -run %s -update", path, t.Name())
	}
}

const target = "http://127.0.0.1:8910"

var t0 = time.Date(2026, 11, 30, 22, 0, 0, 0, time.UTC)

// tokenExchange is a token request and its answer, as the driver records them (redacted).
func tokenExchange(body string, status int, answer string) driver.Exchange {
	return driver.Exchange{
		Time: t0, Method: "POST", URL: target + "/restapi/oauth/token",
		RequestHeader: http.Header{"Authorization": {"Basic [redacted:aaaa0001]"}, "Content-Type": {"application/x-www-form-urlencoded"}, "User-Agent": {"rcoauth-conformance-driver"}},
		RequestBody:   body, Status: status,
		ResponseHeader: http.Header{"Content-Type": {"application/json"}, "Cache-Control": {"no-store"}, "Pragma": {"no-cache"}},
		ResponseBody:   answer, Duration: 1500 * time.Microsecond,
	}
}

func revokeExchange(token string) driver.Exchange {
	return driver.Exchange{
		Time: t0, Method: "POST", URL: target + "/restapi/oauth/revoke",
		RequestHeader: http.Header{"Authorization": {"Basic [redacted:aaaa0001]"}, "Content-Type": {"application/x-www-form-urlencoded"}},
		RequestBody:   "token=" + token, Status: 200, Duration: time.Millisecond,
	}
}

const issued = `{"access_token":"[redacted:acce0001]","token_type":"bearer","expires_in":3599,"refresh_token":"[redacted:ref00001]","refresh_token_expires_in":604799}`
const refreshed = `{"access_token":"[redacted:acce0002]","token_type":"bearer","expires_in":3599,"refresh_token":"[redacted:ref00002]","refresh_token_expires_in":604799}`
const refused = `{"error":"invalid_grant","errors":[{"errorCode":"OAU-211","message":"Token revoked"}],"error_description":"Token revoked"}`

// sampleRun is a run with one scenario of every outcome and a note of every kind.
func sampleRun() *results.Run {
	password := "grant_type=password&username=%2B16505550100&password=[redacted:pass0001]"
	return &results.Run{
		Harness: "devel", Commit: "0123456789abcdef", Profile: "mock", Target: target, Embedded: true, Control: true,
		Seed: 42, Tags: "@sample", Concurrency: 4, Started: t0, Duration: 2 * time.Second,
		Counts: map[string]int{"passed": 2, "failed": 1, "warned": 1, "skipped": 1},
		SecretVariables: map[string]string{
			"[redacted:aaaa0001]": "RC_CLIENT_ID:RC_CLIENT_SECRET",
			"[redacted:pass0001]": "RC_PASSWORD",
		},
		Notes: []results.Note{
			{Kind: results.NoteWarning, Scenario: "Reuse of a code revokes its tokens", Feature: "features/sample.feature", Clauses: []string{"rfc6749-4.1.2"}, Message: "the first access token still works"},
			{Kind: results.NoteSkip, Scenario: "A scenario for the sandbox", Feature: "features/sample.feature", Message: "needs the mock's control API"},
			{Kind: results.NoteDeviation, Scenario: "A refresh issues new tokens", Feature: "features/sample.feature", Message: "RingCentral answered 400 OAU-232 where the mock assumes 200"},
		},
		Scenarios: []results.Scenario{
			{
				Name: "A refresh issues new tokens", Feature: "features/sample.feature", Tags: []string{"@sample", "@refresh", "@rfc6749-6"},
				Clauses: []string{"rfc6749-6"}, Status: results.Passed, Started: t0, Duration: 3 * time.Millisecond,
				Flaky: []string{"/restapi/oauth/token: connection reset, retry 1 of 2"},
				Steps: []results.Step{
					{Type: "Context", Text: "the app requests a token with the password grant", Status: "passed", Exchanges: []driver.Exchange{tokenExchange(password, 200, issued)}},
					{Type: "Action", Text: "the app refreshes the token", Status: "passed", Exchanges: []driver.Exchange{tokenExchange("grant_type=refresh_token&refresh_token=[redacted:ref00001]", 200, refreshed)}},
					{Type: "Outcome", Text: "a token is issued", Status: "passed"},
				},
				Cleanup: []driver.Exchange{revokeExchange("[redacted:acce0002]")},
			},
			{
				Name: "A replaced refresh token is refused", Feature: "features/sample.feature", Tags: []string{"@sample", "@refresh", "@rfc6749-5.2"},
				Clauses: []string{"rfc6749-5.2"}, Status: results.Failed, Started: t0, Duration: 4 * time.Millisecond,
				Steps: []results.Step{
					{Type: "Context", Text: "the app requests a token with the password grant", Status: "passed", Exchanges: []driver.Exchange{tokenExchange(password, 200, issued)}},
					{Type: "Context", Text: "the app refreshes the token", Status: "passed", Exchanges: []driver.Exchange{tokenExchange("grant_type=refresh_token&refresh_token=[redacted:ref00001]", 200, refreshed)}},
					{Type: "Action", Text: "the app refreshes with the first refresh token", Status: "passed", Exchanges: []driver.Exchange{tokenExchange("grant_type=refresh_token&refresh_token=[redacted:ref00001]", 400, refused)}},
					{Type: "Outcome", Text: "the request is rejected with invalid_grant OAU-240", Status: "failed", Error: "errorCode is OAU-211; want OAU-240"},
				},
			},
			{
				Name: "Reuse of a code revokes its tokens", Feature: "features/sample.feature", Tags: []string{"@sample", "@should", "@authorize", "@rfc6749-4.1.2"},
				Clauses: []string{"rfc6749-4.1.2"}, Status: results.Warned, Started: t0, Duration: 2 * time.Millisecond,
				Steps: []results.Step{{Type: "Outcome", Text: "the first access token is rejected", Status: "failed", Error: "the first access token still works"}},
			},
			{
				Name: "A scenario for the sandbox", Feature: "features/sample.feature", Tags: []string{"@sample", "@mock-only"},
				Status: results.Skipped, Started: t0,
				Steps: []results.Step{{Type: "Action", Text: "10 seconds pass", Status: "skipped", Error: "needs the mock's control API"}},
			},
			{
				Name: "Revoking the access token ends the session", Feature: "features/sample.feature", Tags: []string{"@sample", "@revocation", "@rfc7009-2.1"},
				Clauses: []string{"rfc7009-2.1"}, Status: results.Passed, Started: t0, Duration: time.Millisecond,
				Steps: []results.Step{
					{Type: "Context", Text: "the app requests a token with the password grant", Status: "passed", Exchanges: []driver.Exchange{tokenExchange(password, 200, issued)}},
					{Type: "Action", Text: "the app revokes the access token", Status: "passed", Exchanges: []driver.Exchange{revokeExchange("[redacted:acce0001]")}},
					{Type: "Outcome", Text: "the revocation succeeds", Status: "passed"},
				},
			},
		},
	}
}

// sampleInputs are a baseline, a drift report and a history for sampleRun.
func sampleInputs() Inputs {
	return Inputs{
		Baseline: &Baseline{Profile: "mock", Entries: []BaselineEntry{
			{Scenario: "A replaced refresh token is refused", Expect: "fail", Reason: "OAU-211, not OAU-240", Recorded: "2026-11-01"},
			{Scenario: "A refresh issues new tokens", Expect: "deviation", Reason: "fixed since"},
			{Scenario: "A scenario that was renamed", Expect: "fail", Reason: "gone"},
		}},
		Drift: &Drift{
			Generated: t0, Mock: RunRef{Profile: "mock", Target: target, Started: t0},
			Real:        RunRef{Profile: "production", Target: "https://platform.ringcentral.com", Started: t0},
			Differences: []DriftDifference{{Scenario: "A replaced refresh token is refused", Feature: "features/sample.feature", Exchange: 3, Step: "POST /restapi/oauth/token", Field: "errorCode", Mock: "OAU-240", Real: "OAU-211"}},
		},
		History: []HistoryEntry{
			{Time: t0.Add(-24 * time.Hour), Profile: "mock", Target: target, Embedded: true, Counts: map[string]int{"passed": 5}},
			{Time: t0.Add(-time.Hour), Profile: "production", Target: "https://platform.ringcentral.com", Counts: map[string]int{"passed": 3, "failed": 1}},
		},
	}
}

// onDisk writes in's baseline (as profile's, every entry in features/sample.feature), drift report and
// history in the formats the harness writes them (packages baseline, drift and results), which is what
// LoadBaseline, LoadDrift and LoadHistory read back.
func onDisk(in Inputs, profile string) (base, drifts, history []byte) {
	b := baseline.Baseline{Profile: profile}
	for _, e := range in.Baseline.Entries {
		recorded := e.Recorded
		if recorded == "" {
			recorded = "2026-11-01"
		}
		b.Entries = append(b.Entries, baseline.Entry{Feature: "features/sample.feature", Scenario: e.Scenario,
			Example: e.Example, Outcome: e.Expect, Reason: e.Reason, Link: e.Link, Recorded: recorded})
	}
	d := drift.Report{Mock: in.Drift.Mock, Target: in.Drift.Real}
	for _, x := range in.Drift.Differences {
		d.Diffs = append(d.Diffs, drift.Difference{Feature: x.Feature, Scenario: x.Scenario, Example: x.Example, Exchange: x.Exchange,
			Request: x.Step, Field: x.Field, Mock: x.Mock, Actual: x.Real})
	}
	var h bytes.Buffer
	for _, e := range in.History {
		line, _ := json.Marshal(results.HistoryLine{Started: e.Time, Profile: e.Profile, Target: e.Target,
			Embedded: e.Embedded, Commit: e.Commit, Counts: e.Counts, Features: e.Features})
		h.Write(append(line, '\n'))
	}
	base, _ = json.Marshal(b)
	drifts, _ = json.Marshal(d)
	return base, drifts, h.Bytes()
}
