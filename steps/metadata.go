package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/rcoauth/conformance/driver"
)

// Authorization server metadata (RFC 8414): the document the run read its endpoints from, where the
// profile names an issuer (OAUTH_ISSUER), or else the target's OpenID Connect discovery document
// (RingCentral publishes no RFC 8414 document; OpenID Connect Discovery §3 defines the same members).

func (v *vocabulary) metadata() {
	w := v.w
	v.sc.Step(v.re(`^the app reads the authorization server metadata$`), w.readMetadata)
	v.sc.Step(v.assertion(`^the metadata names the issuer it was read for$`), w.metadataIssuer)
	v.sc.Step(v.assertion(`^the metadata has every required member$`), w.metadataRequired)
	v.sc.Step(v.assertion(`^every URL in the metadata uses https$`), w.metadataHTTPS)
	v.sc.Step(v.assertion(`^the metadata advertises PKCE with S256$`), w.metadataPKCE)
	v.sc.Step(v.assertion(`^the metadata names this server's endpoints at RingCentral's paths$`), w.metadataRingCentralPaths)
}

// readMetadata fetches the target's metadata document again, as a client would (RFC 8414 §3.1).
func (w *world) readMetadata(ctx context.Context) (err error) {
	defer w.verdict(&err)
	at := driver.DiscoveryPath
	if m := w.s.meta; m != nil {
		at = m.Source
	}
	resp, err := w.callGet(ctx, at)
	w.setResult(&result{what: whatMetadata, resp: resp, err: err})
	return nil
}

// issuer is the issuer the target's metadata must name: the profile's OAUTH_ISSUER, or the target's URL.
func (w *world) issuer() string {
	if iss := w.profile.Value("OAUTH_ISSUER"); iss != "" {
		return strings.TrimRight(iss, "/")
	}
	return strings.TrimRight(w.s.Target(), "/")
}

// theMetadata returns the latest metadata document: HTTP 200 with a JSON object (RFC 8414 §3.2), read into
// the driver's Metadata, whose methods apply RFC 8414 §2's defaults for omitted members.
func (w *world) theMetadata() (*result, *driver.Metadata, error) {
	r, err := w.theRequest()
	if err != nil {
		return nil, nil, err
	}
	if r.what != whatMetadata {
		return nil, nil, fmt.Errorf("the latest request is a %s, not a %s", r.what, whatMetadata)
	}
	if r.resp == nil || r.resp.Status != 200 || !r.resp.JSON().IsObject() {
		return nil, nil, fmt.Errorf("want HTTP 200 with a JSON object (RFC 8414 §3.2): %s", r.describe())
	}
	var m driver.Metadata
	if err := json.Unmarshal(r.resp.Body, &m); err != nil {
		return nil, nil, fmt.Errorf("the metadata's members do not have the types RFC 8414 §2 gives them: %v\nreceived: %s", err, r.describe())
	}
	m.Source, m.Raw = r.resp.URL, r.resp.Body
	return r, &m, nil
}

// metadataIssuer checks RFC 8414 §3.3 (and OpenID Connect Discovery §4.3), an RFC MUST: "The "issuer" value
// returned MUST be identical to the authorization server's issuer identifier value into which the
// well-known URI string was inserted".
func (w *world) metadataIssuer() (err error) {
	defer w.verdict(&err)
	r, m, err := w.theMetadata()
	if err != nil {
		return err
	}
	if want := w.issuer(); strings.TrimRight(m.Issuer, "/") != want {
		return fmt.Errorf("issuer %q; want %q, the issuer the document was read for (RFC 8414 §3.3)\nreceived: %s", m.Issuer, want, r.describe())
	}
	return nil
}

// metadataRequired checks RFC 8414 §2's REQUIRED members: issuer and response_types_supported always;
// token_endpoint unless the server supports only the implicit grant; authorization_endpoint unless it
// supports no grant type that uses it (authorization_code, implicit). The grant types are
// grant_types_supported or §2's default (driver.Metadata.Grants).
func (w *world) metadataRequired() (err error) {
	defer w.verdict(&err)
	r, m, err := w.theMetadata()
	if err != nil {
		return err
	}
	var p problems
	if m.Issuer == "" {
		p.addf("issuer is missing (REQUIRED, RFC 8414 §2)")
	}
	if len(m.ResponseTypesSupported) == 0 {
		p.addf("response_types_supported is missing or empty (REQUIRED, RFC 8414 §2)")
	}
	grantTypes := m.Grants()
	onlyImplicit := !slices.ContainsFunc(grantTypes, func(g string) bool { return g != "implicit" })
	if !onlyImplicit && m.TokenEndpoint == "" {
		p.addf("token_endpoint is missing (REQUIRED unless only the implicit grant is supported, RFC 8414 §2; grant types %v)", grantTypes)
	}
	if (m.Supports("grant", "authorization_code") || m.Supports("grant", "implicit")) && m.AuthorizationEndpoint == "" {
		p.addf("authorization_endpoint is missing (REQUIRED when a grant type uses it, RFC 8414 §2; grant types %v)", grantTypes)
	}
	return p.err(r)
}

