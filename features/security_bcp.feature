@security-bcp
Feature: OAuth 2.0 security best current practice
  RFC 9700 (BCP 240) tightens OAuth 2.0 where experience showed tokens leaking. Tokens stay out of URLs: the
  authorization response of the code grant carries a code and never a token (RFC 6749 §4.1.2), the implicit
  grant, which puts the access token into the redirect's fragment, is retired (§2.1.2: clients SHOULD NOT
  use it, so a server that still offers it is a SHOULD-level finding), and client credentials are never
  honoured in the request URI (RFC 6749 §2.3.1: they "MUST NOT be included in the request URI"; §4.3.2 on
  what URLs leak to logs and browser history). A public client's refresh token MUST be sender-constrained
  or rotated (§2.2.2): a refresh answers a new refresh token, and the one it replaced is refused from then
  on (§4.14.2), so a stolen refresh token is detected at its next use.

  RingCentral rotates every refresh token but answers the replaced one again, with the same new pair,
  during its refresh grace (refresh.feature describes it), so the refusal of the replaced token is checked
  in the RFC dialect (@rfc) only. PKCE downgrade and exact redirect URI matching (RFC 9700 §2.1.1, §4.1.3)
  are in pkce.feature and authorize.feature.

  @rfc6749-4.1.2 @rfc9700-2.1.2
  Scenario: The authorization response carries a code, not a token
    When the user authorizes the app
    Then the app is redirected with a code
    And the redirect carries no access token

  @should @rfc9700-2.1.2
  Scenario: The implicit grant is not offered
    When the user authorizes the app with response_type "token"
    Then the redirect carries no access token

  @rfc6749-2.3.1 @rfc9700-4.3.2
  Scenario: Client credentials in the query string are not honoured
    When the app sends the refresh token grant request with its client credentials in the query string
    Then the request is rejected with a client error

  @rfc9700-2.2.2 @rfc6749-6
  Scenario: A public app's refresh token is rotated
    Given the public app
    And the app requests a token with the authorization code grant
    When the app refreshes the token
    Then a token is issued
    And the refresh token is rotated or sender-constrained

  @rfc @rfc9700-4.14.2 @rfc9700-2.2.2 @rfc6749-5.2
  Scenario: A public app's replaced refresh token is refused
    Given the public app
    And the app requests a token with the authorization code grant
    And the app refreshes the token
    When the app refreshes with the first refresh token
    Then the request is rejected with invalid_grant
