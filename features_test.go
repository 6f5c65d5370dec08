package conformance

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	messages "github.com/cucumber/messages/go/v21"

	"github.com/rcoauth/conformance/baseline"
	"github.com/rcoauth/conformance/catalog"
	"github.com/rcoauth/conformance/report"
	"github.com/rcoauth/conformance/steps"
)

// TestFeaturesUseActionsBeforeThen reads every feature and checks each step's sentence against the
// vocabulary: a Then step (or an And after one) must be a check, since a check's own exchanges never
// change what later sentences refer to; an action there would act without becoming "the request".
func TestFeaturesUseActionsBeforeThen(t *testing.T) {
	type def struct {
		re        *regexp.Regexp
		assertion bool
	}
	var defs []def
	for _, d := range steps.Vocabulary() {
		defs = append(defs, def{regexp.MustCompile(d.Expression), d.Assertion})
	}
	features, err := catalog.Load("features")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, sc := range features.Scenarios {
		for i, text := range sc.Steps {
			n++
			var matched []def
			for _, d := range defs {
				if d.re.MatchString(text) {
					matched = append(matched, d)
				}
			}
			switch {
			case len(matched) != 1:
				t.Errorf("%s:%d, %q: %q matches %d step definitions; want exactly one", sc.Feature, sc.Line, sc.Name, text, len(matched))
			case sc.Types[i] == string(messages.PickleStepType_OUTCOME) && !matched[0].assertion:
				t.Errorf("%s:%d, %q: %q is an action but stands in a Then position; make it a Given or When", sc.Feature, sc.Line, sc.Name, text)
			}
		}
	}
	if n < 1000 {
		t.Fatalf("read %d steps; the features were not found", n)
	}
}

// TestCommittedBaselines loads every baseline in baselines/ and checks that each entry names a scenario (and
// example row) of the features, so a renamed scenario cannot leave a baseline entry that matches nothing.
func TestCommittedBaselines(t *testing.T) {
	features, err := catalog.Load("features")
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join("baselines", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no baselines found (%v)", err)
	}
	for _, f := range files {
		profile := strings.TrimSuffix(filepath.Base(f), ".json")
		b, err := baseline.Load(f, profile)
		if err != nil {
			t.Error(err)
			continue
		}
		for _, e := range b.Entries {
			if !features.Has(e.Feature, e.Scenario, e.Example) {
				t.Errorf("%s: %s names no scenario of the features", f, e)
			}
		}
	}
}

// TestReportKnowsEveryTag checks that the report can place every scenario: each feature's tags name a
// grant or an area of the conformance matrix (besides the tags that say where a scenario runs), and each
// clause tag has a title in the clause table, so a new feature or clause cannot land in the report as
// an untitled row or in the wrong column.
func TestReportKnowsEveryTag(t *testing.T) {
	placement := map[string]bool{"@ringcentral": true, "@grant": true, "@mock-only": true, "@unverified": true, "@negative": true}
	known := func(axes []report.Axis, tag string) bool {
		return slices.ContainsFunc(axes, func(a report.Axis) bool { return "@"+a.ID == tag })
	}
	titled := map[string]bool{}
	for _, c := range report.ClauseUniverse(nil) {
		titled[c.ID] = true
	}
	features, err := catalog.Load("features")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, sc := range features.Scenarios {
		if !seen[sc.Feature] {
			seen[sc.Feature] = true
			placed := false
			for _, tag := range sc.FeatureTags {
				switch {
				case known(report.Grants, tag) || known(report.Areas, tag):
					placed = true
				case !placement[tag]:
					t.Errorf("%s: the feature's tag %s is neither a grant nor an area of the report (report.Grants, report.Areas)", sc.Feature, tag)
				}
			}
			if !placed && !slices.Contains(sc.FeatureTags, "@negative") {
				t.Errorf("%s: no feature tag names a grant or an area of the report", sc.Feature)
			}
		}
		for _, tag := range sc.Tags {
			if id := strings.TrimPrefix(tag, "@"); strings.HasPrefix(id, "rfc") && id != "rfc" && !titled[id] {
				t.Errorf("%s:%d: clause %s has no title in the report's clause table (report/classify.go)", sc.Feature, sc.Line, tag)
			}
		}
	}
}
