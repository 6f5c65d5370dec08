package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/cucumber/godog"

	"github.com/rcoauth/conformance/catalog"
	"github.com/rcoauth/conformance/env"
	"github.com/rcoauth/conformance/rcmock"
	"github.com/rcoauth/conformance/results"
	"github.com/rcoauth/conformance/steps"
)

// A Plan is what a run against a real target will cost before it sends its first request: for each test
// user and app, the Auth-group requests the selected scenarios make, how many of them are deliberately
// refused (4xx), and how long the run takes at the profile's pace. Its counts come from the scenarios
// themselves: a dry run of the same selection, in the same order, against the embedded mock, with the real
// profile's set of variables (so the same scenarios skip) and the mock's values. The schedule then assigns
// each scenario to a test user, evening out the users' budgets, and paces every budget as the run does.
type Plan struct {
	Profile   string
	Target    string
	Rate      steps.AuthRate
	Users     int
	Scenarios int
	// Budgets are the planned requests per test user and app.
	Budgets []results.Budget
	// Duration is the schedule's length at Rate, requests taking no time.
	Duration time.Duration
	// Assign is the test user of each scenario, by its key (PlanKey).
	Assign map[string]int
	// Apps names the apps by client ID, from the profile.
	Apps map[string]string
	// Costs are the scenarios' Auth-group requests in the dry run, most expensive first.
	Costs []Cost
}

// Cost is one scenario's Auth-group requests in the dry run.
type Cost struct {
	Feature, Name, Example string
	Requests, ClientErrors int
}

// PlanKey identifies a scenario (an outline's example row included) in a plan.
func PlanKey(feature, name, example string) string { return feature + "\x00" + name + "\x00" + example }

// PlanOptions select the scenarios of a plan and how the run will go.
type PlanOptions struct {
	Tags     string
	Seed     int64
	Rate     steps.AuthRate
	Users    int
	Features *catalog.Catalog
}

// MakePlan plans a run of profile p: it dry-runs the selection against the embedded mock and schedules it
// for opts.Users test users at opts.Rate.
func MakePlan(p *env.Profile, target string, opts PlanOptions) (*Plan, error) {
	run, err := dryRun(p, opts)
	if err != nil {
		return nil, err
	}
	plan := &Plan{
		Profile: p.Name(), Target: target, Rate: opts.Rate, Users: max(opts.Users, 1),
		Scenarios: len(run.Scenarios), Assign: map[string]int{}, Apps: appNames(p),
	}
	plan.schedule(run.Scenarios, p)
	for _, sc := range run.Scenarios {
		c := Cost{Feature: sc.Feature, Name: sc.Name, Example: sc.Example, Requests: len(sc.Auth)}
		for _, r := range sc.Auth {
			if r.Status >= 400 && r.Status < 500 {
				c.ClientErrors++
			}
		}
		plan.Costs = append(plan.Costs, c)
	}
	sort.SliceStable(plan.Costs, func(i, j int) bool { return plan.Costs[i].Requests > plan.Costs[j].Requests })
	return plan, nil
}

// dryRun runs the selected scenarios once against an embedded mock that behaves as a real target (no
// control API: no realms, clock or faults), one at a time in the seed's order, with no pacing.
func dryRun(p *env.Profile, opts PlanOptions) (*results.Run, error) {
	mock, err := env.Load("env", "mock", nil)
	if err != nil {
		return nil, err
	}
	vars := map[string]string{}
	for _, k := range p.Keys() {
		if v := mock.Value(k); v != "" {
			vars[k] = v
		}
	}
	for _, k := range []string{"RC_ALLOW_DESTRUCTIVE", "RC_CLEANUP"} {
		if v := p.Value(k); v != "" {
			vars[k] = v
		}
	}
	vars["RC_AUTH_RATE"], vars["RC_RETRIES"] = "off", "0"
	dry := env.Derive(p.Name(), vars)

	mo := rcmock.DefaultOptions()
	srv, err := rcmock.New(mo)
	if err != nil {
		return nil, fmt.Errorf("plan: starting the mock for the dry run: %w", err)
	}
	in, err := srv.Start("127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("plan: starting the mock for the dry run: %w", err)
	}
	suite, err := steps.NewSuite(steps.Config{
		Profile: dry, Target: steps.Target{URL: in.URL, Close: in.Close}, Features: opts.Features,
		Out: io.Discard, Seed: opts.Seed, Tags: opts.Tags, Concurrency: 1,
	})
	if err != nil {
		_ = in.Close(context.Background())
		return nil, err
	}
	godog.TestSuite{
		Name:                 "plan",
		TestSuiteInitializer: suite.InitializeTestSuite,
		ScenarioInitializer:  suite.InitializeScenario,
		Options: &godog.Options{
			Format: "progress", Output: io.Discard, Paths: []string{"features"}, Tags: opts.Tags,
			Strict: true, Randomize: opts.Seed, Concurrency: 1,
		},
	}.Run()
	return suite.Results(), nil
}

