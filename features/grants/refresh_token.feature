@grant @refresh-token
Feature: Refresh token grant
  The app exchanges a refresh token for a new access token without asking the user again (RFC 6749 §6;
  OpenAPI RefreshTokenRequest; DOCS refresh-tokens.md): the answer is a full TokenInfo with a new refresh
  token for the same user. A refresh token the server does not know is invalid_grant OAU-213 "Token not
  found" (HTTP 400; ringcentral-embeddable treats exactly this answer as "token not found"). An app that is not
  approved for the grant gets unauthorized_client OAU-251 "Unauthorized for this grant type" (web-phone #116,
  FAQ unauthorized-grant-type.md). Rotation, reuse, expiry, concurrent refreshes, the binding of a refresh
  token to its app and the refusal of an access token presented as a refresh token are described in
  refresh.feature.

  @sandbox-safe @rfc6749-6 @rfc6749-5.1
  Scenario: A refresh token is exchanged for new tokens
    When the app requests a token with the refresh token grant
    Then a token is issued
    And the token response has a refresh token
    And the API identifies the token's owner
    And the access token works
    And the token response belongs to the user

  @sandbox-safe @rfc6749-5.2
  Scenario: A refresh token the server does not know is refused
    When the app requests a token with the refresh token grant and refresh_token not-a-refresh-token
    Then the request is rejected with invalid_grant OAU-213

  @sandbox-safe @rfc6749-5.2
  Scenario: An app not approved for the refresh token grant is refused
    Given the app requests a token with the password grant
    When the restricted app refreshes the token
    Then the request is rejected with unauthorized_client OAU-251
