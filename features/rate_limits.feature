@ringcentral @rate-limit @mock-only
Feature: Rate limits of the Auth group
  The OAuth endpoints belong to RingCentral's Auth throttling group (OpenAPI x-throttling-group: Auth), which
  allows 5 requests per user per app in any sliding minute; past that, requests are answered HTTP 429 with
  errorCode CMN-301 "Request rate exceeded" and a Retry-After header, for a penalty interval of 60 seconds, and "Every
  time you send a request that is caught by our rate limiting system, we reset the clock on your penalty
  window" (docs/basics/rate-limits.md, docs/basics/errors.md). Rate-limited groups answer with X-Rate-Limit-Group,
  X-Rate-Limit-Limit, X-Rate-Limit-Remaining and X-Rate-Limit-Window headers; whether the token endpoint itself
  sends them is UNVERIFIED.

  Every scenario here runs on the mock only: the mock's rate limiting is off unless a scenario switches it on,
  and waiting out a penalty moves the mock's clock instead of sleeping. The harness's waiting step does what a
  well-behaved client does: on HTTP 429 it waits as Retry-After says (30 seconds without it, as rate-limits.md
  advises) and tries again.

  Scenario: The sixth token request within a minute is rate limited
    Given rate limiting is on
    When the app requests a token with the password grant 6 times
    Then the first 5 sign-ins succeed
    And the request is rate limited

  Scenario: A token response carries the Auth group's rate limit headers
    Given rate limiting is on
    When the app requests a token with the password grant
    Then a token is issued
    And the response carries the Auth group's rate limit headers

  Scenario: The limit counts a sliding minute: requests spread over it still count
    Given rate limiting is on
    And the app requests a token with the password grant 5 times
    And 30 seconds pass
    When the app requests a token with the password grant
    Then the request is rate limited

  Scenario: A rate-limited answer carries the Auth group's rate limit headers too
    Given rate limiting is on
    When the app requests a token with the password grant 6 times
    Then the request is rate limited
    And the response carries the Auth group's rate limit headers

  Scenario: A client that waits as Retry-After says gets its token
    Given rate limiting is on
    And the app requests a token with the password grant 5 times
    When the app requests a token with the password grant, waiting out any rate limit
    Then the harness waited as Retry-After said
    And a token is issued

  Scenario: A request during the penalty starts the penalty again
    Given rate limiting is on
    And the app requests a token with the password grant 6 times
    And 30 seconds pass
    And the app requests a token with the password grant
    And 45 seconds pass
    When the app requests a token with the password grant
    Then the request is rate limited

  Scenario: Requests succeed again once the penalty is over
    Given rate limiting is on
    And the app requests a token with the password grant 6 times
    And 61 seconds pass
    When the app requests a token with the password grant
    Then a token is issued

  Scenario: The limit counts each app separately
    Given rate limiting is on
    And the app requests a token with the password grant 6 times
    And the secret-JWT app
    When the app requests a token with the password grant
    Then a token is issued
