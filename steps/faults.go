package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
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
	v.sc.Step(v.re(`^requests time out after (\d+) milliseconds$`), w.shortTimeout)
	v.sc.Step(v.assertion(`^the request fails with a timeout$`), w.failedWithTimeout)
	v.sc.Step(v.assertion(`^the request fails showing the malformed response$`), w.failedMalformed)
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

func (w *world) failedWithTimeout() (err error) {
	defer w.verdict(&err)
	r, err := w.theRequest()
	if err != nil {
		return err
	}
	var te *driver.TransportError
	if !errors.As(r.err, &te) || !te.Timeout() {
		return fmt.Errorf("want a timeout: %s", r.describe())
	}
	if !strings.Contains(te.Error(), "timed out") {
		return fmt.Errorf("the timeout error does not say so: %v", te)
	}
	return nil
}

// failedMalformed checks that a 2xx answer that is not a token response is reported with what was
// received, rather than accepted or reported obscurely.
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
	if shown := string(mal.Response.Body); len(shown) > 0 && !strings.Contains(mal.Error(), strings.TrimSpace(shown[:min(len(shown), 10)])) {
		return fmt.Errorf("the error does not show what was received: %v", mal)
	}
	return nil
}
