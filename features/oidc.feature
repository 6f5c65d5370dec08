@ringcentral @oidc
Feature: OpenID Connect
  RingCentral is an OpenID Connect provider (ringcentral-oauth.md §8.4). Its discovery document at
  /.well-known/openid-configuration (OpenAPI readOpenIdConfiguration, OpenIdDiscovery) names the endpoints and
  what they support; the JSON Web Key Set at /restapi/oauth/jwks (authJwks, JWKeySet) holds the public keys
  that sign id_tokens; UserInfo at /restapi/oauth/userinfo (authUserInfo, UserInfoResource) describes the user
  a bearer access token belongs to, sub being the user's extension ID. An authorization that asks for the
  openid scope gets an id_token with the tokens (TokenInfo.id_token), which a relying party verifies with a
  key of the JWKS and whose iss, aud, sub and nonce it checks (OpenID Connect Core §3.1.3.7).

  No live RingCentral discovery document is public, so the documents are checked against the OpenAPI schemas
  and the rules of OpenID Connect Discovery 1.0 only; RingCentral's exact values are UNVERIFIED. The discovery
  document is RingCentral's authorization server metadata (metadata.feature), read with the same sentence. The
  discovery document and the JWKS are public and read-only, so they run against any target. The id_token and
  UserInfo scenarios need a signed-in user: on the mock the approval is immediate, elsewhere the harness signs
  in with the profile's recipe (OAUTH_SIGNIN) or skips, saying so; UserInfo without an access token runs
  anywhere.

  @sandbox-safe
  Scenario: The discovery document matches RingCentral's description
    When the app reads the authorization server metadata
    Then the response matches RingCentral's OpenAPI description
    And the response is JSON
    And the response has:
      | path                                  | check    | value               |
      | response_types_supported              | contains | code                |
      | scopes_supported                      | contains | openid              |
      | code_challenge_methods_supported      | contains | S256                |
      | code_challenge_methods_supported      | contains | plain               |
      | token_endpoint_auth_methods_supported | contains | client_secret_basic |
      | id_token_signing_alg_values_supported | contains | RS256               |

  @sandbox-safe
  Scenario: The discovery document names this server's endpoints
    When the app reads the authorization server metadata
    Then the metadata names the issuer it was read for
    And the metadata names this server's endpoints at RingCentral's paths

  @sandbox-safe
  Scenario: The JSON Web Key Set matches RingCentral's description
    When the app reads the JSON Web Key Set
    Then the response matches RingCentral's OpenAPI description
    And every key in the set is a public RSA signing key with a key ID

  Scenario: UserInfo describes the owner of the access token
    Given the user authorizes the app for OpenID Connect
    And the app exchanges the code
    When the app calls the userinfo endpoint with the access token
    Then the response matches RingCentral's OpenAPI description
    And the userinfo subject is the token's owner

  @sandbox-safe @rfc6750-3.1
  Scenario: UserInfo without an access token is refused
    When the app calls the userinfo endpoint without an access token
    Then the request is rejected with HTTP 401

  Scenario: An OpenID Connect authorization returns an id_token signed with a key of the JWKS
    Given the user authorizes the app for OpenID Connect
    When the app exchanges the code
    Then a token is issued
    And the id_token's signature verifies with a key of the JWKS

  Scenario: The id_token names the issuer, the app, the user and the nonce
    Given the user authorizes the app for OpenID Connect
    When the app exchanges the code
    Then the id_token names the issuer, the app, the user and the nonce
