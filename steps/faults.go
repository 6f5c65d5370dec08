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
	v.step(`^requests time out after (\d+) milliseconds$`, w.shortTimeout)
	v.step(`^the request fails with a timeout$`, w.failedWithTimeout)
	v.step(`^the request fails showing the malformed response$`, w.failedMalformed)
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
	v.step(`^the server refuses an authorization for a scope the app was not granted$`, func(ctx context.Context) error {
		rfc := "rfc"
		return w.settings(ctx, driver.MockSettings{AuthorizeScope: &rfc})
	})
	v.step(`^the server answers an unknown grant type as RingCentral's specification text says$`, func(ctx context.Context) error {
		text := "ringcentral-text"
		return w.settings(ctx, driver.MockSettings{UnknownGrantError: &text})
	})
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
func (w *world) failedMalformed() error {
	r, err := w.lastResult()
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
