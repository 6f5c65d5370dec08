@metadata
Feature: Authorization server metadata
  A client learns a server's endpoints and capabilities from its metadata (RFC 8414): the JSON document at
  /.well-known/oauth-authorization-server under the issuer, or OpenID Connect discovery's
  /.well-known/openid-configuration, which defines the same members. The harness reads it before the first
  scenario of a profile that names an issuer (OAUTH_ISSUER); RingCentral publishes only the OpenID Connect
  document, which these scenarios read there.

  The document must name the issuer it was read for (§3.3), so that an attacker's document cannot pass for
  another server's; it must have the REQUIRED members (§2): issuer and response_types_supported always,
  token_endpoint unless the server offers only the implicit grant, authorization_endpoint where a grant
  uses it. The issuer is an https URL (§2) and the authorization and token endpoints require TLS (RFC 6749
  §3.1, §3.2); a server whose issuer is on the loopback interface (the embedded mock, a test server on this
  machine) has no certificate a client could trust, so that scenario skips there, saying so. A server that supports PKCE should say so with
  code_challenge_methods_supported, including S256 (RFC 9700 §2.1.1: RECOMMENDED; RFC 7636 §4.2).

  @rfc8414-3.3
  Scenario: The metadata names the issuer it was read for
    When the app reads the authorization server metadata
    Then the metadata names the issuer it was read for

  @rfc8414-2
  Scenario: The metadata has every required member
    When the app reads the authorization server metadata
    Then the metadata has every required member

  @rfc8414-2 @rfc6749-3.1 @rfc6749-3.2
  Scenario: Every URL in the metadata uses https
    When the app reads the authorization server metadata
    Then every URL in the metadata uses https

  @should @rfc9700-2.1.1 @rfc7636-4.2
  Scenario: The metadata advertises PKCE with S256
    When the app reads the authorization server metadata
    Then the metadata advertises PKCE with S256
