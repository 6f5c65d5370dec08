package drift

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rcoauth/conformance/driver"
	"github.com/rcoauth/conformance/results"
)

func exchange(status int, body string, header ...string) driver.Exchange {
	h := http.Header{"Content-Type": {"application/json"}, "Cache-Control": {"no-store"}}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	return driver.Exchange{Method: "POST", URL: "https://x.test/restapi/oauth/token", Status: status, ResponseHeader: h, ResponseBody: body}
}

func run(profile string, control bool, xs ...driver.Exchange) *results.Run {
	return &results.Run{Profile: profile, Control: control, Scenarios: []results.Scenario{{
		Feature: "features/a.feature", Name: "s", Status: results.Passed,
		Steps: []results.Step{{Text: "a step", Exchanges: xs}},
	}}}
}

func TestCompare(t *testing.T) {
	token := `{"access_token":"[redacted:aa]","expires_in":3599,"token_type":"bearer"}`
	refusal := `{"error":"invalid_grant","errors":[{"errorCode":"OAU-140","message":"Invalid"}],"error_description":"Invalid"}`
	tests := []struct {
		name       string
		mock, real driver.Exchange
		want       []string // fields that differ
	}{
		{"the same answer with other values", exchange(200, token), exchange(200, `{"access_token":"[redacted:bb]","expires_in":3000,"token_type":"bearer"}`), nil},
		{"another status", exchange(200, token), exchange(401, token), []string{"status"}},
		{"another errorCode", exchange(400, refusal), exchange(400, strings.Replace(refusal, "OAU-140", "OAU-123", 1)), []string{"errorCode"}},
		{"another error", exchange(400, refusal), exchange(400, strings.Replace(refusal, "invalid_grant", "invalid_request", 1)), []string{"error"}},
		{"a header that matters", exchange(200, token), exchange(200, token, "Cache-Control", "max-age=60"), []string{"header Cache-Control"}},
		{"a rate-limit header's number does not matter", exchange(200, token, "X-Rate-Limit-Limit", "5"), exchange(200, token, "X-Rate-Limit-Limit", "10"), nil},
		{"a field more", exchange(200, token), exchange(200, strings.Replace(token, "{", `{"owner_id":"1",`, 1)), []string{"shape"}},
		{"a field of another type", exchange(200, token), exchange(200, strings.Replace(token, "3599", `"3599"`, 1)), []string{"shape"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Compare(run("mock", true, tt.mock), run("production", false, tt.real))
			var got []string
			for _, d := range r.Diffs {
				got = append(got, d.Field)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("differences %v; want %v", r.Diffs, tt.want)
			}
			if r.Scenarios != 1 || r.Exchanges != 1 {
				t.Errorf("compared %d scenarios, %d exchanges; want 1, 1", r.Scenarios, r.Exchanges)
			}
		})
	}
	t.Run("another path stops the comparison", func(t *testing.T) {
		other := exchange(200, token)
		other.URL = "https://x.test/restapi/oauth/revoke"
		r := Compare(run("mock", true, exchange(200, token), exchange(200, token)), run("production", false, other, exchange(401, token)))
		if len(r.Diffs) != 1 || r.Diffs[0].Field != "sequence" {
			t.Errorf("differences %v; want one sequence difference", r.Diffs)
		}
	})
	t.Run("a failed scenario's exchanges are compared up to the failure", func(t *testing.T) {
		real := run("production", false, exchange(401, token))
		real.Scenarios[0].Status = results.Failed
		r := Compare(run("mock", true, exchange(200, token), exchange(200, token)), real)
		if r.Scenarios != 1 || len(r.Diffs) != 1 || r.Diffs[0].Field != "status" {
			t.Errorf("compared %d scenarios with %v; want the status difference and no sequence difference", r.Scenarios, r.Diffs)
		}
	})
	t.Run("a skipped scenario is not compared", func(t *testing.T) {
		real := run("production", false, exchange(401, token))
		real.Scenarios[0].Status = results.Skipped
		if r := Compare(run("mock", true, exchange(200, token)), real); r.Scenarios != 0 || len(r.Diffs) != 0 {
			t.Errorf("compared %d scenarios with %v; want none", r.Scenarios, r.Diffs)
		}
	})
}

func TestShape(t *testing.T) {
	if got, want := Shape(`{"a":1,"b":[{"c":"x"},{"c":"y","d":true}],"e":null}`), "{a: number; b: array; b[].c: string; b[].d: boolean; b[]: object; e: null; object}"; got != want {
		t.Errorf("Shape = %s; want %s", got, want)
	}
	for body, want := range map[string]string{"": "empty", "<html>": "not JSON"} {
		if got := Shape(body); got != want {
			t.Errorf("Shape(%q) = %s; want %s", body, got, want)
		}
	}
}

// TestLatestTakesRingCentralRuns checks that drift's runs are the latest of RingCentral's dialect: a later
// run against a server of another dialect (the rfc profile's node-oidc-provider) is no real target to
// compare with the mock, while a record that kept no dialect counts as RingCentral's.
func TestLatestTakesRingCentralRuns(t *testing.T) {
	dir := t.TempDir()
	day := time.Date(2026, 12, 1, 3, 17, 0, 0, time.UTC)
	for i, r := range []*results.Run{
		{Profile: "mock", Control: true, Dialect: RingCentral, Started: day},
		{Profile: "production", Dialect: RingCentral, Started: day.Add(time.Hour)},
		{Profile: "old", Started: day.Add(2 * time.Hour)},
		{Profile: "oidc-provider", Dialect: "rfc", Started: day.Add(3 * time.Hour)},
	} {
		sub := filepath.Join(dir, fmt.Sprint(i))
		if err := os.Mkdir(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := results.Write(filepath.Join(sub, results.FileName), r); err != nil {
			t.Fatal(err)
		}
	}
	mock, target, err := Latest(dir, RingCentral)
	if err != nil || mock == nil || mock.Profile != "mock" || target == nil || target.Profile != "old" {
		t.Errorf("Latest(RingCentral) = %+v, %+v, %v; want the mock and the run of profile old", mock, target, err)
	}
	if _, target, err = Latest(dir, ""); err != nil || target == nil || target.Profile != "oidc-provider" {
		t.Errorf("Latest(any) target = %+v, %v; want the oidc-provider run", target, err)
	}
}
