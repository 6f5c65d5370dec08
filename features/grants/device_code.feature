@grant @device-code
Feature: Device code grant
  The device authorization grant (RFC 8628) for devices without a browser: the device asks for a device code
  and a user code, tells the user where to enter the user code, and polls the token endpoint with
  grant_type=urn:ietf:params:oauth:grant-type:device_code and the device code (SPEC-2025-09
  DeviceCodeTokenRequest) until the user decides. RingCentral documents only this token-side grant and
  publishes no device authorization endpoint, so on RingCentral's dialect every scenario needs the mock,
  whose endpoint follows RFC 8628 alone; any other server is tested where its metadata names a
  device_authorization_endpoint and advertises the grant (skipped with that reason otherwise).

  The user decides at the verification URI: on the mock through its control API, elsewhere in headless
  Chromium following the device steps of the sign-in recipe (OAUTH_SIGNIN; oidc-provider-dev has them), or
  the scenario is skipped with that reason. While the user has not decided, a poll is
  authorization_pending; a denial is access_denied; a device code past its lifetime is expired_token (RFC
  8628 §3.5), which only the mock's clock can show. A server that enforces the polling interval answers a
  poll that comes too soon with slow_down; RFC 8628 §3.5 defines that answer but asks only the client to
  keep the interval, so the scenario is SHOULD-level (@should). The mock's errorCodes for these (DEV-1xx)
  are its own, so only the RFC errors are asserted. RingCentral's OpenAPI error enum lists expired_token and
  access_denied but not authorization_pending and slow_down, so "the device is told to wait" and "to slow
  down" check the RFC answer without that enum. An app that is not approved for the grant gets
  unauthorized_client OAU-251 "Unauthorized for this grant type" (web-phone #116) at the token endpoint,
  whatever device code it sends. An approved device code is exchanged once, for tokens of the approving
  user with a refresh token.

  @rfc8628-3.2
  Scenario: The device is told where the user approves it
    When a device requests authorization
    Then the device authorization tells the user where to go

  @rfc8628-3.4 @rfc8628-3.5 @rfc6749-5.1
  Scenario: An approved device gets tokens of the user who approved it
    Given a device requests authorization
    And the user approves the device
    When the device polls for a token
    Then a token is issued
    And the token response has a refresh token
    And the API identifies the token's owner
    And the access token works
    And the token response belongs to the user

  @rfc8628-3.5
  Scenario: A device polling before the user decides is told to wait
    Given a device requests authorization
    When the device polls for a token
    Then the device is told to wait

  @should @rfc8628-3.5
  Scenario: A device polling faster than the interval is told to slow down
    Given a device requests authorization
    And the device polls for a token
    When the device polls for a token
    Then the device is told to slow down

  @mock-only @rfc8628-3.5
  Scenario: A device polling at the interval is told to wait, not to slow down
    Given a device requests authorization
    And the device polls for a token
    And 5 seconds pass
    When the device polls for a token
    Then the device is told to wait

  @rfc8628-3.5
  Scenario: A device the user denied gets no token
    Given a device requests authorization
    And the user denies the device
    When the device polls for a token
    Then the request is rejected with access_denied

  @mock-only @rfc8628-3.5
  Scenario: A device code past its lifetime is refused
    Given a device requests authorization
    And 1 hour passes
    When the device polls for a token
    Then the request is rejected with expired_token

  @rfc8628-3.5 @rfc6749-5.2
  Scenario: An approved device code works once
    Given the app requests a token with the device code grant
    And a token is issued
    When the device polls for a token
    Then the request is rejected with invalid_grant

  @rfc6749-5.2
  Scenario: A device code the server never issued is refused
    When the app requests a token with the device code grant and device_code not-a-device-code
    Then the request is rejected with invalid_grant

  @ringcentral @rfc6749-5.2
  Scenario: An app not approved for the device code grant is refused whatever its device code
    Given a device requests authorization
    And the user approves the device
    And the restricted app
    When the device polls for a token
    Then the request is rejected with unauthorized_client OAU-251
