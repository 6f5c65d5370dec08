@grant @jwt-bearer
Feature: JWT bearer grant
  RingCentral's "JWT flow" for server apps (RFC 7523 §2.1; DOCS jwt-flow.md; OpenAPI JwtTokenRequest): the
  app, authenticated as itself, sends grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer and the user's
  JWT credential from the Developer Console in `assertion`, and gets tokens of that user with a refresh
  token. The "Personal JWT" flow uses this same grant type (JwtTokenRequest), so a personal credential is
  accepted too; a partner credential belongs to the partner_jwt grant.

  An assertion the server cannot accept is invalid_grant (RFC 7523 §3.1). Only one errorCode is documented:
  an assertion signed with HS256 is OAU-347 "An algorithm which is used for assertion signing is not
  supported for JWT Bearer grant type" (DOCS changelog 1_0_41, "HS256 Signed Tokens Restriction"); the codes
  for an expired, tampered or foreign credential are UNVERIFIED, so only the RFC error is asserted. A
  credential of another environment does not work here ("A JWT configured for sandbox cannot be used to
  authenticate in production, and vice versa", removed DOCS using-sandbox.md). An app that is not approved
  for the grant gets unauthorized_client OAU-251 "Unauthorized for this grant type" (FAQ
  unauthorized-grant-type.md lists JWT among grants an app may lack).

  @sandbox-safe @rfc7523-2.1 @rfc6749-5.1
  Scenario: A user's JWT credential is exchanged for tokens
    When the app requests a token with the JWT bearer grant
    Then a token is issued
    And the token response has a refresh token
    And the API identifies the token's owner
    And the access token works
    And the token response belongs to the user

  @sandbox-safe @rfc7523-2.1
  Scenario: An app authenticating with a private key uses the JWT flow
    Given the private-key app
    When the app requests a token with the JWT bearer grant
    Then a token is issued
    And the token response belongs to the user

  @sandbox-safe @rfc7523-2.1
  Scenario: A personal JWT credential is accepted by the JWT bearer grant
    When the app requests a token with the JWT bearer grant and the personal credential
    Then a token is issued
    And the token response belongs to the user

  @sandbox-safe @rfc7523-3.1
  Scenario: An assertion signed with HS256 is refused
    When the app requests a token with the JWT bearer grant and the HS256-signed credential
    Then the request is rejected with invalid_grant OAU-347

  @sandbox-safe @rfc7523-3.1
  Scenario Outline: A credential the server cannot accept is refused
    When the app requests a token with the JWT bearer grant and the <credential> credential
    Then the request is rejected with invalid_grant

    Examples:
      | credential          |
      | expired             |
      | tampered            |
      | other environment's |
      | partner             |

  @sandbox-safe @rfc7523-3.1
  Scenario: An assertion that is not a JWT is refused
    When the app requests a token with the JWT bearer grant and assertion not-a-jwt
    Then the request is rejected with invalid_grant

  @sandbox-safe @rfc6749-5.2
  Scenario: An app not approved for the JWT bearer grant is refused
    Given the restricted app
    When the app requests a token with the JWT bearer grant
    Then the request is rejected with unauthorized_client OAU-251
