package driver

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The fuzz targets run their seed corpora (testdata/fuzz/<target>/) as ordinary tests; to fuzz one for a
// while:
//
//	go test -run '^$' -fuzz '^FuzzDecodeAnswer$' -fuzztime 30s ./driver
//
// Inputs that fail are written to testdata/fuzz/<target>/ and from then on run as regression tests.

// fuzzSecret is a known secret of the fuzz targets' redactor: no error message or recorded exchange may
// show it, whatever the answer. Its characters have distinct URL and JSON encodings.
const fuzzSecret = `Fz+9/q="é&secret`

// fuzzLimit is the body limit of FuzzDecodeAnswer's client, small so that the fuzzer reaches it.
const fuzzLimit = 4096

// cannedAnswer is an http.RoundTripper that answers every request with one response built from fuzz
// input, without a network.
type cannedAnswer struct {
	status                          int
	contentType, encoding, location string
	body                            []byte
	cutAt                           int // the body breaks off (io.ErrUnexpectedEOF) after cutAt bytes; <0 never
}

func (a cannedAnswer) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body.Close()
	}
	h := http.Header{}
	for k, v := range map[string]string{"Content-Type": a.contentType, "Content-Encoding": a.encoding, "Location": a.location} {
		if v != "" {
			h.Set(k, v)
		}
	}
	var body io.Reader = bytes.NewReader(a.body)
	if a.cutAt >= 0 && a.cutAt < len(a.body) {
		body = io.MultiReader(bytes.NewReader(a.body[:a.cutAt]), errReader{io.ErrUnexpectedEOF})
	}
	return &http.Response{
		Status: strconv.Itoa(a.status), StatusCode: a.status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(body), ContentLength: -1, Request: req,
	}, nil
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// FuzzDecodeAnswer sends a token request, an authorization request and an API call to a target answering
// with an arbitrary status, Content-Type, Content-Encoding, Location and body, possibly breaking off, and
// checks what the driver makes of it: no panic; a typed result or a typed error (*OAuthError,
// *MalformedResponseError, *BodyError) that keeps the body received; an error message prefixed "driver: ";
// and no known secret in any error message or recorded exchange.
func FuzzDecodeAnswer(f *testing.F) {
	f.Fuzz(func(t *testing.T, status int, contentType, encoding, location string, body []byte, cutAt int) {
		if status < 100 || status > 999 {
			status = 100 + (status%900+900)%900
		}
		a := cannedAnswer{status: status, contentType: contentType, encoding: encoding, location: location, body: body, cutAt: cutAt}
		rec := &Recorder{}
		c := newTestClient(t, "http://target.invalid", func(cfg *Config) {
			// A hang would end in a timeout, which checkAnswer refuses: no answer here ever hangs.
			cfg.Recorder, cfg.Redactor, cfg.MaxResponseBytes, cfg.Timeout = rec, NewRedactor(nil, fuzzSecret), fuzzLimit, 2*time.Second
		})
		c.rc.SetTransport(locationKeeper{next: a})

		// want is the body the driver should keep: the raw body, or its gzip decoding when it decodes.
		want := body
		if enc := strings.ToLower(strings.TrimSpace(encoding)); (enc == "gzip" || enc == "x-gzip") && len(body) > 0 {
			if zr, err := gzip.NewReader(bytes.NewReader(body)); err == nil {
				if dec, err := io.ReadAll(io.LimitReader(zr, fuzzLimit+1)); err == nil {
					want = dec
				}
			}
		}

		tok, err := c.Token(ctx, TokenRequest{Form: NewForm("grant_type", "password", "password", fuzzSecret)})
		var resp *Response
		if tok != nil {
			resp = tok.Response
		}
		checkAnswer(t, "Token", a, want, resp, err)
		if err == nil && (tok.Token == nil || tok.Token.AccessToken == "" || tok.Response.Status/100 != 2) {
			t.Errorf("Token succeeded with %+v; want a 2xx answer with an access token", tok)
		}

		az, err := c.Authorize(ctx, AuthorizeRequest{Form: NewForm("client_id", "cid")})
		resp = nil
		if az != nil {
			resp = az.Response
		}
		checkAnswer(t, "Authorize", a, want, resp, err)

		resp, err = c.API(ctx, APIRequest{Path: AccountPath, AccessToken: fuzzSecret})
		checkAnswer(t, "API", a, want, resp, err)

		for _, x := range rec.All() {
			b, _ := json.Marshal(x)
			if bytes.Contains(b, []byte(fuzzSecret)) || strings.Contains(x.ResponseBody+x.Error, fuzzSecret) {
				t.Errorf("a recorded exchange shows the secret: %s", b)
			}
		}
	})
}