// schedule assigns each scenario, in run order, to a test user, and paces each of its Auth-group requests on
// the budget it spends, as the run does (steps/pacing.go): each user runs its scenarios one after the
// other, in run order. A scenario goes to the user with which it would end first; between users with which
// it ends at the same time, to the one whose busiest budget stays the least busy. Ending first, not
// balancing request counts, is what keeps the run short: a user's scenarios also wait on the budgets of
// other users whose credentials they present, and on the clear windows around bursts.
func (plan *Plan) schedule(scenarios []results.Scenario, p *env.Profile) {
	spacing := time.Duration(0)
	if plan.Rate.Requests > 0 {
		spacing = plan.Rate.Spacing()
	}
	free := make([]time.Duration, plan.Users+1)
	next := map[steps.Budget]time.Duration{}
	used := map[steps.Budget]*results.Budget{}
	load := map[steps.Budget]int{}
	for _, sc := range scenarios {
		u, end, busiest := 0, time.Duration(0), 0
		for n := 1; n <= plan.Users; n++ {
			e := plan.pace(sc, n, p, free[n], maps.Clone(next), spacing)
			b := busiestWith(sc, n, p, load)
			if u == 0 || e < end || (e == end && b < busiest) {
				u, end, busiest = n, e, b
			}
		}
		free[u] = plan.pace(sc, u, p, free[u], next, spacing)
		plan.Assign[PlanKey(sc.Feature, sc.Name, sc.Example)] = u
		for _, r := range sc.Auth {
			b := steps.Budget{User: attribute(r, u, p), App: r.App}
			load[b]++
			if used[b] == nil {
				used[b] = &results.Budget{User: b.User, App: b.App}
			}
			used[b].Requests++
			if r.Status >= 400 && r.Status < 500 {
				used[b].ClientErrors++
			}
		}
	}
	for _, f := range free {
		plan.Duration = max(plan.Duration, f)
	}
	for _, b := range used {
		plan.Budgets = append(plan.Budgets, *b)
	}
	sort.Slice(plan.Budgets, func(i, j int) bool {
		if plan.Budgets[i].User != plan.Budgets[j].User {
			return plan.Budgets[i].User < plan.Budgets[j].User
		}
		return plan.Budgets[i].App < plan.Budgets[j].App
	})
}

// pace paces scenario sc's Auth-group requests as test user u's, starting when u is free, on the budgets'
// next free times (which it moves on), and returns when its last request goes.
func (plan *Plan) pace(sc results.Scenario, u int, p *env.Profile, t time.Duration, next map[steps.Budget]time.Duration, spacing time.Duration) time.Duration {
	for i, r := range sc.Auth {
		b := steps.Budget{User: attribute(r, u, p), App: r.App}
		t = max(t, next[b])
		switch {
		case r.Burst > 1 && (i == 0 || sc.Auth[i-1].Burst != r.Burst):
			// The first of a burst: a whole window clear before it, and after it (steps/pacing.go).
			t += time.Duration(plan.Rate.Requests-1) * spacing
			next[b] = t + time.Duration(plan.Rate.Requests)*spacing
		case r.Burst > 1:
			// The rest of the burst goes at the same time.
		default:
			next[b] = t + spacing
		}
	}
	return t
}

// busiestWith is the request count of user u's busiest budget once scenario sc runs as u.
func busiestWith(sc results.Scenario, u int, p *env.Profile, load map[steps.Budget]int) int {
	extra := map[steps.Budget]int{}
	for _, r := range sc.Auth {
		extra[steps.Budget{User: attribute(r, u, p), App: r.App}]++
	}
	busiest := 0
	for b, k := range extra {
		busiest = max(busiest, load[b]+k)
	}
	for b, k := range load {
		if b.User == u {
			busiest = max(busiest, k)
		}
	}
	return busiest
}

// attribute is the test user whose budget a dry-run request spends when its scenario runs as user u: no
// user's for a request made for none, u's when it follows the scenario's user or presents a credential u
// has, and user 1's when it presents a credential only user 1 has.
func attribute(r results.AuthRequest, u int, p *env.Profile) int {
	switch {
	case r.Cred == "-":
		return 0
	case r.Cred == "" || u == 1:
		return u
	case p.ForUser(u).Owner(r.Cred) == u:
		return u
	}
	return 1
}

