// Command rcdocs renders the living documentation (`make docs`): the features as a browsable catalogue
// under reports/docs/, as HTML and as Markdown, with the latest result of each behaviour against each kind
// of target from the runs present in reports/, an example exchange per behaviour, the vocabulary with what
// each sentence does, and the known deviations.
//
// Usage, from the repository root:
//
//	rcdocs [-features features] [-reports reports] [-baselines baselines] [-steps steps] [-env env] [-out reports/docs]
//
// It prints where the index is. Exit status: 0 on success, 2 for invalid flags, 1 for any other failure.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/rcoauth/conformance/baseline"
	"github.com/rcoauth/conformance/report"
	"github.com/rcoauth/conformance/report/vocab"
)

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
	case err != nil && errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "rcdocs:", err)
		os.Exit(1)
	}
}

// errUsage marks an error in the flags, which the flag package has already printed.
var errUsage = errors.New("usage")

// run is main without the process, for tests.
func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rcdocs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	features := fs.String("features", "features", "the features directory")
	reports := fs.String("reports", "reports", "the reports directory: results.json files, history.jsonl, drift.json")
	baselines := fs.String("baselines", baseline.Dir, "the known-deviation baselines, one <profile>.json each")
	stepsDir := fs.String("steps", "steps", "the step vocabulary's source, for each sentence's doc comment")
	envDir := fs.String("env", "env", "the profiles directory (the vocabulary is listed with the mock profile)")
	out := fs.String("out", filepath.Join("reports", "docs"), "where to write the documentation")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	vocabulary, err := vocab.Sentences(*envDir, *stepsDir)
	if err != nil {
		return err
	}
	err = report.WriteDocs(*out, report.DocsConfig{
		Features: *features, Reports: *reports, Baselines: *baselines, Vocabulary: vocabulary,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "The documentation: %s (HTML) and %s (Markdown)\n",
		filepath.Join(*out, "index.html"), filepath.Join(*out, "README.md"))
	return nil
}
