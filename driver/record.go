package driver

import (
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"time"
)

// Exchange is one recorded HTTP request and its response (or the transport error that replaced it).
// Every field has already been redacted by a [Redactor]: an Exchange never holds a credential or a
// token, so exchanges can be attached to reports as they are. A response body longer than 64 KiB is cut
// there, with its size noted, so an enormous answer does not bloat the reports.
type Exchange struct {
	Time           time.Time     `json:"time"`
	Method         string        `json:"method"`
	URL            string        `json:"url"`
	RequestHeader  http.Header   `json:"request_header,omitempty"`
	RequestBody    string        `json:"request_body,omitempty"`
	Status         int           `json:"status,omitempty"`
	ResponseHeader http.Header   `json:"response_header,omitempty"`
	ResponseBody   string        `json:"response_body,omitempty"`
	Duration       time.Duration `json:"duration_ns"`
	// Error is the transport error (connection refused, timeout) when there was no response, or the body
	// error (cut off, timed out, too large, undecodable) when the body did not arrive whole.
	Error string `json:"error,omitempty"`
}

// Recorder collects the exchanges of one or more [Client] values. It is safe for concurrent use; the
// zero value is ready to use.
//
// A step attaches only its own exchanges to its report by calling [Recorder.Drain] when it ends;
// [Recorder.All] and [Recorder.WriteJSONL] still see everything that was recorded.
type Recorder struct {
	mu        sync.Mutex
	exchanges []Exchange
	drained   int // exchanges[:drained] have been returned by Drain
}

// Record appends an exchange. The caller must have redacted it; [Client] does.
func (r *Recorder) Record(e Exchange) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.exchanges = append(r.exchanges, e)
}

// All returns a copy of every exchange recorded so far, in order.
func (r *Recorder) All() []Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Exchange(nil), r.exchanges...)
}

// Drain returns the exchanges recorded since the previous call to Drain (or since the start) and
// forgets them for the next Drain.
func (r *Recorder) Drain() []Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := append([]Exchange(nil), r.exchanges[r.drained:]...)
	r.drained = len(r.exchanges)
	return out
}

// WriteJSONL writes every recorded exchange to w as JSON Lines, one exchange per line.
func (r *Recorder) WriteJSONL(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, e := range r.All() {
		if err := enc.Encode(e); err != nil {
			return err
		}
	}
	return nil
}
