package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRun builds the documentation of the repository's features with no run recorded yet.
func TestRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "docs")
	var stdout, stderr bytes.Buffer
	err := run([]string{"-features", "../../features", "-reports", t.TempDir(), "-baselines", t.TempDir(),
		"-steps", "../../steps", "-env", "../../env", "-out", out}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), filepath.Join(out, "index.html")) {
		t.Errorf("stdout %q does not name the index", stdout.String())
	}
	for _, name := range []string{"index.html", "README.md", "vocabulary.md", "deviations.html", "grants-password.md"} {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if name == "README.md" && !strings.Contains(string(b), "never run against production") {
			t.Errorf("with no run, the index does not say the features were never run:\n%s", b)
		}
	}
}

func TestRunRejectsUnknownFlags(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run([]string{"-nope"}, &stdout, &stderr); !errors.Is(err, errUsage) {
		t.Errorf("run -nope = %v; want a usage error", err)
	}
}
