package driver

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The access token of tokenJSON, which no error message may show, not even its first characters.
const tokenPrefix = "U1BCMDFUMDRKV1MwMXxz"

// hijack answers with the status line, the headers (Content-Length announcing the whole body) and the
// first n bytes of body, then ends the connection: with a TCP reset if reset is set, else with a plain
// close.
func hijack(body string, n int, reset bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, bw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		fmt.Fprintf(bw, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body[:n])
		bw.Flush()
		if tc, ok := conn.(*net.TCPConn); ok && reset {
			tc.SetLinger(0)
		}
		conn.Close()
	}
}

// endless writes a body of size bytes (announced in Content-Length) until the client goes away.
func endless(size int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(size))
		chunk := bytes.Repeat([]byte("x"), 32<<10)
		for n := 0; n < size; n += len(chunk) {
			if _, err := w.Write(chunk[:min(len(chunk), size-n)]); err != nil {
				return
			}
		}
	}
}

func gzipped(s string) string {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	io.WriteString(zw, s)
	zw.Close()
	return b.String()
}

const htmlPage = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>\n"

// TestBrokenAnswers feeds the token request every shape a real outage takes and checks that the driver
// returns a typed error naming what was received (status, content type, the start of the body, redacted),
// within the timeout, without a panic.
func TestBrokenAnswers(t *testing.T) {
	tests := []struct {
		name        string
		handler     http.HandlerFunc
		cfg         func(*Config)
		check       func(t *testing.T, err error) // the error's type and fields
		wantContain []string
	}{
		{
			name:    "connection reset mid-body",
			handler: hijack(tokenJSON, 40, true),
			check:   wantBodyFailure(BodyCutOff),
			wantContain: []string{"answered 200 (application/json, Content-Length 645) but the connection broke after 40 bytes of the body",
				`it began: "{ \"access_token\" : \"[redacted:`},
		},
		{
			name:        "connection closed mid-body",
			handler:     hijack(tokenJSON, 40, false),
			check:       wantBodyFailure(BodyCutOff),
			wantContain: []string{"answered 200 (application/json, Content-Length 645) but the connection broke after 40 bytes of the body (unexpected EOF)"},
		},
		{
			name:    "truncated JSON with a matching Content-Length",
			handler: respond(200, "application/json", tokenJSON[:60]),
			check:   wantMalformed,
			wantContain: []string{"answered 200 with a malformed token response (the body is not JSON: it stops in the middle of a JSON document; application/json, 60 bytes)",
				`"{ \"access_token\" : \"[redacted:`},
		},
		{
			name:        "HTML error page with 200",
			handler:     respond(200, "text/html; charset=utf-8", htmlPage),
			check:       wantMalformed,
			wantContain: []string{"answered 200 with a malformed token response (the body is not JSON; text/html, 119 bytes)", "<!DOCTYPE html> <html><head><title>502 Bad Gateway"},
		},
		{
			name:        "HTML error page with 502",
			handler:     respond(502, "text/html", htmlPage),
			check:       wantOAuthError(502),
			wantContain: []string{"token endpoint answered 502 with a non-JSON body (text/html, 119 bytes)", "<!DOCTYPE html> <html><head><title>502 Bad Gateway"},
		},
		{
			name:        "JSON token with the wrong Content-Type",
			handler:     respond(200, "text/plain", tokenJSON),
			check:       wantMalformed,
			wantContain: []string{"(the Content-Type is text/plain, not application/json (RFC 6749 §5.1); text/plain, 645 bytes)", `"{ \"access_token\" : \"[redacted:`},
		},
		{
			name: "JSON token without a Content-Type",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header()["Content-Type"] = nil // keep net/http from sniffing one
				io.WriteString(w, tokenJSON)
			},
			check:       wantMalformed,
			wantContain: []string{"(there is no Content-Type; RFC 6749 §5.1 requires application/json; no Content-Type, 645 bytes)"},
		},
		{
			name:    "gzip that is not gzip",
			handler: respond(200, "application/json", tokenJSON, "Content-Encoding", "gzip"),
			check:   wantBodyFailure(BodyUndecodable),
			wantContain: []string{`answered 200 (application/json, Content-Length 645, Content-Encoding gzip) but its body could not be decoded as Content-Encoding "gzip" (gzip: invalid header)`,
				`it began: "{ \"access_token\" : \"[redacted:`},
		},
		{
			name:        "an encoding that was not asked for",
			handler:     respond(200, "application/json", tokenJSON, "Content-Encoding", "br"),
			check:       wantBodyFailure(BodyUndecodable),
			wantContain: []string{`Content-Encoding "br" was not asked for`},
		},
		{
			name: "redirect loop",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, r.URL.RequestURI(), http.StatusFound)
			},
			check:       wantOAuthError(302),
			wantContain: []string{"token endpoint answered 302 redirecting to http://", TokenPath + " (not followed)"},
		},
		{
			name:        "redirect to a Location that is not a URL",
			handler:     respond(http.StatusFound, "", "", "Location", "http://[::1%zz/"),
			check:       wantOAuthError(302),
			wantContain: []string{"token endpoint answered 302 redirecting to http://[::1%zz/ (not followed)"},
		},
		{
			name:    "enormous body",
			handler: endless(64 << 20),
			check: func(t *testing.T, err error) {
				wantBodyFailure(BodyTooLarge)(t, err)
				var be *BodyError
				if errors.As(err, &be) && (be.Limit != DefaultMaxResponseBytes || len(be.Response.Body) != DefaultMaxResponseBytes) {
					t.Errorf("Limit = %d, %d bytes kept; want %d and %[3]d", be.Limit, len(be.Response.Body), DefaultMaxResponseBytes)
				}
			},
			wantContain: []string{"answered 200 (application/json, Content-Length 67108864) but the body is larger than the driver's limit of 4 MiB (4194304 bytes) (driver.Config.MaxResponseBytes)", `it began: "xxxx`},
		},
		{
			name:        "a body over a configured limit",
			handler:     respond(200, "application/json", tokenJSON),
			cfg:         func(c *Config) { c.MaxResponseBytes = 100 },
			check:       wantBodyFailure(BodyTooLarge),
			wantContain: []string{"larger than the driver's limit of 100 bytes"},
		},
		{
			name:        "gzip that decodes to an enormous body",
			handler:     respond(200, "application/json", gzipped(strings.Repeat(" ", 5<<20)), "Content-Encoding", "gzip"),
			check:       wantBodyFailure(BodyTooLarge),
			wantContain: []string{"larger than the driver's limit of 4 MiB"},
		},
		{
			name: "hanging connection after the headers",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Length", strconv.Itoa(len(tokenJSON)))
				io.WriteString(w, tokenJSON[:30])
				http.NewResponseController(w).Flush()
				<-r.Context().Done()
			},
			cfg:   func(c *Config) { c.Timeout = 100 * time.Millisecond },
			check: wantBodyFailure(BodyTimedOut),
			wantContain: []string{"answered 200 (application/json, Content-Length 645) but the body was still incomplete when the request timed out after 100ms (30 bytes received)",
				`it began: "{ \"access_token\" : \"[redacted:`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newTestServer(t, tt.handler)
			rec := &Recorder{}
			c := newTestClient(t, srv.URL, func(cfg *Config) {
				cfg.Recorder = rec
				if tt.cfg != nil {
					tt.cfg(cfg)
				}
			})
			err := passwordTokenWithin(t, c, 10*time.Second)
			if err == nil {
				t.Fatal("Token succeeded; want an error")
			}
			tt.check(t, err)
			msg := err.Error()
			for _, s := range tt.wantContain {
				if !strings.Contains(msg, s) {
					t.Errorf("Error() = %q;\nwant it to contain %q", msg, s)
				}
			}
			if strings.Contains(msg, tokenPrefix) {
				t.Errorf("Error() = %q shows the start of the access token", msg)
			}
			if n := len(srv.requests()); n != 1 {
				t.Errorf("the server received %d requests; want 1", n)
			}
			ex := rec.All()
			if len(ex) != 1 || ex[0].Status == 0 {
				t.Fatalf("recorded %+v; want one exchange with the status received", ex)
			}
			if strings.Contains(ex[0].ResponseBody, tokenPrefix) || strings.Contains(ex[0].Error, tokenPrefix) {
				t.Errorf("the recorded exchange shows the start of the access token: %+v", ex[0])
			}
		})
	}
}

