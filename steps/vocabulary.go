package steps

import (
	"encoding/json"
	"io"
	"regexp"
	"strings"
	"sync"

	"github.com/cucumber/godog"

	"github.com/rcoauth/conformance/driver"
)

// vocabulary registers the step definitions of one scenario's world. Each subject's file registers its
// sentences itself, with `v.sc.Step(v.re(expression), handler)`: godog then shows the subject file's own
// line and the handler for every step (no wrapper stands between godog and the step function), and every
// expression is compiled once per process, not once per scenario.
type vocabulary struct {
	sc      *godog.ScenarioContext
	w       *world
	subject string
	listing *[]StepDoc // when listing (Vocabulary), every expression registered, in order
}

// StepDoc is one step definition of the vocabulary: its subject (the file that defines it), anchored
// expression, and whether it is an assertion (a sentence for Then).
type StepDoc struct {
	Subject    string
	Expression string
	Assertion  bool
}

// compiled holds every step expression compiled so far. Expressions are immutable and the same for every
// scenario, so they are compiled once per process (they cost 40 % of the suite's CPU when compiled per
// scenario); no scenario data is kept here.
var compiled sync.Map // expression -> *regexp.Regexp

// re returns the compiled expression of an action: a sentence for Given or When, which makes requests and
// fills the places later sentences refer to. expr must be anchored (^…$) so that no sentence matches a
// longer one by accident.
func (v *vocabulary) re(expr string) *regexp.Regexp { return v.compile(expr, false) }

// assertion returns the compiled expression of an assertion: a sentence for Then, which checks what earlier
// sentences did and may make exchanges of its own without changing what later sentences refer to. Its
// handler defers w.verdict, which judges a failure by the scenario's expectation level.
func (v *vocabulary) assertion(expr string) *regexp.Regexp { return v.compile(expr, true) }

func (v *vocabulary) compile(expr string, assertion bool) *regexp.Regexp {
	if !strings.HasPrefix(expr, "^") || !strings.HasSuffix(expr, "$") {
		panic("steps: step expressions are anchored: " + expr)
	}
	if v.listing != nil {
		*v.listing = append(*v.listing, StepDoc{Subject: v.subject, Expression: expr, Assertion: assertion})
	}
	if r, ok := compiled.Load(expr); ok {
		return r.(*regexp.Regexp)
	}
	r, _ := compiled.LoadOrStore(expr, regexp.MustCompile(expr))
	return r.(*regexp.Regexp)
}

// register calls every subject's registration, in the order the package doc lists them.
func (v *vocabulary) register() {
	for _, sub := range []struct {
		name string
		fn   func()
	}{
		{"apps and client authentication", v.apps},
		{"token requests", v.tokens},
		{"scope and endpoint", v.scope},
		{"responses", v.responses},
		{"API calls", v.api},
		{"WebSocket tokens", v.webSocketTokens},
		{"authorization", v.authorize},
		{"revocation", v.revocation},
		{"introspection", v.introspection},
		{"sessions", v.sessions},
		{"rate limits", v.rateLimits},
		{"clock", v.clock},
		{"faults", v.faults},
		{"grant-specific credentials", v.grantSpecific},
		{"OpenID Connect", v.oidc},
		{"authorization server metadata", v.metadata},
	} {
		v.subject = sub.name
		sub.fn()
	}
}

// Vocabulary lists every step definition, grouped by subject (golden file steps/testdata/vocabulary.golden).
// It registers the vocabulary in the scenario context godog builds to list step definitions, so the
// listing is exactly what a run registers.
func Vocabulary() []StepDoc {
	var listing []StepDoc
	godog.TestSuite{
		Name: "vocabulary",
		ScenarioInitializer: func(sc *godog.ScenarioContext) {
			(&vocabulary{sc: sc, w: &world{}, listing: &listing}).register()
		},
		Options: &godog.Options{ShowStepDefinitions: true, Output: io.Discard, Format: "progress"},
	}.Run()
	return listing
}

// marshalExchanges renders a step's exchanges for its cucumber JSON attachment.
func marshalExchanges(xs []driver.Exchange) ([]byte, error) {
	return json.MarshalIndent(xs, "", "  ")
}
