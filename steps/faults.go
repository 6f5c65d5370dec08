package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/rcoauth/conformance/driver"
)

func (v *vocabulary) faults() {
	w := v.w
	v.sc.Step(v.re(`^the token endpoint answers the next (?:(\d+) requests|request) with HTTP (\d+)$`), w.statusFaults)
	v.sc.Step(v.re(`^the token endpoint answers the next request with HTTP (\d+) and the body "([^"]*)"$`), w.bodyFault)
	v.sc.Step(v.re(`^the token endpoint takes (\d+) milliseconds to answer$`), w.slowFault)
	v.sc.Step(v.re(`^the token endpoint (cuts its next answer short|resets the connection halfway through its next answer|stops after the headers of its next answer|labels its next answer gzip without compressing it|redirects the next request to itself)$`), w.brokenAnswer)
	v.sc.Step(v.re(`^the token endpoint answers the next request with a (\d+) MiB body$`), w.hugeBody)
	v.sc.Step(v.re(`^the token endpoint answers the next request with HTTP (\d+) and an HTML error page$`), w.htmlPage)
	v.sc.Step(v.re(`^the token endpoint answers the next request with a token response labelled "([^"]+)"$`), w.mislabelled)
	v.sc.Step(v.re(`^requests time out after (\d+) milliseconds$`), w.shortTimeout)
	v.sc.Step(v.assertion(`^the request fails with a timeout$`), w.failedWithTimeout)
	v.sc.Step(v.assertion(`^the request fails showing the malformed response$`), w.failedMalformed)
	v.sc.Step(v.assertion(`^the request fails because the answer (was cut off|could not be decoded|exceeds the size limit)$`), w.failedBody)
	v.sc.Step(v.assertion(`^the failure shows what was received$`), w.failureShows)
	v.sc.Step(v.re(`^(rate limiting is on|the session limit refuses new sessions|reusing a code does not revoke its tokens|`+
		`the server refuses an authorization for a scope the app was not granted|`+
		`the server answers an unknown grant type as RingCentral's specification text says)$`), w.mockSetting)
}

// statusFaults makes the token endpoint answer the next n requests (one when n is empty) with status.
func (w *world) statusFaults(ctx context.Context, n string, status int) (err error) {
	defer w.verdict(&err)
	count := 1
	if n != "" {
		count, _ = strconv.Atoi(n) // the expression admits digits only
	}
	return w.inject(ctx, statusFault(count, status))
}

// bodyFault makes the token endpoint answer the next request with status and a JSON body.
func (w *world) bodyFault(ctx context.Context, status int, body string) (err error) {
	defer w.verdict(&err)
	return w.inject(ctx, driver.Fault{Path: driver.TokenPath, Count: 1, Status: status, Body: body, ContentType: "application/json"})
}

// slowFault delays the token endpoint's next answer by ms milliseconds.
func (w *world) slowFault(ctx context.Context, ms int) (err error) {
	defer w.verdict(&err)
	return w.inject(ctx, driver.Fault{Path: driver.TokenPath, Count: 1, DelayMS: ms, Status: 200, Body: "{}", ContentType: "application/json"})
}

// brokenFaults are the answers a real outage breaks, as the vocabulary names them (rcmock fault kinds).
var brokenFaults = map[string]string{
	"cuts its next answer short":                            driver.FaultTruncate,
	"resets the connection halfway through its next answer": driver.FaultResetMidBody,
	"stops after the headers of its next answer":            driver.FaultHangAfterHeaders,
	"labels its next answer gzip without compressing it":    driver.FaultGzipGarbage,
	"redirects the next request to itself":                  driver.FaultRedirectLoop,
}

// brokenAnswer makes the token endpoint break its next answer as an outage does.
func (w *world) brokenAnswer(ctx context.Context, how string) (err error) {
	defer w.verdict(&err)
	f := driver.Fault{Path: driver.TokenPath, Count: 1, Kind: brokenFaults[how]}
	if f.Kind == driver.FaultHangAfterHeaders {
		// Headers at once, without handling the request first, so that a short timeout expires
		// while the body is awaited and not before the headers, however busy the machine.
		f.Status, f.Body, f.ContentType, f.Bytes = 200, fakeTokenResponse, "application/json", 16
	}
	return w.inject(ctx, f)
}

// hugeBody makes the token endpoint's next answer mib MiB long.
func (w *world) hugeBody(ctx context.Context, mib int) (err error) {
	defer w.verdict(&err)
	return w.inject(ctx, driver.Fault{Path: driver.TokenPath, Count: 1, Kind: driver.FaultHugeBody, Bytes: mib << 20})
}

