package steps

import (
	"context"
	"fmt"
	"strings"

	"github.com/rcoauth/conformance/driver"
)

func (v *vocabulary) api() {
	w := v.w
	v.sc.Step(v.assertion(`^the (access token|first access token|previous access token) (works|is rejected)$`), w.namedTokenWorks)
	v.sc.Step(v.assertion(`^the access token works with the scheme "(\w+)"$`), w.tokenWorksWithScheme)
	v.sc.Step(v.assertion(`^the refresh token does not work as an access token$`), w.refreshTokenAsBearer)
	v.sc.Step(v.assertion(`^the API identifies the token's owner$`), w.apiIdentifiesOwner)
	v.sc.Step(v.assertion(`^an API call without an Authorization header is rejected with (OAU-\d+)$`), w.apiRejectsMissingHeader)
	v.sc.Step(v.assertion(`^an API call with the Authorization header "([^"]*)" is rejected$`), w.apiRejectsHeader)
	v.sc.Step(v.assertion(`^the API rejection carries a Bearer challenge (with error "(\w+)"|without an error)$`), w.bearerChallenge)
}

func tokenWhich(phrase string) string {
	which, _, _ := strings.Cut(phrase, " ")
	if which == "access" {
		return "latest"
	}
	return which
}

// namedTokenWorks calls the API with the first, previous or latest access token, which must work (RFC 6750
// §2.1) or be rejected (RFC 6750 §3.1; DOCS tokens.md, see tokenWorks).
func (w *world) namedTokenWorks(ctx context.Context, which, outcome string) (err error) {
	defer w.verdict(&err)
	return w.tokenWorks(ctx, tokenWhich(which), "Bearer", outcome == "works")
}

// tokenWorksWithScheme calls the API with the latest access token under another spelling of the scheme:
// auth-schemes are case-insensitive (RFC 9110 §11.1), and RingCentral's SDKs send "bearer"
// (ringcentral-oauth.md §3).
func (w *world) tokenWorksWithScheme(ctx context.Context, scheme string) (err error) {
	defer w.verdict(&err)
	return w.tokenWorks(ctx, "latest", scheme, true)
}

// tokenWorks calls the protected resource with the named access token: a working token answers 200; a
// rejected one HTTP 401 (RFC 6750 §3.1 invalid_token), in RingCentral's dialect with its API error body,
// errors[] with an errorCode (documented RingCentral behaviour, DOCS tokens.md: "If an expired or
// invalidated token is used, RingCentral rejects the request with an 'HTTP 401 Unauthorized' error").
func (w *world) tokenWorks(ctx context.Context, which, scheme string, want bool) error {
	t, err := w.tokenAt(which)
	if err != nil {
		return err
	}
	r, err := w.tryAccessToken(ctx, t.AccessToken, scheme)
	if err != nil {
		return err
	}
	var p problems
	switch {
	case r.resp == nil:
		return fmt.Errorf("%s", r.describe())
	case want && r.resp.Status != 200:
		p.addf("the %s access token was refused with %d; want it to work (RFC 6750 §2.1)", which, r.resp.Status)
	case !want && r.resp.Status != 401:
		p.addf("the %s access token answered %d; want 401 (RFC 6750 §3.1)", which, r.resp.Status)
	case !want && w.vendor() && firstErrorCode(r.oauthError()) == "":
		p.addf("401 body has no errors[].errorCode (RingCentral's API error body, DOCS tokens.md)")
	}
	return p.err(r)
}

// tryAccessToken calls the protected resource (w.resource) with token as a bearer token under scheme (""
// for Bearer) and records the call as the API answer.
func (w *world) tryAccessToken(ctx context.Context, token, scheme string) (*result, error) {
	at, err := w.resource()
	if err != nil {
		return nil, err
	}
	return w.setAPIResult(w.callAPI(ctx, driver.APIRequest{Path: at, AccessToken: token, TokenType: scheme})), nil
}

// refreshTokenAsBearer presents the refresh token to the API, which must refuse it: refresh tokens are
// for the token endpoint only (RFC 6749 §1.5).
func (w *world) refreshTokenAsBearer(ctx context.Context) (err error) {
	defer w.verdict(&err)
	t, err := w.latestToken()
	if err != nil {
		return err
	}
	if t.RefreshToken == "" {
		return fmt.Errorf("the latest token response has no refresh token")
	}
	r, err := w.tryAccessToken(ctx, t.RefreshToken, "")
	if err != nil {
		return err
	}
	if r.resp == nil || r.resp.Status != 401 {
		return fmt.Errorf("a refresh token used as a bearer token: want 401 (RFC 6749 §1.5, RFC 6750 §3.1), got %s", r.describe())
	}
	return nil
}

