package rcmock

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Fault kinds (the "kind" of POST /__mock/faults): the shapes a real outage gives an answer, so that a
// client can be tested against each. A fault without a kind answers its status, body and headers after its
// delay. The kinds that break an answer (truncate, reset_mid_body, hang_after_headers, gzip_garbage) break
// the endpoint's real answer, unless the fault sets a status or a body of its own: the request is then
// handled as usual, so a token may be issued that the client never receives, as in a real outage.
const (
	// FaultTruncate cuts the answer to "bytes" bytes (default: half) and sends a Content-Length that
	// matches the cut body, so the answer is complete at the HTTP level and its JSON is not.
	FaultTruncate = "truncate"
	// FaultResetMidBody announces the whole body in Content-Length, sends "bytes" bytes of it (default:
	// half) and resets the connection (TCP RST).
	FaultResetMidBody = "reset_mid_body"
	// FaultHangAfterHeaders sends the status line, the headers (Content-Length announcing the whole body)
	// and "bytes" bytes of the body (default: none), then nothing more until the client gives up (at most
	// two minutes).
	FaultHangAfterHeaders = "hang_after_headers"
	// FaultGzipGarbage labels the answer "Content-Encoding: gzip" without compressing it.
	FaultGzipGarbage = "gzip_garbage"
	// FaultRedirectLoop answers with a redirect (the fault's status if it is a 3xx, else 302) to the
	// request's own path and query, so a client that follows redirects never gets an answer.
	FaultRedirectLoop = "redirect_loop"
	// FaultHugeBody streams a JSON body of "bytes" bytes (default 64 MiB) with the fault's status (default
	// 200) and content type (default application/json), announced in Content-Length, until the client
	// stops reading.
	FaultHugeBody = "huge_body"
)

// faultKinds are the kinds the control API accepts; "" is a plain fault. It is the only list of them:
// validation and its error message are derived from it (faultKindNames).
var faultKinds = map[string]bool{
	"": true, FaultTruncate: true, FaultResetMidBody: true, FaultHangAfterHeaders: true,
	FaultGzipGarbage: true, FaultRedirectLoop: true, FaultHugeBody: true,
}

// faultKindNames lists faultKinds' kinds, sorted, for error messages.
func faultKindNames() string {
	var names []string
	for k := range faultKinds {
		if k != "" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

const (
	// maxFaultBytes bounds a fault's "bytes".
	maxFaultBytes = 1 << 30
	// defaultHugeBody is the size of a huge_body fault's body when it sets no "bytes".
	defaultHugeBody = 64 << 20
	// maxHang bounds how long a hang_after_headers fault holds a connection whose client never gives up.
	maxHang = 2 * time.Minute
)

// serveFaultKind answers with a fault that has a kind.
func (s *Server) serveFaultKind(w http.ResponseWriter, r *http.Request, f *fault) {
	switch f.Kind {
	case FaultRedirectLoop:
		status := f.Status
		if status < 300 || status > 399 {
			status = http.StatusFound
		}
		drainRequest(w, r)
		w.Header().Set("Location", r.URL.RequestURI())
		w.WriteHeader(status)
		return
	case FaultHugeBody:
		drainRequest(w, r)
		serveHugeBody(w, f)
		return
	}
	a := s.faultAnswer(w, r, f)
	half := len(a.body) / 2
	if f.Bytes > 0 && f.Bytes < len(a.body) {
		half = f.Bytes
	}
	switch f.Kind {
	case FaultTruncate:
		a.body = a.body[:half]
		a.write(w)
	case FaultGzipGarbage:
		a.header.Set("Content-Encoding", "gzip")
		a.write(w)
	case FaultResetMidBody:
		breakAnswer(w, a, half, nil)
	case FaultHangAfterHeaders:
		breakAnswer(w, a, min(f.Bytes, len(a.body)), func(conn net.Conn) {
			// Hold the connection until the client closes it: a read returns only then (or at the
			// deadline), since the client sends nothing more on a connection whose answer is unfinished.
			_ = conn.SetReadDeadline(time.Now().Add(maxHang))
			_, _ = io.Copy(io.Discard, conn)
		})
	}
}

// drainRequest reads (up to 1 MiB of) the request body that a fault answers without handling: the server
// notices a client that went away only once the body has been read.
func drainRequest(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, 1<<20))
}

