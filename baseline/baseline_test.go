package baseline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rcoauth/conformance/catalog"
	"github.com/rcoauth/conformance/results"
)

func writeFile(tb testing.TB, name, content string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name, content, wantErr string
		entries                int
	}{
		{"missing file is empty", "", "", 0},
		{"valid", `{"profile":"production","entries":[{"feature":"features/a.feature","scenario":"s","outcome":"deviation","reason":"r","recorded":"2026-12-01"}]}`, "", 1},
		{"other profile", `{"profile":"devtest","entries":[]}`, `not "production"`, 0},
		{"bad outcome", `{"profile":"production","entries":[{"feature":"f","scenario":"s","outcome":"flaky","reason":"r","recorded":"2026-12-01"}]}`, "want fail, warn or deviation", 0},
		{"no reason", `{"profile":"production","entries":[{"feature":"f","scenario":"s","outcome":"fail","recorded":"2026-12-01"}]}`, "a reason is required", 0},
		{"bad date", `{"profile":"production","entries":[{"feature":"f","scenario":"s","outcome":"fail","reason":"r","recorded":"yesterday"}]}`, "want a date", 0},
		{"unknown field", `{"profile":"production","entry":[]}`, "unknown field", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "missing.json")
			if tt.content != "" {
				path = writeFile(t, "production.json", tt.content)
			}
			b, err := Load(path, "production")
			switch {
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("got %v; want an error containing %q", err, tt.wantErr)
			case tt.wantErr == "" && err != nil:
				t.Fatal(err)
			case tt.wantErr == "" && len(b.Entries) != tt.entries:
				t.Errorf("got %d entries; want %d", len(b.Entries), tt.entries)
			case tt.wantErr == "" && (b.Path != "") != (tt.content != ""):
				t.Errorf("got Path %q; want the file's path only when there is a file", b.Path)
			}
		})
	}
}

func TestCompare(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.feature"), []byte(`Feature: a
  Scenario: passes
    When it runs
  Scenario: fails
    When it runs
  Scenario: known
    When it runs
  Scenario: deviates
    When it runs
  Scenario: warns
    When it runs
  Scenario: not run
    When it runs
`), 0o644); err != nil {
		t.Fatal(err)
	}
	features, err := catalog.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.ToSlash(filepath.Join(dir, "a.feature"))
	entry := func(name, outcome string) Entry {
		return Entry{Feature: f, Scenario: name, Outcome: outcome, Reason: "r", Recorded: "2026-12-01"}
	}
	b := &Baseline{Profile: "p", Entries: []Entry{
		entry("passes", Deviation),      // stale
		entry("known", Fail),            // expected
		entry("deviates", Fail),         // changed
		entry("not run", Fail),          // not selected: ignored
		entry("no such scenario", Warn), // unmatched
	}}
	run := &results.Run{
		Scenarios: []results.Scenario{
			{Feature: f, Name: "passes", Status: results.Passed},
			{Feature: f, Name: "fails", Status: results.Failed},
			{Feature: f, Name: "known", Status: results.Known},
			{Feature: f, Name: "deviates", Status: results.Deviated},
			{Feature: f, Name: "warns", Status: results.Warned},
		},
		Notes: []results.Note{
			{Kind: results.NoteKnown, Feature: f, Scenario: "known", Baseline: "r"},
			{Kind: results.NoteDeviation, Feature: f, Scenario: "deviates", Message: "status 400; want 200"},
			{Kind: results.NoteWarning, Feature: f, Scenario: "warns", Message: "no Bearer challenge"},
		},
	}
	r := Compare(b, run, features)
	if r.OK() {
		t.Fatal("Compare says OK; want problems")
	}
	if len(r.NewFailures) != 1 || r.NewFailures[0].Name != "fails" {
		t.Errorf("new failures %v; want [fails]", r.NewFailures)
	}
	if len(r.Stale) != 1 || r.Stale[0].Scenario != "passes" {
		t.Errorf("stale %v; want [passes]", r.Stale)
	}
	if len(r.Changed) != 1 || r.Changed[0].Entry.Scenario != "deviates" || r.Changed[0].Got != results.Deviated {
		t.Errorf("changed %v; want deviates (expected fail, got deviated)", r.Changed)
	}
	if len(r.Unmatched) != 1 || r.Unmatched[0].Scenario != "no such scenario" {
		t.Errorf("unmatched %v; want [no such scenario]", r.Unmatched)
	}
	if r.Expected != 1 || r.NewWarnings != 1 || r.NewDeviations != 1 {
		t.Errorf("expected %d, new warnings %d, new deviations %d; want 1, 1, 1", r.Expected, r.NewWarnings, r.NewDeviations)
	}
	if len(r.Problems()) != 4 {
		t.Errorf("problems %q; want 4 lines", r.Problems())
	}
	if ok := Compare(&Baseline{Entries: []Entry{entry("known", Fail)}}, &results.Run{Scenarios: run.Scenarios[2:3]}, features); !ok.OK() {
		t.Errorf("an expected failure alone: %q; want OK", ok.Problems())
	}

	suggested := Suggest(run, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	var names []string
	for _, e := range suggested {
		names = append(names, e.Scenario+"="+e.Outcome)
		if e.Recorded != "2026-12-01" || !strings.HasPrefix(e.Reason, "TODO") {
			t.Errorf("suggested %+v; want today's date and a TODO reason", e)
		}
	}
	if got := strings.Join(names, ","); got != "deviates=deviation,fails=fail,warns=warn" {
		t.Errorf("suggested %s; want deviates=deviation,fails=fail,warns=warn", got)
	}
}
