package steps

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rcoauth/conformance/catalog"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestVocabularyGolden keeps steps/testdata/vocabulary.golden, the listing of every step sentence by
// subject, each marked as an action (Given, When) or a check (Then), in step with the code; regenerate it with `go test ./steps -run TestVocabularyGolden -update`.
func TestVocabularyGolden(t *testing.T) {
	var b bytes.Buffer
	subject := ""
	for _, d := range Vocabulary() {
		if d.Subject != subject {
			if subject != "" {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "## %s\n", d.Subject)
			subject = d.Subject
		}
		kind := "act  "
		if d.Assertion {
			kind = "check"
		}
		fmt.Fprintf(&b, "%s %s\n", kind, d.Expression)
	}
	const golden = "testdata/vocabulary.golden"
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("the vocabulary changed; review and run `go test ./steps -run TestVocabularyGolden -update`\ngot:\n%s", b.String())
	}
}

// TestVocabularyIsUniqueAndUsed checks that every expression is registered once, that every step of the
// features matches exactly one expression (ambiguous matches fail strict runs only at the step that hits
// them), and that every expression is used by some feature: an unused sentence is a second phrasing waiting
// to happen, or a check nobody runs.
func TestVocabularyIsUniqueAndUsed(t *testing.T) {
	cat, err := catalog.Load("../features")
	if err != nil {
		t.Fatal(err)
	}
	vocab := Vocabulary()
	seen := map[string]bool{}
	res := make([]*regexp.Regexp, len(vocab))
	for i, d := range vocab {
		if seen[d.Expression] {
			t.Errorf("registered twice: %s", d.Expression)
		}
		seen[d.Expression] = true
		res[i] = regexp.MustCompile(d.Expression)
	}
	used := make([]int, len(vocab))
	for _, sc := range cat.Scenarios {
		for _, text := range sc.Steps {
			var matched []string
			for i, re := range res {
				if re.MatchString(text) {
					used[i]++
					matched = append(matched, vocab[i].Expression)
				}
			}
			if len(matched) > 1 {
				t.Errorf("%s:%d: %q matches %d expressions: %s", sc.Feature, sc.Line, text, len(matched), strings.Join(matched, " | "))
			}
		}
	}
	for i, d := range vocab {
		if used[i] == 0 {
			t.Errorf("no feature uses %s (%s)", d.Expression, d.Subject)
		}
	}
}

// TestHandlersDeferTheVerdict checks that every sentence, action or check, is handled by a world method
// whose first statement is `defer w.verdict(&err)`: without it a failed @should assertion would fail the
// run instead of warning, and a failure the target's baseline expects would fail it too.
func TestHandlersDeferTheVerdict(t *testing.T) {
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	methods := map[string]*ast.FuncDecl{}
	var handlers []*ast.SelectorExpr
	for _, f := range files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil {
				methods[fd.Name.Name] = fd
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 2 {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); !ok || sel.Sel.Name != "Step" {
				return true
			}
			inner, ok := call.Args[0].(*ast.CallExpr)
			if sel, ok2 := inner.Fun.(*ast.SelectorExpr); !ok || !ok2 || (sel.Sel.Name != "assertion" && sel.Sel.Name != "re") {
				return true
			}
			h, ok := call.Args[1].(*ast.SelectorExpr)
			if !ok {
				t.Errorf("%s: a sentence's handler must be a world method, not %T", fset.Position(call.Pos()), call.Args[1])
				return true
			}
			handlers = append(handlers, h)
			return true
		})
	}
	if len(handlers) < 100 {
		t.Fatalf("found %d handlers; the parse is broken", len(handlers))
	}
	for _, h := range handlers {
		fd := methods[h.Sel.Name]
		if fd == nil || len(fd.Body.List) == 0 {
			t.Errorf("%s: no method %s", fset.Position(h.Pos()), h.Sel.Name)
			continue
		}
		def, ok := fd.Body.List[0].(*ast.DeferStmt)
		var call *ast.SelectorExpr
		if ok {
			call, _ = def.Call.Fun.(*ast.SelectorExpr)
		}
		if call == nil || call.Sel.Name != "verdict" {
			t.Errorf("%s: %s handles a sentence but does not begin with `defer w.verdict(&err)`", fset.Position(fd.Pos()), h.Sel.Name)
		}
	}
}
