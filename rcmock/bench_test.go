package rcmock

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The benchmarks measure the goals of the mock's load issue: at least 20,000 password-grant responses per
// second on 2 cores, p99 below 5 ms at 16 connections, and memory flat over a million issued tokens. Speed
// and memory are measured here and never asserted by timed tests. Every load loop targets 127.0.0.1 or
// ServeHTTP and is bounded by b.N or a constant.
//
//	go test -run '^$' -bench PasswordGrant -benchtime 5s ./rcmock
//	go test -run '^$' -bench 'Refresh|APICall' ./rcmock
//	go test -run '^$' -bench Million -benchtime 1x ./rcmock

// benchConnections is the number of concurrent keep-alive connections of the HTTP benchmark.
const benchConnections = 16

// benchServer is a Server on the real clock with the default options, as cmd/rcmock runs it.
func benchServer(tb testing.TB) *Server {
	tb.Helper()
	s, err := New(DefaultOptions())
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return s
}

// benchPasswordBody is the password-grant request of the main app's user (env/mock.env).
var benchPasswordBody = formOf("grant_type", GrantPassword, "username", tUsername, "password", tPassword)

// benchWriter is a reusable http.ResponseWriter that discards the body, so handler benchmarks measure the
// handler rather than httptest.ResponseRecorder's buffering.
type benchWriter struct {
	header http.Header
	status int
	n      int
}

func newBenchWriter() *benchWriter { return &benchWriter{header: http.Header{}} }

func (w *benchWriter) Header() http.Header { return w.header }

func (w *benchWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *benchWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.n += len(p)
	return len(p), nil
}

func (w *benchWriter) reset() {
	clear(w.header)
	w.status, w.n = 0, 0
}

// benchClient sends requests to a Server through ServeHTTP, reusing one request and one writer.
type benchClient struct {
	s   *Server
	req *http.Request
	w   *benchWriter
}

func newBenchClient(s *Server, method, path, authorization string) *benchClient {
	req := httptest.NewRequest(method, path, nil)
	if method == http.MethodPost {
		req.Header.Set("Content-Type", formContentType)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	return &benchClient{s: s, req: req, w: newBenchWriter()}
}

// serve sends body and returns the status.
func (c *benchClient) serve(body string) int {
	c.req.Body = io.NopCloser(strings.NewReader(body))
	c.w.reset()
	c.s.ServeHTTP(c.w, c.req)
	return c.w.status
}

// benchLogin issues one password-grant session through ServeHTTP and returns it.
func benchLogin(tb testing.TB, s *Server) *session {
	tb.Helper()
	req := httptest.NewRequest(http.MethodPost, PathToken, strings.NewReader(benchPasswordBody))
	req.Header.Set("Content-Type", formContentType)
	req.Header.Set("Authorization", basicAuth(tMainID, tMainSecret))
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		tb.Fatalf("login: got %d %s; want 200", rec.Code, rec.Body)
	}
	var ti tokenInfo
	if err := json.Unmarshal(rec.Body.Bytes(), &ti); err != nil {
		tb.Fatalf("login: %v", err)
	}
	rl := s.realm("")
	rl.mu.Lock()
	defer rl.mu.Unlock()
	sess := rl.sessions[ti.SessionID]
	if sess == nil {
		tb.Fatalf("login: session %q not found in the realm", ti.SessionID)
	}
	return sess
}

