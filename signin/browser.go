package signin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/rcoauth/conformance/driver"
)

// chromiumFlags are the command-line flags Chromium is started with: headless, and without the background
// connections (updates, sync, component downloads, QUIC probes) that a machine without Internet access
// refuses; each sign-in then gets a fresh browser context (its own cookies) in one browser process.
var chromiumFlags = []string{
	"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync",
}

// FindChromium returns the Chromium binary: exe if set, else chromium or chromium-browser on PATH (Debian's
// package chromium installs /usr/bin/chromium).
func FindChromium(exe string) (string, error) {
	if exe != "" {
		return exec.LookPath(exe)
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("signin: no Chromium found (install Debian's package chromium, or set OAUTH_BROWSER)")
}

// Browser is one headless Chromium process, started on first use, shared by the sign-ins of a run, each
// in its own browser context. It is safe for concurrent use.
type Browser struct {
	exe string

	mu          sync.Mutex
	started     bool
	err         error
	dir         string
	cancelAlloc context.CancelFunc
	ctx         context.Context // the browser's context
	cancel      context.CancelFunc
}

// NewBrowser returns a Browser that starts exe (FindChromium) with chromiumFlags and a fresh user-data-dir when it
// is first used.
func NewBrowser(exe string) *Browser { return &Browser{exe: exe} }

// start starts the browser once, bounded by ctx.
func (b *Browser) start(ctx context.Context) (context.Context, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.started {
		return b.ctx, b.err
	}
	b.started = true
	exe, err := FindChromium(b.exe)
	if err != nil {
		b.err = err
		return nil, err
	}
	if b.dir, err = os.MkdirTemp("", "rcoauth-chromium-"); err != nil {
		b.err = fmt.Errorf("signin: %w", err)
		return nil, b.err
	}
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(exe), chromedp.UserDataDir(b.dir)}
	for _, f := range chromiumFlags {
		opts = append(opts, chromedp.Flag(strings.TrimPrefix(f, "--"), true))
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancel := chromedp.NewContext(alloc)
	// The first Run starts the process; it is bounded by the caller's deadline.
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(bctx) }()
	select {
	case err = <-done:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		cancel()
		cancelAlloc()
		os.RemoveAll(b.dir)
		b.err = fmt.Errorf("signin: starting %s: %w", exe, err)
		return nil, b.err
	}
	b.ctx, b.cancel, b.cancelAlloc = bctx, cancel, cancelAlloc
	return bctx, nil
}

// Close ends the browser process and removes its profile directory.
func (b *Browser) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cancel != nil {
		b.cancel()
		b.cancelAlloc()
		b.cancel = nil
	}
	if b.dir != "" {
		os.RemoveAll(b.dir)
		b.dir = ""
	}
}

// SignIn opens authURL (the authorization request, RFC 6749 §4.1.1) in a fresh browser context, sending
// header with every request (the mock's X-Mock-Scenario, which keeps a scenario's realm), follows recipe
// with the values value returns for its variables, and returns the URL the server then sends the
// browser to at redirectURI (RFC 6749 §4.1.2: carrying code and state, or error). The request to
// redirectURI is captured and never sent. ctx bounds the whole sign-in; on failure the error names the
// step and the page the browser was on.
func (b *Browser) SignIn(ctx context.Context, authURL, redirectURI string, header map[string]string, recipe *Recipe, value func(string) string) (string, error) {
	return b.signIn(ctx, authURL, nil, redirectURI, header, recipe, value)
}

// SignInPost is SignIn for an authorization request sent with POST (RFC 6749 §3.1: the authorization
// endpoint MAY support POST): the browser opens endpoint, and that first request is sent as a POST of
// form (application/x-www-form-urlencoded, as a web page's form would send it); the sign-in then goes on
// as after a GET.
func (b *Browser) SignInPost(ctx context.Context, endpoint string, form url.Values, redirectURI string, header map[string]string, recipe *Recipe, value func(string) string) (string, error) {
	return b.signIn(ctx, endpoint, []byte(form.Encode()), redirectURI, header, recipe, value)
}

