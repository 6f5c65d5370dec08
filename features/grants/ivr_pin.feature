@ringcentral @grant @ivr-pin
Feature: IVR PIN grant
  A user signs in with the PIN they use on the phone system's voice menus (OpenAPI IvrPinTokenRequest:
  grant_type=ivr_pin and `ivr_pin`, "User's IVR pin"; RopcTokenRequest's `pin` is deprecated in its favour)
  and gets tokens with a refresh token. A wrong PIN is invalid_grant (RFC 6749 §5.2; the errorCode is
  UNVERIFIED, the mock answers OAU-140 "Invalid resource owner credentials.", as for a wrong password). Failed
  sign-ins are not sandbox-safe: repeated failures lock the account. An app that is not approved for the
  grant gets unauthorized_client OAU-251 "Unauthorized for this grant type" (web-phone #116).

  @sandbox-safe @rfc6749-5.1
  Scenario: An IVR PIN is exchanged for tokens
    When the app requests a token with the IVR PIN grant
    Then a token is issued
    And the token response has a refresh token
    And the API identifies the token's owner
    And the access token works
    And the token response belongs to the user

  @rfc6749-5.2
  Scenario: A wrong IVR PIN is refused
    When the app requests a token with the IVR PIN grant and ivr_pin 000000
    Then the request is rejected with invalid_grant

  @sandbox-safe @rfc6749-5.2
  Scenario: An app not approved for the IVR PIN grant is refused
    Given the restricted app
    When the app requests a token with the IVR PIN grant
    Then the request is rejected with unauthorized_client OAU-251
