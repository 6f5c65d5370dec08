package steps

import (
	"context"
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
}

// readMetadata fetches the target's metadata document again, as a client would (RFC 8414 §3.1).
func (w *world) readMetadata(ctx context.Context) (err error) {
	defer w.verdict(&err)
	at := driver.DiscoveryPath
	if m := w.s.meta; m != nil {
		at = m.Source
	}
	resp, err := w.callGet(ctx, at)
	w.setResult(&result{what: "metadata request", resp: resp, err: err})
	return nil
}

// issuer is the issuer the target's metadata must name: the profile's OAUTH_ISSUER, or the target's URL.
func (w *world) issuer() string {
	if iss := w.profile.Value("OAUTH_ISSUER"); iss != "" {
		return strings.TrimRight(iss, "/")
	}
	return strings.TrimRight(w.s.Target(), "/")
}

// theMetadata returns the latest metadata document: HTTP 200 with a JSON object (RFC 8414 §3.2).
func (w *world) theMetadata() (*result, gjson.Result, error) {
	r, err := w.theRequest()
	if err != nil {
		return nil, gjson.Result{}, err
	}
	if r.what != "metadata request" {
		return nil, gjson.Result{}, fmt.Errorf("the latest request is a %s, not a metadata request", r.what)
	}
	if r.resp == nil || r.resp.Status != 200 || !r.resp.JSON().IsObject() {
		return nil, gjson.Result{}, fmt.Errorf("want HTTP 200 with a JSON object (RFC 8414 §3.2): %s", r.describe())
	}
	return r, r.resp.JSON(), nil
}

// metadataIssuer checks RFC 8414 §3.3 (and OpenID Connect Discovery §4.3): "The "issuer" value returned MUST
// be identical to the authorization server's issuer identifier value into which the well-known URI string
// was inserted".
func (w *world) metadataIssuer() (err error) {
	defer w.verdict(&err)
	r, body, err := w.theMetadata()
	if err != nil {
		return err
	}
	if iss, want := body.Get("issuer").String(), w.issuer(); strings.TrimRight(iss, "/") != want {
		return fmt.Errorf("issuer %q; want %q, the issuer the document was read for (RFC 8414 §3.3)\nreceived: %s", iss, want, r.describe())
	}
	return nil
}

// metadataRequired checks RFC 8414 §2's required members: issuer and response_types_supported always;
// token_endpoint unless the server supports only the implicit grant; authorization_endpoint unless it
// supports no grant type that uses it (authorization_code, implicit).
func (w *world) metadataRequired() (err error) {
	defer w.verdict(&err)
	r, body, err := w.theMetadata()
	if err != nil {
		return err
	}
	var p problems
	for _, k := range []string{"issuer", "response_types_supported"} {
		if !body.Get(k).Exists() {
			p.addf("%s is missing (REQUIRED, RFC 8414 §2)", k)
		}
	}
	if rt := body.Get("response_types_supported"); rt.Exists() && (!rt.IsArray() || len(rt.Array()) == 0) {
		p.addf("response_types_supported is %s; want a JSON array of response types", rt.Raw)
	}
	grants := []string{"authorization_code", "implicit"} // RFC 8414 §2's default
	if g := body.Get("grant_types_supported"); g.Exists() {
		grants = nil
		for _, v := range g.Array() {
			grants = append(grants, v.String())
		}
	}
	onlyImplicit := len(grants) > 0 && !slices.ContainsFunc(grants, func(g string) bool { return g != "implicit" })
	if !onlyImplicit && body.Get("token_endpoint").String() == "" {
		p.addf("token_endpoint is missing (REQUIRED unless only the implicit grant is supported; grant types %v)", grants)
	}
	usesAuthorize := slices.Contains(grants, "authorization_code") || slices.Contains(grants, "implicit")
	if usesAuthorize && body.Get("authorization_endpoint").String() == "" {
		p.addf("authorization_endpoint is missing (REQUIRED when a grant type uses it; grant types %v)", grants)
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
	r, body, err := w.theMetadata()
	if err != nil {
		return err
	}
	if iss := body.Get("issuer").String(); loopback(iss) {
		return w.skip("the issuer %s is on the loopback interface, a test server without a certificate; https is a deployed server's requirement (RFC 8414 §2)", iss)
	}
	var p problems
	body.ForEach(func(k, v gjson.Result) bool {
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
	r, body, err := w.theMetadata()
	if err != nil {
		return err
	}
	m := body.Get("code_challenge_methods_supported")
	if !m.Exists() {
		return fmt.Errorf("code_challenge_methods_supported is missing: a client cannot tell whether the server supports PKCE (RFC 9700 §2.1.1)")
	}
	for _, v := range m.Array() {
		if v.String() == driver.PKCES256 {
			return nil
		}
	}
	return fmt.Errorf("code_challenge_methods_supported is %s; want it to include S256 (RFC 7636 §4.2, RFC 9700 §2.1.1)\nreceived: %s", m.Raw, r.describe())
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