// htmlPage makes the token endpoint answer the next request with a proxy's HTML error page.
func (w *world) htmlPage(ctx context.Context, status int) (err error) {
	defer w.verdict(&err)
	return w.inject(ctx, driver.Fault{Path: driver.TokenPath, Count: 1, Status: status, Body: htmlErrorPage(status), ContentType: "text/html"})
}

// mislabelled makes the token endpoint answer the next request with a token response of another media
// type.
func (w *world) mislabelled(ctx context.Context, contentType string) (err error) {
	defer w.verdict(&err)
	return w.inject(ctx, driver.Fault{Path: driver.TokenPath, Count: 1, Status: 200, Body: fakeTokenResponse, ContentType: contentType})
}

// fakeTokenResponse is a token response in RingCentral's shape for faults that need a body of their own.
const fakeTokenResponse = `{"access_token":"U1BCMDFQMDdQQVMwMXxBQUJmTHNsQQ","token_type":"bearer","expires_in":3600}`

// htmlErrorPage is the error page a reverse proxy in front of the target serves (nginx's, here).
func htmlErrorPage(status int) string {
	title := fmt.Sprintf("%d %s", status, http.StatusText(status))
	return "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title +
		"</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
}

// mockSetting switches one of the mock's documented choices for the scenario.
func (w *world) mockSetting(ctx context.Context, which string) (err error) {
	defer w.verdict(&err)
	on, off, reject, rfc, text := true, false, "reject", "rfc", "ringcentral-text"
	switch which {
	case "rate limiting is on":
		return w.settings(ctx, driver.MockSettings{RateLimit: &on})
	case "the session limit refuses new sessions":
		return w.settings(ctx, driver.MockSettings{SessionLimitMode: &reject})
	case "the server refuses an authorization for a scope the app was not granted":
		return w.settings(ctx, driver.MockSettings{AuthorizeScope: &rfc})
	case "the server answers an unknown grant type as RingCentral's specification text says":
		return w.settings(ctx, driver.MockSettings{UnknownGrantError: &text})
	}
	return w.settings(ctx, driver.MockSettings{RevokeOnCodeReuse: &off})
}

// statusFault makes the token endpoint answer the next n requests with status and a body in the shape of
// RingCentral's 503 (WIDGETS RcMock: {"message", "error", "error_description"}), named after the status;
// 429 and 503 carry Retry-After (RFC 9110 §10.2.3; docs/basics/errors.md).
func statusFault(n, status int) driver.Fault {
	text := http.StatusText(status)
	if text == "" {
		text = "HTTP " + strconv.Itoa(status)
	}
	body, _ := json.Marshal(map[string]string{
		"message": text, "error": strings.ToLower(strings.ReplaceAll(text, " ", "_")), "error_description": text,
	})
	f := driver.Fault{Path: driver.TokenPath, Count: n, Status: status, Body: string(body), ContentType: "application/json"}
	if status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests {
		f.Header = map[string]string{"Retry-After": "1"}
	}
	return f
}

func (w *world) inject(ctx context.Context, f driver.Fault) error {
	if err := w.needControl("injecting a fault"); err != nil {
		return err
	}
	return w.client.InjectFault(ctx, f)
}

func (w *world) settings(ctx context.Context, s driver.MockSettings) error {
	if err := w.needControl("changing the mock's settings"); err != nil {
		return err
	}
	_, err := w.client.UpdateSettings(ctx, s)
	return err
}

// shortTimeout rebuilds the scenario's driver with a shorter per-request timeout, to show that a slow
// target fails a step quickly and clearly instead of hanging it.
func (w *world) shortTimeout(ms int) (err error) {
	defer w.verdict(&err)
	c, err := w.newClient(w.client.Scenario(), time.Duration(ms)*time.Millisecond)
	if err != nil {
		return err
	}
	w.client.Close()
	w.client = c
	return nil
}

// failedWithTimeout checks that the latest request ended in a timeout, before the response's headers or
// while its body arrived, and that the error says it timed out. Like every fault check it checks the
// harness's driver against a fault the mock injects, not the target: the expectation is the driver's own.
func (w *world) failedWithTimeout() (err error) {
	defer w.verdict(&err)
	r, err := w.theRequest()
	if err != nil {
		return err
	}
	// A timeout before the headers is a *driver.TransportError, one while the body arrives a
	// *driver.BodyError; both say so.
	var te interface{ Timeout() bool }
	if !errors.As(r.err, &te) || !te.Timeout() {
		return fmt.Errorf("want a timeout: %s", r.describe())
	}
	if msg := r.err.Error(); !strings.Contains(msg, "timed out") {
		return fmt.Errorf("the timeout error does not say so: %v", msg)
	}
	return nil
}

