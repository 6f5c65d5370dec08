package results

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func sampleRun() *Run {
	f := "features/a.feature"
	return &Run{
		Profile: "production", Target: "https://platform.ringcentral.com", Duration: 3 * time.Second,
		Scenarios: []Scenario{
			{Feature: f, Name: "passes", Status: Passed},
			{Feature: f, Name: "passes after a retry", Status: Passed, Flaky: []string{"/restapi/oauth/token answered 503, retry 1 of 2"}},
			{Feature: f, Name: "fails", Status: Failed, Flaky: []string{"/restapi/oauth/token: connection reset, retry 1 of 2"},
				Steps: []Step{{Type: "Outcome", Text: "a token is issued", Status: "failed", Error: "status 400; want 200\nreceived: …"}}},
			{Feature: f, Name: "warns", Status: Warned},
			{Feature: f, Name: "deviates", Example: "7200 | 3600", Status: Deviated},
			{Feature: f, Name: "is known", Status: Known},
			{Feature: "features/b.feature", Name: "skips", Status: Skipped},
		},
		Notes: []Note{
			{Kind: NoteWarning, Feature: f, Scenario: "warns", Message: "no Bearer challenge"},
			{Kind: NoteDeviation, Feature: f, Scenario: "deviates", Example: "7200 | 3600", Message: "status 400; want 200"},
			{Kind: NoteKnown, Feature: f, Scenario: "is known", Message: "status 401; want 200", Baseline: "OAU-999 in production"},
			{Kind: NoteSkip, Feature: "features/b.feature", Scenario: "skips", Message: "profile does not set RC_PARTNER_JWT"},
		},
	}
}

func TestJUnit(t *testing.T) {
	b, err := JUnit(sampleRun())
	if err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, b)
	}
	if doc.Tests != 7 || doc.Failures != 1 || doc.Skipped != 4 || len(doc.Suites) != 2 {
		t.Fatalf("tests %d, failures %d, skipped %d, suites %d; want 7, 1, 4, 2\n%s", doc.Tests, doc.Failures, doc.Skipped, len(doc.Suites), b)
	}
	cases := map[string]junitCase{}
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			cases[c.Name] = c
		}
	}
	if c := cases["passes after a retry"]; len(c.Flaky) != 1 || c.Failure != nil || c.Skipped != nil {
		t.Errorf("a flaky pass: %+v; want one flakyFailure and no failure", c)
	}
	if c := cases["fails"]; c.Failure == nil || len(c.Rerun) != 1 || c.Failure.Message != "a token is issued: status 400; want 200" {
		t.Errorf("a failure: %+v; want a failure naming the step and one rerunFailure", c)
	}
	if c := cases["deviates [7200 | 3600]"]; c.Skipped == nil || !strings.HasPrefix(c.Skipped.Message, "deviation") {
		t.Errorf("a deviation: %+v; want it skipped as a deviation", c)
	}
	if c := cases["is known"]; c.Skipped == nil || !strings.Contains(c.Skipped.Message, "baseline: OAU-999 in production") {
		t.Errorf("a known failure: %+v; want it skipped naming its baseline reason", c)
	}
	for _, want := range []string{"<flakyFailure", "<rerunFailure"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the XML has no %s element", want)
		}
	}
}

func TestHistory(t *testing.T) {
	path := filepath.Join(t.TempDir(), HistoryFile)
	if lines, err := ReadHistory(path); err != nil || len(lines) != 0 {
		t.Fatalf("a missing history: %v, %v; want none, no error", lines, err)
	}
	r := sampleRun()
	r.Budgets = []Budget{{User: 1, App: "a", Requests: 10, RateLimited: 1}, {User: 2, App: "a", Requests: 5}}
	for range 2 {
		if err := AppendHistory(path, Line(r, "production/results.json")); err != nil {
			t.Fatal(err)
		}
	}
	lines, err := ReadHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 2 || lines[1].Requests != 15 || lines[1].RateLimited != 1 || lines[1].Flaky != 1 || lines[1].Results != "production/results.json" {
		t.Fatalf("got %+v; want two lines of 15 requests, 1 rate-limited, 1 flaky", lines)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("{not json\n")
	f.Close()
	if _, err := ReadHistory(path); err == nil || !strings.Contains(err.Error(), ":3:") {
		t.Errorf("a broken line: %v; want an error naming line 3", err)
	}
}

func TestTargetKind(t *testing.T) {
	for _, tc := range []struct {
		url      string
		embedded bool
		dialect  string
		want     string
	}{
		{"http://127.0.0.1:1234", true, "ringcentral", TargetMock},
		{"http://127.0.0.1:8910", false, "ringcentral", TargetStandalone},
		{"http://127.0.0.1:8910", false, "", TargetStandalone},
		{"http://127.0.0.1:3000", false, "rfc", TargetOther},
		{"https://platform.devtest.ringcentral.com", false, "ringcentral", TargetDevtest},
		{"https://platform.ringcentral.com/", false, "", TargetProduction},
		{"https://ringcentral.com.example.org", false, "ringcentral", TargetStandalone},
	} {
		if got := TargetKind(tc.url, tc.embedded, tc.dialect); got != tc.want {
			t.Errorf("TargetKind(%q, %v, %q) = %q; want %q", tc.url, tc.embedded, tc.dialect, got, tc.want)
		}
	}
}

// TestKindOf checks that a run's recorded kind of target wins, in the run and in its history line, and
// that a record from before kinds were kept gets the one its target says.
func TestKindOf(t *testing.T) {
	recorded := &Run{Target: "https://platform.ringcentral.com", Kind: TargetStandalone, Dialect: "rfc"}
	if got := recorded.KindOf(); got != TargetStandalone {
		t.Errorf("a recorded kind gives %q; want %q", got, TargetStandalone)
	}
	if l := Line(recorded, ""); l.KindOf() != TargetStandalone || l.Dialect != "rfc" {
		t.Errorf("the history line has the kind %q and dialect %q; want the run's", l.KindOf(), l.Dialect)
	}
	old := &Run{Target: "https://platform.devtest.ringcentral.com"}
	if got := old.KindOf(); got != TargetDevtest {
		t.Errorf("an old record gives %q; want %q", got, TargetDevtest)
	}
}