// signIn opens authURL, with a GET or, with a body, a POST of body, and follows the recipe.
func (b *Browser) signIn(ctx context.Context, authURL string, body []byte, redirectURI string, header map[string]string, recipe *Recipe, value func(string) string) (string, error) {
	// The steps run under run, which ends when the redirect is captured (stop) or ctx ends.
	tab, run, stop, done, err := b.newTab(ctx)
	if err != nil {
		return "", err
	}
	defer done()
	red := typedRedactor(recipe, value)
	var (
		mu       sync.Mutex
		captured string
		posted   bool // the POST of body was sent (only the handler's goroutine reads and writes it)
	)
	got := func() string {
		mu.Lock()
		defer mu.Unlock()
		return captured
	}
	// Paused requests go to a goroutine: the listener runs in the tab's read loop and must not send
	// commands itself.
	paused := make(chan *fetch.EventRequestPaused, 16)
	if err := chromedp.Listen(tab, func(ev any) {
		if e, ok := ev.(*fetch.EventRequestPaused); ok {
			select {
			case paused <- e:
			default:
			}
		}
	}); err != nil {
		return "", fmt.Errorf("signin: %w", err)
	}
	go func() {
		for {
			select {
			case <-tab.Done():
				return
			case e := <-paused:
				u := e.Request.URL + e.Request.URLFragment
				if body != nil && !posted && u == authURL {
					posted = true
					_, _ = chromedp.Call(tab, fetch.ContinueRequest, asPost(e, body, header))
					continue
				}
				if !strings.HasPrefix(u, redirectURI) {
					_, _ = chromedp.Call(tab, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: e.RequestID})
					continue
				}
				mu.Lock()
				if captured == "" {
					captured = u
				}
				mu.Unlock()
				stop()
				_, _ = chromedp.Call(tab, fetch.FailRequest, fetch.FailRequestParams{RequestID: e.RequestID, ErrorReason: network.ErrorReasonAborted})
			}
		}
	}()
	escape := strings.NewReplacer("*", `\*`, "?", `\?`).Replace
	patterns := []*fetch.RequestPattern{{URLPattern: escape(redirectURI) + "*", RequestStage: fetch.RequestStageRequest}}
	if body != nil {
		patterns = append(patterns, &fetch.RequestPattern{URLPattern: escape(authURL), RequestStage: fetch.RequestStageRequest})
	}
	if _, err := chromedp.Call(tab, fetch.Enable, fetch.EnableParams{Patterns: patterns}); err != nil {
		return "", fmt.Errorf("signin: %w", err)
	}
	if err := sendHeaders(tab, header); err != nil {
		return "", err
	}
	// Opening returns once the page has loaded, or with an error when the server sends the browser
	// straight to the redirect URI, which is captured and aborted.
	if err := chromedp.Do(run, chromedp.Navigate(authURL)); err != nil && got() == "" {
		return "", b.failure(tab, ctx, recipe, red, "open the authorization request", err)
	}
	for i, s := range recipe.Steps {
		if u := got(); u != "" {
			return u, nil
		}
		if err := chromedp.Do(run, action(s, value, recipe.Failure)); err != nil {
			if u := got(); u != "" {
				return u, nil
			}
			return "", b.failure(tab, ctx, recipe, red, fmt.Sprintf("step %d (%s)", i+1, s), err)
		}
	}
	// The last press sends the browser to the redirect URI; wait for it.
	<-run.Done()
	if u := got(); u != "" {
		return u, nil
	}
	return "", b.failure(tab, ctx, recipe, red, "wait for the redirect to "+redirectURI, ctx.Err())
}

