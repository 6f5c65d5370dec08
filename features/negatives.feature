@negative
Feature: Malformed token requests
  Every grant's request is checked against the same faults, one at a time, starting from the request that
  succeeds for that grant: each required parameter left out, sent twice, and sent empty; grant_type itself
  left out, sent twice and sent empty; the request sent as JSON, and sent with GET.

  Required parameters are those of RingCentral's OpenAPI token request schemas (SPEC-2025-09: RopcTokenRequest
  username and password; AuthCodeTokenRequest code; RefreshTokenRequest refresh_token;
  ClientCredentialsByAccount account_id; JwtTokenRequest assertion, also for partner_jwt; DeviceCodeTokenRequest
  device_code; GuestTokenRequest resource_type and resource; OtpTokenRequest code; IvrPinTokenRequest
  ivr_pin). personal_jwt and device_certificate have no published schema; the mock takes `assertion` for
  both (UNVERIFIED).

  A missing parameter is invalid_request (RFC 6749 §5.2); RingCentral's errorCode for it is UNVERIFIED (the
  mock answers CMN-101), so only the RFC error is asserted. "Parameters sent without a value MUST be treated
  as if they were omitted from the request" (RFC 6749 §3.2, as §3.1 for the authorization endpoint), so an
  empty parameter is invalid_request too. "Request and response parameters MUST NOT be included more than
  once" (RFC 6749 §3.2): RingCentral answers invalid_request OAU-111 "Request parameter duplication
  detected" (docs/basics/errors.md). The token endpoint takes application/x-www-form-urlencoded and answers
  other media types with HTTP 415 "Unsupported Media Type" (OpenAPI getToken). RFC 6749 §3.2 requires POST
  but fixes no status for other methods, so a GET is only expected to be a client error (4xx). A grant_type
  the server does not know is unsupported_grant_type (RFC 6749 §5.2; RingCentral's SPEC-2024-04 described
  this case as "invalid_request: Unsupported grant type", so a real target may deviate here).

  Faults on the password, OTP and IVR PIN grants are not sandbox-safe: a real server may count them as
  failed sign-ins, and repeated failures lock the account (OAU-147). Against a real account (@sandbox-safe)
  each fault of a grant's own parameters runs for every grant that signs a user in, but a fault of
  grant_type, of the media type or of the method, which the token endpoint sees before it knows the grant,
  runs for two grants only, and the partner grants' parameters (client_credentials, guest) not at all: each
  request costs a fifth of an Auth-group minute and counts as a 4xx against the app. The other rows
  run on the mock, and on a real target with TAGS='@negative && ~@mock-only'. Authorization code rows need a
  user to sign in: at once on the mock, elsewhere through the profile's sign-in recipe (OAUTH_SIGNIN), without
  which they skip, saying so; device code rows need the mock's device authorization endpoint.

  @rfc6749-5.2
  Scenario Outline: A request without a required parameter is invalid
    When the app requests a token with the <grant> grant without <parameter>
    Then the request is rejected with invalid_request

    @sandbox-safe
    Examples: grants without a user's secret
      | grant              | parameter     |
      | refresh token      | grant_type    |
      | refresh token      | refresh_token |
      | JWT bearer         | grant_type    |
      | JWT bearer         | assertion     |
      | partner JWT        | assertion     |
      | personal JWT       | assertion     |
      | device certificate | assertion     |

    Examples: the other grants' grant_type, and the partner grants' own parameters
      | grant              | parameter     |
      | client credentials | account_id    |
      | guest              | resource_type |
      | guest              | resource      |
      | client credentials | grant_type    |
      | partner JWT        | grant_type    |
      | personal JWT       | grant_type    |
      | device certificate | grant_type    |
      | guest              | grant_type    |

    Examples: grants with a user's secret or sign-in
      | grant              | parameter  |
      | password           | grant_type |
      | password           | username   |
      | password           | password   |
      | authorization code | grant_type |
      | authorization code | code       |
      | OTP                | grant_type |
      | OTP                | code       |
      | IVR PIN            | grant_type |
      | IVR PIN            | ivr_pin    |

    @mock-only
    Examples: the mock's device flow
      | grant       | parameter   |
      | device code | grant_type  |
      | device code | device_code |

  @rfc6749-3.2
  Scenario Outline: A request with a required parameter sent twice is invalid
    When the app requests a token with the <grant> grant with <parameter> duplicated
    Then the request is rejected with invalid_request OAU-111

    @sandbox-safe
    Examples: grants without a user's secret
      | grant              | parameter     |
      | refresh token      | grant_type    |
      | refresh token      | refresh_token |
      | JWT bearer         | grant_type    |
      | JWT bearer         | assertion     |
      | partner JWT        | assertion     |
      | personal JWT       | assertion     |
      | device certificate | assertion     |

    Examples: the other grants' grant_type, and the partner grants' own parameters
      | grant              | parameter     |
      | client credentials | account_id    |
      | guest              | resource_type |
      | guest              | resource      |
      | client credentials | grant_type    |
      | partner JWT        | grant_type    |
      | personal JWT       | grant_type    |
      | device certificate | grant_type    |
      | guest              | grant_type    |

    Examples: grants with a user's secret or sign-in
      | grant              | parameter  |
      | password           | grant_type |
      | password           | username   |
      | password           | password   |
      | authorization code | grant_type |
      | authorization code | code       |
      | OTP                | grant_type |
      | OTP                | code       |
      | IVR PIN            | grant_type |
      | IVR PIN            | ivr_pin    |

    @mock-only
    Examples: the mock's device flow
      | grant       | parameter   |
      | device code | grant_type  |
      | device code | device_code |

  @rfc6749-3.2 @rfc6749-5.2
  Scenario Outline: A required parameter sent empty counts as left out
    When the app requests a token with the <grant> grant with <parameter> empty
    Then the request is rejected with invalid_request

    @sandbox-safe
    Examples: grants without a user's secret
      | grant              | parameter     |
      | refresh token      | grant_type    |
      | refresh token      | refresh_token |
      | JWT bearer         | grant_type    |
      | JWT bearer         | assertion     |
      | partner JWT        | assertion     |
      | personal JWT       | assertion     |
      | device certificate | assertion     |

    Examples: the other grants' grant_type, and the partner grants' own parameters
      | grant              | parameter     |
      | client credentials | account_id    |
      | guest              | resource_type |
      | guest              | resource      |
      | client credentials | grant_type    |
      | partner JWT        | grant_type    |
      | personal JWT       | grant_type    |
      | device certificate | grant_type    |
      | guest              | grant_type    |

    Examples: grants with a user's secret or sign-in
      | grant              | parameter  |
      | password           | grant_type |
      | password           | username   |
      | password           | password   |
      | authorization code | grant_type |
      | authorization code | code       |
      | OTP                | grant_type |
      | OTP                | code       |
      | IVR PIN            | grant_type |
      | IVR PIN            | ivr_pin    |

    @mock-only
    Examples: the mock's device flow
      | grant       | parameter   |
      | device code | grant_type  |
      | device code | device_code |

  @ringcentral
  Scenario Outline: A request sent as JSON is refused as an unsupported media type
    When the app sends the <grant> grant request as JSON
    Then the request is rejected with HTTP 415

    @sandbox-safe
    Examples: grants without a user's secret
      | grant              |
      | refresh token      |
      | JWT bearer         |

    Examples: the other grants without a user's secret
      | grant              |
      | client credentials |
      | partner JWT        |
      | personal JWT       |
      | device certificate |
      | guest              |

    Examples: grants with a user's secret or sign-in
      | grant              |
      | password           |
      | authorization code |
      | OTP                |
      | IVR PIN            |

    @mock-only
    Examples: the mock's device flow
      | grant       |
      | device code |

  @rfc6749-3.2
  Scenario Outline: A request sent with GET is refused
    When the app sends the <grant> grant request with GET
    Then the request is rejected with a client error

    @sandbox-safe
    Examples: grants without a user's secret
      | grant              |
      | refresh token      |
      | JWT bearer         |

    Examples: the other grants without a user's secret
      | grant              |
      | client credentials |
      | partner JWT        |
      | personal JWT       |
      | device certificate |
      | guest              |

    Examples: grants with a user's secret or sign-in
      | grant              |
      | password           |
      | authorization code |
      | OTP                |
      | IVR PIN            |

    @mock-only
    Examples: the mock's device flow
      | grant       |
      | device code |

  @sandbox-safe @rfc6749-5.2
  Scenario Outline: A grant type the server does not know is unsupported
    RFC 6749 §5.2 requires unsupported_grant_type here. RingCentral's own specification text differs: it
    describes this case as invalid_request "Unsupported grant type" (SPEC-2023-03, SPEC-2024-04), so a run
    against RingCentral may report this RFC requirement as not met; the mock answers the RFC code by default.

    When the app sends a token request with content type "application/x-www-form-urlencoded" and body "grant_type=<grant_type>"
    Then the request is rejected with unsupported_grant_type

    Examples:
      | grant_type                                         |
      | implicit                                           |
      | urn:ietf:params:oauth:grant-type:token-exchange    |
      | urn:ietf:params:oauth:grant-type:saml2-bearer      |
      | client_delegate                                    |

  @mock-only
  Scenario: RingCentral's specification text answers an unknown grant type with invalid_request
    The mock can answer as RingCentral's specification text describes the case (SPEC-2023-03, SPEC-2024-04:
    "invalid_request: Unsupported grant type") instead of with RFC 6749 §5.2's unsupported_grant_type.

    Given the server answers an unknown grant type as RingCentral's specification text says
    When the app sends a token request with content type "application/x-www-form-urlencoded" and body "grant_type=implicit"
    Then the request is rejected with invalid_request
    And the response field "error_description" equals "Unsupported grant type"