// answer is a complete answer held in memory, to be broken by a fault.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// Header, Write and WriteHeader make an answer the http.ResponseWriter of the real handler.
func (a *answer) Header() http.Header { return a.header }

func (a *answer) Write(b []byte) (int, error) {
	if a.status == 0 {
		a.status = http.StatusOK
	}
	a.body = append(a.body, b...)
	return len(b), nil
}

func (a *answer) WriteHeader(status int) {
	if a.status == 0 {
		a.status = status
	}
}

// faultAnswer is the answer a fault breaks: the fault's own status and body if it sets either, else the
// endpoint's real answer to r.
func (s *Server) faultAnswer(w http.ResponseWriter, r *http.Request, f *fault) *answer {
	a := &answer{header: http.Header{}}
	if f.Status == 0 && f.Body == "" {
		s.mux.ServeHTTP(a, r)
		if a.status == 0 {
			a.status = http.StatusOK
		}
	} else {
		drainRequest(w, r)
		a.status, a.body = f.Status, []byte(f.Body)
		if a.status == 0 {
			a.status = http.StatusOK
		}
	}
	for k, v := range f.Headers {
		a.header.Set(k, v)
	}
	if f.ContentType != "" {
		a.header.Set("Content-Type", f.ContentType)
	}
	return a
}

// write sends the answer with a Content-Length that matches its body.
func (a *answer) write(w http.ResponseWriter) {
	for k, v := range a.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(a.body)))
	w.WriteHeader(a.status)
	_, _ = w.Write(a.body)
}

// breakAnswer sends the status line and the headers of a, with a Content-Length announcing its whole
// body, and the first n bytes of the body; then it either holds the connection (hold) or resets it (TCP
// RST). It takes the connection over from net/http to do so; where it cannot, it aborts the answer, which
// closes the connection.
func breakAnswer(w http.ResponseWriter, a *answer, n int, hold func(net.Conn)) {
	a.header.Set("Content-Length", strconv.Itoa(len(a.body)))
	conn, bw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		for k, v := range a.header {
			w.Header()[k] = v
		}
		w.WriteHeader(a.status)
		_, _ = w.Write(a.body[:n])
		_ = http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	var head bytes.Buffer
	fmt.Fprintf(&head, "HTTP/1.1 %d %s\r\n", a.status, http.StatusText(a.status))
	_ = a.header.Write(&head)
	head.WriteString("\r\n")
	_, _ = bw.Write(head.Bytes())
	_, _ = bw.Write(a.body[:n])
	if err := bw.Flush(); err != nil {
		return
	}
	if hold != nil {
		hold(conn)
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // close with a reset, not an orderly end
	}
}

// serveHugeBody streams a huge_body fault's body: `{"padding":"xxx…"}` of exactly the fault's size.
func serveHugeBody(w http.ResponseWriter, f *fault) {
	size := f.Bytes
	if size == 0 {
		size = defaultHugeBody
	}
	status := f.Status
	if status == 0 {
		status = http.StatusOK
	}
	ct := f.ContentType
	if ct == "" {
		ct = "application/json"
	}
	for k, v := range f.Headers {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(size))
	w.WriteHeader(status)
	const head, tail = `{"padding":"`, `"}`
	pad := size - len(head) - len(tail)
	if pad < 0 {
		_, _ = w.Write(bytes.Repeat([]byte(" "), size))
		return
	}
	if _, err := io.WriteString(w, head); err != nil {
		return
	}
	chunk := bytes.Repeat([]byte("x"), 32<<10)
	for pad > 0 {
		n, err := w.Write(chunk[:min(len(chunk), pad)])
		if err != nil {
			return // the client stopped reading
		}
		pad -= n
	}
	_, _ = io.WriteString(w, tail)
}
