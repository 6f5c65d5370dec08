@robustness @mock-only
Feature: The harness under a misbehaving token endpoint
  A conformance run must say clearly what went wrong when the target itself misbehaves, instead of hanging or
  reporting a puzzle. These scenarios make the mock's token endpoint misbehave on purpose and describe what the
  harness then reports: a server error is a refusal with its HTTP status and the body received
  (OpenAPI getToken documents only 200, 400, 415 and 429, and docs/basics/errors.md has clients retry a 503 after
  Retry-After); an HTTP 200 whose body is not a token response is a malformed response shown with that body
  (the JavaScript SDK calls it "Malformed OAuth response"); a target slower than the driver's timeout fails the
  request with a timeout. Injected faults are used up one request each, after which the endpoint behaves
  normally again.

  Every scenario here runs on the mock only: faults are injected through the mock's control API, and the delays
  are kept short.

  Scenario Outline: A token endpoint answering HTTP <status> is reported with that status
    Given the token endpoint answers the next request with HTTP <status>
    When the app requests a token with the password grant
    Then the request is rejected with HTTP <status>

    Examples:
      | status |
      | 500    |
      | 502    |
      | 503    |
      | 504    |

  Scenario Outline: An HTTP 200 whose body is not a token response is reported as malformed: <body>
    Given the token endpoint answers the next request with HTTP 200 and the body "<body>"
    When the app requests a token with the password grant
    Then the request fails showing the malformed response

    Examples:
      | body                     |
      | {}                       |
      | []                       |
      | null                     |
      | <html>Maintenance</html> |

  Scenario: A token endpoint slower than the driver's timeout fails the request with a timeout
    Given the token endpoint takes 2000 milliseconds to answer
    And requests time out after 200 milliseconds
    When the app requests a token with the password grant
    Then the request fails with a timeout

  Scenario: Once the injected faults are used up, the token endpoint answers normally
    Given the token endpoint answers the next 2 requests with HTTP 503
    And the app requests a token with the password grant 2 times
    When the app requests a token with the password grant
    Then a token is issued
