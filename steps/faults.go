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
	v.step(`^the token endpoint answers the next (?:(\d+) requests|request) with HTTP (\d+)$`, func(ctx context.Context, n string, status int) error {
		count := 1
		if n != "" {
			count, _ = strconv.Atoi(n) // the expression admits digits only
		}
		return w.inject(ctx, statusFault(count, status))
	})
	v.step(`^the token endpoint answers the next request with HTTP (\d+) and the body "([^"]*)"$`, func(ctx context.Context, status int, body string) error {
		return w.inject(ctx, driver.Fault{Path: driver.TokenPath, Count: 1, Status: status, Body: body, ContentType: "application/json"})
	})
	v.step(`^the token endpoint takes (\d+) milliseconds to answer$`, func(ctx context.Context, ms int) error {
		return w.inject(ctx, driver.Fault{Path: driver.TokenPath, Count: 1, DelayMS: ms, Status: 200, Body: "{}", ContentType: "application/json"})
	})
	broken := map[string]string{
		"cuts its next answer short":                            driver.FaultTruncate,
		"resets the connection halfway through its next answer": driver.FaultResetMidBody,
		"stops after the headers of its next answer":            driver.FaultHangAfterHeaders,
		"labels its next answer gzip without compressing it":    driver.FaultGzipGarbage,
		"redirects the next request to itself":                  driver.FaultRedirectLoop,
	}
	v.step(`^the token endpoint (cuts its next answer short|resets the connection halfway through its next answer|stops after the headers of its next answer|labels its next answer gzip without compressing it|redirects the next request to itself)$`, func(ctx context.Context, how string) error {
		f := driver.Fault{Path: driver.TokenPath, Count: 1, Kind: broken[how]}
		if f.Kind == driver.FaultHangAfterHeaders {
			// Headers at once, without handling the request first, so that a short timeout expires
			// while the body is awaited and not before the headers, however busy the machine.
			f.Status, f.Body, f.ContentType, f.Bytes = 200, fakeTokenResponse, "application/json", 16
		}
		return w.inject(ctx, f)
	})
	v.step(`^the token endpoint answers the next request with a (\d+) MiB body$`, func(ctx context.Context, mib int) error {
		return w.inject(ctx, driver.Fault{Path: driver.TokenPath, Count: 1, Kind: driver.FaultHugeBody, Bytes: mib << 20})
	})
	v.step(`^the token endpoint answers the next request with HTTP (\d+) and an HTML error page$`, func(ctx context.Context, status int) error {
		return w.inject(ctx, driver.Fault{Path: driver.TokenPath, Count: 1, Status: status, Body: htmlErrorPage(status), ContentType: "text/html"})
	})
	v.step(`^the token endpoint answers the next request with a token response labelled "([^"]+)"$`, func(ctx context.Context, contentType string) error {
		return w.inject(ctx, driver.Fault{Path: driver.TokenPath, Count: 1, Status: 200, Body: fakeTokenResponse, ContentType: contentType})
	})
	v.step(`^requests time out after (\d+) milliseconds$`, w.shortTimeout)
	v.step(`^the request fails with a timeout$`, w.failedWithTimeout)
	v.step(`^the request fails showing the malformed response$`, w.failedMalformed)
	v.step(`^the request fails because the answer (was cut off|could not be decoded|exceeds the size limit)$`, w.failedBody)
	v.step(`^the failure shows what was received$`, w.failureShowsReceived)
	v.step(`^rate limiting is on$`, func(ctx context.Context) error {
		on := true
		return w.settings(ctx, driver.MockSettings{RateLimit: &on})
	})
	v.step(`^the session limit refuses new sessions$`, func(ctx context.Context) error {
		mode := "reject"
		return w.settings(ctx, driver.MockSettings{SessionLimitMode: &mode})
	})
	v.step(`^reusing a code does not revoke its tokens$`, func(ctx context.Context) error {
		off := false
		return w.settings(ctx, driver.MockSettings{RevokeOnCodeReuse: &off})
	})
}

// fakeTokenResponse is a token response in RingCentral's shape for faults that need a body of their own.
const fakeTokenResponse = `{"access_token":"U1BCMDFQMDdQQVMwMXxBQUJmTHNsQQ","token_type":"bearer","expires_in":3600}`

// htmlErrorPage is the error page a reverse proxy in front of the target serves (nginx's, here).
func htmlErrorPage(status int) string {
	title := fmt.Sprintf("%d %s", status, http.StatusText(status))
	return "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title +
		"</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
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
func (w *world) shortTimeout(ms int) error {
	c, err := driver.New(driver.Config{
		BaseURL:  w.s.target,
		Timeout:  time.Duration(ms) * time.Millisecond,
		Scenario: w.client.Scenario(),
		Recorder: w.rec,
		Redactor: w.client.Redactor(),
	})
	if err != nil {
		return err
	}
	w.client.Close()
	w.client = c
	return nil
}

func (w *world) failedWithTimeout() error {
	r, err := w.lastResult()
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

// failedMalformed checks that a 2xx answer that is not a token response is reported with what was
// received, rather than accepted or reported obscurely.
func (w *world) failedMalformed() error {
	r, err := w.lastResult()
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
// *driver.BodyError, rather than a puzzle or a hang.
func (w *world) failedBody(how string) error {
	r, err := w.lastResult()
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

// failureShowsReceived checks that the failed request's error names what the target sent: the status, the
// content type, where a redirect pointed, and the start of the body (redacted), and shows no secret.
func (w *world) failureShowsReceived() error {
	r, err := w.lastResult()
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
		if start := []rune(strings.Join(strings.Fields(red.Body(resp.Body)), " ")); len(start) > 0 {
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
