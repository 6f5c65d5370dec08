// Package driver is the only code in the conformance harness that speaks HTTP.
//
// It sends one request per call to a RingCentral OAuth 2.0 target (the embedded mock, a standalone
// rcmock, the sandbox or production) and returns a typed result: a [Response] that keeps the status,
// headers and raw body, a [TokenInfo] parsed from a successful token response (RFC 6749 §5.1), or an
// [*OAuthError] that keeps the raw error response (RFC 6749 §5.2, RingCentral's errors[] array), so a
// failing step can say exactly what the server sent.
//
// The driver is built on github.com/go-resty/resty/v2. It never follows redirects (the authorization
// endpoint's 302 is the result under test, RFC 6749 §4.1.2), bounds every request by a timeout, and
// turns transport failures into plain errors that name the request ("connection refused (is the target
// running?)", "timed out after 15s"). It reads at most [Config.MaxResponseBytes] of a body; an answer
// whose body breaks off, never ends, is larger or cannot be decoded is a [*BodyError] that shows the
// status, headers and bytes that did arrive.
//
// Request bodies are ordered, duplicate-capable parameter lists ([Form]) so that negative tests can send
// repeated or empty parameters (RFC 6749 §3.1, §3.2). Client authentication is pluggable ([ClientAuth]):
// client_secret_basic (RFC 6749 §2.3.1), client_secret_jwt and private_key_jwt client assertions
// (RFC 7523 §2.2), public clients, and deliberately wrong combinations for negative tests. PKCE values
// come from golang.org/x/oauth2 (RFC 7636).
//
// Every exchange can be recorded into a [Recorder]. Exchanges are redacted by a [Redactor] before they
// are stored, so no secret, credential or token ever reaches a report; a redacted value is replaced by a
// fingerprint, "[redacted:1a2b3c4d5e6f]", so a reader can still follow which token is which. A
// fingerprint is keyed ([Fingerprinter]: HMAC-SHA-256 under a random key per run), so it is stable within
// a run, not comparable across runs, and gives nobody a way to test guesses of a short secret such as a
// PIN. The unredacted response stays in memory, in [Response], for assertions.
//
// The mock's control API (/__mock/, clock, faults, settings) is reached through methods such as
// [Client.AdvanceClock]; steps use them only when the environment profile says the target is an rcmock.
package driver
