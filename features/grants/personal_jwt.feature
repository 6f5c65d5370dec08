@ringcentral @grant @personal-jwt @unverified
Feature: Personal JWT grant
  grant_type=personal_jwt, one of the twelve values of RingCentral's grant_type enum (SPEC-2025-03), with no
  published parameter schema. The "Personal JWT" flow is documented with the JWT bearer grant type
  (OpenAPI JwtTokenRequest), whose feature shows that a personal credential works there. The mock takes the
  credential in `assertion` for this grant type too and accepts only personal credentials (its documented
  choice, UNVERIFIED), issuing tokens of the credential's user with a refresh token. Refusals are asserted
  with the RFC error only (invalid_grant, RFC 7523 §3.1). An app that is not approved for the grant gets
  unauthorized_client OAU-251 "Unauthorized for this grant type" (web-phone #116).

  @sandbox-safe @rfc7523-2.1 @rfc6749-5.1
  Scenario: A personal JWT credential is exchanged for tokens
    When the app requests a token with the personal JWT grant
    Then a token is issued
    And the token response has a refresh token
    And the API identifies the token's owner
    And the access token works
    And the token response belongs to the user

  @sandbox-safe @rfc7523-3.1
  Scenario Outline: A credential the personal JWT grant cannot accept is refused
    When the app requests a token with the personal JWT grant and the <credential> credential
    Then the request is rejected with invalid_grant

    Examples:
      | credential   |
      | tampered     |
      | HS256-signed |
      | JWT bearer   |
      | partner      |

  @sandbox-safe @rfc6749-5.2
  Scenario: An app not approved for the personal JWT grant is refused
    Given the restricted app
    When the app requests a token with the personal JWT grant
    Then the request is rejected with unauthorized_client OAU-251
