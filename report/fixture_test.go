package report

import (
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

const issued = `{"access_token":"[redacted:acce0001]","token_type":"bearer","expires_in":3599,"refresh_token":"[redacted:4ef00001]","refresh_token_expires_in":604799}`
const refreshed = `{"access_token":"[redacted:acce0002]","token_type":"bearer","expires_in":3599,"refresh_token":"[redacted:4ef00002]","refresh_token_expires_in":604799}`
const refused = `{"error":"invalid_grant","errors":[{"errorCode":"OAU-211","message":"Token revoked"}],"error_description":"Token revoked"}`

// sampleRun is a run with one scenario of every outcome and a note of every kind, and the two rows of an
// outline whose name has no placeholder, so they share it.
func sampleRun() *results.Run {
	password := "grant_type=password&username=%2B16505550100&password=[redacted:9a550001]"
	return &results.Run{
		Harness: "devel", Commit: "0123456789abcdef", Profile: "mock", Target: target, Embedded: true, Control: true,
		Kind: results.TargetMock, Dialect: "ringcentral", TagLimited: true,
		Seed: 42, Tags: "@sample", Concurrency: 4, Started: t0, Duration: 2 * time.Second,
		Counts: map[string]int{"passed": 2, "failed": 1, "warned": 1, "skipped": 1, "deviated": 1, "known": 1},
		SecretVariables: map[string]string{
			"[redacted:aaaa0001]": "RC_CLIENT_ID:RC_CLIENT_SECRET",
			"[redacted:9a550001]": "RC_PASSWORD",
		},
		Notes: []results.Note{
			{Kind: results.NoteWarning, Scenario: "Reuse of a code revokes its tokens", Feature: "features/sample.feature", Clauses: []string{"rfc6749-4.1.2"}, Message: "the first access token still works"},
			{Kind: results.NoteSkip, Scenario: "A scenario for the sandbox", Feature: "features/sample.feature", Message: "needs the mock's control API"},
			{Kind: results.NoteDeviation, Scenario: "A refresh issues new tokens", Feature: "features/sample.feature", Message: "RingCentral answered 400 OAU-232 where the mock assumes 200"},
			{Kind: results.NoteDeviation, Scenario: "A grant issues a token", Feature: "features/sample.feature", Example: "password", Message: "RingCentral answered expires_in 3600 where the mock assumes 3599"},
			{Kind: results.NoteKnown, Scenario: "A grant issues a token", Feature: "features/sample.feature", Example: "JWT bearer", Message: "the request is rejected with unauthorized_client", Baseline: "JWT is off for the test app"},
		},
		Scenarios: []results.Scenario{
			{
				Name: "A refresh issues new tokens", Feature: "features/sample.feature", Tags: []string{"@sample", "@refresh", "@rfc6749-6"},
				Clauses: []string{"rfc6749-6"}, Status: results.Passed, Started: t0, Duration: 3 * time.Millisecond,
				Flaky: []string{"/restapi/oauth/token: connection reset, retry 1 of 2"},
				Steps: []results.Step{
					{Type: "Context", Text: "the app requests a token with the password grant", Status: "passed", Exchanges: []driver.Exchange{tokenExchange(password, 200, issued)}},
					{Type: "Action", Text: "the app refreshes the token", Status: "passed", Exchanges: []driver.Exchange{tokenExchange("grant_type=refresh_token&refresh_token=[redacted:4ef00001]", 200, refreshed)}},
					{Type: "Outcome", Text: "a token is issued", Status: "passed"},
				},
				Cleanup: []driver.Exchange{revokeExchange("[redacted:acce0002]")},
			},
			{
				Name: "A replaced refresh token is refused", Feature: "features/sample.feature", Tags: []string{"@sample", "@refresh", "@rfc6749-5.2"},
				Clauses: []string{"rfc6749-5.2"}, Status: results.Failed, Started: t0, Duration: 4 * time.Millisecond,
				Steps: []results.Step{
					{Type: "Context", Text: "the app requests a token with the password grant", Status: "passed", Exchanges: []driver.Exchange{tokenExchange(password, 200, issued)}},
					{Type: "Context", Text: "the app refreshes the token", Status: "passed", Exchanges: []driver.Exchange{tokenExchange("grant_type=refresh_token&refresh_token=[redacted:4ef00001]", 200, refreshed)}},
					{Type: "Action", Text: "the app refreshes with the first refresh token", Status: "passed", Exchanges: []driver.Exchange{tokenExchange("grant_type=refresh_token&refresh_token=[redacted:4ef00001]", 400, refused)}},
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
				Name: "A grant issues a token", Feature: "features/sample.feature", Example: "password", Tags: []string{"@sample", "@grant"},
				Status: results.Deviated, Started: t0, Duration: time.Millisecond,
				Steps: []results.Step{
					{Type: "Action", Text: "the app requests a token with the password grant", Status: "passed", Exchanges: []driver.Exchange{tokenExchange(password, 200, issued)}},
					{Type: "Outcome", Text: "a token is issued", Status: "failed", Error: "expires_in is 3600; the mock assumes 3599"},
				},
			},
			{
				Name: "A grant issues a token", Feature: "features/sample.feature", Example: "JWT bearer", Tags: []string{"@sample", "@grant"},
				Status: results.Known, Started: t0, Duration: time.Millisecond,
				Steps: []results.Step{
					{Type: "Action", Text: "the app requests a token with the JWT bearer grant", Status: "passed", Exchanges: []driver.Exchange{tokenExchange("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=[redacted:a7700001]", 400, `{"error":"unauthorized_client"}`)}},
					{Type: "Outcome", Text: "a token is issued", Status: "failed", Error: "the request is rejected with unauthorized_client"},
				},
			},
			{
				Name: "Revoking the access token ends the session", Feature: "features/sample.feature", Example: "access", Tags: []string{"@sample", "@revocation", "@rfc7009-2.1"},
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

// sampleInputs are a baseline, a drift report and a history for sampleRun, in the types of the packages
// that write them.
func sampleInputs() Inputs {
	const feature = "features/sample.feature"
	return Inputs{
		Baseline: &baseline.Baseline{Profile: "mock", Entries: []baseline.Entry{
			{Feature: feature, Scenario: "A replaced refresh token is refused", Outcome: baseline.Fail, Reason: "OAU-211, not OAU-240", Recorded: "2026-11-01"},
			{Feature: feature, Scenario: "A refresh issues new tokens", Outcome: baseline.Deviation, Reason: "fixed since", Recorded: "2026-11-01"},
			{Feature: feature, Scenario: "A scenario that was renamed", Outcome: baseline.Fail, Reason: "gone", Recorded: "2026-11-01"},
			{Feature: feature, Scenario: "A grant issues a token", Example: "JWT bearer", Outcome: baseline.Fail, Reason: "JWT is off for the test app", Recorded: "2026-11-01"},
		}},
		Drift: &drift.Report{
			Mock:   drift.RunRef{Profile: "mock", Target: target, Started: t0},
			Target: drift.RunRef{Profile: "production", Target: "https://platform.ringcentral.com", Started: t0},
			Diffs:  []drift.Difference{{Scenario: "A replaced refresh token is refused", Feature: feature, Exchange: 3, Request: "POST /restapi/oauth/token", Field: "errorCode", Mock: "OAU-240", Actual: "OAU-211"}},
		},
		History: []results.HistoryLine{
			{Started: t0.Add(-24 * time.Hour), Profile: "mock", Target: target, Embedded: true, Counts: map[string]int{"passed": 5}},
			{Started: t0.Add(-time.Hour), Profile: "production", Target: "https://platform.ringcentral.com", Counts: map[string]int{"passed": 3, "failed": 1}},
		},
	}
}

// writeInputs stores in as the harness does: the baseline as profile's in baselines, the drift report and
// the history in the reports root.
func writeInputs(t *testing.T, in Inputs, profile, reports, baselines string) {
	t.Helper()
	b := *in.Baseline
	b.Profile = profile
	data, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{reports, baselines} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(baselines, profile+".json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := drift.Write(filepath.Join(reports, drift.FileName), *in.Drift); err != nil {
		t.Fatal(err)
	}
	for _, l := range in.History {
		if err := results.AppendHistory(filepath.Join(reports, results.HistoryFile), l); err != nil {
			t.Fatal(err)
		}
	}
}
