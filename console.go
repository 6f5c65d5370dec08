package conformance

import (
	"io"
	"slices"
	"sync"

	"github.com/cucumber/godog"
	"github.com/cucumber/godog/formatters"
	messages "github.com/cucumber/messages/go/v21"
)

// prettyFormat is the name of the harness's console formatter, which CONFORMANCE_FORMAT=pretty (the
// default) selects: godog's pretty formatter, fed one whole scenario at a time.
const prettyFormat = "pretty-scenarios"

func init() {
	godog.Format(prettyFormat, "godog's pretty console, a whole scenario or outline at a time", func(suite string, out io.Writer) formatters.Formatter {
		return newScenarioConsole(suite, out)
	})
}

// scenarioConsole is godog's pretty formatter with its input put in order. Run in random order and
// several at a time, the pretty formatter scrambles its console: godog hands it each scenario's events
// when the scenario ends, from that scenario's goroutine and without a lock shared by the scenarios, so
// two scenarios ending together interleave their lines; it prints a feature's title when the feature's
// first scenario starts, not above its scenarios; and it prints an outline's title and steps with the
// outline's first example row, every other row as a bare table row wherever that row ends. This formatter
// holds each scenario's events until its last step's result, then passes them on under one lock; it holds
// an outline's rows until every row the run selected has ended, then passes them on in the table's order;
// and it repeats a feature's title whenever the next scenario belongs to another feature than the last.
// The pretty formatter itself (embedded, which gives it godog's storage of results) draws every line.
type scenarioConsole struct {
	*godog.PrettyFmt

	mu       sync.Mutex
	feature  map[string]func()       // a feature's title, by URI
	shown    string                  // the URI of the feature whose scenario was shown last
	calls    map[string][]func()     // a running scenario's events, by pickle ID
	results  map[string]int          // how many of its steps have a result, by pickle ID
	outlines map[string][]*pickleRun // the ended rows of an outline, by URI and scenario node ID
}

// pickleRun is an ended scenario and its events.
type pickleRun struct {
	pickle *messages.Pickle
	calls  []func()
}

func newScenarioConsole(suite string, out io.Writer) *scenarioConsole {
	return &scenarioConsole{
		PrettyFmt: godog.NewPrettyFmt(suite, out), feature: map[string]func(){}, calls: map[string][]func(){},
		results: map[string]int{}, outlines: map[string][]*pickleRun{},
	}
}

// Feature keeps the feature's title for its first scenario that ends.
func (c *scenarioConsole) Feature(gd *messages.GherkinDocument, uri string, content []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.feature[uri] = func() { c.PrettyFmt.Feature(gd, uri, content) }
}

// Pickle starts holding a scenario's events; a scenario without steps has ended already.
func (c *scenarioConsole) Pickle(p *messages.Pickle) {
	c.hold(p, func() { c.PrettyFmt.Pickle(p) }, false)
}

// Defined is held with its scenario.
func (c *scenarioConsole) Defined(p *messages.Pickle, st *messages.PickleStep, d *formatters.StepDefinition) {
	c.hold(p, func() { c.PrettyFmt.Defined(p, st, d) }, false)
}

// Passed is a step's result, held with its scenario.
func (c *scenarioConsole) Passed(p *messages.Pickle, st *messages.PickleStep, d *formatters.StepDefinition) {
	c.hold(p, func() { c.PrettyFmt.Passed(p, st, d) }, true)
}

// Skipped is a step's result, held with its scenario.
func (c *scenarioConsole) Skipped(p *messages.Pickle, st *messages.PickleStep, d *formatters.StepDefinition) {
	c.hold(p, func() { c.PrettyFmt.Skipped(p, st, d) }, true)
}

// Undefined is a step's result, held with its scenario.
func (c *scenarioConsole) Undefined(p *messages.Pickle, st *messages.PickleStep, d *formatters.StepDefinition) {
	c.hold(p, func() { c.PrettyFmt.Undefined(p, st, d) }, true)
}

// Failed is a step's result, held with its scenario.
func (c *scenarioConsole) Failed(p *messages.Pickle, st *messages.PickleStep, d *formatters.StepDefinition, err error) {
	c.hold(p, func() { c.PrettyFmt.Failed(p, st, d, err) }, true)
}

// Pending is a step's result, held with its scenario.
func (c *scenarioConsole) Pending(p *messages.Pickle, st *messages.PickleStep, d *formatters.StepDefinition) {
	c.hold(p, func() { c.PrettyFmt.Pending(p, st, d) }, true)
}

// Ambiguous is a step's result, held with its scenario.
func (c *scenarioConsole) Ambiguous(p *messages.Pickle, st *messages.PickleStep, d *formatters.StepDefinition, err error) {
	c.hold(p, func() { c.PrettyFmt.Ambiguous(p, st, d, err) }, true)
}

// Summary shows what is still held (the rows of an outline whose other rows never ended), then godog's
// summary.
func (c *scenarioConsole) Summary() {
	c.mu.Lock()
	keys := make([]string, 0, len(c.outlines))
	for k := range c.outlines {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		c.showRows(c.outlines[k])
		delete(c.outlines, k)
	}
	c.mu.Unlock()
	c.PrettyFmt.Summary()
}

// hold adds an event to its scenario's; result says it is a step's result. Once every step has one the
// scenario has ended: it is shown, or, for an outline's row, kept until the outline's rows have ended.
func (c *scenarioConsole) hold(p *messages.Pickle, call func(), result bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls[p.Id] = append(c.calls[p.Id], call)
	if result {
		c.results[p.Id]++
	}
	if c.results[p.Id] < len(p.Steps) {
		return
	}
	run := &pickleRun{pickle: p, calls: c.calls[p.Id]}
	delete(c.calls, p.Id)
	delete(c.results, p.Id)
	if len(p.AstNodeIds) < 2 { // a plain scenario
		c.show(run)
		return
	}
	key := p.Uri + "\x00" + p.AstNodeIds[0]
	c.outlines[key] = append(c.outlines[key], run)
	selected := 0
	for _, q := range c.Storage.MustGetFeature(p.Uri).Pickles {
		if q.AstNodeIds[0] == p.AstNodeIds[0] {
			selected++
		}
	}
	if len(c.outlines[key]) == selected {
		c.showRows(c.outlines[key])
		delete(c.outlines, key)
	}
}

// showRows shows an outline's ended rows in the order of its examples.
func (c *scenarioConsole) showRows(rows []*pickleRun) {
	if len(rows) == 0 {
		return
	}
	order := c.Storage.MustGetFeature(rows[0].pickle.Uri).Pickles
	slices.SortFunc(rows, func(a, b *pickleRun) int {
		return slices.IndexFunc(order, func(q *messages.Pickle) bool { return q.Id == a.pickle.Id }) -
			slices.IndexFunc(order, func(q *messages.Pickle) bool { return q.Id == b.pickle.Id })
	})
	for _, r := range rows {
		c.show(r)
	}
}

// show passes an ended scenario's events to the pretty formatter, after its feature's title when the last
// scenario shown belonged to another feature.
func (c *scenarioConsole) show(r *pickleRun) {
	if c.shown != r.pickle.Uri {
		if title := c.feature[r.pickle.Uri]; title != nil {
			title()
		}
		c.shown = r.pickle.Uri
	}
	for _, call := range r.calls {
		call()
	}
}
