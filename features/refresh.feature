@refresh
Feature: Refreshing tokens
  An app keeps a session alive by trading its refresh token for a new pair of tokens (RFC 6749 §6; OpenAPI
  RefreshTokenRequest). RingCentral rotates on every refresh (DOCS refresh-tokens.md): the answer carries a new
  access token and a new refresh token in the same session, and the previous access token stops working at
  once. The previous refresh token is not dropped at once, though: it keeps answering with the very same new
  pair, so an app that refreshed but lost the answer to a network error can ask again (EXPERIMENT README,
  the SDK maintainer's measurements). That grace lasts about ten seconds once the new access token has been
  used, and up to 60 minutes while it has not; afterwards the old refresh token is invalid_grant OAU-213
  "Token not found".

  Because of that grace RingCentral does not do the refresh-token reuse detection that RFC 9700 §4.14.2
  recommends (presenting a replaced refresh token revokes the whole grant): a reused refresh token within the
  grace is answered, not punished. This feature describes RingCentral's documented behaviour and does not test
  that recommendation.

  A refresh token belongs to the app it was issued to (RFC 6749 §10.4), so another app presenting it gets
  invalid_grant; a confidential app authenticates when it refreshes (RFC 6749 §6). A refresh works as long as
  the refresh token lives, even after the access token expired (DOCS tokens.md; the FAQ sentence saying
  otherwise is contradicted by every SDK, ringcentral-oauth.md §11); an expired refresh token is refused
  (expiry.feature). access_token_ttl and refresh_token_ttl apply to the new pair with the same clamping as at
  sign-in (auth-token-params.inc). A refresh continues the session it refreshes (RCEX refresh(): "you continue
  current client session"); that its session_id stays the same is UNVERIFIED (ringcentral-oauth.md §7.3), so
  that scenario is the mock's choice (@unverified): on a real target a difference is a deviation.

  @sandbox-safe @rfc6749-6
  Scenario: A refresh issues a new pair of tokens
    Given the app requests a token with the password grant
    When the app refreshes the token
    Then a token is issued
    And the access and refresh tokens differ from the previous ones

  @sandbox-safe @unverified
  Scenario: A refresh continues the session
    Given the app requests a token with the password grant
    When the app refreshes the token
    Then the session is the same

  @sandbox-safe @rfc6749-6
  Scenario: The access token replaced by a refresh is refused at once
    Given the app requests a token with the password grant
    When the app refreshes the token
    Then the previous access token is rejected

  @sandbox-safe @rfc6749-6
  Scenario: The access token issued by a refresh works
    Given the app requests a token with the password grant
    When the app refreshes the token
    Then the access token works

  @sandbox-safe
  Scenario: Presenting the replaced refresh token again returns the same new pair
    Given the app requests a token with the password grant
    And the app refreshes the token
    When the app refreshes with the first refresh token
    Then a token is issued
    And the token response repeats the previous tokens

  @mock-only @rfc6749-5.2
  Scenario: The replaced refresh token stops working about ten seconds after the new access token is used
    Given the app requests a token with the password grant
    And the app refreshes the token
    And the access token works
    When 11 seconds pass
    And the app refreshes with the first refresh token
    Then the request is rejected with invalid_grant OAU-213

  @mock-only
  Scenario: While the new access token is unused, the replaced refresh token answers for up to an hour
    Given the app requests a token with the password grant
    And the app refreshes the token
    When 59 minutes pass
    And the app refreshes with the first refresh token
    Then a token is issued
    And the token response repeats the previous tokens

  @mock-only @rfc6749-5.2
  Scenario: An hour after the refresh, the replaced refresh token is refused even if the new pair was never used
    Given the app requests a token with the password grant
    And the app refreshes the token
    When 61 minutes pass
    And the app refreshes with the first refresh token
    Then the request is rejected with invalid_grant OAU-213

  @mock-only
  Scenario: A refresh still works after the access token expired
    Given the app requests a token with the password grant
    And the access token expires
    When the app refreshes the token
    Then a token is issued
    And the access token works

  @sandbox-safe @rfc6749-10.4 @rfc6749-5.2
  Scenario: A refresh token cannot be used by another app
    Given the app requests a token with the password grant
    When the public app refreshes the token
    Then the request is rejected with invalid_grant

  @sandbox-safe @rfc6749-6 @rfc6749-5.2
  Scenario: A confidential app must authenticate to refresh
    Given the app requests a token with the password grant
    And the app authenticates with no client credentials
    When the app refreshes the token
    Then the request is rejected with invalid_client OAU-123

  @sandbox-safe @rfc6749-5.2
  Scenario: An access token is not accepted as a refresh token
    Given the app requests a token with the password grant
    When the app presents the access token as a refresh token
    Then the request is rejected with invalid_grant

  @sandbox-safe
  Scenario: Simultaneous refreshes with one refresh token all get the same new pair
    Given the app requests a token with the password grant
    When the app refreshes the token 3 times at once
    Then every answer carries the same new tokens

  Scenario Outline: A refresh applies <parameter> <value> to the new pair, clamped as at sign-in
    Given the app requests a token with the password grant
    When the app requests a token with the refresh token grant and <parameter> <value>
    Then a token is issued
    And the <token> token lifetime is <seconds> seconds

    @sandbox-safe
    Examples:
      | parameter         | value   | token   | seconds |
      | access_token_ttl  | 300     | access  | 600     |
      | refresh_token_ttl | 86400   | refresh | 86400   |

    Examples: More values, which the nightly run against RingCentral leaves to the mock
      | parameter         | value   | token   | seconds |
      | access_token_ttl  | 1200    | access  | 1200    |
      | access_token_ttl  | 7200    | access  | 3600    |
      | refresh_token_ttl | 2592000 | refresh | 604800  |
