package vocab

import (
	"strings"
	"testing"

	"github.com/rcoauth/conformance/steps"
)

// TestSentences checks that every sentence of the vocabulary is listed with the handler it is registered
// with, so that the documentation can say what each does.
func TestSentences(t *testing.T) {
	got, err := Sentences("../../env", "../../steps")
	if err != nil {
		t.Fatal(err)
	}
	want := steps.Vocabulary()
	if len(got) != len(want) {
		t.Fatalf("%d sentences; want the vocabulary's %d", len(got), len(want))
	}
	documented := 0
	for i, s := range got {
		if s.Expression != want[i].Expression || s.Check != want[i].Assertion || s.Subject != want[i].Subject {
			t.Errorf("sentence %d is %+v; want %+v", i, s, want[i])
		}
		if file, name, ok := strings.Cut(s.Handler, ": "); !ok || !strings.HasSuffix(file, ".go") || name == "" {
			t.Errorf("%s: no handler found (%q)", s.Expression, s.Handler)
		}
		if s.Doc != "" {
			documented++
		} else {
			t.Errorf("%s (%s): the handler has no doc comment", s.Expression, s.Handler)
		}
	}
	if documented != len(got) {
		t.Errorf("%d of %d sentences have a handler with a doc comment; the vocabulary page's \"what it does\" is blank for the rest", documented, len(got))
	}
}

func TestSentence(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"requestGrant", "requestGrant sends the grant's passing request. It may skip.\n", "Sends the grant's passing request."},
		{"x", "Checks a thing (RFC 6749 §5.1).\n", "Checks a thing (RFC 6749 §5.1)."},
		{"authorizeApp", "authorizeApp sends the app's authorization request.\n", "Sends the app's authorization request."},
	} {
		if got := sentence(tc.name, tc.doc); got != tc.want {
			t.Errorf("sentence(%q, %q) = %q; want %q", tc.name, tc.doc, got, tc.want)
		}
	}
}
