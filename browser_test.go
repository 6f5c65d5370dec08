package conformance

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath finds the browser the report tests drive: Debian's chromium, which `make chromium` and
// .ci/run install. Without one the test is skipped with that hint, except under CI (CI set), where a
// missing browser is a failure: there the browser test must run.
func chromiumPath(tb testing.TB) string {
	tb.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		tb.Fatal("no Chromium on PATH under CI: .ci/run installs Debian's chromium package (make chromium)")
	}
	tb.Skip("no Chromium installed: `make chromium` installs Debian's chromium package for the browser tests")
	return ""
}

// browserTab is a headless Chromium tab that notes what a person would see go wrong: console errors,
// uncaught exceptions, errors in the browser's log, and any network request other than opening a local
// file as a page.
type browserTab struct {
	ctx      context.Context
	mu       sync.Mutex
	problems []string
}

// openBrowser starts headless Chromium with a fresh profile and the flags this machine's closed network
// needs (no background connections), and returns a tab whose actions share one deadline.
func openBrowser(tb testing.TB, timeout time.Duration) *browserTab {
	tb.Helper()
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath(tb)), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(tb.TempDir()), chromedp.WindowSize(1400, 1000))
	tab := &browserTab{}
	ctx, cancelTab := chromedp.NewContext(alloc, chromedp.WithListener(tab.event))
	// Start the browser on the tab's own context, so that the deadline below ends actions, not the browser.
	if err := chromedp.Do(ctx); err != nil {
		cancelTab()
		cancelAlloc()
		tb.Fatalf("starting %s: %v", chromiumPath(tb), err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	tb.Cleanup(func() { cancelTimeout(); cancelTab(); cancelAlloc() })
	tab.ctx = ctx
	return tab
}

// event runs on chromedp's reading goroutine for every event of the tab: it only records.
func (b *browserTab) event(ev any) {
	var problem string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError {
			var args []string
			for _, a := range ev.Args {
				args = append(args, a.Description+string(a.Value))
			}
			problem = "console error: " + strings.Join(args, " ")
		}
	case *runtime.EventExceptionThrown:
		problem = "uncaught exception: " + ev.ExceptionDetails.Text
		if ev.ExceptionDetails.Exception != nil {
			problem += " " + ev.ExceptionDetails.Exception.Description
		}
	case *cdplog.EventEntryAdded:
		if ev.Entry.Level == cdplog.EntryLevelError {
			problem = "browser log: " + ev.Entry.Text + " " + ev.Entry.URL
		}
	case *network.EventRequestWillBeSent:
		if ev.Type != network.ResourceTypeDocument || !strings.HasPrefix(ev.Request.URL, "file://") {
			problem = fmt.Sprintf("network request: %s %s (%s)", ev.Request.Method, ev.Request.URL, ev.Type)
		}
	}
	if problem != "" {
		b.mu.Lock()
		b.problems = append(b.problems, problem)
		b.mu.Unlock()
	}
}

// checkClean fails tb for every problem the tab noted.
func (b *browserTab) checkClean(tb testing.TB, what string) {
	tb.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		tb.Errorf("%s: %s", what, p)
	}
	b.problems = nil
}

// do runs actions in the tab, failing tb with what they were for.
func (b *browserTab) do(tb testing.TB, what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](tb testing.TB, b *browserTab, expr string) T {
	tb.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// text returns the text of the first element a CSS selector matches.
func (b *browserTab) text(tb testing.TB, sel string) string {
	tb.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		tb.Fatalf("reading %s: %v", sel, err)
	}
	return s
}

// screenshot saves the viewport, or the whole page, as a PNG in reports/ for people to look at.
func (b *browserTab) screenshot(tb testing.TB, name string, full bool) {
	tb.Helper()
	shot := chromedp.CaptureScreenshot()
	if full {
		shot = chromedp.FullScreenshot(100)
	}
	png, err := chromedp.Run(b.ctx, shot)
	if err != nil {
		tb.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(reportsDir, name), png, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// fileURL is the file:// URL of a local path.
func fileURL(tb testing.TB, path string) string {
	tb.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		tb.Fatal(err)
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
}

// nodeCount counts the elements a CSS selector matches.
func nodeCount(tb testing.TB, b *browserTab, sel string) int {
	tb.Helper()
	return eval[int](tb, b, fmt.Sprintf("document.querySelectorAll(%q).length", sel))
}

// openReport opens a run report and waits for its script to mark it rendered (or broken).
func (b *browserTab) openReport(tb testing.TB, path string) {
	tb.Helper()
	b.do(tb, "opening "+path, chromedp.Navigate(fileURL(tb, path)),
		chromedp.WaitReady(chromedp.CSS("html[data-rendered], html[data-render-error]")))
	if msg := eval[string](tb, b, `document.documentElement.dataset.renderError || ""`); msg != "" {
		tb.Fatalf("the report's script failed: %s", msg)
	}
}
