@sample
Feature: A sample of the specification
  The documentation's golden test renders this feature with a run of its scenarios (fixture_test.go).

  A second paragraph, with <angle brackets> and a | pipe.

  @refresh @rfc6749-6
  Scenario: A refresh issues new tokens
    Given the app requests a token with the password grant
    When the app refreshes the token
    Then a token is issued

  @refresh @rfc6749-5.2
  Scenario: A replaced refresh token is refused
    Given the app requests a token with the password grant
    And the app refreshes the token
    When the app refreshes with the first refresh token
    Then the request is rejected with invalid_grant OAU-240

  @should @authorize @rfc6749-4.1.2
  Scenario: Reuse of a code revokes its tokens
    Then the first access token is rejected

  @mock-only
  Scenario: A scenario for the sandbox
    When 10 seconds pass

  @revocation @rfc7009-2.1
  Scenario Outline: Revoking the <token> token ends the session
    Given the app requests a token with the password grant
    When the app revokes the <token> token
    Then the revocation succeeds

    Examples:
      | token   |
      | access  |
      | refresh |

  @grant
  Scenario Outline: A grant issues a token
    When the app requests a token with the <grant> grant
    Then a token is issued

    Examples:
      | grant      |
      | password   |
      | JWT bearer |

  Scenario: A scenario no run has seen
    When the app requests a token with the password grant with these parameters:
      | parameter        | value |
      | access_token_ttl | 900   |
    Then a token is issued
