// Command harness is the conformance harness's toolbox for the runs against real targets:
//
//	harness plan     [-env production] [-tags '@sandbox-safe'] [-users 1] [-rate 5/60s] [-all] [-goal 45m]
//	harness baseline [-results reports/production/results.json]
//	harness drift    [-dir reports] [-out reports/drift.json]
//	harness summary  [-env production] [-dir reports]
//
// plan prints what a run would cost (Auth-group requests per test user and app, 4xx answers, duration)
// from a dry run against the embedded mock; -all assumes the profile sets every variable, which is how
// `make plan` checks the nightly's goals without credentials. baseline prints ready-to-paste baseline
// entries for the failures, warnings and deviations of a run that the baseline does not list yet. drift
// compares the latest run against the mock with the latest run against a real target of RingCentral's dialect
// (another dialect's server has no drift from the mock, which models RingCentral). summary writes the
// Markdown table of a run that the nightly workflow adds to its job summary.
//
// Run it from the repository root (it reads features/, env/ and baselines/).
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	conformance "github.com/rcoauth/conformance"
	"github.com/rcoauth/conformance/baseline"
	"github.com/rcoauth/conformance/catalog"
	"github.com/rcoauth/conformance/drift"
	"github.com/rcoauth/conformance/env"
	"github.com/rcoauth/conformance/results"
	"github.com/rcoauth/conformance/steps"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		if errors.Is(err, flag.ErrHelp) || errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage: harness plan|baseline|drift|summary [flags] (harness <command> -h for the flags)")

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errUsage
	}
	switch args[0] {
	case "plan":
		return plan(args[1:], stdout, stderr)
	case "baseline":
		return suggest(args[1:], stdout, stderr)
	case "drift":
		return compare(args[1:], stdout, stderr)
	case "summary":
		return summary(args[1:], stdout, stderr)
	}
	return fmt.Errorf("unknown command %q; %w", args[0], errUsage)
}

func plan(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	profile := fs.String("env", "production", "the profile to plan a run of")
	tags := fs.String("tags", "@sandbox-safe", "godog tag expression selecting the scenarios")
	users := fs.Int("users", 0, "test users (default: as many as the profile configures)")
	rateFlag := fs.String("rate", "", "Auth-group pace per user and app, N/duration (default: the profile's RC_AUTH_RATE, else 5/60s)")
	all := fs.Bool("all", false, "assume the profile sets every variable (plan the whole suite, no skips for missing credentials)")
	seed := fs.Int64("seed", 1, "the order's seed")
	goal := fs.Duration("goal", 0, "fail if the expected duration exceeds this")
	top := fs.Int("top", 0, "also list the N scenarios that make the most Auth-group requests")
	if err := fs.Parse(args); err != nil {
		return err
	}
	p, err := env.Load("env", *profile, os.Environ())
	if err != nil {
		return err
	}
	if *all {
		p = withEveryVariable(p, *users)
	}
	rate := steps.DefaultAuthRate
	if v := *rateFlag; v != "" || p.Value("RC_AUTH_RATE") != "" {
		if v == "" {
			v = p.Value("RC_AUTH_RATE")
		}
		if rate, err = steps.ParseAuthRate(v); err != nil {
			return fmt.Errorf("-rate: %w", err)
		}
	}
	n := *users
	if n == 0 {
		n = p.Users()
	}
	features, err := catalog.Load("features")
	if err != nil {
		return err
	}
	pl, err := conformance.MakePlan(p, p.Value("RC_SERVER_URL"), conformance.PlanOptions{Tags: *tags, Seed: *seed, Rate: rate, Users: n, Features: features})
	if err != nil {
		return err
	}
	pl.Print(stdout)
	for i, c := range pl.Costs[:min(*top, len(pl.Costs))] {
		row := ""
		if c.Example != "" {
			row = " [" + c.Example + "]"
		}
		fmt.Fprintf(stdout, "%3d. %2d requests (%d 4xx)  %s: %s%s\n", i+1, c.Requests, c.ClientErrors, c.Feature, c.Name, row)
	}
	if *goal > 0 {
		if pl.Duration > *goal {
			return fmt.Errorf("the expected duration %s exceeds the goal of %s", pl.Duration.Round(time.Second), *goal)
		}
		fmt.Fprintf(stdout, "Within the goal of %s.\n", *goal)
	}
	return nil
}

// withEveryVariable is p with every variable the mock profile sets that p does not (values from the mock),
// and each per-user variable for users 2 to users, so a plan counts every scenario that a fully configured
// account would run, with every test user's own credentials.
func withEveryVariable(p *env.Profile, users int) *env.Profile {
	vars := map[string]string{}
	if mock, err := env.Load("env", "mock", nil); err == nil {
		for _, k := range mock.Keys() {
			vars[k] = mock.Value(k)
		}
		for n := 2; n <= users; n++ {
			for _, k := range env.PerUser {
				if v := mock.Value(k); v != "" {
					vars[fmt.Sprintf("%s_%d", k, n)] = v
				}
			}
		}
	}
	for _, k := range p.Keys() {
		vars[k] = p.Value(k)
	}
	return env.Derive(p.Name(), vars)
}

