// Package catalog reads the features as Gherkin documents and lists their scenarios — one entry per
// scenario and per example row of an outline — with the line, the row's cells and the tags that godog's
// own scenario value does not carry. The harness uses it to name a scenario's example row in results,
// baselines and plans, and to tell a baseline entry that names no scenario.
package catalog

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	gherkin "github.com/cucumber/gherkin/go/v26"
	messages "github.com/cucumber/messages/go/v21"
)

// Scenario is one runnable scenario: a plain scenario, or one example row of an outline.
type Scenario struct {
	// Feature is the feature file's path as godog names it (e.g. features/grants/password.feature).
	Feature string
	// Name is the scenario's name with the row's values substituted, as godog shows it.
	Name string
	// Line is the line of the scenario, or of the example row for an outline; Definition is the line of the
	// Scenario or Scenario Outline keyword (what godog's file:line selects).
	Line       int
	Definition int
	// Example is the row's cells joined with " | "; empty for a plain scenario.
	Example string
	// Tags are the scenario's tags, the feature's and the examples' included; FeatureTags are the
	// feature's own.
	Tags        []string
	FeatureTags []string
	// Steps are the step texts with the row's values substituted, and Types their kinds as Gherkin's pickles
	// name them: "Context" (Given), "Action" (When) or "Outcome" (Then), an And or But taking the kind before.
	Steps []string
	Types []string
}

// Catalog is every scenario of a feature tree.
type Catalog struct {
	Scenarios []Scenario
	byKey     map[string]int
}

// Load reads every .feature file under dir.
func Load(dir string) (*Catalog, error) {
	c := &Catalog{byKey: map[string]int{}}
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(path, ".feature") {
			return err
		}
		return c.add(path)
	})
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	sort.SliceStable(c.Scenarios, func(i, j int) bool {
		a, b := c.Scenarios[i], c.Scenarios[j]
		if a.Feature != b.Feature {
			return a.Feature < b.Feature
		}
		return a.Line < b.Line
	})
	for i, s := range c.Scenarios {
		c.byKey[key(s.Feature, s.Name, s.Steps)] = i
	}
	return c, nil
}

func (c *Catalog) add(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	id := 0
	newID := func() string { id++; return strconv.Itoa(id) }
	doc, err := gherkin.ParseGherkinDocument(f, newID)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	uri := filepath.ToSlash(path)
	rows := map[string]*messages.TableRow{}
	lines := map[string]int{}
	var walk func(children []*messages.FeatureChild)
	visit := func(sc *messages.Scenario) {
		lines[sc.Id] = int(sc.Location.Line)
		for _, ex := range sc.Examples {
			for _, r := range ex.TableBody {
				rows[r.Id] = r
			}
		}
	}
	walk = func(children []*messages.FeatureChild) {
		for _, ch := range children {
			if ch.Scenario != nil {
				visit(ch.Scenario)
			}
			if ch.Rule != nil {
				for _, rc := range ch.Rule.Children {
					if rc.Scenario != nil {
						visit(rc.Scenario)
					}
				}
			}
		}
	}
	if doc.Feature == nil {
		return nil
	}
	walk(doc.Feature.Children)
	var featureTags []string
	for _, t := range doc.Feature.Tags {
		featureTags = append(featureTags, t.Name)
	}
	for _, p := range gherkin.Pickles(*doc, uri, newID) {
		s := Scenario{Feature: uri, Name: p.Name, FeatureTags: featureTags}
		for _, id := range p.AstNodeIds {
			if l, ok := lines[id]; ok {
				s.Line, s.Definition = l, l
			}
			if r, ok := rows[id]; ok {
				s.Line = int(r.Location.Line)
				var cells []string
				for _, cell := range r.Cells {
					cells = append(cells, cell.Value)
				}
				s.Example = strings.Join(cells, " | ")
			}
		}
		for _, t := range p.Tags {
			s.Tags = append(s.Tags, t.Name)
		}
		for _, st := range p.Steps {
			s.Steps = append(s.Steps, st.Text)
			s.Types = append(s.Types, string(st.Type))
		}
		c.Scenarios = append(c.Scenarios, s)
	}
	return nil
}

func key(feature, name string, steps []string) string {
	return feature + "\x00" + name + "\x00" + strings.Join(steps, "\x00")
}

// Lookup finds the scenario godog runs as name in feature with the given step texts (which tell the rows
// of an outline apart when its name has no placeholder).
func (c *Catalog) Lookup(feature, name string, steps []string) (Scenario, bool) {
	i, ok := c.byKey[key(filepath.ToSlash(feature), name, steps)]
	if !ok {
		return Scenario{}, false
	}
	return c.Scenarios[i], true
}

// Has reports whether some scenario is named name in feature, with the example row's cells when example
// is not empty.
func (c *Catalog) Has(feature, name, example string) bool {
	for _, s := range c.Scenarios {
		if s.Feature == feature && s.Name == name && (example == "" || s.Example == example) {
			return true
		}
	}
	return false
}
