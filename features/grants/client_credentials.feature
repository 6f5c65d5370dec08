@grant @client-credentials
Feature: Client credentials grant
  A trusted partner app signs in as itself, for an account rather than for a user (RFC 6749 §4.4; OpenAPI
  ClientCredentialsTokenRequest: by account_id, by brand_id, or by brand_id and partner_account_id;
  DOCS-LEGACY: "allowed for use only by trusted RingCentral partner applications"). The token has no owner,
  since no user signed in, and it works on the account's resources. The legacy guide's example answers
  without a refresh token, and RFC 6749 §4.4.3 says one SHOULD NOT be included; the mock never issues one
  (its documented choice, UNVERIFIED beyond that example). An account id that names no account is
  invalid_grant (RFC 6749 §5.2; the errorCode is UNVERIFIED). An app that is not approved for the grant gets
  unauthorized_client OAU-251 "Unauthorized for this grant type" (web-phone #116).

  @sandbox-safe @rfc6749-4.4.3 @rfc6749-5.1
  Scenario: A partner app gets a token for an account
    When the app requests a token with the client credentials grant
    Then a token is issued
    And the token response has no owner
    And the access token works

  @sandbox-safe @should @rfc6749-4.4.3
  Scenario: A client credentials token comes without a refresh token
    When the app requests a token with the client credentials grant
    Then a token is issued
    And the token response has no refresh token

  @sandbox-safe @rfc6749-4.4.3
  Scenario: An app authenticating with a private key gets a token for an account
    Given the private-key app
    When the app requests a token with the client credentials grant
    Then a token is issued
    And the token response has no owner

  @sandbox-safe @rfc6749-5.2
  Scenario: An account id that names no account is refused
    When the app requests a token with the client credentials grant and account_id 999999999999
    Then the request is rejected with invalid_grant

  @sandbox-safe @rfc6749-5.2
  Scenario: An app not approved for the client credentials grant is refused
    Given the restricted app
    When the app requests a token with the client credentials grant
    Then the request is rejected with unauthorized_client OAU-251
