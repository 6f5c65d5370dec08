package steps

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rcoauth/conformance/driver"
	"github.com/rcoauth/conformance/env"
)

// Dialects. The RFCs (6749, 6750, 7009, 7523, 7636, 7662, 8414, 8628, 9700) are the base every dialect
// builds on; a dialect adds a vendor's own rules. A profile names its dialect with OAUTH_DIALECT.
//
//   - ringcentral (the default): RingCentral's errorCodes (OAU-…, CMN-…) in an errors[] body whose first
//     message error_description repeats, its OpenAPI description, access_token_ttl and refresh_token_ttl,
//     its endpoint paths, five sessions per user and app, the Auth rate group and its pacing, the refresh
//     grace, owner_id and the code's expires_in in the redirect (ringcentral-oauth.md).
//   - rfc: the RFCs alone, for any OAuth 2.0 server.
//
// A scenario (or its feature) tagged with a dialect's name, such as @ringcentral, checks a rule only that
// dialect defines, and is skipped with that reason on a target of another dialect. One vocabulary serves
// both: a sentence such as "the request is rejected with invalid_grant" checks the RFC part everywhere and
// the vendor part (errorCode, body shape, OpenAPI schema) only where the dialect defines it.
const (
	DialectRingCentral = "ringcentral"
	DialectRFC         = "rfc"
)

// dialects are the known dialects, with what each adds to the RFCs (for skip messages).
var dialects = map[string]string{
	DialectRingCentral: "RingCentral's own rules",
	DialectRFC:         "the RFCs alone",
}

// Dialect returns the dialect profile p names (OAUTH_DIALECT, default ringcentral), or an error naming the
// known ones.
func Dialect(p *env.Profile) (string, error) {
	d := strings.TrimSpace(p.Value("OAUTH_DIALECT"))
	if d == "" {
		return DialectRingCentral, nil
	}
	if _, ok := dialects[d]; !ok {
		known := make([]string, 0, len(dialects))
		for k := range dialects {
			known = append(known, k)
		}
		slices.Sort(known)
		return "", fmt.Errorf("steps: profile %q: OAUTH_DIALECT=%q: want one of %s", p.Name(), d, strings.Join(known, ", "))
	}
	return d, nil
}

// vendor reports whether the run's dialect is RingCentral's, whose vendor rules the shared sentences then
// check as well.
func (w *world) vendor() bool { return w.s.dialect == DialectRingCentral }

// vendorOnly returns the skip of a check whose expectation is documented RingCentral behaviour that the
// RFCs do not define (source names the document), or nil in RingCentral's dialect: in another dialect such
// a check has nothing to check, and a pass would claim what was never checked.
func (w *world) vendorOnly(what, source string) error {
	if w.vendor() {
		return nil
	}
	return w.skip("%s is RingCentral's rule (%s), not the RFCs'; profile %q speaks %s (OAUTH_DIALECT)", what, source, w.profile.Name(), w.s.dialect)
}

// dialectSkip returns the skip of a scenario tagged with another dialect than the run's, or nil.
func (w *world) dialectSkip() error {
	for d, what := range dialects {
		if d != w.s.dialect && w.tags["@"+d] {
			return w.skip("checks the %s dialect (%s, tag @%s); profile %q speaks %s (OAUTH_DIALECT)", d, what, d, w.profile.Name(), w.s.dialect)
		}
	}
	return nil
}

// discover reads the metadata of the profile's OAUTH_ISSUER (RFC 8414 §3, else OpenID Connect Discovery §4)
// before the first scenario, bounded by timeout; nil without OAUTH_ISSUER (RingCentral's own paths).
func discover(p *env.Profile, timeout time.Duration) (*driver.Metadata, error) {
	issuer := p.Value("OAUTH_ISSUER")
	if issuer == "" {
		return nil, nil
	}
	m, err := fetchMetadata(issuer, timeout)
	if err != nil {
		return nil, fmt.Errorf("steps: profile %q: OAUTH_ISSUER: %w", p.Name(), err)
	}
	return m, nil
}

// fetchMetadata reads issuer's metadata with the driver's Discover, bounded by twice timeout.
func fetchMetadata(issuer string, timeout time.Duration) (*driver.Metadata, error) {
	c, err := driver.New(driver.Config{BaseURL: issuer, Timeout: timeout})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*timeout)
	defer cancel()
	return c.Discover(ctx, issuer)
}

// standardGrants are the grant types whose absence from grant_types_supported skips a scenario; any other
// grant type (a made-up one that a negative scenario sends) is sent whatever the metadata says.
var standardGrants = []string{
	"authorization_code", "refresh_token", "password", "client_credentials",
	"urn:ietf:params:oauth:grant-type:jwt-bearer", "urn:ietf:params:oauth:grant-type:device_code",
}

// unadvertised returns the skip of a scenario that needs what the target's metadata does not advertise
// (RFC 8414 §2): a grant type, a client authentication method, a PKCE method or an endpoint. Without
// metadata (RingCentral's dialect) nothing is skipped.
func (w *world) unadvertised(list, value string) error {
	m := w.s.meta
	if m == nil {
		return nil
	}
	field := map[string]string{
		"grant": "grant_types_supported", "auth": "token_endpoint_auth_methods_supported",
		"pkce": "code_challenge_methods_supported", "response": "response_types_supported",
	}[list]
	if list == "grant" && !slices.Contains(standardGrants, value) {
		return nil
	}
	if m.Supports(list, value) {
		return nil
	}
	return w.skip("needs %s, which %s does not advertise (%s in its metadata %s)", value, w.s.cfg.Target.URL, field, m.Source)
}

// noEndpoint returns the skip of a scenario that needs an endpoint the target's metadata does not name.
func (w *world) noEndpoint(name, at string) error {
	if w.s.meta == nil || at != "" {
		return nil
	}
	field := map[string]string{
		"authorization endpoint": "authorization_endpoint", "revocation endpoint": "revocation_endpoint",
		"introspection endpoint": "introspection_endpoint", "device authorization endpoint": "device_authorization_endpoint",
		"UserInfo endpoint": "userinfo_endpoint", "JWKS": "jwks_uri",
	}[name]
	return w.skip("needs the %s, which %s does not advertise (no %s in its metadata %s)", name, w.s.cfg.Target.URL, field, w.s.meta.Source)
}

// resource is the bearer-protected resource whose answer tells whether an access token works (RFC 6750
// §2.1): RingCentral's account resource, or on a server described by its metadata the UserInfo endpoint
// (OpenID Connect Core §5.3), the one protected resource such a server is known to serve. A server whose
// metadata names no UserInfo endpoint has no resource to try a token at: the scenario is skipped with
// that reason rather than calling the server's base URL.
func (w *world) resource() (string, error) {
	m := w.s.meta
	if m == nil {
		return driver.AccountPath, nil
	}
	if err := w.noEndpoint("UserInfo endpoint", m.UserInfoEndpoint); err != nil {
		return "", err
	}
	return m.UserInfoEndpoint, nil
}

// authMethodOf names the registered method (RFC 7591 §2 token_endpoint_auth_method) a vocabulary choice
// exercises, or "" for the deliberately broken ones, which are sent whatever the server advertises.
func authMethodOf(method string) string {
	switch method {
	case authBasic, authBasicRaw, authBasicBodyID:
		return "client_secret_basic"
	case authPost:
		return "client_secret_post"
	case authSecretJWT:
		return "client_secret_jwt"
	case authPrivateKeyJWT:
		return "private_key_jwt"
	case authPublic:
		return "none"
	}
	return ""
}
