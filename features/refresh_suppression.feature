@ringcentral @refresh-suppression
Feature: Tokens without a refresh token
  RFC 6749 §5.1 makes refresh_token OPTIONAL, and RingCentral leaves it out in three situations.

  The app asks for none: "you can easily disable it by setting the TTL (time to live) for the
  refresh_token_ttl to zero (0)" (community article "Disabling refresh_token from being generated for
  /oauth/token requests", whose sample answer has neither refresh_token nor refresh_token_expires_in; FAQ
  refresh-tokens.md: "pass the refresh_token_ttl=0 parameter"). The article shows it for the password grant
  and the FAQ states it generally, so it is checked on every grant that otherwise issues a refresh token, a
  refresh included; the same requests without the parameter do get one.

  The app is not set up to issue them: "By default, refresh tokens are not issued, so if you observe that a
  refresh token was not returned along with access token, edit your app's settings" (DOCS refresh-tokens.md).
  The restricted app has that setting off, and asking for a refresh token lifetime does not change it.

  The grant has no user to keep signed in: client credentials (RFC 6749 §4.4.3: a refresh token SHOULD NOT
  be included; DOCS-LEGACY's example answers without one) and guest access. That RingCentral never issues
  one for these two, even when a refresh token lifetime is asked for, is the mock's documented choice
  (UNVERIFIED).

  Device code rows need the mock's device authorization endpoint (mock-only); authorization code rows need a
  user to sign in: at once on the mock, elsewhere through the profile's sign-in recipe (OAUTH_SIGNIN), without
  which they skip, saying so.

  @rfc6749-5.1
  Scenario Outline: refresh_token_ttl=0 leaves the refresh token out
    When the app requests a token with the <grant> grant and refresh_token_ttl 0
    Then a token is issued
    And the token response has no refresh token

    @sandbox-safe
    Examples: grants a real account can use repeatedly
      | grant              |
      | password           |
      | refresh token      |
      | JWT bearer         |
      | partner JWT        |
      | personal JWT       |
      | device certificate |
      | IVR PIN            |

    Examples: grants that need the user or spend a credential
      | grant              |
      | authorization code |
      | OTP                |

    @mock-only
    Examples: the mock's device flow
      | grant       |
      | device code |

  @rfc6749-5.1
  Scenario Outline: Without refresh_token_ttl the same grants issue a refresh token
    When the app requests a token with the <grant> grant
    Then a token is issued
    And the token response has a refresh token

    @sandbox-safe
    Examples: the controls of the rows a real account runs
      | grant              |
      | password           |
      | JWT bearer         |

    Examples: grants whose own features check the refresh token too
      | grant              |
      | refresh token      |
      | partner JWT        |
      | personal JWT       |
      | device certificate |
      | IVR PIN            |

    Examples: grants that need the user or spend a credential
      | grant              |
      | authorization code |
      | OTP                |

    @mock-only
    Examples: the mock's device flow
      | grant       |
      | device code |

  Scenario: An app that does not issue refresh tokens leaves them out
    Given the restricted app
    When the app requests a token with the authorization code grant
    Then a token is issued
    And the token response has no refresh token

  Scenario: Asking for a refresh token lifetime does not override the app's setting
    Given the restricted app
    When the app requests a token with the authorization code grant and refresh_token_ttl 604800
    Then a token is issued
    And the token response has no refresh token

  Scenario Outline: A token without a user never comes with a refresh token
    When the app requests a token with the <grant> grant and refresh_token_ttl 604800
    Then a token is issued
    And the token response has no refresh token

    @sandbox-safe @should @rfc6749-4.4.3
    Examples: RFC 6749 §4.4.3
      | grant              |
      | client credentials |

    @sandbox-safe @unverified
    Examples: the mock's choice
      | grant |
      | guest |
