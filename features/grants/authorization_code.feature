@grant @authorization-code
Feature: Authorization code grant
  The flow RingCentral recommends for apps that act for a user who signs in (RFC 6749 §4.1; DOCS
  auth-code-flow.md; OpenAPI AuthCodeTokenRequest): the user approves the app at the authorization endpoint,
  which redirects back with a code; the app exchanges the code, with the same redirect_uri, for an access
  token of that user and a refresh token. A code that the server never issued is invalid_grant OAU-106
  "Invalid authorization code" (docs/basics/errors.md, which lists it with HTTP 403; the token endpoint answers
  400, OpenAPI getToken). An app that is not approved for the grant gets unauthorized_client OAU-251
  "Unauthorized for this grant type" (web-phone #116) at the token endpoint, before its code is even looked
  at. Authorization endpoint rules, code lifetime and reuse, redirect URI matching and PKCE have features of
  their own.

  Scenarios here need the user to sign in at the authorization endpoint: the mock approves at once; on a real
  target the harness signs in with the profile's sign-in recipe (OAUTH_SIGNIN), and without one they are
  skipped with that reason.

  @rfc6749-4.1.3 @rfc6749-4.1.4 @rfc6749-5.1
  Scenario: An authorization code is exchanged for tokens
    Given the user authorizes the app
    And the app is redirected with a code
    When the app exchanges the code
    Then a token is issued
    And the token response has a refresh token
    And the API identifies the token's owner
    And the access token works
    And the token response belongs to the user

  @rfc6749-5.2
  Scenario: A code the server never issued is refused
    When the app requests a token with the authorization code grant and code not-a-code-the-server-issued
    Then the request is rejected with invalid_grant OAU-106

  @ringcentral @rfc6749-5.2
  Scenario: An app not approved for the authorization code grant is refused whatever its code
    Given the user authorizes the app
    When the private-key app exchanges the code
    Then the request is rejected with unauthorized_client OAU-251
