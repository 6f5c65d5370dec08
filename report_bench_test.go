package conformance

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/rcoauth/conformance/env"
	"github.com/rcoauth/conformance/report"
	"github.com/rcoauth/conformance/results"
)

// The report's goals (README "Development"), which BenchmarkReport checks.
const (
	reportMaxMB       = 5    // the whole suite's report, in MB
	reportMaxRenderMS = 1000 // from the start of navigation to the rendered marker, on 2 cores
)

// BenchmarkReport renders the report of the whole suite's run on the embedded mock and opens it in
// headless Chromium. Goals (README "Development"): the report is at most 5 MB (metric MB) and renders in
// under a second on 2 cores (render-ms: from the start of navigation to the page's rendered marker, which
// its script sets once every section is drawn; script-ms is the script's share). ns/op is the Go rendering; without Chromium only that and
// the size are measured. It reports the metrics and fails when one misses its goal.
func BenchmarkReport(b *testing.B) {
	profile, err := env.Load("env", "mock", nil)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	runWholeSuite(b, profile, dir)
	run, err := results.Read(filepath.Join(dir, results.FileName))
	if err != nil {
		b.Fatal(err)
	}
	var tab *browserTab
	if _, err := exec.LookPath("chromium"); err == nil {
		tab = openBrowser(b, 10*time.Minute)
	}
	page := filepath.Join(dir, "bench.html")
	var size int
	var renderMS, scriptMS float64
	b.ResetTimer()
	for b.Loop() {
		var buf bytes.Buffer
		if err := report.Render(&buf, run, report.Inputs{}); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
		if tab == nil {
			continue
		}
		b.StopTimer()
		if err := os.WriteFile(page, buf.Bytes(), 0o644); err != nil {
			b.Fatal(err)
		}
		tab.openReport(b, page)
		ms, err := strconv.ParseFloat(eval[string](b, tab, `document.documentElement.dataset.rendered`), 64)
		if err != nil {
			b.Fatal(err)
		}
		script, err := strconv.ParseFloat(eval[string](b, tab, `document.documentElement.dataset.scriptMs`), 64)
		if err != nil {
			b.Fatal(err)
		}
		renderMS, scriptMS = renderMS+ms, scriptMS+script
		b.StartTimer()
	}
	mb := float64(size) / 1e6
	b.ReportMetric(mb, "MB")
	b.ReportMetric(float64(len(run.Scenarios)), "scenarios")
	if mb > reportMaxMB {
		b.Errorf("the report of %d scenarios is %.1f MB; the goal is at most %d MB", len(run.Scenarios), mb, reportMaxMB)
	}
	if tab != nil {
		render := renderMS / float64(b.N)
		b.ReportMetric(render, "render-ms")
		b.ReportMetric(scriptMS/float64(b.N), "script-ms")
		if render > reportMaxRenderMS {
			b.Errorf("the report renders in %.0f ms; the goal is under %d ms", render, reportMaxRenderMS)
		}
		tab.checkClean(b, "the whole suite's report")
	}
}
