@revocation
Feature: Revoking tokens
  An app ends a session by sending one of its tokens to the revocation endpoint (RFC 7009; OpenAPI revokeToken;
  DOCS tokens.md). The token goes in the form body, as RingCentral recommends, or in the query string, which
  OpenAPI revokeToken also allows; if both are sent they must be the same token, otherwise the request is
  invalid_request OAU-150 "The value of query parameter [token] should be equal to parameter [token] in request
  body" (docs/basics/errors.md). The app authenticates as at the token endpoint: Basic for a confidential app,
  client_id alone for a public one.

  RingCentral goes further than RFC 7009 §2.1, which only suggests that revoking a refresh token should end its
  access tokens: revoking either token "terminates the entire authorization session associated with this
  token, i.e., invalidates ALL active access and refresh tokens for this session" (DOCS tokens.md). Afterwards
  the API refuses the access token with HTTP 401 and the token endpoint refuses the refresh token.

  As RFC 7009 §2.2 requires, a token that is unknown, already revoked or expired still gets HTTP 200. RFC 7009
  is ambiguous about a token issued to another app (§2.1 says the request is refused, §2.2 that invalid tokens
  get 200); RingCentral answers 200 and leaves the token alone ("successful response is returned even if
  revocation was not successful (for instance if a token passed was issued to another application ...)",
  legacy guide; rfc-checklist V7). A request without any token is invalid_request CMN-101 (changelog 1.0.39).

  What every server owes (RFC 7009), checked on any target: the revoked token stops working at once (§2.1);
  a token_type_hint (access_token, refresh_token) helps the server find the token, a wrong one only makes it
  search its other token types, and one it does not know it may ignore (§2.1), or refuse as
  unsupported_token_type (§2.2.1); revoking a refresh token should end the access tokens of the same grant
  (§2.1, SHOULD); a token issued to another client is left alone (§2.1: the server checks that the token was
  issued to the client that asks); and a revoked token is inactive at the introspection endpoint where the
  server has one (RFC 7662 §2.2). These scenarios sign in with the authorization code grant, which every
  server offers. RingCentral's whole-session revocation, its query-string token and its answer to another
  app are its own (@ringcentral).

  @ringcentral @sandbox-safe @rfc7009-2.1 @rfc7009-2.2
  Scenario Outline: Revoking the <token> token in the body ends the whole session
    Given the app requests a token with the password grant
    When the app revokes the <token> token
    Then the revocation succeeds
    And the session is revoked

    Examples:
      | token   |
      | access  |
      | refresh |

  @ringcentral @rfc7009-2.1
  Scenario Outline: Revoking the <token> token in the query string ends the whole session
    Given the app requests a token with the password grant
    When the app revokes the <token> token in the query string
    Then the revocation succeeds
    And the session is revoked

    @sandbox-safe
    Examples:
      | token   |
      | access  |

    Examples: The other kind of token, which the body's scenario covers on a real account
      | token   |
      | refresh |

  @ringcentral @rfc7009-2.1
  Scenario Outline: The same <token> token in the body and the query string is accepted
    Given the app requests a token with the password grant
    When the app revokes the <token> token in both the body and the query string
    Then the revocation succeeds
    And the session is revoked

    @sandbox-safe
    Examples:
      | token   |
      | refresh |

    Examples: The other kind of token, which the body's scenario covers on a real account
      | token   |
      | access  |

  @ringcentral @sandbox-safe
  Scenario: Different tokens in the body and the query string are refused
    Given the app requests a token with the password grant
    When the app revokes the access token in the body and the refresh token in the query string
    Then the request is rejected with invalid_request OAU-150

  @rfc7009-2.2
  Scenario: Revoking a token a second time succeeds again
    Given the app requests a token with the password grant
    And the app revokes the access token
    When the app revokes the access token
    Then the revocation succeeds

  @sandbox-safe @rfc7009-2.2
  Scenario: Revoking an unknown token succeeds
    When the app revokes an unknown token
    Then the revocation succeeds

  @mock-only @rfc7009-2.2
  Scenario: Revoking an expired token succeeds
    Given the app requests a token with the password grant
    And the refresh token expires
    When the app revokes the access token
    Then the revocation succeeds

  @sandbox-safe
  Scenario: A revocation without a token is refused
    When the app revokes without a token
    Then the request is rejected with invalid_request CMN-101

  @ringcentral @sandbox-safe @rfc7009-2.1 @rfc7009-2.2
  Scenario: Revoking another app's token succeeds but leaves the token working
    Given the app requests a token with the password grant
    When the public app revokes the access token
    Then the revocation succeeds
    And the access token works

  @sandbox-safe @rfc7009-2.1 @rfc6749-5.2
  Scenario: A confidential app must authenticate to revoke
    Given the app requests a token with the password grant
    And the app authenticates with no client credentials
    When the app revokes the access token
    Then the request is rejected with invalid_client OAU-123

  @sandbox-safe @rfc7009-2.2.1 @rfc6749-5.2
  Scenario: A revocation with a wrong client secret is refused
    Given the app requests a token with the password grant
    And the app authenticates with a wrong client secret
    When the app revokes the access token
    Then the request is rejected with invalid_client OAU-146

  @ringcentral @rfc7009-2.1
  Scenario: A public app revokes with its client_id alone
    Given the public app
    And the app requests a token with the authorization code grant
    When the app revokes the access token
    Then the revocation succeeds
    And the session is revoked

  @rfc7009-2.1
  Scenario: A revoked access token stops working at once
    Given the app requests a token with the authorization code grant
    When the app revokes the access token with token_type_hint access_token
    Then the revocation succeeds
    And the access token is rejected

  @rfc7009-2.1 @rfc6749-5.2
  Scenario: A revoked refresh token is refused at the token endpoint
    Given the app requests a token with the authorization code grant
    And the app revokes the refresh token with token_type_hint refresh_token
    When the app refreshes the token
    Then the request is rejected with invalid_grant

  @rfc7009-2.1
  Scenario: A wrong token_type_hint does not stop the revocation
    Given the app requests a token with the authorization code grant
    When the app revokes the access token with token_type_hint refresh_token
    Then the revocation succeeds
    And the access token is rejected

  @rfc7009-2.1 @rfc7009-2.2.1
  Scenario: A token_type_hint the server does not know is ignored or refused as an unsupported token type
    Given the app requests a token with the authorization code grant
    When the app revokes the access token with token_type_hint urn:example:params:unknown-token-type
    Then the revocation succeeds or is refused with unsupported_token_type

  @should @rfc7009-2.1
  Scenario: Revoking the refresh token also ends its access token
    Given the app requests a token with the authorization code grant
    When the app revokes the refresh token with token_type_hint refresh_token
    Then the revocation succeeds
    And the access token is rejected

  @rfc7009-2.1
  Scenario: Another app cannot revoke the app's token
    Given the app requests a token with the authorization code grant
    When the public app revokes the access token
    Then the access token works

  @introspection @rfc7009-2.1 @rfc7662-2.2
  Scenario: A revoked access token is inactive at introspection
    Given the app requests a token with the authorization code grant
    And the app revokes the access token
    When the app introspects the access token
    Then the introspection says the token is inactive
