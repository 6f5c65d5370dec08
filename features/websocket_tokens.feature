@ringcentral @websocket
Feature: WebSocket tokens
  An app that receives push notifications over WebSocket first exchanges its access token for a WebSocket
  token: POST /restapi/oauth/wstoken with the access token as a bearer token (OpenAPI authWsToken; DOCS
  notifications/websockets/subscribing.md) answers ws_access_token, the uri of RingCentral's WebSocket gateway
  and expires_in (the documentation's example says 30 seconds), and the app connects to uri with
  access_token=<ws_access_token>. The token is single use. The endpoint belongs to the Auth throttling group
  and needs the app's WebSocket permission (OpenAPI x-throttling-group: Auth, x-app-permission: WebSocket).

  A missing, unknown, revoked or expired access token is refused with HTTP 401, as at any API resource (RFC
  6750 §3.1; DOCS tokens.md). What RingCentral answers to an app without the WebSocket permission is
  UNVERIFIED, and so is the error code: the mock's choice is HTTP 403 with CMN-401 "In order to call this API
  endpoint, application needs to have [WebSocket] permission" (the reference lists neither the status nor
  the code for a missing app permission). The app without that permission is the restricted app, which signs in with the authorization code
  grant only, so that scenario runs on the mock.

  @sandbox-safe
  Scenario: An access token of an app with the WebSocket permission gets a WebSocket token
    Given the app requests a token with the JWT bearer grant
    When the app requests a WebSocket token
    Then a WebSocket token is issued
    And the response matches RingCentral's OpenAPI description
    And the response is not cacheable

  @sandbox-safe @unverified
  Scenario: A WebSocket token lives 30 seconds
    Given the app requests a token with the JWT bearer grant
    When the app requests a WebSocket token
    Then a WebSocket token is issued
    And the response field "expires_in" equals "30"

  @unverified
  Scenario: An app without the WebSocket permission gets no WebSocket token
    Given the restricted app
    And the app requests a token with the authorization code grant
    When the app requests a WebSocket token
    Then the request is rejected with HTTP 403

  @sandbox-safe @rfc6750-3.1
  Scenario: A revoked access token gets no WebSocket token
    Given the app requests a token with the JWT bearer grant
    And the app revokes the access token
    When the app requests a WebSocket token
    Then the request is rejected with HTTP 401

  @mock-only @rfc6750-3.1
  Scenario: An expired access token gets no WebSocket token
    Given the app requests a token with the JWT bearer grant
    And the access token expires
    When the app requests a WebSocket token
    Then the request is rejected with HTTP 401

  @sandbox-safe @rfc6750-2.1 @rfc6750-3.1
  Scenario Outline: A request without a valid bearer token gets no WebSocket token
    When the app requests a WebSocket token with the Authorization header "<header>"
    Then the request is rejected with HTTP 401

    Examples:
      | credential               | header                                                |
      | no credentials           |                                                       |
      | Basic client credentials | Basic cmNtb2NrQ29uZmlkZW50aWFsQXBwMDE6c2VjcmV0        |
      | an unknown token         | Bearer U1BCMDFUMDRKV1MwMXxzLFSvXdw5PHMsVLEn_MrtcyxUsw |

  @mock-only @rate-limit
  Scenario: WebSocket token requests count in the Auth group's rate limit
    Given rate limiting is on
    And the app requests a token with the password grant 5 times
    When the app requests a WebSocket token
    Then the request is rate limited
