package rcmock

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// brokenAnswer is what a client that neither follows redirects nor decodes gzip received: the response
// (nil if none arrived), the body bytes it could read and the error that ended the read.
type brokenAnswer struct {
	res     *http.Response
	body    []byte
	readErr error
}

// passwordRaw sends the main app's password grant with a client that shows the answer as it came off the
// wire, bounded by timeout.
func (ts *testServer) passwordRaw(tb testing.TB, timeout time.Duration) brokenAnswer {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ts.url+PathToken,
		strings.NewReader(formOf("grant_type", "password", "username", tUsername, "password", tPassword)))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", formContentType)
	req.Header.Set("Authorization", basicAuth(tMainID, tMainSecret))
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		tb.Fatalf("no answer: %v", err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return brokenAnswer{res: res, body: b, readErr: err}
}

// TestFaultKinds checks each kind of fault from the client's side of the wire.
func TestFaultKinds(t *testing.T) {
	tests := []struct {
		name    string
		fault   string
		timeout time.Duration
		check   func(t *testing.T, a brokenAnswer)
	}{
		{
			name:  "truncate cuts the real answer with a matching Content-Length",
			fault: `{"kind":"truncate"}`,
			check: func(t *testing.T, a brokenAnswer) {
				if a.readErr != nil || a.res.StatusCode != 200 || a.res.ContentLength != int64(len(a.body)) {
					t.Fatalf("got %d, Content-Length %d, %d bytes, %v; want a complete 200", a.res.StatusCode, a.res.ContentLength, len(a.body), a.readErr)
				}
				if !strings.HasPrefix(string(a.body), `{"access_token":"`) || json.Valid(a.body) {
					t.Errorf("body %q; want the start of a real token response", a.body)
				}
			},
		},
		{
			name:  "truncate cuts a given body to the given length",
			fault: `{"kind":"truncate","status":502,"body":"0123456789","content_type":"text/html","bytes":4}`,
			check: func(t *testing.T, a brokenAnswer) {
				if a.res.StatusCode != 502 || string(a.body) != "0123" || a.res.Header.Get("Content-Type") != "text/html" {
					t.Errorf("got %d %q (%s); want 502 \"0123\" (text/html)", a.res.StatusCode, a.body, a.res.Header.Get("Content-Type"))
				}
			},
		},
		{
			name:  "reset_mid_body resets the connection halfway through the body",
			fault: `{"kind":"reset_mid_body"}`,
			check: func(t *testing.T, a brokenAnswer) {
				if a.res.StatusCode != 200 || !errors.Is(a.readErr, syscall.ECONNRESET) {
					t.Fatalf("got %d, read error %v; want 200 and a connection reset", a.res.StatusCode, a.readErr)
				}
				if want := a.res.ContentLength / 2; int64(len(a.body)) != want {
					t.Errorf("received %d bytes; want %d, half of Content-Length", len(a.body), want)
				}
			},
		},
		{
			name:    "hang_after_headers sends the headers and the given bytes, then nothing",
			fault:   `{"kind":"hang_after_headers","bytes":5}`,
			timeout: 200 * time.Millisecond,
			check: func(t *testing.T, a brokenAnswer) {
				if a.res.StatusCode != 200 || !errors.Is(a.readErr, context.DeadlineExceeded) {
					t.Fatalf("got %d, read error %v; want 200 and the client's deadline", a.res.StatusCode, a.readErr)
				}
				if string(a.body) != `{"acc` || a.res.ContentLength <= 5 {
					t.Errorf("received %q of %d; want the first 5 bytes of the announced body", a.body, a.res.ContentLength)
				}
			},
		},
		{
			name:  "gzip_garbage labels the real answer gzip without compressing it",
			fault: `{"kind":"gzip_garbage"}`,
			check: func(t *testing.T, a brokenAnswer) {
				if a.res.Header.Get("Content-Encoding") != "gzip" || !json.Valid(a.body) {
					t.Errorf("got Content-Encoding %q and %q; want gzip on plain JSON", a.res.Header.Get("Content-Encoding"), a.body)
				}
			},
		},
		{
			name:  "redirect_loop redirects the request to itself",
			fault: `{"kind":"redirect_loop"}`,
			check: func(t *testing.T, a brokenAnswer) {
				if a.res.StatusCode != 302 || a.res.Header.Get("Location") != PathToken {
					t.Errorf("got %d Location %q; want 302 to %s", a.res.StatusCode, a.res.Header.Get("Location"), PathToken)
				}
			},
		},
		{
			name:  "huge_body sends a JSON body of the given size",
			fault: `{"kind":"huge_body","bytes":1048576}`,
			check: func(t *testing.T, a brokenAnswer) {
				if a.readErr != nil || len(a.body) != 1<<20 || a.res.ContentLength != 1<<20 || !json.Valid(a.body) {
					t.Errorf("got %d bytes (Content-Length %d, %v); want 1 MiB of JSON", len(a.body), a.res.ContentLength, a.readErr)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t)
			f := `{"path":"` + PathToken + `","count":1,` + strings.TrimPrefix(tt.fault, "{")
			if r := ts.control(t, "POST", "faults", f); r.status != 204 {
				t.Fatalf("inject %s: got %d %s", f, r.status, r.body)
			}
			timeout := tt.timeout
			if timeout == 0 {
				timeout = 10 * time.Second
			}
			tt.check(t, ts.passwordRaw(t, timeout))
			if r := ts.password(t); r.status != 200 {
				t.Errorf("after the fault: got %d %s; want 200", r.status, r.body)
			}
		})
	}
}

