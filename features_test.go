package conformance

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	gherkin "github.com/cucumber/gherkin/go/v26"
	messages "github.com/cucumber/messages/go/v21"

	"github.com/rcoauth/conformance/baseline"
	"github.com/rcoauth/conformance/catalog"
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
	n := 0
	err := filepath.WalkDir("features", func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(path, ".feature") {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		id := 0
		newID := func() string { id++; return strconv.Itoa(id) }
		doc, err := gherkin.ParseGherkinDocument(f, newID)
		if err != nil {
			return err
		}
		for _, p := range gherkin.Pickles(*doc, path, newID) {
			for _, st := range p.Steps {
				n++
				var matched []def
				for _, d := range defs {
					if d.re.MatchString(st.Text) {
						matched = append(matched, d)
					}
				}
				switch {
				case len(matched) != 1:
					t.Errorf("%s, %q: %q matches %d step definitions; want exactly one", path, p.Name, st.Text, len(matched))
				case st.Type == messages.PickleStepType_OUTCOME && !matched[0].assertion:
					t.Errorf("%s, %q: %q is an action but stands in a Then position; make it a Given or When", path, p.Name, st.Text)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
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
