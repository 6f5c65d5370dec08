package steps

import (
	"context"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/rcoauth/conformance/driver"
)

// deviceFlow is a device authorization of the mock-only RFC 8628 flow.
type deviceFlow struct {
	deviceCode string
	userCode   string
	resp       *driver.Response
}

func (v *vocabulary) grantSpecific() {
	w := v.w
	v.step(`^the app requests a token with the JWT bearer grant and the (expired|other environment's|tampered|HS256-signed|personal|partner) credential$`, w.jwtCredentialVariant)
	v.step(`^the app requests a token with the device certificate grant and an assertion (that has expired|for another audience|without a jti|for an unknown device)$`, w.deviceAssertionVariant)
	v.step(`^the app requests a token twice with one device certificate assertion$`, w.deviceAssertionReplay)
	v.step(`^a device requests authorization$`, w.deviceAuthorization)
	v.step(`^the device authorization tells the user where to go$`, w.deviceAuthorizationAnswer)
	v.step(`^the user (approves|denies) the device$`, w.decideDevice)
	v.step(`^the device polls for a token$`, w.pollDevice)
}

// jwtCredentialVariant sends the JWT bearer grant with a credential that RingCentral must refuse (or, for
// personal, accept): expired, from another environment (removed using-sandbox.md: "A JWT configured for
// sandbox cannot be used to authenticate in production"), with a broken signature, HS256-signed (OAU-347).
func (w *world) jwtCredentialVariant(ctx context.Context, which string) error {
	var assertion string
	var err error
	switch which {
	case "expired":
		assertion, err = w.single("RC_JWT_EXPIRED")
	case "other environment's":
		assertion, err = w.single("RC_JWT_OTHER_ENV")
	case "personal":
		assertion, err = w.single("RC_PERSONAL_JWT")
	case "partner":
		assertion, err = w.single("RC_PARTNER_JWT")
	case "tampered":
		assertion, err = w.tamperedCredential()
	case "HS256-signed":
		assertion, err = w.hs256Credential()
	}
	if err != nil {
		return err
	}
	_, err = w.requestTokenWith(ctx, grants["JWT bearer"].grantType, driver.NewForm("assertion", assertion), tokenOptions{})
	return err
}

// single returns one profile value or a skip naming it.
func (w *world) single(key string) (string, error) {
	vals, err := w.need(key)
	if err != nil {
		return "", err
	}
	return vals[0], nil
}

func (w *world) deviceAssertionVariant(ctx context.Context, which string) error {
	a, err := w.deviceAssertion(func(c jwt.MapClaims) {
		switch which {
		case "that has expired":
			c["iat"] = time.Now().Add(-time.Hour).Unix()
			c["exp"] = time.Now().Add(-10 * time.Minute).Unix()
		case "for another audience":
			c["aud"] = "https://platform.example.invalid/restapi/oauth/token"
		case "without a jti":
			delete(c, "jti")
		case "for an unknown device":
			c["sub"] = "unknown-device-" + randomID()
		}
	})
	if err != nil {
		return err
	}
	_, err = w.requestTokenWith(ctx, grants["device certificate"].grantType, driver.NewForm("assertion", a), tokenOptions{})
	return err
}

// deviceAssertionReplay presents one device assertion twice: the second use must fail (RFC 7523 §3 jti
// replay protection, as the mock models the device_certificate grant).
func (w *world) deviceAssertionReplay(ctx context.Context) error {
	a, err := w.deviceAssertion(nil)
	if err != nil {
		return err
	}
	w.batch = nil
	for range 2 {
		r, err := w.requestTokenWith(ctx, grants["device certificate"].grantType, driver.NewForm("assertion", a), tokenOptions{})
		if err != nil {
			return err
		}
		w.batch = append(w.batch, r)
	}
	return nil
}

// deviceAuthorization starts the mock-only RFC 8628 flow (§3.1) for the scenario's app.
func (w *world) deviceAuthorization(ctx context.Context) error {
	if w.client.Scenario() == "" {
		return w.skip("the device authorization endpoint is mock-only: RingCentral publishes none")
	}
	auth, err := w.clientAuth()
	if err != nil {
		return err
	}
	resp, err := w.client.DeviceAuthorization(ctx, nil, auth)
	r := w.setResult(&result{what: "device authorization request", resp: resp, err: err})
	if resp == nil || resp.Status != 200 {
		w.device = nil
		return nil
	}
	body := resp.JSON()
	w.device = &deviceFlow{deviceCode: body.Get("device_code").String(), userCode: body.Get("user_code").String(), resp: resp}
	_ = r
	return nil
}

// deviceAuthorizationAnswer checks RFC 8628 §3.2: device_code, user_code, verification_uri, expires_in and
// interval.
func (w *world) deviceAuthorizationAnswer() error {
	r, err := w.lastResult()
	if err != nil {
		return err
	}
	if r.resp == nil || r.resp.Status != 200 {
		return fmt.Errorf("device authorization failed: %s", r.describe())
	}
	var p problems
	body := r.resp.JSON()
	for _, k := range []string{"device_code", "user_code", "verification_uri"} {
		if body.Get(k).String() == "" {
			p.addf("%s is missing", k)
		}
	}
	for _, k := range []string{"expires_in", "interval"} {
		if body.Get(k).Int() <= 0 {
			p.addf("%s %s; want a positive number", k, body.Get(k).Raw)
		}
	}
	w.hygiene(r, &p)
	return p.err(r)
}

func (w *world) decideDevice(ctx context.Context, decision string) error {
	if w.device == nil {
		return fmt.Errorf("no device authorization is pending: %s", w.last.describe())
	}
	if err := w.needControl("approving a device"); err != nil {
		return err
	}
	return w.client.ApproveDevice(ctx, w.device.userCode, "", decision == "denies")
}

func (w *world) pollDevice(ctx context.Context) error {
	if w.device == nil {
		return fmt.Errorf("no device authorization is pending: %s", w.last.describe())
	}
	_, err := w.requestTokenWith(ctx, grants["device code"].grantType, driver.NewForm("device_code", w.device.deviceCode), tokenOptions{})
	return err
}

// approvedDevice is the device code grant's setup: a device authorization approved by the user.
func (w *world) approvedDevice(ctx context.Context) (*deviceFlow, error) {
	if err := w.deviceAuthorization(ctx); err != nil {
		return nil, err
	}
	if w.device == nil {
		return nil, fmt.Errorf("device authorization failed: %s", w.last.describe())
	}
	if err := w.decideDevice(ctx, "approves"); err != nil {
		return nil, err
	}
	return w.device, nil
}