func TestFaultKindsValidate(t *testing.T) {
	ts := newTestServer(t)
	// The error names every kind there is: the message is derived from faultKinds, not a copy of it.
	r := ts.control(t, "POST", "faults", `{"path":"/x","count":1,"kind":"explode"}`)
	for kind := range faultKinds {
		if !strings.Contains(r.reason(), kind) {
			t.Errorf("an unknown kind's error %q does not name %q", r.reason(), kind)
		}
	}
	for _, body := range []string{
		`{"path":"/x","count":1,"kind":"explode"}`,
		`{"path":"/x","count":1,"kind":"truncate","delay_ms":10}`,
		`{"path":"/x","count":1,"kind":"huge_body","bytes":-1}`,
		`{"path":"/x","count":1,"kind":"huge_body","bytes":` + strconv.Itoa(maxFaultBytes+1) + `}`,
	} {
		if r := ts.control(t, "POST", "faults", body); r.status != 400 {
			t.Errorf("%s: got %d; want 400", body, r.status)
		}
	}
}

// TestInitialFaults checks Options.Faults: faults due from the start for requests without a scenario
// header, so that a mock whose control API is off can still be made to fail (cmd/rcmock -faults).
func TestInitialFaults(t *testing.T) {
	ts := newTestServer(t, func(o *Options) {
		o.Control = false
		o.Faults = []byte(`[{"path":"` + PathToken + `","count":1,"status":503},{"path":"` + PathToken + `","count":1,"kind":"truncate","bytes":5}]`)
	})
	if r := ts.password(t); r.status != 503 {
		t.Errorf("first request: got %d; want the first fault's 503", r.status)
	}
	if r, err := ts.tryDo(request{path: PathToken, body: formOf("grant_type", "password", "username", tUsername, "password", tPassword), header: mainAuth()}); err == nil && len(r.body) != 5 {
		t.Errorf("second request: got %d bytes; want the truncated 5", len(r.body))
	}
	if r := ts.password(t); r.status != 200 {
		t.Errorf("third request: got %d %s; want 200 once the faults are spent", r.status, r.body)
	}
	for _, bad := range []string{`{"path":"/x"}`, `[{"path":"x","count":1}]`, `[{"path":"/x","count":1,"colour":"red"}]`} {
		o := DefaultOptions()
		o.Faults = []byte(bad)
		if _, err := New(o); err == nil || !strings.Contains(err.Error(), "faults") {
			t.Errorf("New with faults %s: %v; want an error naming the faults", bad, err)
		}
	}
}
