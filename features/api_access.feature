@api
Feature: Calling the API with an access token
  The app calls RingCentral's API with its access token in the Authorization header as a bearer token (RFC
  6750 §2.1). The SDKs build that header from the token response's token_type, which RingCentral writes in
  lower case ("bearer"), so the scheme is matched case-insensitively (RFC 9110 §11.1; ringcentral-oauth.md §3):
  the scheme in either spelling is checked with the token type, in hygiene.feature.

  "If an expired or invalidated token is used, RingCentral rejects the request with an HTTP 401 Unauthorized
  error" (DOCS tokens.md). The 401 body is RingCentral's API error, with errorCode and errors[] and no OAuth
  error member; an API call without an Authorization header gets OAU-123 "Authorization header is not
  specified" (a real response, ringcentral-php#28). The API checks here read the account and the user's
  extension (/restapi/v1.0/account/~ and .../extension/~).

  RFC 6750 §3 has the resource server answer a 401 with a WWW-Authenticate: Bearer challenge, with
  error="invalid_token" for a bad token and no error attribute when no credentials were sent (§3.1). Whether
  RingCentral sends the challenge is UNVERIFIED, so those scenarios are SHOULD-level (@should).

  @sandbox-safe @rfc6750-2.1
  Scenario: An issued access token works
    Given the app requests a token with the JWT bearer grant
    Then the access token works

  @sandbox-safe
  Scenario: The API identifies the token's owner
    Given the app requests a token with the JWT bearer grant
    Then the API identifies the token's owner

  @sandbox-safe @rfc6750-3.1
  Scenario: An API call without an Authorization header is refused
    Then an API call without an Authorization header is rejected with OAU-123

  @sandbox-safe @rfc6750-2.1 @rfc6750-3.1
  Scenario Outline: An Authorization header without a valid bearer token is refused
    Then an API call with the Authorization header "<header>" is rejected

    Examples:
      | credential                 | header                                                |
      | Basic client credentials   | Basic cmNtb2NrQ29uZmlkZW50aWFsQXBwMDE6c2VjcmV0        |
      | an empty bearer token      | Bearer                                                |
      | an unknown token           | Bearer U1BCMDFUMDRKV1MwMXxzLFSvXdw5PHMsVLEn_MrtcyxUsw |
      | a token without its scheme | U1BCMDFUMDRKV1MwMXxzLFSvXdw5PHMsVLEn_MrtcyxUsw        |

  @sandbox-safe @rfc6749-1.5
  Scenario: A refresh token does not work as an access token
    Given the app requests a token with the JWT bearer grant
    Then the refresh token does not work as an access token

  @sandbox-safe @rfc6750-3.1
  Scenario: A revoked access token is refused
    Given the app requests a token with the JWT bearer grant
    When the app revokes the access token
    Then the access token is rejected

  @mock-only @rfc6750-3.1
  Scenario: An expired access token is refused
    Given the app requests a token with the JWT bearer grant
    When the access token expires
    Then the access token is rejected

  @should @sandbox-safe @rfc6750-3 @rfc6750-3.1
  Scenario: An unknown token gets a Bearer challenge naming invalid_token
    Then an API call with the Authorization header "Bearer U1BCMDFUMDRKV1MwMXxzLFSvXdw5PHMsVLEn_MrtcyxUsw" is rejected
    And the API rejection carries a Bearer challenge with error "invalid_token"

  @should @mock-only @rfc6750-3 @rfc6750-3.1
  Scenario: An expired token gets a Bearer challenge naming invalid_token
    Given the app requests a token with the JWT bearer grant
    When the access token expires
    Then the access token is rejected
    And the API rejection carries a Bearer challenge with error "invalid_token"

  @should @sandbox-safe @rfc6750-3 @rfc6750-3.1
  Scenario: A call without credentials gets a Bearer challenge without an error
    Then an API call without an Authorization header is rejected with OAU-123
    And the API rejection carries a Bearer challenge without an error
