package report

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	gherkin "github.com/cucumber/gherkin/go/v26"
	messages "github.com/cucumber/messages/go/v21"

	"github.com/rcoauth/conformance/baseline"
	"github.com/rcoauth/conformance/catalog"
	"github.com/rcoauth/conformance/drift"
	"github.com/rcoauth/conformance/driver"
	"github.com/rcoauth/conformance/results"
)

// Sentence is one step sentence of the vocabulary (steps.Vocabulary) with what it does.
type Sentence struct {
	// Subject is the vocabulary's group ("token requests").
	Subject string
	// Expression is the sentence's anchored regular expression.
	Expression string
	// Check marks an assertion, a sentence for Then; the others are actions, for Given and When.
	Check bool
	// Doc is what the sentence does: its handler's doc comment.
	Doc string
	// Handler names the handler ("token.go: requestGrant").
	Handler string
}

// DocsConfig says where the living documentation's sources are.
type DocsConfig struct {
	// Features is the features directory ("features"): its files are the specification.
	Features string
	// Reports is the reports directory: every results.json below it (the embedded mock's run, the
	// standalone runs' subdirectories, real-target runs), history.jsonl and drift.json.
	Reports string
	// Baselines is the directory of the known-deviation baselines, one <profile>.json each.
	Baselines string
	// Vocabulary is every step sentence.
	Vocabulary []Sentence
}

// catalogue is everything the documentation shows.
type catalogue struct {
	Features   []*featureDoc
	Targets    []targetDoc
	History    []results.HistoryLine
	Sentences  []subjectDoc
	Baselines  []*baseline.Baseline
	Deviations []deviationDoc
	Drift      *driftView
}

type featureDoc struct {
	Path, Slug, Name string
	Tags             []string
	Description      []string
	Background       string
	Scenarios        []*scenarioDoc
	Results          []resultDoc
}

// Count is how many scenarios the feature has, and how many cases they run as when an outline's rows make
// more: "11 (14 with outline rows)".
func (f *featureDoc) Count() string {
	rows := 0
	for _, s := range f.Scenarios {
		rows += max(len(s.rows), 1)
	}
	if rows == len(f.Scenarios) {
		return strconv.Itoa(rows)
	}
	return fmt.Sprintf("%d (%d with outline rows)", len(f.Scenarios), rows)
}

type scenarioDoc struct {
	Name, Anchor string
	Tags         []string
	Clauses      []Clause
	Gherkin      string
	Results      []resultDoc
	Example      *exampleDoc
	line         int          // the line of its Scenario or Scenario Outline keyword
	rows         []scenarioID // its runnable cases (an outline has one per example row), as runs record them
	steps        []string     // the distinct step texts of its rows, placeholders filled in
}

// scenarioID names one runnable case as a run records it: an outline's rows may share a name, and only
// their example row tells them apart.
type scenarioID struct {
	Name, Example string
}

// resultDoc is the latest result of a scenario (or a feature) against one kind of target.
type resultDoc struct {
	Kind, Status, Summary, Date, Report string
	counts                              map[string]int
}

// exampleDoc is one exchange that shows what the API answers.
type exampleDoc struct {
	Kind, Date, Row, Request, Response string
}

type targetDoc struct {
	Kind, Profile, Target, Date, Summary, Report, Source string
}

type subjectDoc struct {
	Subject   string
	Sentences []sentenceDoc
}

type sentenceDoc struct {
	Sentence
	Example, Feature, Slug, Scenario, Anchor string
	Uses                                     int
}

type deviationDoc struct {
	Kind, Profile, Date string
	Notes               []results.Note
}

// runDoc is one results.json found under the reports directory.
type runDoc struct {
	run    *results.Run
	kind   string
	report string // the run's HTML report, relative to the documentation's directory, or ""
}

// pickleResult is a scenario's latest result against one kind of target.
type pickleResult struct {
	sc  *results.Scenario
	run *runDoc
}

