@ringcentral @grant @partner-jwt
Feature: Partner JWT grant
  The "Partner JWT" flow (OpenAPI JwtTokenRequest, grant_type=partner_jwt; SPEC-2025-03 grant_type enum):
  like the JWT bearer grant, the app sends a JWT credential in `assertion` and gets tokens of the
  credential's user with a refresh token, but the credential is one issued for a partner integration.
  RingCentral publishes no rules for telling the kinds of credential apart; the mock accepts only partner
  credentials here (its documented choice, UNVERIFIED), so the refusal of another kind is asserted with the
  RFC error only (invalid_grant, RFC 7523 §3.1), as are a broken signature and an HS256 signature (OAU-347 is
  documented for the JWT bearer grant type only). An app that is not approved for the grant gets
  unauthorized_client OAU-251 "Unauthorized for this grant type" (web-phone #116).

  @sandbox-safe @rfc7523-2.1 @rfc6749-5.1
  Scenario: A partner JWT credential is exchanged for tokens
    When the app requests a token with the partner JWT grant
    Then a token is issued
    And the token response has a refresh token
    And the API identifies the token's owner
    And the access token works
    And the token response belongs to the user

  @sandbox-safe @rfc7523-3.1
  Scenario Outline: A credential the partner JWT grant cannot accept is refused
    When the app requests a token with the partner JWT grant and the <credential> credential
    Then the request is rejected with invalid_grant

    Examples:
      | credential   |
      | tampered     |
      | HS256-signed |
      | JWT bearer   |
      | personal     |

  @sandbox-safe @rfc6749-5.2
  Scenario: An app not approved for the partner JWT grant is refused
    Given the restricted app
    When the app requests a token with the partner JWT grant
    Then the request is rejected with unauthorized_client OAU-251