// BenchmarkPasswordGrantHTTP measures password-grant throughput and latency over real loopback HTTP with
// benchConnections keep-alive connections and as many client goroutines, whatever GOMAXPROCS is. It reports
// req/s and the p50 and p99 latency of individual requests (the goals: 20,000 req/s and p99 < 5 ms on 2
// cores).
func BenchmarkPasswordGrantHTTP(b *testing.B) {
	s := benchServer(b)
	in, err := s.Start("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = in.Close(ctx)
	})
	tr := &http.Transport{
		MaxIdleConns:        benchConnections,
		MaxIdleConnsPerHost: benchConnections,
		MaxConnsPerHost:     benchConnections,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	b.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	header := http.Header{
		"Content-Type":  {formContentType},
		"Authorization": {basicAuth(tMainID, tMainSecret)},
	}
	url := in.URL + PathToken

	// RunParallel starts parallelism × GOMAXPROCS goroutines: one per connection.
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((benchConnections + procs - 1) / procs)
	var (
		mu        sync.Mutex
		latencies = make([]time.Duration, 0, 1<<16)
	)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		local := make([]time.Duration, 0, 1<<12)
		defer func() {
			mu.Lock()
			latencies = append(latencies, local...)
			mu.Unlock()
		}()
		for pb.Next() {
			t0 := time.Now()
			req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(benchPasswordBody))
			if err != nil {
				b.Error(err)
				return
			}
			req.Header = header // read-only: the transport never modifies a request's header
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d; want 200", resp.StatusCode)
				return
			}
			local = append(local, time.Since(t0))
		}
	})
	elapsed := time.Since(start)
	b.StopTimer()
	benchReportLatencies(b, latencies, elapsed)
}

// benchReportLatencies reports throughput and the p50 and p99 of per-request latencies.
func benchReportLatencies(b *testing.B, lat []time.Duration, elapsed time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	pct := func(p int) float64 {
		i := min(len(lat)*p/100, len(lat)-1)
		return float64(lat[i]) / float64(time.Millisecond)
	}
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(50), "p50-ms")
	b.ReportMetric(pct(99), "p99-ms")
}

// BenchmarkPasswordGrantHandler measures one password grant through ServeHTTP, without the network: the
// mock's own cost per token and its allocations.
func BenchmarkPasswordGrantHandler(b *testing.B) {
	s := benchServer(b)
	c := newBenchClient(s, http.MethodPost, PathToken, basicAuth(tMainID, tMainSecret))
	b.ReportAllocs()
	for b.Loop() {
		if st := c.serve(benchPasswordBody); st != http.StatusOK {
			b.Fatalf("status %d; want 200", st)
		}
	}
}

// BenchmarkRefreshGrant measures refresh-token rotation (RFC 6749 §6) of one session, each refresh
// presenting the newest refresh token.
func BenchmarkRefreshGrant(b *testing.B) {
	s := benchServer(b)
	sess := benchLogin(b, s)
	rl := s.realm("")
	c := newBenchClient(s, http.MethodPost, PathToken, basicAuth(tMainID, tMainSecret))
	b.ReportAllocs()
	for b.Loop() {
		rl.mu.Lock()
		rt := sess.refresh.value
		rl.mu.Unlock()
		if st := c.serve("grant_type=refresh_token&refresh_token=" + rt); st != http.StatusOK {
			b.Fatalf("status %d; want 200", st)
		}
	}
	b.StopTimer()
	rl.mu.Lock()
	b.ReportMetric(float64(len(sess.retired)), "retired-tokens")
	rl.mu.Unlock()
}

// BenchmarkAPICall measures an API call authenticated with a bearer access token (RFC 6750 §2.1).
func BenchmarkAPICall(b *testing.B) {
	s := benchServer(b)
	sess := benchLogin(b, s)
	c := newBenchClient(s, http.MethodGet, PathAccount, "Bearer "+sess.access.value)
	b.ReportAllocs()
	for b.Loop() {
		if st := c.serve(""); st != http.StatusOK {
			b.Fatalf("status %d; want 200", st)
		}
	}
}

// benchHeapInUseMB returns the live heap after a full collection, in MiB.
func benchHeapInUseMB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapInuse) / (1 << 20)
}

// benchMaxHeapGrowthMB is how much the live heap may grow between 100,000 and 1,000,000 tokens before the
// memory benchmarks call it a leak: a million leaked tokens take hundreds of MiB, noise takes a few.
const benchMaxHeapGrowthMB = 8

