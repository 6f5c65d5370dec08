@ringcentral @grant @device-certificate @unverified
Feature: Device certificate grant
  grant_type=device_certificate, one of the twelve values of RingCentral's grant_type enum (SPEC-2025-03),
  for a device (a desk phone) that signs in with its own certificate. RingCentral publishes no parameter
  schema for it, so the request is the mock's documented choice (UNVERIFIED), modelled on the JWT bearer
  grant with certificate-bound keys (RFC 7523 §2.1, §3): `assertion` is a JWT signed with the device's
  private key that carries the device certificate in x5c (RFC 7515 §4.1.6), names the device as sub and
  this server's token endpoint as aud, has an exp and a jti. The device's user gets tokens with a refresh
  token.

  An assertion that fails a check is invalid_grant (RFC 7523 §3.1): one past its exp, one meant for another
  server (aud), one for a device the certificate does not name, one without a jti, and one presented a
  second time (RFC 7523 §3 allows the server to refuse replayed jti values). The errorCodes are the mock's
  (UNVERIFIED), so only the RFC error is asserted. An app that is not approved for the grant gets
  unauthorized_client OAU-251 "Unauthorized for this grant type" (web-phone #116).

  @sandbox-safe @rfc7523-2.1 @rfc6749-5.1
  Scenario: A device's signed assertion is exchanged for tokens
    When the app requests a token with the device certificate grant
    Then a token is issued
    And the token response has a refresh token
    And the API identifies the token's owner
    And the access token works
    And the token response belongs to the user

  @mock-only @rfc7523-3
  Scenario: A device's assertion is dated by the target's clock after time passes
    Given 2 hours pass
    When the app requests a token with the device certificate grant
    Then a token is issued

  @sandbox-safe @rfc7523-3.1
  Scenario Outline: An assertion that fails a check is refused
    When the app requests a token with the device certificate grant and an assertion <fault>
    Then the request is rejected with invalid_grant

    Examples:
      | fault                 |
      | that has expired      |
      | for another audience  |
      | for an unknown device |
      | without a jti         |

  @sandbox-safe @rfc7523-3
  Scenario: An assertion is used once
    When the app requests a token twice with one device certificate assertion
    Then the request is rejected with invalid_grant

  @sandbox-safe @rfc6749-5.2
  Scenario: An app not approved for the device certificate grant is refused
    Given the restricted app
    When the app requests a token with the device certificate grant
    Then the request is rejected with unauthorized_client OAU-251