// asPost turns the paused request e into a POST of body, a form, keeping its headers and adding header.
func asPost(e *fetch.EventRequestPaused, body []byte, header map[string]string) fetch.ContinueRequestParams {
	var hs []*fetch.HeaderEntry
	for k, v := range e.Request.Headers {
		if !strings.EqualFold(k, "Content-Type") {
			hs = append(hs, &fetch.HeaderEntry{Name: k, Value: fmt.Sprint(v)})
		}
	}
	for k, v := range header {
		if _, ok := e.Request.Headers[k]; !ok {
			hs = append(hs, &fetch.HeaderEntry{Name: k, Value: v})
		}
	}
	hs = append(hs, &fetch.HeaderEntry{Name: "Content-Type", Value: "application/x-www-form-urlencoded"})
	return fetch.ContinueRequestParams{RequestID: e.RequestID, Method: "POST", PostData: body, Headers: hs}
}

// Decide opens verificationURI (RFC 8628 §3.3: verification_uri_complete, or verification_uri) in a fresh
// browser context, sending header with every request, and follows the recipe's device steps to approve
// or deny the device whose user code is userCode; value supplies the profile variables. It returns once
// the last step is done (the page saying the decision was taken), bounded by ctx.
func (b *Browser) Decide(ctx context.Context, verificationURI, userCode string, approve bool, header map[string]string, recipe *Recipe, value func(string) string) error {
	if recipe.Device == nil {
		return fmt.Errorf("signin: recipe %s has no device steps", recipe.Name)
	}
	steps, what := recipe.Device.Deny, "deny"
	if approve {
		steps, what = recipe.Device.Approve, "approve"
	}
	tab, run, _, done, err := b.newTab(ctx)
	if err != nil {
		return err
	}
	defer done()
	red := typedRedactor(recipe, value, userCode)
	if err := sendHeaders(tab, header); err != nil {
		return err
	}
	if err := chromedp.Do(run, chromedp.Navigate(verificationURI)); err != nil {
		return b.failure(tab, ctx, recipe, red, "open the verification URI", err)
	}
	withCode := func(v string) string {
		if v == UserCode {
			return userCode
		}
		return value(v)
	}
	for i, s := range steps {
		if err := chromedp.Do(run, action(s, withCode, recipe.Failure)); err != nil {
			return b.failure(tab, ctx, recipe, red, fmt.Sprintf("device %s step %d (%s)", what, i+1, s), err)
		}
	}
	return nil
}

// newTab opens a tab in a fresh browser context (its own cookies), starting the browser on first use;
// run, the tab's context for the steps, ends when stop is called or ctx ends; done closes the tab.
func (b *Browser) newTab(ctx context.Context) (tab, run context.Context, stop, done func(), err error) {
	bctx, err := b.start(ctx)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	tab, closeTab := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext())
	run, stop = context.WithCancel(tab)
	go func() {
		select {
		case <-ctx.Done():
			stop()
		case <-run.Done():
		}
	}()
	return tab, run, stop, func() { stop(); closeTab() }, nil
}

// sendHeaders makes the tab send header with every request.
func sendHeaders(tab context.Context, header map[string]string) error {
	if len(header) == 0 {
		return nil
	}
	h := network.Headers{}
	for k, v := range header {
		h[k] = v
	}
	if _, err := chromedp.Call(tab, network.Enable, network.EnableParams{}); err != nil {
		return fmt.Errorf("signin: %w", err)
	}
	if _, err := chromedp.Call(tab, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: h}); err != nil {
		return fmt.Errorf("signin: %w", err)
	}
	return nil
}

// action is what a recipe step does in the browser. A wait ends early with an error when the page shows
// one of the failure selectors (Recipe.Failure).
func action(s Step, value func(string) string, failure []string) chromedp.Action[chromedp.Void] {
	switch {
	case s.WaitURL != "":
		return waitFor(fmt.Sprintf("location.href.includes(%q)", s.WaitURL), "a URL containing "+strconv.Quote(s.WaitURL), failure)
	case s.Wait != "" && len(failure) > 0:
		return waitFor(fmt.Sprintf("document.querySelector(%q) !== null", s.Wait), s.Wait, failure)
	case s.Wait != "":
		return chromedp.WaitReady(chromedp.CSS(s.Wait))
	case s.Fill != "":
		return chromedp.SetValue(chromedp.CSS(s.Fill), value(s.From))
	}
	return chromedp.Click(chromedp.CSS(s.Press))
}