// benchMillion calls step a million times, measuring the live heap after 100,000 and after 1,000,000
// calls; it reports both and fails the benchmark when the heap grew by more than benchMaxHeapGrowthMB. It
// returns with the timer stopped.
func benchMillion(b *testing.B, what string, step func(i int)) {
	b.Helper()
	const total, checkpoint = 1_000_000, 100_000
	var at100k float64
	for i := 1; i <= total; i++ {
		step(i)
		if i == checkpoint {
			b.StopTimer()
			at100k = benchHeapInUseMB()
			b.StartTimer()
		}
	}
	b.StopTimer()
	at1M := benchHeapInUseMB()
	b.ReportMetric(at100k, "heap-100k-MB")
	b.ReportMetric(at1M, "heap-1M-MB")
	if at1M-at100k > benchMaxHeapGrowthMB {
		b.Errorf("live heap grew from %.1f MiB to %.1f MiB between %d and %d %s", at100k, at1M, checkpoint, total, what)
	}
}

// BenchmarkMillionTokens issues 1,000,000 password-grant tokens for the same user and app through
// ServeHTTP and reports the live heap after 100,000 and after 1,000,000 of them. Memory stays flat because
// the five-session limit (FAQ oauth.md) evicts the oldest session, and its tokens, at every login. One
// iteration is the whole million; run it with -benchtime 1x.
func BenchmarkMillionTokens(b *testing.B) {
	const total = 1_000_000
	for range b.N {
		s := benchServer(b)
		c := newBenchClient(s, http.MethodPost, PathToken, basicAuth(tMainID, tMainSecret))
		benchMillion(b, "tokens", func(i int) {
			if st := c.serve(benchPasswordBody); st != http.StatusOK {
				b.Fatalf("token %d: status %d; want 200", i, st)
			}
		})
		n := s.realm("").counts()
		b.ReportMetric(float64(n["sessions"]), "sessions")
		b.ReportMetric(float64(n["tokens"]), "tokens")
		if limit := s.opts.SessionLimit; n["sessions"] != limit || n["tokens"] != 2*limit {
			b.Errorf("after %d logins: counts %v; want %d sessions with %d tokens", total, n, limit, 2*limit)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*total), "ns/token")
}

// BenchmarkMillionRefreshes refreshes one session 1,000,000 times through ServeHTTP, as fast as it goes
// (far more often than once per RotatedAccessTokenGrace), and reports the live heap after 100,000 and
// 1,000,000 refreshes and the session's token counts: the replaced access tokens and the grace refresh
// token must not accumulate. One iteration is the whole million; run it with -benchtime 1x.
func BenchmarkMillionRefreshes(b *testing.B) {
	const total = 1_000_000
	for range b.N {
		s := benchServer(b)
		sess := benchLogin(b, s)
		rl := s.realm("")
		c := newBenchClient(s, http.MethodPost, PathToken, basicAuth(tMainID, tMainSecret))
		benchMillion(b, "refreshes", func(i int) {
			rl.mu.Lock()
			rt := sess.refresh.value
			rl.mu.Unlock()
			if st := c.serve("grant_type=refresh_token&refresh_token=" + rt); st != http.StatusOK {
				b.Fatalf("refresh %d: status %d; want 200", i, st)
			}
		})
		n := rl.counts()
		rl.mu.Lock()
		retired := len(sess.retired)
		rl.mu.Unlock()
		b.ReportMetric(float64(n["tokens"]), "tokens")
		b.ReportMetric(float64(retired), "retired-tokens")
		// access + refresh + grace + the replaced access tokens still answering "Access token corrupted".
		if want := 3 + maxRetiredTokens; n["sessions"] != 1 || n["tokens"] > want {
			b.Errorf("after %d refreshes: counts %v; want 1 session with at most %d tokens", total, n, want)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*total), "ns/refresh")
}