// apiIdentifiesOwner checks documented RingCentral behaviour: /restapi/v1.0/account/~/extension/~ answers
// for the token's owner_id (OpenAPI TokenInfo.owner_id, readExtension); in another dialect, that UserInfo
// names a subject (OpenID Connect Core §5.3.2).
func (w *world) apiIdentifiesOwner(ctx context.Context) (err error) {
	defer w.verdict(&err)
	t, err := w.latestToken()
	if err != nil {
		return err
	}
	if !w.vendor() {
		r, err := w.tryAccessToken(ctx, t.AccessToken, "")
		if err != nil {
			return err
		}
		if r.resp == nil || r.resp.Status != 200 || r.resp.JSON().Get("sub").String() == "" {
			return fmt.Errorf("UserInfo should name the token's owner in sub (OpenID Connect Core §5.3.2): %s", r.describe())
		}
		return nil
	}
	resp, err := w.callAPI(ctx, driver.APIRequest{Path: driver.ExtensionPath, AccessToken: t.AccessToken})
	r := w.setAPIResult(resp, err)
	if r.resp == nil || r.resp.Status != 200 {
		return fmt.Errorf("extension call: %s", r.describe())
	}
	if id := r.resp.JSON().Get("id").String(); id != t.OwnerID {
		return fmt.Errorf("the extension id is %s; want the token's owner_id %s (OpenAPI TokenInfo.owner_id)", id, t.OwnerID)
	}
	return nil
}

// apiRejectsMissingHeader sends an API call without an Authorization header, which must be refused (RFC 6750
// §3.1) with RingCentral's errorCode code (OAU-123, DOCS errors.md).
func (w *world) apiRejectsMissingHeader(ctx context.Context, code string) (err error) {
	defer w.verdict(&err)
	return w.apiCallRejected(ctx, "", code)
}

// apiRejectsHeader sends an API call with an Authorization header that carries no valid bearer token, which
// must be refused (RFC 6750 §3.1).
func (w *world) apiRejectsHeader(ctx context.Context, header string) (err error) {
	defer w.verdict(&err)
	return w.apiCallRejected(ctx, header, "")
}

// apiCallRejected sends an API call with a missing or malformed Authorization header: it must answer 401,
// with errorCode code when one is given.
func (w *world) apiCallRejected(ctx context.Context, header, code string) error {
	at, err := w.resource()
	if err != nil {
		return err
	}
	req := driver.APIRequest{Path: at}
	if header != "" {
		req.Authorization = header
	}
	resp, err := w.callAPI(ctx, req)
	r := w.setAPIResult(resp, err)
	var p problems
	if r.resp == nil {
		return fmt.Errorf("%s", r.describe())
	}
	// RFC 6750 §3.1: a malformed request is invalid_request, HTTP 400; RingCentral answers 401 to all.
	if r.resp.Status != 401 && (w.vendor() || header == "" || r.resp.Status != 400) {
		p.addf("status %d; want 401", r.resp.Status)
	}
	if code != "" && w.vendor() {
		if got := firstErrorCode(r.oauthError()); got != code {
			p.addf("errors[0].errorCode %q; want %s (DOCS errors.md)", got, code)
		}
	}
	return p.err(r)
}

// bearerChallenge checks RFC 6750 §3: a 401 carries WWW-Authenticate: Bearer, with error="invalid_token"
// for a bad token and no error attribute when no credentials were sent.
func (w *world) bearerChallenge(which, wantErr string) (err error) {
	defer w.verdict(&err)
	r, err := w.theAPIAnswer()
	if err != nil {
		return err
	}
	if r.resp == nil {
		return fmt.Errorf("no response: %s", r.describe())
	}
	h := r.resp.Header.Get("WWW-Authenticate")
	var p problems
	if !strings.HasPrefix(strings.ToLower(h), "bearer") {
		p.addf("WWW-Authenticate %q; want a Bearer challenge (RFC 6750 §3)", h)
	}
	switch {
	case wantErr == "" && strings.Contains(h, "error="):
		p.addf("WWW-Authenticate %q has an error attribute; RFC 6750 §3.1 wants none when no credentials were sent", h)
	case wantErr != "" && !strings.Contains(h, `error="`+wantErr+`"`):
		p.addf("WWW-Authenticate %q; want error=%q", h, wantErr)
	}
	return p.err(r)
}
