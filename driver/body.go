package driver

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// DefaultMaxResponseBytes is the largest response body the driver reads when [Config.MaxResponseBytes] is
// zero: 4 MiB, a thousand times the largest token response RingCentral documents, and small enough that a
// target streaming an endless body cannot exhaust the harness's memory.
const DefaultMaxResponseBytes = 4 << 20

// BodyFailure says why a response body could not be read whole.
type BodyFailure int

// The ways a body can fail after the status line and headers have arrived.
const (
	// BodyCutOff: the connection was closed or reset before the body was complete.
	BodyCutOff BodyFailure = iota + 1
	// BodyTimedOut: the request's timeout expired while the body was still arriving.
	BodyTimedOut
	// BodyTooLarge: the body is longer than [Config.MaxResponseBytes].
	BodyTooLarge
	// BodyUndecodable: the body's Content-Encoding (RFC 9110 §8.4) could not be decoded, such as a body
	// labelled gzip that is not gzip.
	BodyUndecodable
)

// BodyError means that the status line and headers of a response arrived but its body could not be read
// whole: the connection broke, the timeout expired, the body exceeded the driver's limit, or its
// Content-Encoding could not be decoded. Response keeps what was received: the status, the headers and the
// bytes of the body read before the failure (raw, as they came off the wire, and at most the limit), so a
// failed step can show them.
type BodyError struct {
	// Response is the response as far as it arrived; Response.Body holds the bytes read before the failure.
	Response *Response
	// Failure says what went wrong.
	Failure BodyFailure
	// Limit is the limit that was exceeded, in bytes, when Failure is BodyTooLarge.
	Limit int64
	// Err is the underlying error, if any (for example io.ErrUnexpectedEOF or gzip.ErrHeader).
	Err error
	msg string
}

// Error names the request, the status and content type received and what went wrong, then shows the start
// of what arrived (redacted, at most 512 bytes), e.g.
// `driver: POST http://…/restapi/oauth/token answered 200 (application/json, Content-Length 412) but the
// connection broke after 206 bytes of the body (unexpected EOF); it began: "{\"access_token\":\"[redacted:…]"`.
func (e *BodyError) Error() string { return e.msg }

// Unwrap returns the underlying error.
func (e *BodyError) Unwrap() error { return e.Err }

// Timeout reports whether the request timed out while the body was arriving.
func (e *BodyError) Timeout() bool { return e.Failure == BodyTimedOut }

// bodyFault is a failure of readBody before it is turned into a *BodyError, which needs the request.
type bodyFault struct {
	failure BodyFailure
	err     error
}

// readBody reads a response body of at most limit bytes, raw and, when Content-Encoding is gzip (which the
// driver asks for, as Go's transport does), decoded. It returns what it read even when it fails. Like Go's
// transport, it removes Content-Encoding and Content-Length from a header whose body it decoded.
func readBody(header http.Header, r io.Reader, limit int64) ([]byte, *bodyFault) {
	raw, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return raw, &bodyFault{failure: BodyCutOff, err: err}
	}
	if int64(len(raw)) > limit {
		return raw[:limit], &bodyFault{failure: BodyTooLarge}
	}
	switch enc := strings.ToLower(strings.TrimSpace(header.Get("Content-Encoding"))); enc {
	case "", "identity":
		return raw, nil
	case "gzip", "x-gzip":
		if len(raw) == 0 {
			return raw, nil
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return raw, &bodyFault{failure: BodyUndecodable, err: err}
		}
		dec, err := io.ReadAll(io.LimitReader(zr, limit+1))
		switch {
		case err != nil:
			return raw, &bodyFault{failure: BodyUndecodable, err: err}
		case int64(len(dec)) > limit:
			return dec[:limit], &bodyFault{failure: BodyTooLarge}
		}
		header.Del("Content-Encoding")
		header.Del("Content-Length")
		return dec, nil
	default:
		return raw, &bodyFault{failure: BodyUndecodable, err: fmt.Errorf("Content-Encoding %q was not asked for (Accept-Encoding: gzip)", enc)}
	}
}

// bodyError builds the *BodyError of a response whose body failed. A body that broke off because the
// request's context ended is a timeout (or a cancellation by the caller).
func (c *Client) bodyError(parent, rctx context.Context, resp *Response, f *bodyFault, limit int64) *BodyError {
	e := &BodyError{Response: resp, Failure: f.failure, Err: f.err}
	n := len(resp.Body)
	var netErr net.Error
	timedOut := errors.Is(rctx.Err(), context.DeadlineExceeded) || errors.Is(f.err, context.DeadlineExceeded) || errors.As(f.err, &netErr) && netErr.Timeout()
	var what string
	switch {
	case f.failure != BodyCutOff:
	case errors.Is(parent.Err(), context.Canceled):
		what = fmt.Sprintf("the caller canceled the request while the body was arriving (%d bytes received)", n)
	case timedOut && errors.Is(parent.Err(), context.DeadlineExceeded):
		e.Failure = BodyTimedOut
		what = fmt.Sprintf("the caller's deadline expired while the body was arriving (%d bytes received)", n)
	case timedOut:
		e.Failure = BodyTimedOut
		what = fmt.Sprintf("the body was still incomplete when the request timed out after %s (%d bytes received)", c.timeout, n)
	}
	switch e.Failure {
	case BodyTimedOut:
	case BodyTooLarge:
		e.Limit = limit
		what = fmt.Sprintf("the body is larger than the driver's limit of %s (driver.Config.MaxResponseBytes); the driver stopped reading", byteSize(limit))
	case BodyUndecodable:
		what = fmt.Sprintf("its body could not be decoded as Content-Encoding %q (%v)", resp.Header.Get("Content-Encoding"), f.err)
	default:
		if what == "" {
			what = fmt.Sprintf("the connection broke after %d bytes of the body (%v)", n, innermost(f.err))
		}
	}
	shown := "no byte of the body arrived"
	if n > 0 {
		shown = fmt.Sprintf("it began: %q", resp.shownBody())
	}
	red := resp.redactorOrDefault()
	e.msg = red.Text(fmt.Sprintf("driver: %s %s answered %d (%s) but %s; %s",
		resp.Method, red.URL(resp.URL), resp.Status, resp.headline(), what, shown))
	return e
}

// headline describes a response's content type and announced length for an error message, e.g.
// "application/json, Content-Length 412".
func (r *Response) headline() string {
	ct := r.contentType()
	if ct == "" {
		ct = "no Content-Type"
	}
	if cl := r.Header.Get("Content-Length"); cl != "" {
		ct += ", Content-Length " + cl
	}
	if ce := r.Header.Get("Content-Encoding"); ce != "" {
		ct += ", Content-Encoding " + ce
	}
	return ct
}

// byteSize renders a limit for a reader: "4 MiB (4194304 bytes)".
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB (" + strconv.FormatInt(n, 10) + " bytes)"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB (" + strconv.FormatInt(n, 10) + " bytes)"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// endsEarly reports whether body stops in the middle of a JSON document: a body cut short, which a correct
// Content-Length does not reveal at the HTTP level.
func endsEarly(body []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	depth := 0
	for {
		t, err := dec.Token()
		switch {
		case err == io.EOF:
			return depth > 0
		case err != nil:
			return errors.Is(err, io.ErrUnexpectedEOF)
		}
		if d, ok := t.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
	}
}
