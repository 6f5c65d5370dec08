@grant @password
Feature: Password grant
  RingCentral's resource owner password credentials flow (RFC 6749 §4.3; OpenAPI RopcTokenRequest, deprecated
  but still served): the app sends the user's login (an email or an E.164 phone number, with the extension
  embedded as +16505550100*101) and password with grant_type=password, and gets an access token for that
  user and, when the app issues them, a refresh token (DOCS-LEGACY oauth.md; DOCS refresh-tokens.md).

  A wrong password is invalid_grant OAU-140 "Invalid resource owner credentials." (a real response,
  ringcentral-java#24, HTTP 400). A login that names no user is invalid_grant too (RFC 6749 §5.2); its
  errorCode is UNVERIFIED (the mock answers OAU-140, as for a wrong password), so only the RFC error is
  asserted. An app that is not approved for the grant gets unauthorized_client OAU-251 "Unauthorized for this
  grant type" (web-phone #116, FAQ unauthorized-grant-type.md), and public apps never are (DOCS-LEGACY: "Apps
  with 'Public' application type are not allowed to use Password Flow"). Failed sign-ins are not
  sandbox-safe: repeated failures lock the account (OAU-147).

  @sandbox-safe @rfc6749-4.3.3 @rfc6749-5.1
  Scenario: A user's login and password are exchanged for tokens
    When the app requests a token with the password grant
    Then a token is issued
    And the token response has a refresh token
    And the API identifies the token's owner
    And the access token works
    And the token response belongs to the user

  @rfc6749-5.2
  Scenario: A wrong password is refused
    When the app requests a token with the password grant and password "not-the-password"
    Then the request is rejected with invalid_grant OAU-140

  @rfc6749-5.2
  Scenario: An unknown login is refused
    When the app requests a token with the password grant and username "+19995550199"
    Then the request is rejected with invalid_grant

  @sandbox-safe @rfc6749-5.2
  Scenario: An app not approved for the password grant is refused
    Given the restricted app
    When the app requests a token with the password grant
    Then the request is rejected with unauthorized_client OAU-251

  @sandbox-safe @rfc6749-5.2
  Scenario: A public app cannot use the password grant
    Given the public app
    When the app requests a token with the password grant
    Then the request is rejected with unauthorized_client OAU-251
