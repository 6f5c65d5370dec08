package driver

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// received is a request as the test server saw it.
type received struct {
	Method string
	URL    *url.URL
	Header http.Header
	Body   []byte
}

// form parses the body as application/x-www-form-urlencoded, keeping order and duplicates.
func (r received) form(tb testing.TB) Form {
	tb.Helper()
	return parseForm(tb, string(r.Body))
}

func parseForm(tb testing.TB, s string) Form {
	tb.Helper()
	var f Form
	if s == "" {
		return f
	}
	for _, seg := range strings.Split(s, "&") {
		k, v, _ := strings.Cut(seg, "=")
		ku, err := url.QueryUnescape(k)
		if err != nil {
			tb.Fatalf("bad form key %q: %v", k, err)
		}
		vu, err := url.QueryUnescape(v)
		if err != nil {
			tb.Fatalf("bad form value %q: %v", v, err)
		}
		f.Add(ku, vu)
	}
	return f
}

// testServer is an httptest.Server that remembers every request it receives.
type testServer struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []received
}

// newTestServer starts a server that records each request and then calls h. It is closed when the
// test ends.
func newTestServer(tb testing.TB, h http.HandlerFunc) *testServer {
	tb.Helper()
	s := &testServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.reqs = append(s.reqs, received{Method: r.Method, URL: r.URL, Header: r.Header.Clone(), Body: body})
		s.mu.Unlock()
		if h != nil {
			h(w, r)
		}
	}))
	tb.Cleanup(s.Close)
	return s
}

func (s *testServer) requests() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.reqs...)
}

// last returns the last request received, failing the test if there was none.
func (s *testServer) last(tb testing.TB) received {
	tb.Helper()
	reqs := s.requests()
	if len(reqs) == 0 {
		tb.Fatal("the server received no request")
	}
	return reqs[len(reqs)-1]
}

// newTestClient returns a Client for baseURL; mods may change the configuration.
func newTestClient(tb testing.TB, baseURL string, mods ...func(*Config)) *Client {
	tb.Helper()
	cfg := Config{BaseURL: baseURL}
	for _, m := range mods {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		tb.Fatalf("New(%+v): %v", cfg, err)
	}
	return c
}

// respond writes a fixed answer.
func respond(status int, contentType, body string, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Add(header[i], header[i+1])
		}
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

const tokenJSON = `{
  "access_token" : "U1BCMDFUMDRKV1MwMXxzLFSvXdw5PHMsVLEn_MrtcyxUsw",
  "token_type" : "bearer",
  "expires_in" : 3599,
  "refresh_token" : "U1BCMDFUMDRKV1MwMXxzLFL4ec6A0XMsUv9wLriecyxS_w",
  "refresh_token_expires_in" : 604799,
  "scope" : "AccountInfo CallLog ExtensionInfo Messages SMS",
  "owner_id" : "256440016",
  "endpoint_id" : "8zXq6oaLT7WvwWITlGiA1A",
  "id_token" : "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIyNTY0NDAwMTYifQ.c2ln",
  "session_id" : "3b1a2c4d",
  "session_expires_in" : 86400,
  "session_expiration_time" : "2023-04-01T12:00:01Z",
  "session_idle_timeout" : 1800,
  "ws_access_token" : "U0pDMDFQMDdQQxxxxxxxxx9pSU9OemVzakpn"
}`

// passwordTokenWithin sends a password grant request and returns its error, failing the test if the
// request has not returned within d: a bound on a hang, not a wait.
func passwordTokenWithin(tb testing.TB, c *Client, d time.Duration) error {
	tb.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := c.Token(ctx, TokenRequest{Form: NewForm("grant_type", "password")})
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		tb.Fatalf("Token did not return within %s", d)
		return nil
	}
}

// ctx is the context of test requests that do not test cancellation; it is never canceled.
var ctx = context.Background()