// checkAnswer checks one call's outcome against the canned answer.
func checkAnswer(t *testing.T, call string, a cannedAnswer, want []byte, resp *Response, err error) {
	t.Helper()
	if err == nil {
		if resp == nil || !bytes.Equal(resp.Body, want) {
			t.Fatalf("%s: no error and a response %v; want the response with the body received", call, resp)
		}
		return
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "driver: ") {
		t.Errorf("%s: error %q is not prefixed with the package name", call, msg)
	}
	if strings.Contains(msg, fuzzSecret) {
		t.Errorf("%s: error %q shows the secret", call, msg)
	}
	var (
		oe  *OAuthError
		me  *MalformedResponseError
		be  *BodyError
		got []byte
	)
	switch {
	case errors.As(err, &be):
		if be.Response == nil || be.Failure < BodyCutOff || be.Failure > BodyUndecodable {
			t.Fatalf("%s: %#v; want a BodyError with the response and a failure", call, be)
		}
		// A body that breaks off or is too large keeps what was read: a prefix of the raw body, or of
		// its decoding. An undecodable one keeps the raw bytes.
		if !bytes.HasPrefix(a.body, be.Response.Body) && !bytes.HasPrefix(want, be.Response.Body) {
			t.Errorf("%s: BodyError keeps %q; want a prefix of %q", call, be.Response.Body, a.body)
		}
		if be.Failure == BodyTooLarge && (be.Limit != fuzzLimit || !strings.Contains(msg, strconv.Itoa(fuzzLimit))) {
			t.Errorf("%s: %q does not name the limit %d", call, msg, fuzzLimit)
		}
		return
	case errors.As(err, &oe):
		if oe.Response == nil || !bytes.Equal(oe.Body, oe.Response.Body) || oe.Status != oe.Response.Status {
			t.Fatalf("%s: OAuthError %#v does not keep its response", call, oe)
		}
		got = oe.Body
	case errors.As(err, &me):
		if me.Response == nil || me.Reason == "" {
			t.Fatalf("%s: %#v; want the response and a reason", call, me)
		}
		got = me.Response.Body
	default:
		// Authorize refuses a redirect whose Location is not a URL; it keeps the response.
		if _, perr := url.Parse(a.location); call != "Authorize" || perr == nil || resp == nil {
			t.Fatalf("%s: untyped error %T %v", call, err, err)
		}
		got = resp.Body
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s: the error keeps %q; want the body received, %q", call, got, want)
	}
	if resp != nil && !bytes.Equal(resp.Body, got) {
		t.Errorf("%s: the result's response and the error disagree on the body", call)
	}
}

// FuzzRedactKnownSecret plants a known secret anywhere in arbitrary text and checks that no output of the
// Redactor shows it in any of the forms it takes on the wire.
func FuzzRedactKnownSecret(f *testing.F) {
	r := NewRedactor(nil, fuzzSecret)
	forms := encodings(fuzzSecret)
	f.Fuzz(func(t *testing.T, text string, at int) {
		if at < 0 {
			at = -at
		}
		at %= len(text) + 1
		for at > 0 && at < len(text) && !utf8.RuneStart(text[at]) {
			at--
		}
		s := text[:at] + fuzzSecret + text[at:]
		outputs := map[string]string{
			"Body": r.Body([]byte(s)),
			"Text": r.Text(s),
			"URL":  r.URL("https://h/p?" + s),
		}
		for k, vs := range r.Header(http.Header{"Authorization": {"Bearer " + s}, "Location": {s}, "X-Echo": {s}}) {
			outputs["Header "+k] = strings.Join(vs, "\n")
		}
		for name, out := range outputs {
			for _, form := range forms {
				if strings.Contains(out, form) {
					t.Errorf("%s(%q) = %q shows the secret as %q", name, s, out, form)
				}
			}
		}
	})
}
