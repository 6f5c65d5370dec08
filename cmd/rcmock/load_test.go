package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/rcoauth/conformance/rcmock/loadtest"
)

// The mock under load (issue 11): rcmock/loadtest drives the standalone mock, run in-process by runNotify
// on 127.0.0.1:0 with a -fixture file of more users and apps, exactly as the binary runs but for the
// process. In-process rather than a built binary, so that the race detector watches the mock's own code
// under the concurrent load, the Go heap can be measured before and after, and no `go build` competes for
// the machine's two cores. TestLoad runs a small count under -race in `make test`; BenchmarkLoad a larger
// one in `make bench`, which prints requests per second and every invariant's counts. Speed is measured
// there and never asserted.

// loadSize is the shape of one run.
type loadSize struct {
	users, apps, requests int
	deadline              time.Duration // a bound on the load, not a speed goal: what was sent by then is checked
}

var (
	loadTestSize  = loadSize{users: 3, apps: 2, requests: 1200, deadline: 30 * time.Second}
	loadBenchSize = loadSize{users: 8, apps: 4, requests: 40000, deadline: 5 * time.Minute}
)

// runLoad starts the mock with a fixture of size's users and apps and runs the load against it.
func runLoad(tb testing.TB, size loadSize) *loadtest.Report {
	tb.Helper()
	fx, pop, err := loadtest.NewFixture(size.users, size.apps)
	if err != nil {
		tb.Fatal(err)
	}
	b, err := json.Marshal(fx)
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "load-fixture.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		tb.Fatal(err)
	}
	p := startMock(tb, "-fixture", path)
	ctx, cancel := context.WithTimeout(context.Background(), size.deadline)
	defer cancel()
	rep, err := loadtest.Run(ctx, loadtest.Config{BaseURL: p.url, Population: pop, Requests: size.requests, Seed: 1, HeapAlloc: heapAlloc})
	if err != nil {
		tb.Fatal(err)
	}
	if err := p.stop(); err != nil {
		tb.Errorf("run after the load: %v", err)
	}
	return rep
}

// heapAlloc is the live heap of this process, the mock's with it, after a full collection.
func heapAlloc() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// reportViolations fails tb with every violated invariant and its examples.
func reportViolations(tb testing.TB, rep *loadtest.Report) {
	tb.Helper()
	for _, inv := range rep.Invariants {
		if inv.Violations > 0 {
			tb.Errorf("%s: %d of %d checked violated; first: %q", inv.Name, inv.Violations, inv.Checked, inv.Examples)
		}
	}
}

func TestLoad(t *testing.T) {
	rep := runLoad(t, loadTestSize)
	t.Log("\n" + rep.String())
	reportViolations(t, rep)
	for _, inv := range rep.Invariants {
		if inv.Checked == 0 {
			t.Errorf("%s: nothing was checked; the load did not reach what it checks", inv.Name)
		}
	}
}

// BenchmarkLoad runs the load at loadBenchSize per iteration and reports the load's requests per second.
// Every iteration's report, with the invariant counts, is printed to stdout (b.Log would cut it to ten
// lines), and a violation fails the benchmark.
func BenchmarkLoad(b *testing.B) {
	var requests int
	var elapsed time.Duration
	for b.Loop() {
		rep := runLoad(b, loadBenchSize)
		fmt.Print(rep)
		reportViolations(b, rep)
		requests += rep.Requests
		elapsed += rep.Elapsed
	}
	b.ReportMetric(float64(requests)/elapsed.Seconds(), "req/s")
}
