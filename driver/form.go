package driver

import (
	"net/url"
	"strings"
)

// Param is one key/value pair of a request's parameters.
type Param struct {
	Key, Value string
}

// Form is an ordered list of request parameters that, unlike url.Values, keeps the order in which
// parameters were added and may hold the same key more than once or with an empty value.
//
// RFC 6749 §3.1 and §3.2 say that parameters sent without a value are treated as omitted and that
// request and response parameters must not be included more than once; RingCentral answers a repeated
// parameter with OAU-111 "Request parameter duplication detected". A Form lets negative tests send
// exactly such requests. It is used for token, authorization and revocation requests.
//
// The zero value is an empty form ready to use.
type Form []Param

// NewForm returns a form built from key/value pairs, in order: NewForm("grant_type", "password",
// "username", "alice"). Duplicate keys are kept. A trailing key without a value gets the empty value.
func NewForm(pairs ...string) Form {
	f := make(Form, 0, (len(pairs)+1)/2)
	for i := 0; i < len(pairs); i += 2 {
		p := Param{Key: pairs[i]}
		if i+1 < len(pairs) {
			p.Value = pairs[i+1]
		}
		f = append(f, p)
	}
	return f
}

// Add appends a parameter, even if the key is already present.
func (f *Form) Add(key, value string) {
	*f = append(*f, Param{Key: key, Value: value})
}

// Set replaces every parameter named key by a single one holding value, at the position of the first
// occurrence. If key is absent, the parameter is appended.
func (f *Form) Set(key, value string) {
	out := (*f)[:0:0]
	found := false
	for _, p := range *f {
		if p.Key != key {
			out = append(out, p)
			continue
		}
		if !found {
			out = append(out, Param{Key: key, Value: value})
			found = true
		}
	}
	if !found {
		out = append(out, Param{Key: key, Value: value})
	}
	*f = out
}

// Del removes every parameter named key.
func (f *Form) Del(key string) {
	out := (*f)[:0:0]
	for _, p := range *f {
		if p.Key != key {
			out = append(out, p)
		}
	}
	*f = out
}

// Get returns the value of the first parameter named key, or "" if there is none.
func (f Form) Get(key string) string {
	for _, p := range f {
		if p.Key == key {
			return p.Value
		}
	}
	return ""
}

// Values returns the values of every parameter named key, in order.
func (f Form) Values(key string) []string {
	var vs []string
	for _, p := range f {
		if p.Key == key {
			vs = append(vs, p.Value)
		}
	}
	return vs
}

// Has reports whether a parameter named key is present, even with an empty value.
func (f Form) Has(key string) bool {
	for _, p := range f {
		if p.Key == key {
			return true
		}
	}
	return false
}

// Clone returns an independent copy of f. The clone of a nil form is an empty, non-nil form.
func (f Form) Clone() Form {
	return append(make(Form, 0, len(f)), f...)
}

// Encode encodes f as application/x-www-form-urlencoded (RFC 6749 Appendix B), keeping the order and
// the duplicates: "grant_type=password&scope=a&scope=b". A parameter with an empty value is encoded as
// "key=".
func (f Form) Encode() string {
	var b strings.Builder
	for i, p := range f {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(p.Key))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(p.Value))
	}
	return b.String()
}

// String returns the encoded form; see [Form.Encode].
func (f Form) String() string { return f.Encode() }
