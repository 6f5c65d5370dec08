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
  error_description equal to errors[0].message, as in every real answer (ringcentral-oauth.md §5.1). The
  rejection step checks all of that, the no-store headers and the OpenAPI schema each time it is used.

  Scenario Outline: A token response of the <grant> grant is JSON and must not be cached
    When the app requests a token with the <grant> grant
    Then a token is issued
    And the response is JSON
    And the response is not cacheable
    And the response matches RingCentral's OpenAPI description

    @sandbox-safe @rfc6749-5.1
    Examples: Grants of RingCentral's public documentation
      | grant              |
      | password           |
      | JWT bearer         |
      | refresh token      |
      | authorization code |

    @rfc6749-5.1
    Examples: Grants for partners and devices
      | grant              |
      | client credentials |
      | partner JWT        |
      | personal JWT       |
      | device certificate |
      | guest              |
      | OTP                |
      | IVR PIN            |

    @mock-only @rfc6749-5.1
    Examples: The device flow, whose authorization endpoint only the mock has
      | grant       |
      | device code |

  Scenario Outline: A refused token request (<refusal>) is answered in JSON that must not be cached
    Given the <app> app
    And the app authenticates with <client authentication>
    When <request>
    Then the request is rejected with <rejection>
    And the response is JSON
    And the response is not cacheable
    And the response matches RingCentral's OpenAPI description

    @sandbox-safe @rfc6749-5.2
    Examples: Refusals that do not count as failed sign-ins
      | refusal                | app          | client authentication | request                                                                   | rejection                   |
      | duplicated parameter   | confidential | client_secret_basic   | the app requests a token with the password grant with username duplicated | invalid_request OAU-111     |
      | grant not approved     | restricted   | client_secret_basic   | the app requests a token with the password grant                          | unauthorized_client OAU-251 |
      | wrong client secret    | confidential | a wrong client secret | the app requests a token with the password grant                          | invalid_client OAU-146      |
      | JSON instead of a form | confidential | client_secret_basic   | the app sends the password grant request as JSON                          | HTTP 415                    |

    @rfc6749-5.2
    Examples: A failed sign-in, which counts towards locking the account (OAU-147)
      | refusal        | app          | client authentication | request                                                                          | rejection             |
      | wrong password | confidential | client_secret_basic   | the app requests a token with the password grant and password "not-the-password" | invalid_grant OAU-140 |

  @sandbox-safe @rfc6749-5.2
  Scenario: A refusal's error_description repeats RingCentral's error message
    Given the app authenticates with a wrong client secret
    When the app requests a token with the password grant
    Then the request is rejected with invalid_client OAU-146
    And the response has:
      | path               | check      | value  |
      | error_description  | is present |        |
      | errors.0.message   | is present |        |
      | errors.0.errorCode | is a       | string |

  @sandbox-safe @rfc6749-5.1 @rfc6750-2.1
  Scenario Outline: The token type is bearer and the API accepts it as the scheme "<scheme>"
    When the app requests a token with the password grant
    Then the response field "token_type" matches "(?i)^bearer$"
    And the access token works with the scheme "<scheme>"

    Examples:
      | scheme |
      | bearer |
      | Bearer |

  @sandbox-safe
  Scenario: The token's owner is named by a string
    When the app requests a token with the password grant
    Then the response field "owner_id" is a string
    And the token response belongs to the user

  @sandbox-safe @rfc6749-5.1
  Scenario: The lifetimes are whole numbers of seconds
    When the app requests a token with the password grant
    Then the response field "expires_in" is an integer
    And the response field "refresh_token_expires_in" is an integer