// WriteDocs renders the living documentation into out: index.html and README.md, one page per feature
// (<slug>.html and <slug>.md), vocabulary.html and .md, deviations.html and .md. The HTML pages are
// self-contained like the run report; the Markdown reads on a code host.
func WriteDocs(out string, cfg DocsConfig) error {
	c, err := loadCatalogue(out, cfg)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return writePages(out, c)
}

// loadCatalogue reads the features, the runs, the history, the baselines and the drift.
func loadCatalogue(out string, cfg DocsConfig) (*catalogue, error) {
	c := &catalogue{}
	var err error
	if c.Features, err = readFeatures(cfg.Features); err != nil {
		return nil, err
	}
	if err := addRows(c.Features, cfg.Features); err != nil {
		return nil, err
	}
	runs, err := findRuns(cfg.Reports, out)
	if err != nil {
		return nil, err
	}
	if c.History, err = results.ReadHistory(filepath.Join(cfg.Reports, results.HistoryFile)); err != nil {
		return nil, err
	}
	d, err := LoadDrift(filepath.Join(cfg.Reports, drift.FileName))
	if err != nil {
		return nil, err
	}
	if c.Baselines, err = loadBaselines(cfg.Baselines); err != nil {
		return nil, err
	}
	if d != nil {
		c.Drift = explainDrift(d, baselineFor(c.Baselines, d.Target.Profile))
	}
	c.Targets = targets(runs, c.History)
	latest := latestResults(runs, filepath.Base(cfg.Features))
	newest := slices.Clone(runs)
	slices.Reverse(newest)
	for _, f := range c.Features {
		for _, s := range f.Scenarios {
			s.Results, s.Example = scenarioResults(f.Path, s, latest), example(f.Path, s, newest, filepath.Base(cfg.Features))
		}
		f.Results = featureResults(f, c.History)
	}
	c.Sentences = sentences(cfg.Vocabulary, c.Features)
	for _, kind := range results.TargetKinds {
		for i := len(runs) - 1; i >= 0; i-- {
			if r := runs[i]; r.kind == kind {
				d := deviationDoc{Kind: kind, Profile: r.run.Profile, Date: formatTime(r.run.Started)}
				for _, n := range r.run.Notes {
					if n.Kind == results.NoteDeviation {
						d.Notes = append(d.Notes, n)
					}
				}
				c.Deviations = append(c.Deviations, d)
				break
			}
		}
	}
	return c, nil
}

