@introspection
Feature: Token introspection
  A protected resource, or the app itself, asks the authorization server whether a token is active and what
  it stands for (RFC 7662): it posts the token, with an optional token_type_hint, to the introspection
  endpoint, authenticated as at the token endpoint (§2.1: the endpoint MUST require some form of
  authorization). The answer is a JSON object whose "active" member says whether the token is active (§2.2,
  REQUIRED); a token that is revoked, expired, unknown or not the caller's to see is simply "active": false,
  never an error. client_id, scope and exp are OPTIONAL members that a resource server needs in order to
  decide, so asking for them is SHOULD-level (@should). Bad client credentials get 401 invalid_client (§2.3,
  RFC 6749 §5.2).

  The scenarios run where the target serves the endpoint: a server whose metadata names an
  introspection_endpoint (RFC 8414 §2), or for a target known by RingCentral's paths, whose discovery
  document names one. RingCentral removed /restapi/oauth/introspect after SPEC-2024-04
  (ringcentral-oauth.md §1.2) and the mock, like today's API, serves none unless it is started with
  -introspection, so elsewhere each scenario is skipped with that reason before it signs anyone in.

  @rfc7662-2.2
  Scenario: A live access token is active
    Given the app requests a token with the authorization code grant
    When the app introspects the access token
    Then the introspection says the token is active

  @should @rfc7662-2.2
  Scenario: The introspection of an access token names its app, scope and expiry
    Given the app requests a token with the authorization code grant
    When the app introspects the access token
    Then the introspection names the token's app, scope and expiry

  @rfc7662-2.2
  Scenario: A token the server never issued is inactive
    When the app introspects an unknown token
    Then the introspection says the token is inactive

  @mock-only @rfc7662-2.2
  Scenario: An expired access token is inactive
    Given the app requests a token with the authorization code grant
    And the access token expires
    When the app introspects the access token
    Then the introspection says the token is inactive

  @should @rfc7662-2.1 @rfc7662-2.2
  Scenario: A live refresh token is active
    Given the app requests a token with the authorization code grant
    When the app introspects the refresh token
    Then the introspection says the token is active

  @rfc7662-2.1
  Scenario: The introspection endpoint requires the app to authenticate
    Given the app requests a token with the authorization code grant
    And the app authenticates with no client credentials
    When the app introspects the access token
    Then the request is rejected with a client error

  @rfc7662-2.3 @rfc6749-5.2
  Scenario: An introspection with a wrong client secret is refused
    Given the app requests a token with the authorization code grant
    And the app authenticates with a wrong client secret
    When the app introspects the access token
    Then the request is rejected with invalid_client