// failedMalformed checks that a 2xx answer that is not a token response (RFC 6749 §5.1) is reported with what
// was received, rather than accepted or reported obscurely: a check of the driver, as failedWithTimeout.
func (w *world) failedMalformed() (err error) {
	defer w.verdict(&err)
	r, err := w.theRequest()
	if err != nil {
		return err
	}
	var mal *driver.MalformedResponseError
	if !errors.As(r.err, &mal) {
		return fmt.Errorf("want a malformed-response error: %s", r.describe())
	}
	return w.failureShowsReceived()
}

// failedBody checks that an answer whose body did not arrive whole fails the request with the matching
// *driver.BodyError, rather than a puzzle or a hang: a check of the driver, as failedWithTimeout.
func (w *world) failedBody(how string) (err error) {
	defer w.verdict(&err)
	r, err := w.theRequest()
	if err != nil {
		return err
	}
	want := map[string]driver.BodyFailure{
		"was cut off": driver.BodyCutOff, "could not be decoded": driver.BodyUndecodable, "exceeds the size limit": driver.BodyTooLarge,
	}[how]
	var be *driver.BodyError
	if !errors.As(r.err, &be) || be.Failure != want {
		return fmt.Errorf("want the request to fail because the answer %s: %s", how, r.describe())
	}
	if want == driver.BodyTooLarge && !strings.Contains(be.Error(), "limit") {
		return fmt.Errorf("the error does not name the size limit: %v", be)
	}
	return nil
}

// tokenStart finds the first characters of a token in a body, even in a body cut short that is no longer
// JSON, so failureShowsReceived can check that an error does not show them.
var tokenStart = regexp.MustCompile(`"(?:access_token|refresh_token|id_token)"\s*:\s*"([^"\\]{8})`)

// failureShows checks, as a sentence, that the failed request's error names what was received: a check of
// the driver, as failedWithTimeout.
func (w *world) failureShows() (err error) {
	defer w.verdict(&err)
	return w.failureShowsReceived()
}

// failureShowsReceived checks that the failed request's error names what the target sent: the status, the
// content type, where a redirect pointed, and the start of the body (redacted), and shows no secret.
func (w *world) failureShowsReceived() error {
	r, err := w.theRequest()
	if err != nil {
		return err
	}
	if r.err == nil {
		return fmt.Errorf("want a failed request: %s", r.describe())
	}
	resp := r.resp
	var (
		be  *driver.BodyError
		mal *driver.MalformedResponseError
		oe  *driver.OAuthError
	)
	jsonError := false
	switch {
	case errors.As(r.err, &be):
		resp = be.Response
	case errors.As(r.err, &mal):
		resp = mal.Response
	case errors.As(r.err, &oe):
		resp, jsonError = oe.Response, oe.Err != "" || len(oe.Codes()) > 0
	}
	if resp == nil {
		return fmt.Errorf("the failure has no answer to show: %v", r.err)
	}
	msg := r.err.Error()
	red := w.client.Redactor()
	var p problems
	if !strings.Contains(msg, strconv.Itoa(resp.Status)) {
		p.addf("the error does not name the status %d", resp.Status)
	}
	if loc := resp.Header.Get("Location"); loc != "" && !strings.Contains(msg, red.URL(loc)) {
		p.addf("the error does not name the redirect's Location %s", red.URL(loc))
	}
	if !jsonError {
		ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		if ct == "" {
			ct = "no Content-Type"
		}
		if !strings.Contains(msg, ct) {
			p.addf("the error does not name the content type %s", ct)
		}
		head := resp.Body[:min(len(resp.Body), 32<<10)] // the error shows the start; redacting all of a huge body costs seconds
		if start := []rune(strings.Join(strings.Fields(red.Body(head)), " ")); len(start) > 0 {
			q := strconv.Quote(string(start[:min(len(start), 16)]))
			if !strings.Contains(msg, q[1:len(q)-1]) {
				p.addf("the error does not show the start of the body, %s", q)
			}
		}
	}
	if red.Text(msg) != msg {
		p.addf("the error shows a secret")
	}
	for _, m := range tokenStart.FindAllSubmatch(resp.Body, -1) {
		if strings.Contains(msg, string(m[1])) {
			p.addf("the error shows the start of a token")
		}
	}
	return p.err(r)
}
