package rcmock

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Endpoint paths (OpenAPI paths of the OAuth and OIDC tag, plus the two API resources the harness uses to
// check whether a token works, the mock-only device authorization endpoint, the mock-only stand-in for
// the WebSocket gateway that wstoken's uri names, and the introspection endpoint RingCentral removed after
// SPEC-2024-04, served only on request).
const (
	PathToken       = "/restapi/oauth/token"
	PathAuthorize   = "/restapi/oauth/authorize"
	PathRevoke      = "/restapi/oauth/revoke"
	PathUserInfo    = "/restapi/oauth/userinfo"
	PathWSToken     = "/restapi/oauth/wstoken"
	PathJWKS        = "/restapi/oauth/jwks"
	PathDiscovery   = "/.well-known/openid-configuration"
	PathIntrospect  = "/restapi/oauth/introspect"    // SPEC-2024-04 only; served with Options.Introspection
	PathDevice      = "/restapi/oauth/device"        // mock-only (RFC 8628 §3.1)
	PathDeviceCheck = "/restapi/oauth/device/verify" // mock-only verification page (RFC 8628 §3.3)
	PathWSGateway   = "/ws"                          // mock-only stand-in for the WebSocket gateway (wstoken.go)
	PathAccount     = "/restapi/v1.0/account/~"
	PathExtension   = "/restapi/v1.0/account/~/extension/~"
	PathControl     = "/__mock/"
)

// Server is the mock RingCentral OAuth server. It is an http.Handler; Start runs it on a listener.
type Server struct {
	opts  Options
	fx    *fixture
	clock Clock
	mux   *http.ServeMux

	mu        sync.Mutex
	realms    map[string]*realm
	lastSweep time.Time
	realmIdle time.Duration
	// realNow is the real time that realm idleness is measured in (not the mock clock, which scenarios
	// advance at will); a seam so that tests need not wait realmIdle.
	realNow func() time.Time
	grants  map[string]grantHandler
	logins  logins // sign-ins in progress at the login page (Options.LoginPage)
}

// New builds a Server from opts.
func New(opts Options) (*Server, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	f := opts.Fixture
	if f == nil {
		f = DefaultFixture()
	}
	fx, err := indexFixture(f)
	if err != nil {
		return nil, err
	}
	clock := opts.Clock
	if clock == nil {
		clock = realClock{}
	}
	s := &Server{
		opts:      opts,
		fx:        fx,
		clock:     clock,
		realms:    map[string]*realm{},
		realmIdle: 15 * time.Minute,
		realNow:   time.Now,
	}
	faults, err := parseFaults(opts.Faults)
	if err != nil {
		return nil, err
	}
	s.grants = s.grantHandlers()
	s.routes()
	if len(faults) > 0 {
		rl := s.realm("")
		rl.mu.Lock()
		rl.faults = faults
		rl.mu.Unlock()
	}
	return s, nil
}

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc(PathToken, s.handleToken)
	m.HandleFunc(PathAuthorize, s.handleAuthorize)
	m.HandleFunc(PathRevoke, s.handleRevoke)
	m.HandleFunc(PathUserInfo, s.handleUserInfo)
	m.HandleFunc(PathWSToken, s.handleWSToken)
	m.HandleFunc(PathWSGateway, s.handleWSGateway)
	m.HandleFunc(PathJWKS, s.handleJWKS)
	m.HandleFunc(PathDiscovery, s.handleDiscovery)
	m.HandleFunc(PathDevice, s.handleDeviceAuthorization)
	if s.opts.Introspection {
		m.HandleFunc(PathIntrospect, s.handleIntrospect)
	}
	m.HandleFunc(PathDeviceCheck, s.handleDeviceVerification)
	m.HandleFunc(PathLogin, s.handleLogin)
	m.HandleFunc("/restapi/v1.0/account/{account}", s.handleAccount)
	m.HandleFunc("/restapi/v1.0/account/{account}/extension/{extension}", s.handleExtension)
	if s.opts.Control {
		m.HandleFunc(PathControl, s.handleControl)
	} else if s.opts.Inspect {
		m.HandleFunc("GET "+PathControl+"state", s.handleState)
		m.HandleFunc("GET "+PathControl+"state/owners", s.handleOwners)
	}
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { writeError(w, errNotFound()) })
	s.mux = m
}

