package steps

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"regexp"
	"testing"
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

// TestVocabularyExpressionsCompileAndAreUnique checks that every expression compiles and is registered
// once (ambiguous matches between different expressions fail strict runs at the step that hits them).
func TestVocabularyExpressionsCompileAndAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range Vocabulary() {
		if seen[d.Expression] {
			t.Errorf("registered twice: %s", d.Expression)
		}
		seen[d.Expression] = true
		if _, err := regexp.Compile(d.Expression); err != nil {
			t.Errorf("%s: %v", d.Expression, err)
		}
	}
}
