package rcmock

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// form holds the parameters of a form-encoded request body. RFC 6749 §3.1: parameters sent without a value
// are treated as if they were omitted, so get returns "" for both.
type form struct {
	values url.Values
}

func (f form) get(key string) string {
	if v := f.values[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (f form) has(key string) bool { return f.get(key) != "" }

// formContentType is the media type RingCentral requires for token and revocation requests (OpenAPI
// requestBody; 415 for anything else).
const formContentType = "application/x-www-form-urlencoded"

// readForm reads a request body that must be application/x-www-form-urlencoded. An empty body needs no
// content type. Duplicated parameters are refused with OAU-111 (RFC 6749 §3.2 "Request and response
// parameters MUST NOT be included more than once"), naming the first duplicate in body order.
func readForm(w http.ResponseWriter, r *http.Request, maxBytes int64) (form, *Error) {
	body, e := readFormBody(w, r, maxBytes)
	if e != nil {
		return form{}, e
	}
	return parseFormBody(body)
}

// readFormBody reads a request body with readForm's size and media-type rules but does not parse it, for
// the authorization endpoint, which applies its own duplicate rule (authorize.go).
func readFormBody(w http.ResponseWriter, r *http.Request, maxBytes int64) (string, *Error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return "", errBodyTooLarge()
		}
		return "", errInvalidParameter("body", "").withReason("reading body: %v", err)
	}
	// The exact media type, which every SDK sends, needs no parsing (mime.ParseMediaType allocates a map).
	if ct := r.Header.Get("Content-Type"); (len(body) > 0 || ct != "") && ct != formContentType {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !strings.EqualFold(mt, formContentType) {
			return "", errUnsupportedMediaType(ct)
		}
	}
	return string(body), nil
}

// parseFormBody decodes an application/x-www-form-urlencoded body, refusing duplicates and malformed
// escapes.
func parseFormBody(body string) (form, *Error) {
	values := url.Values{}
	err := eachFormPair(body, "form body", func(key, value string) *Error {
		if _, dup := values[key]; dup {
			return errDuplicateParameter(key)
		}
		values[key] = []string{value}
		return nil
	})
	if err != nil {
		return form{}, err
	}
	return form{values: values}, nil
}

// eachFormPair calls fn with every key and value of an application/x-www-form-urlencoded string, in order,
// and refuses malformed percent-encoding (naming what was parsed, e.g. "form body").
func eachFormPair(raw, what string, fn func(key, value string) *Error) *Error {
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		rawKey, rawValue, _ := strings.Cut(pair, "=")
		key, err1 := url.QueryUnescape(rawKey)
		value, err2 := url.QueryUnescape(rawValue)
		if err1 != nil || err2 != nil {
			return errInvalidParameter(rawKey, "").withReason("malformed percent-encoding in the %s", what)
		}
		if e := fn(key, value); e != nil {
			return e
		}
	}
	return nil
}

// postForm is the common start of the endpoints that take a form by POST: the request's realm, then 405
// for another method, and the body read by readForm.
func (s *Server) postForm(w http.ResponseWriter, r *http.Request) (*realm, form, *Error) {
	rl := s.realmFor(r)
	if r.Method != http.MethodPost {
		return rl, form{}, errMethodNotAllowed(http.MethodPost)
	}
	f, e := readForm(w, r, s.opts.MaxBodyBytes)
	return rl, f, e
}

// clientForm is a form POST from an authenticated client, as openClientForm opens it.
type clientForm struct {
	rl     *realm
	f      form
	client authenticatedClient
}

// openClientForm is the common start of the endpoints where a client posts a form and authenticates as at
// the token endpoint (token, revocation, device authorization, introspection): postForm, then the Auth
// group's throttle charged to subject (computed only when the realm's rate limit is on; it sees the form),
// then client authentication (clientauth.go). A non-nil error is the answer, to be written as it is; the
// realm is set even then.
func (s *Server) openClientForm(w http.ResponseWriter, r *http.Request, subject func(*realm, form) string) (clientForm, *Error) {
	rl, f, e := s.postForm(w, r)
	if e != nil {
		return clientForm{rl: rl}, e
	}
	if e := rl.throttleBy(w, func() string { return subject(rl, f) }); e != nil {
		return clientForm{rl: rl}, e
	}
	client, e := s.authenticateClient(r, f, rl)
	return clientForm{rl: rl, f: f, client: client}, e
}

// queryForm parses a URL query with the same duplicate rule as a body.
func queryForm(rawQuery string) (form, *Error) {
	return parseFormBody(rawQuery)
}
