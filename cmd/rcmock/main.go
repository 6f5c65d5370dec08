// Command rcmock runs the RingCentral OAuth 2.0 mock (package rcmock) as a standalone server, for SDKs,
// curl and conformance runs that target a process rather than the embedded in-process mock (the
// "cmd/rcmock" target of env/ profiles).
//
// Usage:
//
//	rcmock [-addr 127.0.0.1:8910] [-fixture file.json] [-control=true] [-inspect] [-faults file.json] \
//	       [-rate-limit] [-rate-limit-max 5] [-rate-limit-window 1m] [-rate-limit-penalty 1m] \
//	       [-session-limit-mode evict|reject] [-unknown-grant-error rfc|ringcentral-text] [-authorize-scope ignore|rfc] \
//	       [-issuer https://platform.example.test] [-login-page] [-introspection] [-introspect-client-error spec|rfc] \
//	       [-wstoken-ttl 30s] [-reject-malformed-ttl]
//
// Once the listener is bound, rcmock prints exactly one line to stdout,
//
//	rcmock listening on http://127.0.0.1:8910
//
// so that a script can start it in the background and wait for that line; stderr says whether the Auth
// group's rate limit is on and how it is shaped. It shuts down gracefully on SIGINT or SIGTERM. Exit status: 0 after a clean shutdown (or -h), 2 for invalid flags, 1 for any other
// failure (unreadable or invalid fixture, address in use).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rcoauth/conformance/rcmock"
)

// shutdownTimeout bounds how long a graceful shutdown waits for in-flight requests (an injected fault
// may delay a response by up to two minutes; a stopping mock should not wait that long).
const shutdownTimeout = 5 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// run parses args, starts the mock and serves until ctx is cancelled. It is main without the process
// (benbjohnson/wtf's cmd/wtfd style), so tests run it in-process on port 0.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runNotify(ctx, args, stdout, stderr, nil)
}

// runNotify is run with a hook called with the base URL once the listening line has been printed, which
// lets tests wait for the server without polling or sleeping.
func runNotify(ctx context.Context, args []string, stdout, stderr io.Writer, ready func(url string)) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	opts := rcmock.DefaultOptions()
	opts.Control = cfg.control
	opts.Inspect = cfg.inspect
	if cfg.faults != "" {
		if opts.Faults, err = os.ReadFile(cfg.faults); err != nil {
			return err
		}
	}
	opts.LoginPage = cfg.loginPage
	opts.Introspection = cfg.introspection
	opts.Issuer = cfg.issuer
	opts.WSTokenTTL = cfg.wsTokenTTL
	opts.RejectMalformedTTL = cfg.rejectMalformedTTL
	opts.Settings = cfg.settings
	opts.RateLimitMax, opts.RateLimitWindow, opts.RateLimitPenalty = cfg.rateLimitMax, cfg.rateLimitWindow, cfg.rateLimitPenalty
	if cfg.fixture != "" {
		// LoadFixture's errors name the file and, for invalid content, every problem found.
		if opts.Fixture, err = rcmock.LoadFixture(cfg.fixture); err != nil {
			return err
		}
	}
	srv, err := rcmock.New(opts)
	if err != nil {
		return err
	}
	in, err := srv.Start(cfg.addr)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(stdout, "rcmock listening on %s\n", in.URL); err != nil {
		_ = in.Close(context.Background())
		return fmt.Errorf("rcmock: writing to stdout: %w", err)
	}
	fmt.Fprintln(stderr, rateLimitLine(opts))
	if ready != nil {
		ready(in.URL)
	}
	<-ctx.Done()
	// The parent context is already cancelled, so the shutdown gets a fresh one with a deadline.
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := in.Close(sctx); err != nil {
		return fmt.Errorf("rcmock: shutdown: %w", err)
	}
	return nil
}

// rateLimitLine says whether the Auth group is throttled from the start, and how (README "The mock").
func rateLimitLine(o rcmock.Options) string {
	if !o.Settings.RateLimit {
		return "rcmock: Auth-group rate limit off (-rate-limit turns it on; a scenario may switch it on for itself through the control API)"
	}
	return fmt.Sprintf("rcmock: Auth-group rate limit on: %d requests per user and app in any %s, then %s of HTTP 429 restarted by every refused request",
		o.RateLimitMax, o.RateLimitWindow, o.RateLimitPenalty)
}