// readFeatures parses every feature file below dir, in path order.
func readFeatures(dir string) ([]*featureDoc, error) {
	var out []*featureDoc
	slugs := map[string]int{"index": 1, "readme": 1, "vocabulary": 1, "deviations": 1} // the other pages' names
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".feature") {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		f, err := readFeature(path, filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		f.Slug = uniqueSlug(slugs, slug(strings.TrimSuffix(filepath.ToSlash(rel), ".feature")))
		out = append(out, f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("report: reading the features: %w", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("report: no feature files in %s", dir)
	}
	return out, nil
}

// readFeature parses one feature file; rel is its path within the features directory.
func readFeature(path, rel string) (*featureDoc, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	n := 0
	newID := func() string { n++; return strconv.Itoa(n) }
	doc, err := gherkin.ParseGherkinDocument(file, newID)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if doc.Feature == nil {
		return nil, fmt.Errorf("%s: no feature", path)
	}
	ft := doc.Feature
	f := &featureDoc{Path: rel, Name: ft.Name, Tags: tagNames(ft.Tags), Description: paragraphs(ft.Description)}
	anchors := map[string]int{}
	var walk func(children []*messages.FeatureChild, rules []*messages.RuleChild, inherited []string)
	walk = func(children []*messages.FeatureChild, rules []*messages.RuleChild, inherited []string) {
		var scs []*messages.Scenario
		for _, ch := range children {
			switch {
			case ch.Background != nil:
				f.Background = stepLines(ch.Background.Steps, "  ")
			case ch.Scenario != nil:
				scs = append(scs, ch.Scenario)
			case ch.Rule != nil:
				walk(nil, ch.Rule.Children, append(slices.Clone(inherited), tagNames(ch.Rule.Tags)...))
			}
		}
		for _, ch := range rules {
			if ch.Scenario != nil {
				scs = append(scs, ch.Scenario)
			}
		}
		for _, sc := range scs {
			s := &scenarioDoc{Name: sc.Name, Anchor: uniqueSlug(anchors, slug(sc.Name)), line: int(sc.Location.Line)}
			s.Tags = append(slices.Clone(inherited), tagNames(sc.Tags)...)
			for _, ex := range sc.Examples {
				for _, t := range tagNames(ex.Tags) {
					if !slices.Contains(s.Tags, t) {
						s.Tags = append(s.Tags, t)
					}
				}
			}
			for _, t := range s.Tags {
				if rfcTag.MatchString(t) {
					s.Clauses = append(s.Clauses, describe(Clause{ID: strings.TrimPrefix(t, "@")}))
				}
			}
			s.Gherkin = gherkinText(sc)
			f.Scenarios = append(f.Scenarios, s)
		}
	}
	walk(ft.Children, nil, nil)
	return f, nil
}

// addRows gives each scenario of features its runnable cases from the catalog of dir, the one list of
// scenarios and example rows that the runs name theirs by.
func addRows(features []*featureDoc, dir string) error {
	cat, err := catalog.Load(dir)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	byLine := map[string]*scenarioDoc{}
	for _, f := range features {
		for _, s := range f.Scenarios {
			byLine[f.Path+":"+strconv.Itoa(s.line)] = s
		}
	}
	for _, c := range cat.Scenarios {
		s := byLine[featureKey(c.Feature, filepath.Base(dir))+":"+strconv.Itoa(c.Definition)]
		if s == nil {
			continue
		}
		s.rows = append(s.rows, scenarioID{c.Name, c.Example})
		for _, text := range c.Steps {
			if !slices.Contains(s.steps, text) {
				s.steps = append(s.steps, text)
			}
		}
	}
	return nil
}

func tagNames(tags []*messages.Tag) []string {
	var out []string
	for _, t := range tags {
		out = append(out, t.Name)
	}
	return out
}

// paragraphs splits a Gherkin description into paragraphs of joined lines.
func paragraphs(desc string) []string {
	var out []string
	for _, p := range regexp.MustCompile(`\n\s*\n`).Split(strings.TrimSpace(desc), -1) {
		if p = strings.Join(strings.Fields(p), " "); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// gherkinText writes a scenario back as Gherkin: its keyword line, steps and examples.
func gherkinText(sc *messages.Scenario) string {
	var b strings.Builder
	b.WriteString(sc.Keyword + ": " + sc.Name + "\n")
	b.WriteString(stepLines(sc.Steps, "  "))
	for _, ex := range sc.Examples {
		b.WriteString("\n")
		if tags := tagNames(ex.Tags); len(tags) > 0 {
			b.WriteString("  " + strings.Join(tags, " ") + "\n")
		}
		b.WriteString(strings.TrimRight("  "+ex.Keyword+": "+ex.Name, " ") + "\n")
		var rows []*messages.TableRow
		if ex.TableHeader != nil {
			rows = append(rows, ex.TableHeader)
		}
		b.WriteString(tableLines(append(rows, ex.TableBody...), "    "))
	}
	return strings.TrimRight(b.String(), "\n")
}

func stepLines(steps []*messages.Step, indent string) string {
	var b strings.Builder
	for _, st := range steps {
		b.WriteString(indent + strings.TrimSpace(st.Keyword) + " " + st.Text + "\n")
		if st.DataTable != nil {
			b.WriteString(tableLines(st.DataTable.Rows, indent+"  "))
		}
		if st.DocString != nil {
			b.WriteString(indent + "  " + st.DocString.Delimiter + "\n")
			for _, l := range strings.Split(st.DocString.Content, "\n") {
				b.WriteString(indent + "  " + l + "\n")
			}
			b.WriteString(indent + "  " + st.DocString.Delimiter + "\n")
		}
	}
	return b.String()
}

// tableLines aligns a Gherkin table's columns.
func tableLines(rows []*messages.TableRow, indent string) string {
	var widths []int
	for _, r := range rows {
		for i, c := range r.Cells {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], len([]rune(c.Value)))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(indent + "|")
		for i, c := range r.Cells {
			b.WriteString(" " + c.Value + strings.Repeat(" ", widths[i]-len([]rune(c.Value))) + " |")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// slug makes a file name or anchor of a name: lower case letters and digits joined by dashes.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	if b.Len() == 0 {
		return "x"
	}
	return b.String()
}

// uniqueSlug returns s, or s-2, s-3… when it was handed out before.
func uniqueSlug(seen map[string]int, s string) string {
	seen[s]++
	if n := seen[s]; n > 1 {
		return s + "-" + strconv.Itoa(n)
	}
	return s
}

// findRuns reads every results.json below dir except in the documentation's own directory, oldest first.
func findRuns(dir, out string) ([]*runDoc, error) {
	var runs []*runDoc
	absOut, _ := filepath.Abs(out)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && path == dir {
				return fs.SkipAll
			}
			return err
		}
		if d.IsDir() {
			if abs, _ := filepath.Abs(path); abs == absOut || strings.Count(filepath.ToSlash(strings.TrimPrefix(path, dir)), "/") > 3 {
				return fs.SkipDir
			}
			return nil
		}
		if d.Name() != results.FileName {
			return nil
		}
		run, err := results.Read(path)
		if err != nil {
			return err
		}
		r := &runDoc{run: run, kind: run.KindOf()}
		html := filepath.Join(filepath.Dir(path), FileName(run.Profile))
		if _, err := os.Stat(html); err == nil {
			if rel, err := filepath.Rel(out, html); err == nil {
				r.report = filepath.ToSlash(rel)
			}
		}
		runs = append(runs, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("report: reading the runs: %w", err)
	}
	slices.SortStableFunc(runs, func(a, b *runDoc) int { return a.run.Started.Compare(b.run.Started) })
	return runs, nil
}

// targets describes the latest run against each kind of target, from results.json or, when newer, the
// history.
func targets(runs []*runDoc, history []results.HistoryLine) []targetDoc {
	var out []targetDoc
	for _, kind := range results.TargetKinds {
		t := targetDoc{Kind: kind, Summary: "never run against " + kind}
		var when time.Time
		for _, r := range runs {
			if r.kind == kind && !r.run.Started.Before(when) {
				when = r.run.Started
				t = targetDoc{Kind: kind, Profile: r.run.Profile, Target: r.run.Target, Date: formatTime(when),
					Summary: countSummary(r.run.Counts), Report: r.report, Source: "results.json"}
			}
		}
		for _, h := range history {
			if h.KindOf() == kind && h.Started.After(when) {
				when = h.Started
				t = targetDoc{Kind: kind, Profile: h.Profile, Target: h.Target, Date: formatTime(when),
					Summary: countSummary(h.Counts), Source: results.HistoryFile}
			}
		}
		out = append(out, t)
	}
	return out
}

// countSummary reads counts of outcomes: "12 passed, 1 failed".
func countSummary(counts map[string]int) string {
	var parts []string
	for _, st := range []string{results.Passed, results.Failed, results.Warned, results.Deviated, results.Known, results.Skipped} {
		if counts[st] > 0 {
			parts = append(parts, strconv.Itoa(counts[st])+" "+st)
		}
	}
	if len(parts) == 0 {
		return "no scenario ran"
	}
	return strings.Join(parts, ", ")
}

// latestResults indexes each scenario's latest result per kind of target: the latest run that ran it, or
// the latest that skipped it when none ran it. features is the features directory's name, which the
// runs' feature paths start with.
func latestResults(runs []*runDoc, features string) map[string]map[string]pickleResult {
	idx := map[string]map[string]pickleResult{}
	for _, r := range runs {
		for i := range r.run.Scenarios {
			sc := &r.run.Scenarios[i]
			key := resultKey(featureKey(sc.Feature, features), scenarioID{sc.Name, sc.Example})
			if idx[key] == nil {
				idx[key] = map[string]pickleResult{}
			}
			if old, ok := idx[key][r.kind]; !ok || sc.Status != results.Skipped || old.sc.Status == results.Skipped {
				idx[key][r.kind] = pickleResult{sc: sc, run: r}
			}
		}
	}
	return idx
}

// resultKey indexes a case's results: its feature (relative to the features directory), name and row.
func resultKey(feature string, id scenarioID) string {
	return feature + "\x00" + id.Name + "\x00" + id.Example
}

// featureKey is a run's feature path relative to the features directory.
func featureKey(uri, features string) string {
	uri = filepath.ToSlash(uri)
	if i := strings.Index(uri, features+"/"); i >= 0 {
		return uri[i+len(features)+1:]
	}
	return uri
}

// worstOf orders outcomes by what a reader must see first; a row that ran beats one that was skipped.
var worstOf = []string{results.Failed, results.Warned, results.Deviated, results.Known, results.Passed, results.Skipped}

// scenarioResults sums a scenario's rows' latest results per kind of target.
func scenarioResults(path string, s *scenarioDoc, latest map[string]map[string]pickleResult) []resultDoc {
	var out []resultDoc
	for _, kind := range results.TargetKinds {
		counts := map[string]int{}
		var when time.Time
		report := ""
		for _, id := range s.rows {
			if pr, ok := latest[resultKey(path, id)][kind]; ok {
				counts[pr.sc.Status]++
				if pr.run.run.Started.After(when) {
					when, report = pr.run.run.Started, pr.run.report
				}
			}
		}
		out = append(out, summarizeResult(kind, counts, len(s.rows), formatTime(when), report, false))
	}
	return out
}

// summarizeResult words one result of rows pickles: "passed", "passed (3 rows)", "2 passed, 1 failed",
// "never run against devtest". A feature's result (rows are its scenarios' rows) always counts.
func summarizeResult(kind string, counts map[string]int, rows int, date, report string, feature bool) resultDoc {
	n := 0
	for _, c := range counts {
		n += c
	}
	if n == 0 {
		return resultDoc{Kind: kind, Summary: "never run against " + kind}
	}
	r := resultDoc{Kind: kind, Date: date, Report: report, counts: counts}
	for _, st := range worstOf {
		if counts[st] > 0 && r.Status == "" {
			r.Status = st
		}
	}
	switch {
	case feature || len(counts) > 1:
		r.Summary = countSummary(counts)
	case rows > 1:
		r.Summary = fmt.Sprintf("%s (%d rows)", r.Status, n)
	default:
		r.Summary = r.Status
	}
	if n < rows {
		r.Summary += fmt.Sprintf(" (%d of %d ran)", n, rows)
	}
	return r
}

// featureResults sums a feature's scenarios per kind of target, or takes the history's counts for the
// feature when the history has a newer run.
func featureResults(f *featureDoc, history []results.HistoryLine) []resultDoc {
	var out []resultDoc
	for i, kind := range results.TargetKinds {
		counts := map[string]int{}
		rows := 0
		date, report := "", ""
		for _, s := range f.Scenarios {
			rows += len(s.rows)
			r := s.Results[i]
			for st, n := range r.counts {
				counts[st] += n
			}
			if r.Date > date {
				date, report = r.Date, r.Report
			}
		}
		res := summarizeResult(kind, counts, rows, date, report, true)
		for _, h := range history {
			if fc := h.Features[f.Path]; h.KindOf() == kind && fc != nil && formatTime(h.Started) > res.Date {
				res = summarizeResult(kind, fc, rows, formatTime(h.Started), "", true)
			}
		}
		out = append(out, res)
	}
	return out
}

// example picks the exchange that shows what the API answers in a scenario, from the newest run that has
// one: the last exchange of the first action (When) that made any, or else the first exchange at all.
func example(path string, s *scenarioDoc, newest []*runDoc, features string) *exampleDoc {
	for _, r := range newest {
		for i := range r.run.Scenarios {
			sc := &r.run.Scenarios[i]
			if featureKey(sc.Feature, features) != path || !slices.Contains(s.rows, scenarioID{sc.Name, sc.Example}) {
				continue
			}
			x, ok := behaviourExchange(sc)
			if !ok {
				continue
			}
			e := &exampleDoc{Kind: r.kind, Date: formatTime(r.run.Started), Request: requestText(x, r.run.Target), Response: responseText(x)}
			if len(s.rows) > 1 {
				e.Row = cmp.Or(sc.Example, sc.Name)
			}
			return e
		}
	}
	return nil
}

func behaviourExchange(sc *results.Scenario) (driver.Exchange, bool) {
	for _, st := range sc.Steps {
		if st.Type == "Action" && len(st.Exchanges) > 0 {
			return st.Exchanges[len(st.Exchanges)-1], true
		}
	}
	for _, st := range sc.Steps {
		if len(st.Exchanges) > 0 {
			return st.Exchanges[0], true
		}
	}
	return driver.Exchange{}, false
}

// shownHeaders are the headers an example shows: those a reader of the API needs.
var shownHeaders = []string{"Authorization", "Content-Type", "Cache-Control", "Pragma", "Location", "Www-Authenticate", "Retry-After", "X-Rate-Limit-Group", "X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Window"}

func requestText(x driver.Exchange, target string) string {
	var b strings.Builder
	b.WriteString(x.Method + " " + strings.TrimPrefix(x.URL, target) + "\n")
	writeHeaders(&b, x.RequestHeader)
	if x.RequestBody != "" {
		b.WriteString("\n" + prettyBody(x.RequestBody) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func responseText(x driver.Exchange) string {
	if x.Error != "" {
		return "no answer: " + x.Error
	}
	var b strings.Builder
	b.WriteString("HTTP " + strconv.Itoa(x.Status) + "\n")
	writeHeaders(&b, x.ResponseHeader)
	if x.ResponseBody != "" {
		b.WriteString("\n" + prettyBody(x.ResponseBody) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// prettyBody indents a JSON body and leaves any other as it is.
func prettyBody(body string) string {
	var b bytes.Buffer
	if json.Indent(&b, []byte(body), "", "  ") == nil {
		return b.String()
	}
	return body
}

func writeHeaders(b *strings.Builder, h map[string][]string) {
	for _, k := range shownHeaders {
		for hk, vs := range h {
			if strings.EqualFold(hk, k) {
				for _, v := range vs {
					b.WriteString(k + ": " + v + "\n")
				}
			}
		}
	}
}

// sentences groups the vocabulary by subject, each sentence with a scenario that uses it.
func sentences(vocabulary []Sentence, features []*featureDoc) []subjectDoc {
	type use struct {
		f    *featureDoc
		s    *scenarioDoc
		text string
	}
	res := make([]*regexp.Regexp, len(vocabulary))
	for i, v := range vocabulary {
		res[i] = regexp.MustCompile(v.Expression)
	}
	uses := make([][]use, len(vocabulary))
	for _, f := range features {
		for _, s := range f.Scenarios {
			for _, text := range s.steps {
				for i, re := range res {
					if re.MatchString(text) {
						uses[i] = append(uses[i], use{f, s, text})
						break
					}
				}
			}
		}
	}
	var out []subjectDoc
	for i, v := range vocabulary {
		if len(out) == 0 || out[len(out)-1].Subject != v.Subject {
			out = append(out, subjectDoc{Subject: v.Subject})
		}
		scenarios := map[*scenarioDoc]bool{}
		for _, u := range uses[i] {
			scenarios[u.s] = true
		}
		d := sentenceDoc{Sentence: v, Uses: len(scenarios)}
		if len(uses[i]) > 0 {
			u := slices.MinFunc(uses[i], func(a, b use) int { return cmp.Compare(len(a.text), len(b.text)) })
			d.Example, d.Feature, d.Slug, d.Scenario, d.Anchor = u.text, u.f.Name, u.f.Slug, u.s.Name, u.s.Anchor
		}
		out[len(out)-1].Sentences = append(out[len(out)-1].Sentences, d)
	}
	return out
}
