package conformance

import (
	"fmt"

	"github.com/rcoauth/conformance/env"
	"github.com/rcoauth/conformance/rcmock"
	"github.com/rcoauth/conformance/steps"
)

// startTarget resolves the profile's target. With RC_MOCK_EMBEDDED=true it starts the embedded mock on
// 127.0.0.1:0 with its control API (the harness then talks to it over HTTP exactly as to RingCentral);
// with OAUTH_ISSUER the target is any OAuth 2.0 server, whose metadata the suite reads; otherwise the
// target is RC_SERVER_URL, whose control API the scenarios may use only when
// RC_MOCK_CONTROL=true. This is the only place the harness touches the mock's Go API: steps/ knows its
// target by URL alone.
func startTarget(p *env.Profile) (steps.Target, error) {
	if issuer := p.Value("OAUTH_ISSUER"); issuer != "" && !p.Bool("RC_MOCK_EMBEDDED") {
		// Any OAuth 2.0 server: the suite reads the endpoints from the issuer's metadata (RFC 8414).
		return steps.Target{URL: issuer}, nil
	}
	if !p.Bool("RC_MOCK_EMBEDDED") {
		url := p.Value("RC_SERVER_URL")
		if url == "" {
			return steps.Target{}, fmt.Errorf("profile %q sets neither RC_SERVER_URL nor RC_MOCK_EMBEDDED=true: there is no target", p.Name())
		}
		return steps.Target{URL: url, Control: p.Bool("RC_MOCK_CONTROL")}, nil
	}
	opts := rcmock.DefaultOptions()
	opts.Control = true
	opts.LoginPage = p.Bool("RC_MOCK_LOGIN_PAGE")
	opts.Introspection = p.Bool("RC_MOCK_INTROSPECTION")
	if path := p.Value("RC_MOCK_FIXTURE"); path != "" {
		f, err := rcmock.LoadFixture(path)
		if err != nil {
			return steps.Target{}, fmt.Errorf("profile %q: RC_MOCK_FIXTURE: %w", p.Name(), err)
		}
		opts.Fixture = f
	}
	srv, err := rcmock.New(opts)
	if err != nil {
		return steps.Target{}, fmt.Errorf("starting the embedded mock: %w", err)
	}
	in, err := srv.Start("127.0.0.1:0")
	if err != nil {
		return steps.Target{}, fmt.Errorf("starting the embedded mock: %w", err)
	}
	return steps.Target{URL: in.URL, Control: true, Embedded: true, Close: in.Close}, nil
}