// config is the parsed command line.
type config struct {
	addr      string
	fixture   string
	control   bool
	inspect   bool
	faults    string // a file of faults due from the start (rcmock.Options.Faults)
	loginPage bool
	// introspection is rcmock.Options.Introspection.
	introspection bool
	// settings are the defaults of every scenario (rcmock.Options.Settings): -rate-limit,
	// -session-limit-mode, -unknown-grant-error, -authorize-scope, -introspect-client-error.
	settings rcmock.Settings
	// rateLimitMax, rateLimitWindow and rateLimitPenalty are rcmock.Options.RateLimitMax, RateLimitWindow
	// and RateLimitPenalty.
	rateLimitMax     int
	rateLimitWindow  time.Duration
	rateLimitPenalty time.Duration
	issuer           string
	// wsTokenTTL and rejectMalformedTTL are rcmock.Options.WSTokenTTL and RejectMalformedTTL, two of the
	// mock's choices where RingCentral's behaviour is UNVERIFIED.
	wsTokenTTL         time.Duration
	rejectMalformedTTL bool
}

// usageError is an invalid command line; the flag package has already printed the problem and the usage
// text, so exitCode only maps it to status 2, as the flag package's ExitOnError mode would.
type usageError struct{ err error }

func (e usageError) Error() string { return "rcmock: " + e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// parseFlags parses the command line, printing errors and usage to stderr.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	// Every default is rcmock's own (DefaultOptions), so the flags and the embedded mock cannot drift apart.
	def := rcmock.DefaultOptions()
	cfg := config{settings: def.Settings, rateLimitMax: def.RateLimitMax, rateLimitWindow: def.RateLimitWindow, rateLimitPenalty: def.RateLimitPenalty,
		wsTokenTTL: def.WSTokenTTL}
	fs := flag.NewFlagSet("rcmock", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: rcmock [flags]

rcmock serves a faithful mock of RingCentral's OAuth 2.0 API (token, revoke, authorize, OpenID Connect).
When the listener is bound it prints one line, "rcmock listening on http://HOST:PORT", to stdout; it stops
gracefully on SIGINT or SIGTERM.

Flags:
`)
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8910", "`host:port` to listen on; port 0 picks a free port")
	fs.StringVar(&cfg.fixture, "fixture", "", "JSON fixture `file` with apps, users and keys (default: the built-in fixture matching env/mock.env)")
	fs.BoolVar(&cfg.control, "control", true, "serve the /__mock/ control API (clock, faults, settings, reset)")
	fs.StringVar(&cfg.faults, "faults", "", "JSON `file`: an array of faults, as POST /__mock/faults takes them, due from the start for requests without a scenario header (works with -control=false)")
	fs.BoolVar(&cfg.inspect, "inspect", def.Inspect, "with -control=false, still serve the read-only GET /__mock/state (counts of sessions and tokens) and GET /__mock/state/owners (active sessions per user and app), so a test can check what a run left behind")
	fs.BoolVar(&cfg.loginPage, "login-page", def.LoginPage, "send the user to the mock's sign-in page (user name, password, authorize) before redirecting with a code; off: approve at once")
	fs.BoolVar(&cfg.introspection, "introspection", def.Introspection, "serve RFC 7662 token introspection at POST /restapi/oauth/introspect, as RingCentral's SPEC-2024-04 described it, and advertise it in discovery; off: no such endpoint, like today's API")
	fs.BoolVar(&cfg.settings.RateLimit, "rate-limit", def.Settings.RateLimit, "throttle the Auth group from the start (-rate-limit-max requests per user and app in any -rate-limit-window, then 429 for -rate-limit-penalty)")
	fs.Func("rate-limit-max", fmt.Sprintf("the `number` of requests per user and app in any window when rate limiting is on (default %d, RingCentral's Auth group)", def.RateLimitMax), func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return errors.New("must be a whole number of at least 1")
		}
		cfg.rateLimitMax = n
		return nil
	})
	fs.Func("rate-limit-window", fmt.Sprintf("the sliding `duration` in which -rate-limit-max requests are allowed (default %s)", def.RateLimitWindow), positiveDuration(&cfg.rateLimitWindow))
	fs.Func("rate-limit-penalty", fmt.Sprintf("how long requests are refused once the limit is hit, restarted by every refused request: a `duration` (default %s)", def.RateLimitPenalty), positiveDuration(&cfg.rateLimitPenalty))
	fs.Func("session-limit-mode", fmt.Sprintf("what a sixth concurrent session of a user and app does: `evict|reject` (default %s)", def.Settings.SessionLimitMode),
		oneOf(&cfg.settings.SessionLimitMode, rcmock.SessionLimitEvict, rcmock.SessionLimitReject))
	fs.Func("unknown-grant-error", fmt.Sprintf("the answer to an unknown grant_type: `rfc|ringcentral-text` (default %s; rfc: unsupported_grant_type, RFC 6749 §5.2; ringcentral-text: invalid_request \"Unsupported grant type\", as RingCentral's specification text says)", def.Settings.UnknownGrantError),
		oneOf(&cfg.settings.UnknownGrantError, rcmock.UnknownGrantRFC, rcmock.UnknownGrantRingCentralText))
	fs.Func("authorize-scope", fmt.Sprintf("how the authorization endpoint reads scope: `ignore|rfc` (default %s; ignore, as RingCentral documents: the code carries the app's scopes; rfc: the requested scope, an ungranted one refused with invalid_scope)", def.Settings.AuthorizeScope),
		oneOf(&cfg.settings.AuthorizeScope, rcmock.AuthorizeScopeIgnore, rcmock.AuthorizeScopeRFC))
	fs.Func("introspect-client-error", fmt.Sprintf("with -introspection, the status of a failed client authentication at the introspection endpoint: `spec|rfc` (default %s; spec: 400 invalid_client, the only status SPEC-2024-04 documented; rfc: 401 with a Basic challenge, RFC 7662 §2.3)", def.Settings.IntrospectClientError),
		oneOf(&cfg.settings.IntrospectClientError, rcmock.IntrospectClientErrorSpec, rcmock.IntrospectClientErrorRFC))
	fs.Func("wstoken-ttl", fmt.Sprintf("the expires_in of a WebSocket access token: a `duration` of at least 1s (default %s, the documentation's example; @rc-ex mentions 600s, so RingCentral's value is unverified)", def.WSTokenTTL), func(v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second {
			return errors.New("must be a duration of at least 1s, such as 30s or 10m")
		}
		cfg.wsTokenTTL = d
		return nil
	})
	fs.BoolVar(&cfg.rejectMalformedTTL, "reject-malformed-ttl", def.RejectMalformedTTL, "refuse an access_token_ttl or refresh_token_ttl that is not a decimal integer (\"1e3\", \"NaN\") with invalid_request CMN-101; off: ignore it like an absent one, as the JS SDK's refresh needs (RingCentral's reading is unverified)")
	fs.Func("issuer", "base `URL` the mock advertises in discovery and id_tokens and accepts as assertion audience (default: derived from each request's Host)", func(v string) error {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return errors.New("must be an absolute http or https URL without query or fragment")
		}
		cfg.issuer = strings.TrimRight(v, "/")
		return nil
	})
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, err
		}
		return cfg, usageError{err}
	}
	if fs.NArg() > 0 {
		err := fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
		fmt.Fprintf(stderr, "%v\n", err)
		fs.Usage()
		return cfg, usageError{err}
	}
	return cfg, nil
}

// oneOf parses a value that must be one of allowed into dst.
func oneOf(dst *string, allowed ...string) func(string) error {
	return func(v string) error {
		if !slices.Contains(allowed, v) {
			return fmt.Errorf("must be one of %s", strings.Join(allowed, ", "))
		}
		*dst = v
		return nil
	}
}

// positiveDuration parses a Go duration (10s, 1m) that must be positive into d.
func positiveDuration(d *time.Duration) func(string) error {
	return func(v string) error {
		p, err := time.ParseDuration(v)
		if err != nil || p <= 0 {
			return errors.New("must be a positive duration such as 10s or 1m")
		}
		*d = p
		return nil
	}
}

// exitCode maps run's result to the process exit status, printing errors that have not been printed yet:
// 0 for a clean stop or -h, 2 for a usage error (already printed with the usage text), 1 otherwise.
func exitCode(err error, stderr io.Writer) int {
	var ue usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		return 2
	}
	fmt.Fprintln(stderr, err)
	return 1
}
