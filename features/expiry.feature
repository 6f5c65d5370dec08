@ringcentral @expiry @mock-only
Feature: Token expiry
  Tokens stop working when the lifetime the token response announced has passed: the access token after
  expires_in, the refresh token after refresh_token_expires_in (RFC 6749 §5.1; DOCS tokens.md: "If an expired
  or invalidated token is used, RingCentral rejects the request with an 'HTTP 401 Unauthorized' error"). The
  two lifetimes are independent: while its refresh token lives, a session survives its access token and is
  continued by a refresh, which starts a full new access lifetime (DOCS tokens.md: the refresh token is "used to
  fetch a new access token when it is expired or close to expiration").

  An expired refresh token is invalid_grant (RFC 6749 §5.2) with errorCode OAU-210 "Token expired" (community
  article on OAU-210, which speaks of access tokens; the code for a refresh token is UNVERIFIED, the mock's
  choice, @unverified).

  Every scenario here runs on the mock only: time passes by moving the mock's clock, and nothing waits for a
  token to expire.

  Scenario: An access token is refused once its lifetime has passed
    Given the app requests a token with the password grant
    When the access token expires
    Then the access token is rejected

  Scenario Outline: An access token requested for 600 seconds <outcome> after <elapsed> seconds
    Given the app requests a token with the password grant and access_token_ttl 600
    When <elapsed> seconds pass
    Then the access token <outcome>

    Examples:
      | elapsed | outcome     |
      | 599     | works       |
      | 601     | is rejected |

  @rfc6749-5.2 @unverified
  Scenario: A refresh token is refused once its lifetime has passed
    Given the app requests a token with the password grant
    When the refresh token expires
    And the app refreshes the token
    Then the request is rejected with invalid_grant OAU-210

  Scenario: A refresh token requested for an hour still refreshes a second before its end
    Given the app requests a token with the password grant and refresh_token_ttl 3600
    When 3599 seconds pass
    And the app refreshes the token
    Then a token is issued

  @rfc6749-5.2
  Scenario: A refresh token requested for an hour is refused a second after its end
    Given the app requests a token with the password grant and refresh_token_ttl 3600
    When 3601 seconds pass
    And the app refreshes the token
    Then the request is rejected with invalid_grant

  Scenario: A session outlives its access token while the refresh token lives
    Given the app requests a token with the password grant
    When 6 days pass
    And the app refreshes the token
    Then a token is issued
    And the access token works

  Scenario: A refresh gives the access token a full new lifetime
    Given the app requests a token with the password grant
    When 50 minutes pass
    And the app refreshes the token
    Then a token is issued
    And the access token lifetime is 3600 seconds
