@pkce
Feature: Proof Key for Code Exchange (PKCE)
  With PKCE (RFC 7636) the app sends a code_challenge, and optionally its code_challenge_method, to the
  authorization endpoint and proves with the code_verifier at the token endpoint that it is the app that
  started the flow. RingCentral's client-side web apps are public clients that authenticate with their
  client_id alone and use PKCE (DOCS auth-code-pkce-flow.md); the SDKs send S256. RingCentral accepts plain
  and S256, and "if this parameter is omitted, the server assumes plain" (auth-code-pkce-flow.md; OpenAPI
  CodeChallengeMethodEnum), as RFC 7636 §4.3 says, although RFC 9700 §2.1.1 recommends S256.

  A verifier that does not match is invalid_grant (RFC 7636 §4.6); RingCentral's errorCode for PKCE failures
  is UNVERIFIED, so only the error is asserted. RFC 9700 §2.1.1 also asks the server to refuse a public client
  without PKCE and a verifier for a code issued without a challenge (the PKCE downgrade attack); whether
  RingCentral does either is UNVERIFIED, so those scenarios are SHOULD-level (@should).

  Every scenario needs a signed-in user: the mock approves at once; on a real target the harness signs in with
  the profile's sign-in recipe (OAUTH_SIGNIN), and without one the scenarios skip themselves, saying so.

  @rfc7636-4.6
  Scenario: A public app proves its S256 challenge
    Given the public app
    When the user authorizes the app with PKCE S256
    And the app exchanges the code
    Then a token is issued

  @rfc7636-4.2
  Scenario: A public app may use the plain method
    Given the public app
    When the user authorizes the app with PKCE plain
    And the app exchanges the code
    Then a token is issued

  @rfc7636-4.3
  Scenario: A challenge without a method is a plain challenge
    Given the public app
    When the user authorizes the app with a PKCE challenge but no method
    And the app exchanges the code
    Then a token is issued

  @rfc7636-4.6
  Scenario: A confidential app may use PKCE as well
    Given the confidential app
    When the user authorizes the app with PKCE S256
    And the app exchanges the code
    Then a token is issued

  @rfc7636-4.6
  Scenario: A verifier that does not match the challenge is refused
    Given the public app
    And the user authorizes the app with PKCE S256
    When the app requests a token with the authorization code grant and code_verifier "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    Then the request is rejected with invalid_grant

  @rfc7636-4.5 @rfc9700-2.1.1
  Scenario: A code issued for a challenge cannot be exchanged without the verifier
    Given the public app
    And the user authorizes the app with PKCE S256
    When the app requests a token with the authorization code grant without code_verifier
    Then the request is rejected with invalid_grant

  @should @rfc9700-2.1.1
  Scenario: A verifier for a code issued without a challenge is refused (PKCE downgrade)
    Given the confidential app
    And the user authorizes the app
    When the app requests a token with the authorization code grant and code_verifier "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    Then the request is rejected with invalid_grant

  @should @rfc9700-2.1.1 @rfc7636-4.4.1
  Scenario: A public app must use PKCE
    Given the public app
    When the user authorizes the app without a PKCE challenge
    Then the app is redirected with error invalid_request

  @rfc7636-4.4.1
  Scenario: An unsupported challenge method is refused by redirect
    Given the public app
    When the user authorizes the app with code_challenge_method "S512"
    Then the app is redirected with error invalid_request

  @rfc7636-4.2
  Scenario Outline: A malformed challenge is refused by redirect
    Given the public app
    When the user authorizes the app with code_challenge "<challenge>"
    Then the app is redirected with error invalid_request

    Examples:
      | malformation                        | challenge                                                                                                                         |
      | 42 characters, one too few          | E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c                                                                                        |
      | 129 characters, one too many        | E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cME9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cME9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM |
      | base64 characters outside base64url | E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+c/                                                                                       |

  @rfc7636-4.6 @rfc6749-2.3 @rfc6749-6
  Scenario: A public app signs in and refreshes with its client_id alone
    Given the public app
    And the user authorizes the app with PKCE S256
    And the app exchanges the code
    When the app refreshes the token
    Then a token is issued
    And the token response has a refresh token
    And the access token works