// ServeHTTP implements http.Handler: it selects the request's realm, applies an injected fault if one is
// due, and dispatches.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		// A handler bug must not take the server down or leave the client hanging.
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			writeError(w, errServerError(fmt.Sprint(v)))
		}
	}()
	if !strings.HasPrefix(r.URL.Path, PathControl) {
		rl := s.realmFor(r)
		rl.maybeGC()
		if f := rl.takeFault(r.URL.Path); f != nil {
			if f.Kind != "" {
				s.serveFaultKind(w, r, f)
				return
			}
			serveFault(w, r, f)
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

// realmFor returns the realm named by the request's ScenarioHeader, creating it on first use. Idle realms
// (no request for realmIdle of real time) are dropped, so abandoned scenarios do not hold memory.
func (s *Server) realmFor(r *http.Request) *realm {
	return s.realm(r.Header.Get(ScenarioHeader))
}

func (s *Server) realm(id string) *realm {
	if len(id) > 128 {
		id = id[:128]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.realNow()
	if now.Sub(s.lastSweep) > time.Minute {
		for k, rl := range s.realms {
			rl.mu.Lock()
			idle := now.Sub(rl.lastSeen) > s.realmIdle
			rl.mu.Unlock()
			if k != "" && idle {
				delete(s.realms, k)
			}
		}
		s.lastSweep = now
	}
	rl := s.realms[id]
	if rl == nil {
		rl = newRealm(s, id)
		s.realms[id] = rl
	}
	rl.mu.Lock()
	rl.lastSeen = now
	rl.mu.Unlock()
	return rl
}

// dropRealm forgets a realm (control API reset).
func (s *Server) dropRealm(id string) {
	s.mu.Lock()
	delete(s.realms, id)
	s.mu.Unlock()
}

// issuer is the mock's base URL: Options.Issuer, or the scheme and host the request was addressed to.
func (s *Server) issuer(r *http.Request) string {
	if s.opts.Issuer != "" {
		return strings.TrimRight(s.opts.Issuer, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "http" || p == "https" {
		scheme = p
	}
	return scheme + "://" + r.Host
}

// fault is an injected misbehaviour: the next Count requests to Path answer Status with Body after Delay,
// or, for a fault with a Kind, break their answer in that way (faults.go).
type fault struct {
	Kind        string            `json:"kind"`
	Bytes       int               `json:"bytes"`
	Path        string            `json:"path"`
	Count       int               `json:"count"`
	Status      int               `json:"status"`
	DelayMS     int               `json:"delay_ms"`
	Body        string            `json:"body"`
	ContentType string            `json:"content_type"`
	Headers     map[string]string `json:"headers"`
}

// takeFault returns the first fault due for path and counts it down.
func (rl *realm) takeFault(path string) *fault {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	for i, f := range rl.faults {
		if f.Path != path && f.Path != "*" {
			continue
		}
		c := *f
		f.Count--
		if f.Count <= 0 {
			rl.faults = append(rl.faults[:i:i], rl.faults[i+1:]...)
		}
		return &c
	}
	return nil
}

// serveFault answers with an injected fault. The delay waits on a timer but gives up as soon as the client
// goes away, so a slow-target test never leaves a handler behind.
func serveFault(w http.ResponseWriter, r *http.Request, f *fault) {
	drainRequest(w, r) // before waiting, so that a client that goes away is noticed
	if f.DelayMS > 0 {
		t := time.NewTimer(time.Duration(f.DelayMS) * time.Millisecond)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
	}
	status := f.Status
	if status == 0 {
		status = http.StatusOK
	}
	for k, v := range f.Headers {
		w.Header().Set(k, v)
	}
	if f.ContentType != "" {
		w.Header().Set("Content-Type", f.ContentType)
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(f.Body))
}

// Instance is a Server running on a listener.
type Instance struct {
	// URL is the base URL clients use, e.g. http://127.0.0.1:38421.
	URL    string
	Server *Server
	http   *http.Server
	done   chan error
}

// Start serves s on addr (for example "127.0.0.1:0" for an ephemeral port) in the background.
func (s *Server) Start(addr string) (*Instance, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("rcmock: listen on %s: %w", addr, err)
	}
	return s.Serve(ln), nil
}

// Serve serves s on ln in the background.
func (s *Server) Serve(ln net.Listener) *Instance {
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	in := &Instance{URL: "http://" + ln.Addr().String(), Server: s, http: hs, done: make(chan error, 1)}
	go func() {
		err := hs.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		in.done <- err
	}()
	return in
}

// Close shuts the instance down gracefully, waiting for in-flight requests until ctx is done.
func (in *Instance) Close(ctx context.Context) error {
	err := in.http.Shutdown(ctx)
	if err != nil {
		_ = in.http.Close()
	}
	if serveErr := <-in.done; err == nil {
		err = serveErr
	}
	return err
}