func wantBodyFailure(f BodyFailure) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var be *BodyError
		if !errors.As(err, &be) {
			t.Fatalf("error %T %v; want *BodyError", err, err)
		}
		if be.Failure != f || be.Response == nil || be.Response.Status == 0 {
			t.Errorf("Failure = %d, Response = %v; want failure %d with the response received", be.Failure, be.Response, f)
		}
		if be.Timeout() != (f == BodyTimedOut) {
			t.Errorf("Timeout() = %v; want %v", be.Timeout(), f == BodyTimedOut)
		}
	}
}

func wantMalformed(t *testing.T, err error) {
	t.Helper()
	var me *MalformedResponseError
	if !errors.As(err, &me) || me.Response == nil {
		t.Fatalf("error %T %v; want *MalformedResponseError with the response", err, err)
	}
}

func wantOAuthError(status int) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var oe *OAuthError
		if !errors.As(err, &oe) {
			t.Fatalf("error %T %v; want *OAuthError", err, err)
		}
		if oe.Status != status {
			t.Errorf("Status = %d; want %d", oe.Status, status)
		}
	}
}

// TestGzipBodyIsDecoded checks that the driver, which asks for gzip itself, decodes a gzip answer as Go's
// transport would: the body decoded, Content-Encoding and Content-Length removed.
func TestGzipBodyIsDecoded(t *testing.T) {
	srv := newTestServer(t, respond(200, "application/json", gzipped(tokenJSON), "Content-Encoding", "gzip"))
	c := newTestClient(t, srv.URL)
	res, err := c.Token(ctx, TokenRequest{Form: NewForm("grant_type", "password")})
	if err != nil {
		t.Fatal(err)
	}
	if got := srv.last(t).Header.Get("Accept-Encoding"); got != "gzip" {
		t.Errorf("Accept-Encoding = %q; want gzip", got)
	}
	if res.Token == nil || string(res.Response.Body) != tokenJSON {
		t.Errorf("body = %q; want the decoded token response", res.Response.Body)
	}
	if h := res.Response.Header; h.Get("Content-Encoding") != "" || h.Get("Content-Length") != "" {
		t.Errorf("header = %v; want Content-Encoding and Content-Length removed", h)
	}
}

func TestNewRejectsANegativeBodyLimit(t *testing.T) {
	if _, err := New(Config{BaseURL: "http://127.0.0.1", MaxResponseBytes: -1}); err == nil || !strings.HasPrefix(err.Error(), "driver: ") {
		t.Errorf("New with MaxResponseBytes -1: error = %v; want a driver error", err)
	}
}

// TestRecordedBodyIsBounded checks that an enormous answer does not bloat the exchange log.
func TestRecordedBodyIsBounded(t *testing.T) {
	srv := newTestServer(t, endless(1<<20))
	rec := &Recorder{}
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.Recorder = rec })
	res, err := c.Token(ctx, TokenRequest{})
	if err == nil || len(res.Response.Body) != 1<<20 {
		t.Fatalf("Token: %v; want a malformed response keeping all 1 MiB", err)
	}
	if got := rec.All()[0].ResponseBody; len(got) > maxRecorded+100 || !strings.HasSuffix(got, "…(1048576 bytes)") {
		t.Errorf("recorded %d bytes ending %q; want at most 64 KiB and the size", len(got), got[len(got)-20:])
	}
}
