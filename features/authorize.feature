@authorize
Feature: Authorization endpoint and the authorization code
  The app sends the user to GET or POST /restapi/oauth/authorize (RFC 6749 §3.1, §4.1.1; OpenAPI authorize and
  authorize2); after the user signs in, RingCentral redirects back to the app's registered redirect URI with a
  code, the state the app sent and expires_in=60, the code's remaining lifetime in seconds (DOCS
  auth-code-flow.md, auth-code-params.inc). The app exchanges the code once, within that minute, at the token
  endpoint (RFC 6749 §4.1.3).

  Errors about the client or the redirect URI are answered by the authorization endpoint itself with HTTP 400,
  never by a redirect (RFC 6749 §3.1.2.4, §4.1.2.1; DOCS errors.md "HTTP 400 may be returned on the
  /restapi/oauth/authorize call ... when the client provides an invalid redirect URI"); these scenarios run
  against the real target too, as they need no sign-in. The redirect URI must match a registered one exactly
  (RFC 6749 §3.1.2.3, RFC 9700 §2.1; OpenAPI AuthorizeRequest.redirect_uri "must exactly match") and may be
  omitted only when the app has a single one registered. Other errors travel back to the app in the redirect,
  with error and the state (RFC 6749 §4.1.2.1); whether RingCentral echoes state there is UNVERIFIED
  (ringcentral-oauth.md §5.5). Code errors at the token endpoint carry RingCentral's documented codes OAU-106
  "Invalid authorization code", OAU-108 "Authorization code is expired", OAU-109 "Redirect URIs do not match"
  and OAU-110 "Authorization code was not issued for this application" (DOCS errors.md, which lists them as
  HTTP 403; OpenAPI documents 400).

  RFC 6749 §3.1 lets a server support POST at the authorization endpoint (MAY); RingCentral documents it
  (OpenAPI authorize2), so the POST scenario is RingCentral's (@ringcentral), not every server's.

  Scenarios that need a signed-in user approve at once on the mock; on a target with a login page the
  harness signs in through headless Chromium with the profile's recipe (OAUTH_SIGNIN), and without one
  they skip themselves, saying so.

  @rfc6749-4.1.2
  Scenario: The user's approval redirects to the app with a code, the state and the code's lifetime
    When the user authorizes the app
    Then the app is redirected with a code
    And the code expires in 60 seconds

  @ringcentral @rfc6749-3.1 @rfc6749-4.1.2
  Scenario: The authorization request may be sent with POST
    When the user authorizes the app with POST
    Then the app is redirected with a code
    And the code expires in 60 seconds

  @rfc6749-3.1
  Scenario: The JavaScript SDK's empty optional parameters are tolerated
    When the user authorizes the app with the parameters the JavaScript SDK sends
    Then the app is redirected with a code

  @rfc6749-4.1.2
  Scenario: Without a state the redirect carries none
    When the user authorizes the app without state
    Then the app is redirected with a code
    And the redirect carries no state

  @rfc6749-4.1.2 @rfc6749-10.5
  Scenario: A code can be exchanged only once
    Given the user authorizes the app
    And the app exchanges the code
    When the app exchanges the code again
    Then the request is rejected with invalid_grant OAU-106

  @should @rfc6749-4.1.2
  Scenario: Reusing a code revokes the tokens already issued from it
    Given the user authorizes the app
    And the app exchanges the code
    When the app exchanges the code again
    Then the first access token is rejected

  @mock-only @rfc6749-4.1.2
  Scenario: A code expires after its 60 seconds
    Given the user authorizes the app
    When the authorization code expires
    And the app exchanges the code
    Then the request is rejected with invalid_grant OAU-108

  @rfc6749-3.1.2.3 @rfc6749-3.1.2.4 @rfc9700-2.1
  Scenario Outline: A redirect URI that is not exactly a registered one is refused without a redirect
    When the user authorizes the app with the registered redirect URI <near miss>
    Then the app is not redirected
    And the request is rejected with invalid_request

    @sandbox-safe
    Examples:
      | near miss                              |
      | plus a path segment                    |
      | plus a query                           |
      | with a trailing slash added or removed |
      | with http instead of https             |

    Examples: Near misses the nightly run leaves to the mock, to stay within its Auth-group budget
      | near miss                              |
      | with an upper-case host                |
      | with an upper-case path                |
      | plus a fragment                        |

  @sandbox-safe @rfc6749-4.1.2.1
  Scenario: An unknown client is refused without a redirect
    When the user authorizes the app with client_id "rcmockUnknownApp00"
    Then the app is not redirected
    And the request is rejected with invalid_client

  @sandbox-safe @rfc6749-4.1.2.1
  Scenario: A request without a client_id is refused without a redirect
    When the user authorizes the app without client_id
    Then the app is not redirected
    And the request is rejected with HTTP 400

  @ringcentral @sandbox-safe @rfc6749-3.1.2.3
  Scenario: The redirect URI cannot be omitted when the app has several registered
    When the user authorizes the app without redirect_uri
    Then the app is not redirected
    And the request is rejected with HTTP 400

  @sandbox-safe @rfc6749-3.1 @rfc6749-4.1.2.1
  Scenario: A repeated client_id is refused without a redirect
    When the user authorizes the app with client_id duplicated
    Then the app is not redirected
    And the request is rejected with invalid_request OAU-111

  # DOCS-LEGACY: "Apps with no user interface are not allowed to use Authorization Code Flow"; such an app
  # has no redirect URI registered (OAU-113 "No redirect uri is registered for the client", DOCS errors.md),
  # so there is nowhere to redirect to and the refusal comes without one.
  @ringcentral @sandbox-safe @rfc6749-4.1.2.1
  Scenario: An app without a user interface cannot start the authorization code flow
    Given the private-key app
    When the user authorizes the app
    Then the app is not redirected
    And the request is rejected with HTTP 400

  @rfc6749-4.1.2.1
  Scenario: The implicit grant's response type is refused by redirect
    When the user authorizes the app with response_type "token"
    Then the app is redirected with error unsupported_response_type

  @rfc6749-4.1.2.1
  Scenario: A request without a response type is refused by redirect
    When the user authorizes the app without response_type
    Then the app is redirected with error invalid_request

  @ringcentral @rfc6749-3.3
  Scenario: The authorization request's scope is ignored: the token carries the app's permissions
    RingCentral's login-URL guide says scope is "Ignored ... deferring to the permissions set by the
    developer when the app was created" (DOCS login-url-params.inc), which RFC 6749 §3.3 allows ("The
    authorization server MAY fully or partially ignore the scope requested by the client"). Asking for a
    scope the app was not granted therefore still gets a code, and the token carries what the app gets
    without asking for any scope.

    Given the user authorizes the app
    And the app exchanges the code
    And the user authorizes the app with scope "ReadAccounts EditAccounts"
    When the app exchanges the code
    Then a token is issued
    And the token carries the same scope as the first token

  @mock-only @rfc6749-3.3 @rfc6749-4.1.2.1
  Scenario: Under the RFC's reading a scope the app was not granted is refused by redirect
    RFC 6749 §4.1.2.1 has the server answer invalid_scope when "The requested scope is invalid, unknown, or
    malformed". RingCentral ignores the scope instead (above); the mock can follow the RFC for RFC-level
    scenarios.

    Given the server refuses an authorization for a scope the app was not granted
    When the user authorizes the app with scope "EditAccounts"
    Then the app is redirected with error invalid_scope

  @rfc6749-4.1.2.1
  Scenario: prompt none cannot be combined with another prompt
    When the user authorizes the app with prompt "none login"
    Then the app is redirected with error invalid_request

  @rfc6749-3.1 @rfc6749-4.1.2.1
  Scenario: A repeated state is refused by redirect
    When the user authorizes the app with state duplicated
    Then the app is redirected with error invalid_request

  @rfc6749-4.1.3
  Scenario: The code must be exchanged with the redirect URI of its authorization
    Given the user authorizes the app
    When the app requests a token with the authorization code grant and redirect_uri "https://client.example.com/oauth/second"
    Then the request is rejected with invalid_grant OAU-109

  @rfc6749-4.1.3
  Scenario: The code cannot be exchanged without the redirect URI its authorization sent
    Given the user authorizes the app
    When the app requests a token with the authorization code grant without redirect_uri
    Then the request is rejected with invalid_grant OAU-109

  @rfc6749-4.1.3
  Scenario: A code cannot be exchanged by another app
    Given the user authorizes the app
    When the restricted app exchanges the code
    Then the request is rejected with invalid_grant OAU-110
