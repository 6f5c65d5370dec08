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

  Real outages also break answers halfway: a body cut short behind a Content-Length that matches it, a
  connection reset in the middle of the body, headers followed by silence, an HTML error page from a proxy, a
  token response with the wrong Content-Type (RFC 6749 §5.1 requires application/json), a body labelled gzip
  that is not, a redirect back to the token endpoint, a body too large to read. Each fails the request with
  what was received — the status, the content type, where a redirect pointed and the first bytes of the body,
  redacted — within the timeout, and the harness reads at most its size limit (4 MiB by default) of any body.
  A target that cannot be reached at all is covered by the driver's own tests, since the mock is up.

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

  Scenario: An answer cut short behind a matching Content-Length is reported as malformed
    Given the token endpoint cuts its next answer short
    When the app requests a token with the password grant
    Then the request fails showing the malformed response

  Scenario Outline: An HTML error page with HTTP <status> is reported with what was received
    Given the token endpoint answers the next request with HTTP <status> and an HTML error page
    When the app requests a token with the password grant
    Then the failure shows what was received

    Examples:
      | status |
      | 200    |
      | 502    |

  Scenario Outline: A token response labelled <content type> is reported as malformed
    Given the token endpoint answers the next request with a token response labelled "<content type>"
    When the app requests a token with the password grant
    Then the request fails showing the malformed response

    Examples:
      | content type |
      | text/plain   |
      | text/html    |

  Scenario: A connection reset in the middle of the body fails the request with what had arrived
    Given the token endpoint resets the connection halfway through its next answer
    When the app requests a token with the password grant
    Then the request fails because the answer was cut off
    And the failure shows what was received

  Scenario: Headers followed by silence fail the request when the timeout expires
    Given the token endpoint stops after the headers of its next answer
    And requests time out after 500 milliseconds
    When the app requests a token with the password grant
    Then the request fails with a timeout
    And the failure shows what was received

  Scenario: A body labelled gzip that is not gzip fails the request with its first bytes
    Given the token endpoint labels its next answer gzip without compressing it
    When the app requests a token with the password grant
    Then the request fails because the answer could not be decoded
    And the failure shows what was received

  Scenario: A token endpoint redirecting to itself is reported with the redirect, not followed
    Given the token endpoint redirects the next request to itself
    When the app requests a token with the password grant
    Then the request is rejected with HTTP 302
    And the failure shows what was received

  Scenario: A body larger than the harness's limit fails the request without reading it all
    Given the token endpoint answers the next request with a 64 MiB body
    When the app requests a token with the password grant
    Then the request fails because the answer exceeds the size limit
    And the failure shows what was received