// waitFor waits until the JavaScript condition holds, polling on the browser's animation frames, or until
// the page shows an element matching one of the failure selectors, which is an error quoting the element's
// text. A page that navigates away while it is polled (a form's answer redirecting on) ends the poll; it is
// polled again on the next page, for up to maxNavigations pages, until ctx ends.
func waitFor(condition, what string, failure []string) chromedp.Action[chromedp.Void] {
	sels, _ := json.Marshal(append([]string{}, failure...))
	poll := chromedp.Poll[string](fmt.Sprintf(`(() => {
		for (const sel of %s) {
			const el = document.querySelector(sel);
			if (el) return "failure\x00" + sel + "\x00" + (el.innerText || el.textContent || "").trim().slice(0, 300);
		}
		return (%s) ? "ok" : "";
	})()`, sels, condition))
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		for range maxNavigations {
			got, err := poll(ctx, t)
			if err == nil {
				if rest, ok := strings.CutPrefix(got, "failure\x00"); ok {
					sel, text, _ := strings.Cut(rest, "\x00")
					return chromedp.Void{}, fmt.Errorf("the login page refused the sign-in while the recipe waited for %s: %q (failure selector %s)", what, text, sel)
				}
				return chromedp.Void{}, nil
			}
			if ctx.Err() != nil || !navigated(err) {
				return chromedp.Void{}, err
			}
		}
		return chromedp.Void{}, fmt.Errorf("signin: the page navigated %d times without showing %s", maxNavigations, what)
	}
}

// navigated reports whether a poll's error is the page going away under it: the poll's own "navigated or
// closed", or Chromium's answer for a page whose JavaScript context is gone by the time the poll starts.
func navigated(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "navigated or closed") || strings.Contains(msg, "Cannot find context with specified id") ||
		strings.Contains(msg, "Execution context was destroyed")
}

// maxNavigations bounds the pages a wait for a URL follows.
const maxNavigations = 10

// typedRedactor knows every value the sign-in types into a page (the recipe's variables, the device's
// user code): a login page may echo them (a user name in a greeting, a password in a form shown again),
// and a failure quotes the page's URL, title and text.
func typedRedactor(recipe *Recipe, value func(string) string, extra ...string) *driver.Redactor {
	typed := extra
	for _, v := range append(recipe.Variables(), recipe.DeviceVariables()...) {
		typed = append(typed, value(v))
	}
	return driver.NewRedactor(nil, typed...)
}

// failure describes a failed sign-in with the page the browser was on, with the values the sign-in
// typed and the URL's sensitive parameters (a code, a token) redacted by red.
func (b *Browser) failure(tab, ctx context.Context, recipe *Recipe, red *driver.Redactor, what string, err error) error {
	if ctx.Err() != nil {
		err = fmt.Errorf("%w (the sign-in's deadline)", ctx.Err())
	}
	where := "an unknown page"
	look, cancel := context.WithTimeout(tab, 2e9)
	defer cancel()
	loc, err1 := chromedp.Run(look, chromedp.Location())
	title, err2 := chromedp.Run(look, chromedp.Title())
	if err1 == nil && err2 == nil {
		where = fmt.Sprintf("%s (%q)", red.URL(loc), red.Text(title))
	}
	draft := ""
	if recipe.Unverified {
		draft = "; this recipe is an unverified draft"
	}
	return fmt.Errorf("signin: recipe %s: %s failed on %s: %s%s", recipe.Name, what, where, red.Text(err.Error()), draft)
}
