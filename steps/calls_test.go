package steps

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/rcoauth/conformance/driver"
	"github.com/rcoauth/conformance/env"
)

// throttlingTarget answers the first `limited` token requests with HTTP 429 and Retry-After: 7, then a
// token, and remembers the jti of every client assertion it received.
type throttlingTarget struct {
	mu      sync.Mutex
	limited int
	calls   int
	jtis    []string
}

func (tt *throttlingTarget) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	tt.mu.Lock()
	defer tt.mu.Unlock()
	tt.calls++
	if a := r.PostForm.Get("client_assertion"); a != "" {
		var c jwt.RegisteredClaims
		if _, _, err := jwt.NewParser().ParseUnverified(a, &c); err == nil {
			tt.jtis = append(tt.jtis, c.ID)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if tt.calls <= tt.limited {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"errorCode":"CMN-301","message":"Request rate exceeded","errors":[{"errorCode":"CMN-301","message":"Request rate exceeded"}]}`))
		return
	}
	_, _ = w.Write([]byte(`{"access_token":"at","token_type":"bearer","expires_in":3599,"scope":"s","session_id":"x"}`))
}

// newTestWorld returns a world on a real-target path (no mock control) against url, whose pauses are
// recorded instead of waited.
func newTestWorld(t *testing.T, url string, tags ...string) (*world, *[]time.Duration) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "t.env"), []byte("RC_SERVER_URL="+url+"\nRC_SECRET_JWT_CLIENT_ID=app\nRC_SECRET_JWT_CLIENT_SECRET=0123456789abcdef0123456789abcdef\n"+
		"RC_CLIENT_ID=main\nRC_CLIENT_SECRET=main-secret-0123456789\nRC_REDIRECT_URI=https://app.example.test/callback\nRC_AUTH_RATE=off\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := env.Load(dir, "t", nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSuite(Config{Profile: p, Target: Target{URL: url}})
	if err != nil {
		t.Fatal(err)
	}
	var pauses []time.Duration
	s.pause = func(_ context.Context, d time.Duration) error { pauses = append(pauses, d); return nil }
	w := newWorld(s)
	w.client, err = driver.New(driver.Config{BaseURL: url})
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range tags {
		w.tags[tag] = true
	}
	return w, &pauses
}

func TestRateLimitPatience(t *testing.T) {
	tests := []struct {
		name       string
		limited    int
		tags       []string
		wantStatus int
		wantPauses int
	}{
		{"waits as Retry-After says and retries", 2, nil, 200, 2},
		{"gives up after three retries", 10, nil, 429, 3},
		{"never waits in a rate-limit scenario", 1, []string{tagRateLimit}, 429, 0},
		{"no wait without a limit", 0, nil, 200, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := &throttlingTarget{limited: tt.limited}
			srv := newServer(t, target)
			w, pauses := newTestWorld(t, srv.URL, tt.tags...)
			if err := w.useApp("secret-JWT"); err != nil {
				t.Fatal(err)
			}
			r, err := w.requestTokenWith(context.Background(), "password", driver.NewForm("username", "u", "password", "p"), tokenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if r.resp == nil || r.resp.Status != tt.wantStatus {
				t.Fatalf("got %s; want status %d", r.describe(), tt.wantStatus)
			}
			if len(*pauses) != tt.wantPauses {
				t.Fatalf("pauses %v; want %d", *pauses, tt.wantPauses)
			}
			for _, d := range *pauses {
				if d != 7*time.Second {
					t.Errorf("paused %s; want the 7s of Retry-After", d)
				}
			}
			seen := map[string]bool{}
			for _, jti := range target.jtis {
				if seen[jti] {
					t.Errorf("a retried request reused the client assertion jti %q; each attempt must be rebuilt", jti)
				}
				seen[jti] = true
			}
		})
	}
}

func TestRateLimitWaitIsBounded(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	w, pauses := newTestWorld(t, srv.URL)
	_, err := w.callAPI(context.Background(), driver.APIRequest{Path: driver.AccountPath, AccessToken: "x"})
	if err == nil || len(*pauses) != 0 {
		t.Fatalf("got err %v after pauses %v; want a refusal to wait an hour", err, *pauses)
	}
}