func suggest(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("baseline", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("results", "", "the run's results.json (default: the latest run against a real target under reports/)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var r *results.Run
	var err error
	if *path != "" {
		r, err = results.Read(*path)
	} else {
		_, r, err = drift.Latest("reports", "")
		if err == nil && r == nil {
			err = errors.New("no run against a real target under reports/; name one with -results")
		}
	}
	if err != nil {
		return err
	}
	entries := baseline.Suggest(r, time.Now())
	fmt.Fprintf(stderr, "%d entries for the run of profile %s started %s; replace each TODO with the reason and add a link, then paste them into baselines/%s.json:\n",
		len(entries), r.Profile, r.Started.Format(time.RFC3339), r.Profile)
	if entries == nil {
		entries = []baseline.Entry{}
	}
	b, err := json.MarshalIndent(entries, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, string(b))
	return err
}

func compare(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("drift", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "reports", "where the runs' results.json files are")
	out := fs.String("out", filepath.Join("reports", drift.FileName), "where to write the drift report")
	if err := fs.Parse(args); err != nil {
		return err
	}
	mock, target, err := drift.Latest(*dir, drift.RingCentral)
	switch {
	case err != nil:
		return err
	case mock == nil:
		return fmt.Errorf("no run against the mock under %s: run `make conformance` first", *dir)
	case target == nil:
		return fmt.Errorf("no run against a real target of RingCentral's dialect under %s (a server of another dialect has no drift from the mock): run `make conformance ENV=production` (or devtest) first", *dir)
	}
	r := drift.Compare(mock, target)
	if err := drift.Write(*out, r); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Drift between the mock (%s, %s) and %s (%s, %s): %d differences in %d scenarios and %d exchanges compared; written to %s.\n",
		mock.Target, mock.Started.Format(time.RFC3339), target.Profile, target.Target, target.Started.Format(time.RFC3339),
		len(r.Diffs), r.Scenarios, r.Exchanges, *out)
	for _, d := range r.Diffs {
		fmt.Fprintln(stdout, "  "+d.String())
	}
	return nil
}

// summary writes a run's outcome as Markdown for a CI job summary: the counts, the review against the
// baseline, flaky scenarios, the drift from the mock, and the Auth-group requests planned and made.
func summary(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("summary", flag.ContinueOnError)
	fs.SetOutput(stderr)
	profile := fs.String("env", "production", "the profile whose last run to summarize (<dir>/<profile>/)")
	reports := fs.String("dir", "reports", "the reports directory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir := filepath.Join(*reports, *profile)
	if *profile == env.DefaultProfile {
		dir = *reports
	}
	r, err := results.Read(filepath.Join(dir, results.FileName))
	if err != nil {
		fmt.Fprintf(stdout, "### Conformance run against %s\n\nNo results: the run did not get as far as writing %s (see the log).\n", *profile, filepath.Join(dir, results.FileName))
		return nil
	}
	known, err := baseline.Load(filepath.Join("baselines", *profile+".json"), *profile)
	if err != nil {
		return err
	}
	features, err := catalog.Load("features")
	if err != nil {
		return err
	}
	review := baseline.Compare(known, r, features)
	flaky := 0
	for _, s := range r.Scenarios {
		if len(s.Flaky) > 0 && s.Status == results.Passed {
			flaky++
		}
	}
	made, limited := 0, 0
	for _, b := range r.Budgets {
		made += b.Requests
		limited += b.RateLimited
	}
	planned := "-"
	if budgets, d, err := conformance.ReadPlanRecord(filepath.Join(dir, conformance.PlanFile)); err == nil {
		n := 0
		for _, b := range budgets {
			n += b.Requests
		}
		planned = fmt.Sprintf("%d (expected %s)", n, d.Round(time.Second))
	}
	drifted := "-"
	if b, err := os.ReadFile(filepath.Join(*reports, drift.FileName)); err == nil {
		var d drift.Report
		if json.Unmarshal(b, &d) == nil && d.Target.Profile == *profile {
			drifted = fmt.Sprintf("%d differences in %d scenarios compared", len(d.Diffs), d.Scenarios)
		}
	}
	verdict := "passed"
	if !review.OK() || r.Stopped != "" {
		verdict = "**failed**"
	}
	fmt.Fprintf(stdout, "### Conformance run against %s (%s): %s\n\n", r.Profile, r.Target, verdict)
	fmt.Fprintf(stdout, "| | |\n|---|---|\n")
	row := func(k, v any) { fmt.Fprintf(stdout, "| %v | %v |\n", k, v) }
	row("passed", r.Counts[results.Passed])
	row("expected outcomes (baseline)", review.Expected)
	row("new failures", len(review.NewFailures))
	row("stale baseline entries", len(review.Stale))
	row("changed or unmatched baseline entries", len(review.Changed)+len(review.Unmatched))
	row("deviations (new)", fmt.Sprintf("%d (%d)", r.Counts[results.Deviated], review.NewDeviations))
	row("SHOULD-level warnings (new)", fmt.Sprintf("%d (%d)", r.Counts[results.Warned], review.NewWarnings))
	row("skipped", r.Counts[results.Skipped])
	row("flaky", flaky)
	row("drift from the mock", drifted)
	row("Auth-group requests planned", planned)
	row("Auth-group requests made", made)
	row("answered 429 anyway", limited)
	row("duration", r.Duration.Round(time.Second))
	if r.Stopped != "" {
		fmt.Fprintf(stdout, "\n%s\n", r.Stopped)
	}
	if p := review.Problems(); len(p) > 0 {
		fmt.Fprintf(stdout, "\n")
		for _, line := range p {
			fmt.Fprintf(stdout, "- %s\n", line)
		}
	}
	return nil
}
