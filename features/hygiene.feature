@hygiene
Feature: The shape of every token endpoint answer
  Whatever the grant and whatever the outcome, the token endpoint answers in JSON and forbids caching: RFC 6749
  §5.1 requires "Cache-Control: no-store" and "Pragma: no-cache" on every response carrying tokens or other
  sensitive information, and §5.2 has errors use the same JSON format (rfc-checklist T4-T6). A real RingCentral
  error answer shows both headers (ringcentral-java#24).

  A token response follows RingCentral's TokenInfo (OpenAPI): token_type is "bearer" in lower case, which a
  client compares case-insensitively (RFC 6749 §5.1, §7.1) and which the API accepts as the scheme of the
  Authorization header as the SDKs send it ("bearer <token>" from the JavaScript and Python SDKs, "Bearer" from
  others); owner_id is a string, not a number; the lifetimes are integers. An error answer follows
  OpenAPI OauthInvalidRequest: the RFC `error`, RingCentral's errors[] with errorCode and message, and an
  error_description equal to errors[0].message, as in every real answer (ringcentral-oauth.md §5.1).

  Two sentences check all of that wherever they are used, so this feature does not repeat them grant by grant:
  "a token is issued" checks the JSON, the no-store headers, TokenInfo's OpenAPI schema, token_type, owner_id and
  the lifetimes' types of every grant's token response (features/grants), and "the request is rejected with …"
  checks the JSON, the no-store headers, the errors[] body and the OpenAPI schema of every refusal. What is
  left here is what neither checks: an answer that is not an OAuth error, the scheme the API accepts, and
  lifetimes that are whole numbers.

  @sandbox-safe @rfc6749-5.2
  Scenario: A request refused as an unsupported media type is answered in JSON that must not be cached
    When the app sends the password grant request as JSON
    Then the request is rejected with HTTP 415
    And the response is JSON
    And the response is not cacheable
    And the response matches RingCentral's OpenAPI description

  @sandbox-safe @rfc6749-5.1 @rfc6750-2.1
  Scenario Outline: The token type is bearer and the API accepts it as the scheme "<scheme>"
    When the app requests a token with the password grant
    Then the response field "token_type" matches "(?i)^bearer$"
    And the access token works with the scheme "<scheme>"

    Examples:
      | scheme |
      | bearer |
      | Bearer |

  @sandbox-safe @rfc6749-5.1
  Scenario: The lifetimes are whole numbers of seconds
    When the app requests a token with the password grant
    Then the response field "expires_in" is an integer
    And the response field "refresh_token_expires_in" is an integer