// appNames maps the profile's client IDs to the vocabulary's app names.
func appNames(p *env.Profile) map[string]string {
	names := map[string]string{}
	for _, a := range []struct{ name, variable string }{
		{"confidential", "RC_CLIENT_ID"}, {"public", "RC_PUBLIC_CLIENT_ID"}, {"restricted", "RC_RESTRICTED_CLIENT_ID"},
		{"secret-JWT", "RC_SECRET_JWT_CLIENT_ID"}, {"private-key", "RC_PRIVATE_KEY_JWT_CLIENT_ID"},
	} {
		if id := p.Value(a.variable); id != "" {
			if names[id] != "" {
				names[id] += ", " + a.name
			} else {
				names[id] = a.name
			}
		}
	}
	return names
}

// Print writes the plan as a table a person reads before the run starts.
func (plan *Plan) Print(w io.Writer) {
	fmt.Fprintf(w, "Plan: %d scenarios against %s (profile %s), Auth group paced at %s per test user and app, %d test user(s).\n",
		plan.Scenarios, plan.Target, plan.Profile, plan.Rate, plan.Users)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "user\tapp\tAuth requests\tof them 4xx\tat the pace\t")
	total, fourxx := 0, 0
	for _, b := range plan.Budgets {
		user := fmt.Sprint(b.User)
		if b.User == 0 {
			user = "none"
		}
		app := b.App
		if name := plan.Apps[b.App]; name != "" {
			app = name + " (" + b.App + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t\n", user, app, b.Requests, b.ClientErrors, plan.paced(b.Requests))
		total, fourxx = total+b.Requests, fourxx+b.ClientErrors
	}
	fmt.Fprintf(tw, "total\t\t%d\t%d\t\t\n", total, fourxx)
	tw.Flush()
	fmt.Fprintf(w, "Expected duration: %s at %s (scenarios spread over %d user(s), each budget paced; network time not included).\n",
		plan.Duration.Round(time.Second), plan.Rate, plan.Users)
}

// paced is how long n requests of one budget take at the plan's rate.
func (plan *Plan) paced(n int) string {
	if plan.Rate.Requests == 0 || n == 0 {
		return "-"
	}
	return (time.Duration(float64(n-1) * float64(plan.Rate.Window) / float64(plan.Rate.Requests))).Round(time.Second).String()
}

// Matches compares the plan with a run's account of its budgets and returns every difference.
func (plan *Plan) Matches(used []results.Budget) []string {
	key := func(b results.Budget) string { return fmt.Sprintf("user %d, app %s", b.User, b.App) }
	want := map[string]results.Budget{}
	for _, b := range plan.Budgets {
		want[key(b)] = b
	}
	var diffs []string
	for _, b := range used {
		w, ok := want[key(b)]
		delete(want, key(b))
		if !ok || w.Requests != b.Requests || w.ClientErrors != b.ClientErrors {
			diffs = append(diffs, fmt.Sprintf("%s: planned %d requests (%d 4xx), made %d (%d 4xx)", key(b), w.Requests, w.ClientErrors, b.Requests, b.ClientErrors))
		}
	}
	for k, w := range want {
		diffs = append(diffs, fmt.Sprintf("%s: planned %d requests, made none", k, w.Requests))
	}
	slices.Sort(diffs)
	return diffs
}

// PlanFile is the name of a run's plan in its reports directory.
const PlanFile = "plan.json"

// planRecord is what plan.json keeps of a plan: the budgets and the expected duration.
type planRecord struct {
	Profile   string           `json:"profile"`
	Target    string           `json:"target"`
	Rate      string           `json:"auth_rate"`
	Users     int              `json:"users"`
	Scenarios int              `json:"scenarios"`
	Budgets   []results.Budget `json:"budgets"`
	Duration  time.Duration    `json:"duration_ns"`
}

// Write stores the plan's budgets and duration as JSON at path.
func (plan *Plan) Write(path string) error {
	b, err := json.MarshalIndent(planRecord{plan.Profile, plan.Target, plan.Rate.String(), plan.Users, plan.Scenarios, plan.Budgets, plan.Duration}, "", "  ")
	if err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// ReadPlanRecord reads the planned budgets and duration a run wrote (Plan.Write).
func ReadPlanRecord(path string) (budgets []results.Budget, duration time.Duration, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	var r planRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, 0, fmt.Errorf("plan: %s: %w", path, err)
	}
	return r.Budgets, r.Duration, nil
}
