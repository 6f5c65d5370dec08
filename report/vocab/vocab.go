// Package vocab lists the step vocabulary for the living documentation: every sentence of
// steps.Vocabulary with what it does, the doc comment of the function that handles it. It is apart from
// package report because it imports the steps, which import the report.
package vocab

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/cucumber/godog"

	"github.com/rcoauth/conformance/env"
	"github.com/rcoauth/conformance/report"
	"github.com/rcoauth/conformance/steps"
)

// Sentences lists every step sentence (steps.Vocabulary) with what it does: the doc comment of the
// function that handles it. godog's step-definition listing says where each sentence is registered
// (file and line in steps/); the registration there names the handler, whose doc comment go/doc reads.
func Sentences(envDir, stepsDir string) ([]report.Sentence, error) {
	where, err := registrations(envDir)
	if err != nil {
		return nil, err
	}
	handlers, docs, err := handlerDocs(stepsDir)
	if err != nil {
		return nil, err
	}
	listing := steps.Vocabulary()
	if len(listing) != len(where) {
		return nil, fmt.Errorf("vocab: godog lists %d step definitions, steps.Vocabulary %d", len(where), len(listing))
	}
	var out []report.Sentence
	for i, d := range listing {
		if where[i].expr != d.Expression {
			return nil, fmt.Errorf("vocab: step definition %d is %q in godog's listing and %q in steps.Vocabulary", i, where[i].expr, d.Expression)
		}
		s := report.Sentence{Subject: d.Subject, Expression: d.Expression, Check: d.Assertion}
		if name := handlers[where[i].file+":"+strconv.Itoa(where[i].line)]; name != "" {
			s.Handler = where[i].file + ": " + name
			s.Doc = docs[name]
		}
		out = append(out, s)
	}
	return out, nil
}

// registration is where godog says a step definition was registered.
type registration struct {
	expr, file string
	line       int
}

// listingLine is one line of godog's step-definition listing: the expression, then "# file.go:line -> ".
var listingLine = regexp.MustCompile(`^(\^.*\$)\s+# ([\w.]+\.go):(\d+) -> `)

// ansi is a terminal color sequence, which godog's listing uses whatever NoColors says.
var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// registrations lists the vocabulary through godog (ShowStepDefinitions), which gives each definition's
// registration site. The suite needs a profile and a target to exist; it sends nothing.
func registrations(envDir string) ([]registration, error) {
	profile, err := env.Load(envDir, "mock", nil)
	if err != nil {
		return nil, err
	}
	suite, err := steps.NewSuite(steps.Config{Profile: profile, Target: steps.Target{URL: "http://127.0.0.1:1"}})
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	godog.TestSuite{
		Name:                "vocabulary",
		ScenarioInitializer: suite.InitializeScenario,
		Options:             &godog.Options{ShowStepDefinitions: true, Output: &b, NoColors: true, Format: "progress"},
	}.Run()
	var out []registration
	for _, line := range strings.Split(ansi.ReplaceAllString(b.String(), ""), "\n") {
		if m := listingLine.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[3])
			out = append(out, registration{expr: m[1], file: m[2], line: n})
		}
	}
	return out, nil
}

// handlerDocs reads the steps package's source: for every registration call (….Step(expression,
// handler)), the handler's name by "file.go:line" of each line the call spans, and every function's
// and method's doc comment by name, as one sentence that does not repeat the name.
func handlerDocs(dir string) (map[string]string, map[string]string, error) {
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, nil, err
	}
	handlers, docs := map[string]string{}, map[string]string{}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return nil, nil, fmt.Errorf("vocab: %w", err)
		}
		base := filepath.Base(path)
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				if n.Doc != nil {
					docs[n.Name.Name] = sentence(n.Name.Name, n.Doc.Text())
				}
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "Step" || len(n.Args) != 2 {
					return true
				}
				if h, ok := n.Args[1].(*ast.SelectorExpr); ok {
					for l := fset.Position(n.Pos()).Line; l <= fset.Position(n.End()).Line; l++ {
						handlers[base+":"+strconv.Itoa(l)] = h.Sel.Name
					}
				}
			}
			return true
		})
	}
	return handlers, docs, nil
}

// sentence turns "requestGrant sends the grant's passing request." into "Sends the grant's passing
// request.": the doc comment's first sentence, without the name Go style starts it with.
func sentence(name, text string) string {
	// The name comes off before go/doc reads the sentence: Synopsis drops a sentence that starts like a
	// copyright notice, and "authorizeApp …" starts with "author".
	if rest, ok := strings.CutPrefix(text, name+" "); ok && rest != "" {
		text = strings.ToUpper(rest[:1]) + rest[1:]
	}
	var p doc.Package
	return p.Synopsis(text)
}
