package driver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Endpoints are where a target serves each endpoint: paths relative to the base URL or absolute URLs. An
// empty field means the target has no such endpoint; a request to it fails with an error saying so.
type Endpoints struct {
	// Token is the token endpoint (RFC 6749 §3.2).
	Token string
	// Authorize is the authorization endpoint (RFC 6749 §3.1).
	Authorize string
	// Revocation is the revocation endpoint (RFC 7009 §2).
	Revocation string
	// Introspection is the introspection endpoint (RFC 7662 §2).
	Introspection string
	// DeviceAuthorization is the device authorization endpoint (RFC 8628 §3.1).
	DeviceAuthorization string
}

// RingCentralEndpoints are RingCentral's endpoint paths (OpenAPI tag "OAuth and OIDC"), with the mock's
// device authorization endpoint; they are the driver's default ([Config.Endpoints]).
func RingCentralEndpoints() Endpoints {
	return Endpoints{
		Token: TokenPath, Authorize: AuthorizePath, Revocation: RevokePath, DeviceAuthorization: DeviceAuthorizationPath,
	}
}

// Well-known locations of an issuer's metadata.
const (
	// OAuthMetadataPath is RFC 8414 §3's well-known URI suffix, inserted between the issuer's host and path.
	OAuthMetadataPath = "/.well-known/oauth-authorization-server"
)

// Metadata is an authorization server's metadata (RFC 8414 §2; OpenID Connect Discovery §3 publishes the
// same names). Fields the server does not publish are empty; [Metadata.Raw] keeps the whole document.
type Metadata struct {
	Issuer                                 string   `json:"issuer"`
	AuthorizationEndpoint                  string   `json:"authorization_endpoint"`
	TokenEndpoint                          string   `json:"token_endpoint"`
	JWKSURI                                string   `json:"jwks_uri"`
	RevocationEndpoint                     string   `json:"revocation_endpoint"`
	IntrospectionEndpoint                  string   `json:"introspection_endpoint"`
	DeviceAuthorizationEndpoint            string   `json:"device_authorization_endpoint"`
	UserInfoEndpoint                       string   `json:"userinfo_endpoint"`
	ScopesSupported                        []string `json:"scopes_supported"`
	ResponseTypesSupported                 []string `json:"response_types_supported"`
	GrantTypesSupported                    []string `json:"grant_types_supported"`
	TokenEndpointAuthMethodsSupported      []string `json:"token_endpoint_auth_methods_supported"`
	RevocationEndpointAuthMethodsSupported []string `json:"revocation_endpoint_auth_methods_supported"`
	CodeChallengeMethodsSupported          []string `json:"code_challenge_methods_supported"`
	// Source is the URL the document was read from.
	Source string `json:"-"`
	// Raw is the document as received.
	Raw json.RawMessage `json:"-"`
}

// Endpoints returns the endpoints the metadata names.
func (m *Metadata) Endpoints() Endpoints {
	return Endpoints{
		Token: m.TokenEndpoint, Authorize: m.AuthorizationEndpoint, Revocation: m.RevocationEndpoint,
		Introspection: m.IntrospectionEndpoint, DeviceAuthorization: m.DeviceAuthorizationEndpoint,
	}
}

// Grants returns the grant types the server supports: grant_types_supported, or RFC 8414 §2's default
// ["authorization_code", "implicit"] when the field is omitted.
func (m *Metadata) Grants() []string {
	if len(m.GrantTypesSupported) == 0 {
		return []string{"authorization_code", "implicit"}
	}
	return m.GrantTypesSupported
}

// TokenAuthMethods returns the client authentication methods of the token endpoint:
// token_endpoint_auth_methods_supported, or RFC 8414 §2's default client_secret_basic.
func (m *Metadata) TokenAuthMethods() []string {
	if len(m.TokenEndpointAuthMethodsSupported) == 0 {
		return []string{"client_secret_basic"}
	}
	return m.TokenEndpointAuthMethodsSupported
}

// Supports reports whether the metadata advertises value in the named list: "grant" (grant types),
// "auth" (token endpoint authentication methods), "pkce" (code challenge methods) or "response" (response
// types). An omitted list falls back to RFC 8414 §2's default; code_challenge_methods_supported has none,
// and its absence means the server does not support PKCE (RFC 8414 §2).
func (m *Metadata) Supports(list, value string) bool {
	switch list {
	case "grant":
		return slices.Contains(m.Grants(), value)
	case "auth":
		return slices.Contains(m.TokenAuthMethods(), value)
	case "pkce":
		return slices.Contains(m.CodeChallengeMethodsSupported, value)
	case "response":
		return slices.Contains(m.ResponseTypesSupported, value)
	}
	return false
}

// MetadataError says why no usable metadata was found for an issuer; Tried lists each URL and what it
// answered.
type MetadataError struct {
	Issuer string
	Tried  []string
}

func (e *MetadataError) Error() string {
	return fmt.Sprintf("driver: no authorization server metadata for issuer %s:\n  %s", e.Issuer, strings.Join(e.Tried, "\n  "))
}

// MetadataURLs returns where an issuer publishes its metadata, in the order the driver tries them: RFC 8414
// §3's /.well-known/oauth-authorization-server inserted between the host and the issuer's path, then OpenID
// Connect Discovery §4's /.well-known/openid-configuration appended to the issuer.
func MetadataURLs(issuer string) ([]string, error) {
	u, err := url.Parse(strings.TrimRight(issuer, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("driver: issuer %q is not an http(s) URL without query and fragment (RFC 8414 §2)", issuer)
	}
	path := u.Path
	oauth := *u
	oauth.Path = OAuthMetadataPath + path
	oidc := *u
	oidc.Path = path + DiscoveryPath
	return []string{oauth.String(), oidc.String()}, nil
}

// Discover reads the authorization server metadata of issuer (RFC 8414 §3, then OpenID Connect Discovery
// §4) and checks it as RFC 8414 §3.3 requires: the issuer it names is the issuer asked for, and the
// document names a token endpoint. The exchanges are recorded like any other.
func (c *Client) Discover(ctx context.Context, issuer string) (*Metadata, error) {
	urls, err := MetadataURLs(issuer)
	if err != nil {
		return nil, err
	}
	want := strings.TrimRight(issuer, "/")
	merr := &MetadataError{Issuer: issuer}
	for _, u := range urls {
		resp, err := c.Get(ctx, u)
		if err != nil {
			var te *TransportError
			if errors.As(err, &te) {
				return nil, err
			}
			merr.Tried = append(merr.Tried, fmt.Sprintf("%s: %v", u, err))
			continue
		}
		var m Metadata
		if err := json.Unmarshal(resp.Body, &m); err != nil {
			merr.Tried = append(merr.Tried, fmt.Sprintf("%s: not a JSON object: %v", u, err))
			continue
		}
		switch {
		case strings.TrimRight(m.Issuer, "/") != want:
			merr.Tried = append(merr.Tried, fmt.Sprintf("%s: names issuer %q; want %q (RFC 8414 §3.3)", u, m.Issuer, issuer))
			continue
		case m.TokenEndpoint == "":
			merr.Tried = append(merr.Tried, fmt.Sprintf("%s: names no token_endpoint (RFC 8414 §2)", u))
			continue
		}
		m.Source, m.Raw = u, append(json.RawMessage(nil), resp.Body...)
		return &m, nil
	}
	return nil, merr
}
