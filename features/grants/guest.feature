@ringcentral @grant @guest
Feature: Guest grant
  Anonymous access to one resource, such as a meeting a guest joins by its link (OpenAPI GuestTokenRequest:
  resource_type and resource, the resource's URL, with an optional brand_id). No user signs in, so the token
  has no owner. The mock issues guest tokens without a refresh token, guest access being anonymous and
  short-lived (its documented choice, UNVERIFIED). A resource that does not exist is invalid_grant (RFC 6749
  §5.2; the errorCode is UNVERIFIED). An app that is not approved for the grant gets unauthorized_client
  OAU-251 "Unauthorized for this grant type" (web-phone #116).

  @sandbox-safe @rfc6749-5.1
  Scenario: A guest gets a token for a resource
    When the app requests a token with the guest grant
    Then a token is issued
    And the token response has no owner

  @sandbox-safe
  Scenario: A guest token comes without a refresh token
    When the app requests a token with the guest grant
    Then a token is issued
    And the token response has no refresh token

  @sandbox-safe @rfc6749-5.2
  Scenario: A resource that does not exist is refused
    When the app requests a token with the guest grant and resource "https://meetings.example.invalid/j/0000000000"
    Then the request is rejected with invalid_grant

  @sandbox-safe @rfc6749-5.2
  Scenario: A resource of another type is refused
    When the app requests a token with the guest grant and resource_type "webinar-that-does-not-exist"
    Then the request is rejected with invalid_grant

  @sandbox-safe @rfc6749-5.2
  Scenario: An app not approved for the guest grant is refused
    Given the restricted app
    When the app requests a token with the guest grant
    Then the request is rejected with unauthorized_client OAU-251
