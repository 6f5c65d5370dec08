@ringcentral @sessions
Feature: Concurrent sessions
  Every sign-in opens an OAuth session, and RingCentral keeps only a few of them per user and app: "You can have
  up to 5 simultaneous OAuth sessions per user per application" (FAQ oauth.md). What happens at the sixth
  sign-in is told two ways. DOCS tokens.md lists "The application reached the limit (usually five) of parallel
  active sessions for the same user" among the reasons tokens are invalidated: the sign-in succeeds and an
  earlier session ends. docs/basics/errors.md says instead that once "the number of active application
  sessions" is exceeded "the server starts to return HTTP 429 on authorization requests". Which session ends
  in the first reading is UNVERIFIED; the mock ends the oldest, and answers 429 when a scenario switches it to
  the second reading. Scenarios about either choice run on the mock only.

  These scenarios sign the user in five or six times, which ends the user's other sessions with the app: they
  are tagged @destructive and run against a real account only with RC_ALLOW_DESTRUCTIVE=true. Checking a second
  user's sessions needs a second user's credentials, which the profiles do not define, so that case is not
  described here.

  @destructive
  Scenario: Five sign-ins of one user with one app are all active together
    When the app requests a token with the password grant 5 times
    Then the first 5 sign-ins succeed
    And the latest 5 sessions are active

  @destructive @unverified
  Scenario: A sixth sign-in succeeds and leaves five sessions active
    When the app requests a token with the password grant 6 times
    Then the first 6 sign-ins succeed
    And 5 of the 6 sessions are active

  @mock-only @destructive
  Scenario: The session a sixth sign-in ends is the oldest
    When the app requests a token with the password grant 6 times
    Then the first access token is rejected
    And the latest 5 sessions are active

  @mock-only
  Scenario: Where the limit refuses new sessions, a sixth sign-in gets HTTP 429 and the first session lives on
    Given the session limit refuses new sessions
    When the app requests a token with the password grant 6 times
    Then the first 5 sign-ins succeed
    And the request is rejected with HTTP 429
    And the first access token works

  @destructive
  Scenario: Sessions of the same user with another app do not count against the limit
    Given the secret-JWT app
    And the app requests a token with the password grant
    And the confidential app
    When the app requests a token with the password grant 6 times
    Then the first access token works
