@ringcentral @grant @otp
Feature: One-time password grant
  A user signs in with a one-time password (OpenAPI OtpTokenRequest: grant_type=otp and `code`, "One-time
  password code") and gets tokens with a refresh token. A one-time password works once: a second use, like
  a code that was never issued, is invalid_grant (RFC 6749 §5.2; RingCentral's errorCode for either is
  UNVERIFIED; the mock answers OAU-140 "Invalid resource owner credentials.", as for a wrong password). An app
  that is not approved for the grant gets unauthorized_client OAU-251 "Unauthorized for this grant type"
  (web-phone #116). A successful sign-in spends the profile's one-time password, so none of these scenarios
  is sandbox-safe.

  @rfc6749-5.1
  Scenario: A one-time password is exchanged for tokens
    When the app requests a token with the OTP grant
    Then a token is issued
    And the token response has a refresh token
    And the API identifies the token's owner
    And the access token works
    And the token response belongs to the user

  @rfc6749-5.2
  Scenario: A one-time password works once
    Given the app requests a token with the OTP grant
    And a token is issued
    When the app requests a token with the OTP grant
    Then the request is rejected with invalid_grant

  @rfc6749-5.2
  Scenario: A one-time password that was never issued is refused
    When the app requests a token with the OTP grant and code 000000
    Then the request is rejected with invalid_grant

  @rfc6749-5.2
  Scenario: An app not approved for the OTP grant is refused
    Given the restricted app
    When the app requests a token with the OTP grant
    Then the request is rejected with unauthorized_client OAU-251
