package conformance

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/cucumber/godog"

	"github.com/rcoauth/conformance/env"
	"github.com/rcoauth/conformance/steps"
)

// consoleFeatures are two features whose outlines' rows, run in random order four at a time, end in
// another order than their tables'.
var consoleFeatures = []godog.Feature{
	{Name: "a.feature", Contents: []byte(`Feature: Grants
  Scenario Outline: A grant issues a token
    When the app requests a token with the <grant> grant
    Then a token is issued

    Examples:
      | grant      |
      | password   |
      | JWT bearer |
      | password   |

  Scenario: A plain scenario
    When the app requests a token with the password grant
    Then a token is issued
`)},
	{Name: "b.feature", Contents: []byte(`Feature: More grants
  Scenario Outline: Another grant <grant>
    When the app requests a token with the <grant> grant
    Then a token is issued

    Examples:
      | grant      |
      | JWT bearer |
      | password   |
`)},
}

// TestConsoleKeepsOutlinesTogether runs outlines in random order, four scenarios at a time, with the
// harness's pretty console, and checks that each outline is shown whole, under its feature's title: its
// title, its steps and its example table, every row in the table's order, with nothing between.
func TestConsoleKeepsOutlinesTogether(t *testing.T) {
	profile, err := env.Load("env", "mock", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, seed := range []int64{1, 3, 7} {
		var console bytes.Buffer
		suite, err := newSuite(steps.Config{Profile: profile, Out: &bytes.Buffer{}, Seed: seed, Concurrency: 4})
		if err != nil {
			t.Fatal(err)
		}
		status := godog.TestSuite{Name: "console", TestSuiteInitializer: suite.InitializeTestSuite, ScenarioInitializer: suite.InitializeScenario,
			Options: &godog.Options{Format: prettyFormat, Output: &console, Strict: true, NoColors: true, Randomize: seed, Concurrency: 4,
				FeatureContents: consoleFeatures}}.Run()
		if status != 0 {
			t.Fatalf("seed %d: the run failed:\n%s", seed, console.String())
		}
		out := console.String()
		for _, o := range []struct{ feature, outline, rows string }{
			{"Feature: Grants", "Scenario Outline: A grant issues a token", "password|JWT bearer|password"},
			{"Feature: More grants", "Scenario Outline: Another grant <grant>", "JWT bearer|password"},
		} {
			var table string
			for _, cell := range strings.Split(o.rows, "|") {
				table += `      \| ` + regexp.QuoteMeta(cell) + ` +\|\n`
			}
			whole := regexp.MustCompile(regexp.QuoteMeta(o.outline) + ` +# [^\n]+\n(?: {4}(?:When|Then) [^\n]+\n){2}\n {4}Examples:\n {6}\| grant +\|\n` + table)
			at := whole.FindStringIndex(out)
			if at == nil {
				t.Errorf("seed %d: the outline %q is not shown whole, its rows in the table's order:\n%s", seed, o.outline, out)
				continue
			}
			if title := strings.LastIndex(out[:at[0]], "Feature: "); title < 0 || !strings.HasPrefix(out[title:], o.feature) {
				t.Errorf("seed %d: the outline %q is not under its feature's title %q:\n%s", seed, o.outline, o.feature, out)
			}
		}
	}
}