// metadataHTTPS checks that the issuer and every endpoint the metadata names use https: RFC 8414 §2 defines
// the issuer as "a URL that uses the "https" scheme", and RFC 6749 §3.1 and §3.2 require TLS for the
// authorization and token endpoints. A server whose issuer is on this machine's loopback interface (the
// embedded mock, a test server) cannot have a certificate a client would trust, so the check skips there
// and says so: it is a deployed server's requirement.
func (w *world) metadataHTTPS() (err error) {
	defer w.verdict(&err)
	r, m, err := w.theMetadata()
	if err != nil {
		return err
	}
	if loopback(m.Issuer) {
		return w.skip("the issuer %s is on the loopback interface, a test server without a certificate; https is a deployed server's requirement (RFC 8414 §2)", m.Issuer)
	}
	var p problems
	r.resp.JSON().ForEach(func(k, v gjson.Result) bool {
		name := k.String()
		if name != "issuer" && name != "jwks_uri" && !strings.HasSuffix(name, "_endpoint") {
			return true
		}
		if u, err := url.Parse(v.String()); err != nil || u.Scheme != "https" {
			p.addf("%s %q does not use https", name, v.String())
		}
		return true
	})
	return p.err(r)
}

// metadataPKCE checks RFC 9700 §2.1.1: the server "MUST provide a way to detect their support for PKCE",
// and "It is RECOMMENDED for authorization servers to publish the element code_challenge_methods_supported
// in their Authorization Server Metadata"; S256 is the method RFC 7636 §4.2 makes mandatory to implement
// and RFC 9700 §2.1.1 recommends.
func (w *world) metadataPKCE() (err error) {
	defer w.verdict(&err)
	r, m, err := w.theMetadata()
	if err != nil {
		return err
	}
	switch {
	case len(m.CodeChallengeMethodsSupported) == 0:
		return fmt.Errorf("code_challenge_methods_supported is missing: a client cannot tell whether the server supports PKCE (RFC 9700 §2.1.1)\nreceived: %s", r.describe())
	case !m.Supports("pkce", driver.PKCES256):
		return fmt.Errorf("code_challenge_methods_supported is %q; want it to include S256 (RFC 7636 §4.2, RFC 9700 §2.1.1)\nreceived: %s", m.CodeChallengeMethodsSupported, r.describe())
	}
	return nil
}

// metadataRingCentralPaths checks documented RingCentral behaviour: the discovery document names this
// server's endpoints at the paths RingCentral's OpenAPI description gives them (OpenIdDiscovery examples;
// ringcentral-oauth.md §8.4). Another dialect's server chooses its own paths, so the step skips there.
func (w *world) metadataRingCentralPaths() (err error) {
	defer w.verdict(&err)
	if err := w.vendorOnly("the endpoint paths", "OpenAPI OpenIdDiscovery"); err != nil {
		return err
	}
	r, m, err := w.theMetadata()
	if err != nil {
		return err
	}
	base := strings.TrimRight(w.s.Target(), "/")
	at := m.Endpoints()
	var p problems
	for _, e := range []struct{ field, got, path string }{
		{"authorization_endpoint", at.Authorize, driver.AuthorizePath},
		{"token_endpoint", at.Token, driver.TokenPath},
		{"revocation_endpoint", at.Revocation, driver.RevokePath},
		{"userinfo_endpoint", m.UserInfoEndpoint, driver.UserInfoPath},
		{"jwks_uri", m.JWKSURI, driver.JWKSPath},
	} {
		if e.got != base+e.path {
			p.addf("%s %q; want %q (OpenAPI OpenIdDiscovery)", e.field, e.got, base+e.path)
		}
	}
	return p.err(r)
}

// loopback reports whether rawURL's host is a loopback address or localhost (RFC 6761 §6.3).
func loopback(rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	host := u.Hostname()
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}
