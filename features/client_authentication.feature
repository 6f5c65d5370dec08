@client-auth
Feature: Client authentication at the token and revocation endpoints
  A confidential app proves who it is on every token and revocation request, with exactly one method (RFC 6749
  §2.3). RingCentral's OpenAPI description of getToken and revokeToken names three: client_secret_basic, the
  client ID and secret in an HTTP Basic Authorization header (RFC 6749 §2.3.1), and client_secret_jwt or
  private_key_jwt, a signed JWT in client_assertion with client_assertion_type
  urn:ietf:params:oauth:client-assertion-type:jwt-bearer (RFC 7523 §2.2). A public app (a client-side web app)
  has no secret and names itself with client_id in the body (ringcentral-oauth.md §2.2). client_secret in the
  body (client_secret_post) is not among the advertised methods.

  RFC 6749 §2.3.1 has the client ID and secret form-encoded before they are joined for Basic; the SDKs do not
  encode them. The mock's main app has a secret with ':', '%' and '+', so both encodings are put to the test.
  The SDK @rc-ex/core also sends client_id in the body next to the Basic header.

  Missing client authentication is invalid_client OAU-123 "Client authentication is required" (a real
  response, ringcentral-api-docs PR #33) and a wrong secret invalid_client OAU-146 "Invalid client
  credentials" (DOCS errors.md). How RingCentral checks client assertions (RFC 7523 §3: iss and sub are the
  client ID, aud names the server, exp, a signature, jti against replay) is UNVERIFIED beyond the OpenAPI
  description, so their refusals assert invalid_client only (RFC 7523 §3.2), without a RingCentral code.

  The apps sign in with the JWT bearer grant (DOCS jwt-flow.md), the grant every confidential app of the
  fixture is approved for; a refused client authentication never reaches the user's credentials.

  The harness dates every assertion it signs by the target's clock: on the mock, once a scenario has moved the
  scenario's clock, its assertions carry the mock's time, since the mock checks iat and exp against it.

  @sandbox-safe @rfc6749-2.3.1
  Scenario: client_secret_basic with the client ID and secret form-encoded
    Given the app authenticates with client_secret_basic
    When the app requests a token with the JWT bearer grant
    Then a token is issued

  @sandbox-safe @rfc6749-2.3.1
  Scenario: client_secret_basic without form-encoding, as the SDKs send it
    Given the app authenticates with client_secret_basic without form-encoding
    When the app requests a token with the JWT bearer grant
    Then a token is issued

  @sandbox-safe @rfc6749-2.3.1
  Scenario: client_secret_basic with the same client_id in the body, as @rc-ex/core sends it
    Given the app authenticates with client_secret_basic and client_id in the body
    When the app requests a token with the JWT bearer grant
    Then a token is issued

  @sandbox-safe @rfc6749-2.3
  Scenario: Two authentication methods in one request are refused
    Given the app authenticates with client_secret_basic and client_secret in the body
    When the app requests a token with the JWT bearer grant
    Then the request is rejected with invalid_client

  @sandbox-safe @rfc6749-2.3.1
  Scenario: The client secret in the body is not a supported method
    Given the app authenticates with client_secret in the body
    When the app requests a token with the JWT bearer grant
    Then the request is rejected with invalid_client

  @sandbox-safe @rfc6749-5.2
  Scenario: A request without client credentials is refused
    Given the app authenticates with no client credentials
    When the app requests a token with the JWT bearer grant
    Then the request is rejected with invalid_client OAU-123

  @sandbox-safe @rfc6749-5.2
  Scenario: A confidential app naming itself by client_id alone is refused
    Given the app authenticates with client_id only
    When the app requests a token with the JWT bearer grant
    Then the request is rejected with invalid_client OAU-123

  @sandbox-safe @rfc6749-5.2
  Scenario: A wrong client secret is refused
    Given the app authenticates with a wrong client secret
    When the app requests a token with the JWT bearer grant
    Then the request is rejected with invalid_client OAU-146

  @sandbox-safe @rfc6749-5.2
  Scenario: An unknown client is refused
    Given the app authenticates with an unknown client_id
    When the app requests a token with the JWT bearer grant
    Then the request is rejected with invalid_client

  @sandbox-safe @rfc7523-2.2
  Scenario: client_secret_jwt, a client assertion signed with the client secret
    Given the secret-JWT app
    When the app requests a token with the JWT bearer grant
    Then a token is issued

  @sandbox-safe @rfc7523-2.2
  Scenario: private_key_jwt, a client assertion signed with the app's private key
    Given the private-key app
    When the app requests a token with the JWT bearer grant
    Then a token is issued

  @mock-only @rfc7523-3
  Scenario Outline: A <method> assertion is dated by the target's clock after time passes
    Given the <app> app
    And 10 minutes pass
    When the app requests a token with the JWT bearer grant
    Then a token is issued

    Examples:
      | method            | app         |
      | client_secret_jwt | secret-JWT  |
      | private_key_jwt   | private-key |

  @mock-only @rfc7523-3 @rfc6749-6
  Scenario: A client_secret_jwt app refreshes after time passes
    Given the secret-JWT app
    And the app requests a token with the JWT bearer grant
    And 50 minutes pass
    When the app refreshes the token
    Then a token is issued

  @sandbox-safe @rfc7523-3 @rfc7523-3.2
  Scenario Outline: A faulty client assertion is refused
    Given the <app> app
    And the client assertion <fault>
    When the app requests a token with the JWT bearer grant
    Then the request is rejected with invalid_client

    Examples: client_secret_jwt
      | app        | fault                           |
      | secret-JWT | has the wrong audience          |
      | secret-JWT | has the wrong issuer            |
      | secret-JWT | has the wrong subject           |
      | secret-JWT | has expired                     |
      | secret-JWT | is not signed (alg none)        |
      | secret-JWT | has no jti                      |
      | secret-JWT | is signed with the wrong secret |

    Examples: private_key_jwt
      | app         | fault                                        |
      | private-key | has the wrong audience                       |
      | private-key | has the wrong issuer                         |
      | private-key | has the wrong subject                        |
      | private-key | has expired                                  |
      | private-key | is not signed (alg none)                     |
      | private-key | has no jti                                   |
      | private-key | is signed with HS256 by a private-key client |

  # RFC 7523 §3 item 7 lets the server refuse a replayed jti ("MAY"); OpenID Connect Core §9 makes jti
  # REQUIRED for that purpose. RingCentral's behaviour is UNVERIFIED, so a failure only warns.
  @should @sandbox-safe @rfc7523-3
  Scenario Outline: A client assertion cannot be replayed
    Given the <app> app
    And the app reuses one client assertion jti
    And the app requests a token with the JWT bearer grant
    When the app requests a token with the JWT bearer grant
    Then the request is rejected with invalid_client

    Examples:
      | app         |
      | secret-JWT  |
      | private-key |

  @rfc6749-2.1 @rfc6749-3.2.1
  Scenario: A public app names itself with its client_id alone
    Given the public app
    When the app refreshes the token
    Then a token is issued

  @rfc6749-3.2.1
  Scenario: A public app that does not name itself is refused
    Given the public app
    And the user authorizes the app
    And the app exchanges the code
    And the app authenticates with no client credentials
    When the app refreshes the token
    Then the request is rejected with invalid_client

  @sandbox-safe @rfc7009-2.1
  Scenario Outline: Revocation authenticates the app as the token endpoint does
    Given the <app> app
    And the app requests a token with the JWT bearer grant
    When the app revokes the access token
    Then the revocation succeeds
    And the access token is rejected

    Examples:
      | app          | method              |
      | confidential | client_secret_basic |
      | secret-JWT   | client_secret_jwt   |
      | private-key  | private_key_jwt     |

  @sandbox-safe @rfc7009-2.1 @rfc6749-5.2
  Scenario: Revocation without client credentials is refused
    Given the app requests a token with the JWT bearer grant
    And the app authenticates with no client credentials
    When the app revokes the access token
    Then the request is rejected with invalid_client OAU-123
    And the access token works

  @sandbox-safe @rfc7009-2.1 @rfc6749-5.2
  Scenario: Revocation with a wrong client secret is refused
    Given the app requests a token with the JWT bearer grant
    And the app authenticates with a wrong client secret
    When the app revokes the access token
    Then the request is rejected with invalid_client OAU-146
    And the access token works

  # The matrix: every way a client authenticates, with every grant its app is approved for. A method that
  # works with one grant must work with all of them: client authentication comes before the grant (RFC 6749
  # §3.2.1, §2.3). A real account runs each method and each refusal once (@sandbox-safe); the whole matrix
  # runs on the mock.
  Scenario Outline: The <grant> grant with <method>
    Given the <app> app
    And the app authenticates with <method>
    When the app requests a token with the <grant> grant
    Then a token is issued

    @sandbox-safe
    Examples: each method once, with a grant its app is approved for
      | app          | method                                        | grant         |
      | confidential | client_secret_basic                           | JWT bearer    |
      | confidential | client_secret_basic without form-encoding     | password      |
      | confidential | client_secret_basic and client_id in the body | refresh token |
      | secret-JWT   | client_secret_jwt                             | password      |
      | private-key  | private_key_jwt                               | JWT bearer    |

    Examples: the rest of the matrix of confidential apps with a secret
      | app          | method                                        | grant         |
      | confidential | client_secret_basic                           | password      |
      | confidential | client_secret_basic and client_id in the body | password      |
      | confidential | client_secret_basic without form-encoding     | JWT bearer    |
      | confidential | client_secret_basic and client_id in the body | JWT bearer    |
      | confidential | client_secret_basic                           | refresh token |
      | confidential | client_secret_basic without form-encoding     | refresh token |
      | secret-JWT   | client_secret_jwt                             | JWT bearer    |
      | secret-JWT   | client_secret_jwt                             | refresh token |

    Examples: flows that need a user at the authorization endpoint, or a partner app
      | app          | method              | grant              |
      | confidential | client_secret_basic | authorization code |
      | secret-JWT   | client_secret_jwt   | authorization code |
      | public       | client_id only      | authorization code |
      | public       | client_id only      | refresh token      |
      | private-key  | private_key_jwt     | client credentials |

  Scenario Outline: The <grant> grant refuses <method>
    Given the <app> app
    And the app authenticates with <method>
    When the app requests a token with the <grant> grant
    Then the request is rejected with invalid_client <code>

    @sandbox-safe
    Examples: each refusal once
      | app          | method                | grant         | code    |
      | confidential | no client credentials | JWT bearer    | OAU-123 |
      | confidential | a wrong client secret | refresh token | OAU-146 |
      | confidential | client_id only        | JWT bearer    | OAU-123 |
      | secret-JWT   | no client credentials | JWT bearer    | OAU-123 |

    Examples: the rest of the matrix
      | app          | method                | grant         | code    |
      | confidential | no client credentials | password      | OAU-123 |
      | confidential | no client credentials | refresh token | OAU-123 |
      | confidential | a wrong client secret | password      | OAU-146 |
      | confidential | a wrong client secret | JWT bearer    | OAU-146 |
