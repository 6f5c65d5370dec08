// Package openapi checks RingCentral OAuth 2.0 / OpenID Connect responses against RingCentral's own
// OpenAPI 3.0.3 description of those endpoints.
//
// The descriptions are embedded from spec/ (byte-identical copies of RingCentral's public OpenAPI
// description, OAuth subset; see spec/README.md for their provenance) and validated with
// github.com/getkin/kin-openapi/openapi3, so no schema is re-described by hand here: when RingCentral
// changes a schema, replacing the file is the whole update.
//
// Two checks are offered. ValidateSchema validates a body against one named schema of
// components.schemas ("TokenInfo", "OpenIdDiscovery", "JWKeySet", "UserInfoResource", ...).
// ValidateResponse looks the operation up by method and path, as a client of the API would, and
// validates the body against whatever the operation declares for the status code, following
// $ref into components.responses (for example OauthInvalidRequest for HTTP 400 from
// POST /restapi/oauth/token).
//
// A response that does not conform is reported as a *ValidationError listing every problem at once;
// any other error (unknown version, schema, path or method) is a mistake in the calling code.
//
// JSON numbers are decoded with json.Decoder.UseNumber, which kin-openapi accepts: the validator sees
// the number exactly as sent (so "3600" the string is a type error and 3600.5 fails "integer"),
// although kin-openapi converts it to float64 for numeric checks, so integers beyond 2^53 are
// compared approximately. That is harmless for the int32 fields of these schemas. Like JSON Schema
// draft 6 and later, kin-openapi counts 3600.0 as an integer.
//
// String formats are checked the way kin-openapi does by default: "date-time", "date", "byte" and
// the int32/int64 ranges are enforced; "uri" and "email" are not.
package openapi

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// Version names one of the embedded RingCentral OpenAPI descriptions.
type Version string

// The embedded descriptions (see spec/README.md).
const (
	// Latest is RingCentral's latest public OpenAPI description (spec/oauth-public.json).
	Latest Version = "latest"
	// V2025_09 is the 2025-09 description, which still lists all twelve grant types of
	// POST /restapi/oauth/token (spec/oauth-2025-09.json).
	V2025_09 Version = "2025-09"
)

//go:embed spec/oauth-public.json spec/oauth-2025-09.json
var specFiles embed.FS

// files maps each Version to its embedded file.
var files = map[Version]string{
	Latest:   "spec/oauth-public.json",
	V2025_09: "spec/oauth-2025-09.json",
}

// loaders parses each description at most once; the resulting *Spec is immutable and shared.
var loaders = func() map[Version]func() (*Spec, error) {
	m := make(map[Version]func() (*Spec, error), len(files))
	for v := range files {
		m[v] = sync.OnceValues(func() (*Spec, error) { return load(v) })
	}
	return m
}()

// Spec is a parsed and validated RingCentral OpenAPI description. It is read-only and safe for
// concurrent use.
type Spec struct {
	version Version
	doc     *openapi3.T
}

// Load returns the embedded description for v, parsed and validated on first use and cached for the
// life of the process. It is safe for concurrent use.
func Load(v Version) (*Spec, error) {
	l, ok := loaders[v]
	if !ok {
		known := make([]string, 0, len(files))
		for k := range files {
			known = append(known, string(k))
		}
		slices.Sort(known)
		return nil, fmt.Errorf("openapi: unknown spec version %q (known: %s)", v, strings.Join(known, ", "))
	}
	return l()
}

// load parses and validates the embedded description for v.
func load(v Version) (*Spec, error) {
	data, err := specFiles.ReadFile(files[v])
	if err != nil {
		return nil, fmt.Errorf("openapi: spec %s: %w", v, err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("openapi: spec %s: parse %s: %w", v, files[v], err)
	}
	repairKnownDefects(doc)
	// Examples are documentation only and one of RingCentral's is not valid for its own format
	// (spec/README.md); everything else about the document must be valid.
	if err := doc.Validate(context.Background(), openapi3.DisableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("openapi: spec %s: invalid %s: %w", v, files[v], err)
	}
	return &Spec{version: v, doc: doc}, nil
}

// repairKnownDefects fixes, in memory only, the defects of RingCentral's OAuth subset listed in
// spec/README.md, so that the rest of the document can still be validated strictly.
func repairKnownDefects(doc *openapi3.T) {
	// The token and revoke operations require "OauthBasicScheme", which the subset does not define.
	// RingCentral authenticates confidential clients with HTTP Basic (RFC 6749 §2.3.1).
	const basic = "OauthBasicScheme"
	if doc.Components == nil {
		doc.Components = &openapi3.Components{}
	}
	if doc.Components.SecuritySchemes == nil {
		doc.Components.SecuritySchemes = openapi3.SecuritySchemes{}
	}
	if _, ok := doc.Components.SecuritySchemes[basic]; !ok {
		doc.Components.SecuritySchemes[basic] = &openapi3.SecuritySchemeRef{
			Value: openapi3.NewSecurityScheme().WithType("http").WithScheme("basic"),
		}
	}
}

// Version reports which embedded description s was loaded from.
func (s *Spec) Version() Version { return s.version }

// ValidateSchema validates body, a JSON document, against components.schemas[name] of the
// RingCentral description, e.g. "TokenInfo" (the response of getToken, RFC 6749 §5.1 plus
// RingCentral's additions). It returns nil, a *ValidationError listing every violation (a body that
// is not JSON is one too), or a plain error if the description has no such schema.
//
// Note that the TokenInfo schema only allows the lower-case token_type "bearer", although RFC 6749
// §5.1 makes token_type case-insensitive: this is a check of RingCentral's own contract.
func (s *Spec) ValidateSchema(name string, body []byte) error {
	ref := s.doc.Components.Schemas[name]
	if ref == nil || ref.Value == nil {
		return fmt.Errorf("openapi: spec %s has no schema %q in components.schemas", s.version, name)
	}
	return validateBody(name, ref.Value, body)
}

// ValidateResponse checks a response of operation method path (for example "POST",
// "/restapi/oauth/token"; a full URL or a query string is accepted and reduced to its path) against
// what RingCentral's description declares for status, following the OpenAPI 3.0.3 Responses Object
// rules (https://spec.openapis.org/oas/v3.0.3#responses-object): an exact status, else its range
// ("4XX"), else "default".
//
// If the declared response has content, contentType must match one of its media types and body must
// match that media type's schema. If it declares no content (415 and 429 of getToken), only the
// status is checked. A status that is not declared, a content type that is not declared, or a body
// that does not match is reported as a *ValidationError; a path or method that the description does
// not have is a plain error.
func (s *Spec) ValidateResponse(method, path string, status int, contentType string, body []byte) error {
	method = strings.ToUpper(method)
	if u, err := url.Parse(path); err == nil && u.Path != "" {
		path = u.Path
	}
	item := s.doc.Paths.Value(path)
	if item == nil {
		item = s.doc.Paths.Find(path)
	}
	if item == nil {
		return fmt.Errorf("openapi: spec %s has no path %q (paths: %s)", s.version, path, strings.Join(slices.Sorted(maps.Keys(s.doc.Paths.Map())), ", "))
	}
	op := item.GetOperation(method)
	if op == nil {
		return fmt.Errorf("openapi: spec %s has no operation %s %s (methods: %s)", s.version, method, path, strings.Join(slices.Sorted(maps.Keys(item.Operations())), ", "))
	}
	operation := method + " " + path

	ref := op.Responses.Status(status)
	if ref == nil {
		ref = op.Responses.Default()
	}
	if ref == nil || ref.Value == nil {
		return &ValidationError{
			Schema:   operation,
			Problems: []string{fmt.Sprintf("status %d is not declared (declared: %s)", status, strings.Join(declaredStatuses(op.Responses), ", "))},
			Body:     bytes.Clone(body),
		}
	}
	resp := ref.Value
	if len(resp.Content) == 0 {
		return nil
	}
	media := resp.Content.Get(contentType)
	if media == nil {
		declared := strings.Join(slices.Sorted(maps.Keys(resp.Content)), ", ")
		problem := fmt.Sprintf("content type %q is not declared (declared: %s)", contentType, declared)
		if contentType == "" {
			problem = fmt.Sprintf("no content type (declared: %s)", declared)
		}
		return &ValidationError{
			Schema:   fmt.Sprintf("%s %d response", operation, status),
			Problems: []string{problem},
			Body:     bytes.Clone(body),
		}
	}
	if media.Schema == nil || media.Schema.Value == nil {
		return nil
	}
	name := refName(media.Schema.Ref)
	if name == "" {
		name = refName(ref.Ref)
	}
	if name == "" {
		name = fmt.Sprintf("%s %d response", operation, status)
	}
	return validateBody(name, media.Schema.Value, body)
}

// declaredStatuses lists the response keys of an operation, sorted.
func declaredStatuses(r *openapi3.Responses) []string {
	keys := r.Keys()
	if len(keys) == 0 {
		return []string{"none"}
	}
	return slices.Sorted(slices.Values(keys))
}

// refName returns the last segment of a JSON reference such as "#/components/schemas/TokenInfo".
func refName(ref string) string {
	if ref == "" {
		return ""
	}
	return ref[strings.LastIndexByte(ref, '/')+1:]
}

// validateBody decodes body and validates it against schema, naming the schema name in errors.
func validateBody(name string, schema *openapi3.Schema, body []byte) error {
	value, err := decodeJSON(body)
	if err != nil {
		return &ValidationError{Schema: name, Problems: []string{"body is not JSON: " + err.Error()}, Body: bytes.Clone(body)}
	}
	err = schema.VisitJSON(value,
		openapi3.MultiErrors(),
		openapi3.VisitAsResponse(),
		// The value of a failed property is already in Body; keep schema and value dumps out of
		// the messages so that each problem fits on one line.
		openapi3.DisableSchemaErrorDetails(),
	)
	if err == nil {
		return nil
	}
	return &ValidationError{Schema: name, Problems: problems(err), Body: bytes.Clone(body)}
}

// decodeJSON decodes exactly one JSON value, keeping numbers as json.Number.
func decodeJSON(body []byte) (any, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, errors.New("empty body")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return v, nil
}

// problems flattens a kin-openapi validation error into one line per violation. The failures
// collected under an allOf are reported individually, since each names a property of the body.
func problems(err error) []string {
	var out []string
	var walk func(error)
	walk = func(err error) {
		var se *openapi3.SchemaError
		switch e := err.(type) {
		case openapi3.MultiError:
			for _, inner := range e {
				walk(inner)
			}
			return
		case *openapi3.SchemaError:
			se = e
		default:
			if !errors.As(err, &se) {
				out = append(out, err.Error())
				return
			}
		}
		var inner openapi3.MultiError
		if se.SchemaField == "allOf" && se.Origin != nil && errors.As(se.Origin, &inner) {
			walk(inner)
			return
		}
		out = append(out, describe(se))
	}
	walk(err)
	return out
}

// describe renders one schema violation as `property "a.b": reason`, naming the property with a
// gjson path like the rest of the harness.
func describe(se *openapi3.SchemaError) string {
	reason := se.Reason
	switch {
	case reason == "" && se.Origin != nil:
		reason = se.Origin.Error()
	case reason == "":
		reason = fmt.Sprintf("does not match %q", se.SchemaField)
	case se.Origin != nil && (se.SchemaField == "oneOf" || se.SchemaField == "anyOf"):
		reason += ": " + se.Origin.Error()
	}
	pointer := se.JSONPointer()
	if len(pointer) == 0 {
		return "body: " + reason
	}
	path := gjsonPath(pointer)
	if se.SchemaField == "required" {
		return fmt.Sprintf("property %q is missing (required)", path)
	}
	return fmt.Sprintf("property %q: %s", path, reason)
}

// gjsonPath joins JSON pointer segments into a gjson path, escaping gjson's special characters.
func gjsonPath(segments []string) string {
	var b strings.Builder
	for i, s := range segments {
		if i > 0 {
			b.WriteByte('.')
		}
		if _, err := strconv.Atoi(s); err == nil {
			b.WriteString(s)
			continue
		}
		for _, r := range s {
			if strings.ContainsRune(`\.*?|#@!:"`, r) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ValidationError reports that a response does not conform to RingCentral's OpenAPI description.
// It keeps every problem found and the raw body, so that a failed step can show what the server
// actually sent.
type ValidationError struct {
	// Schema names what the body was checked against: a components.schemas or
	// components.responses name, or the operation when no schema applies.
	Schema string
	// Problems lists every violation, one line each, such as
	// `property "owner_id": value must be a string`.
	Problems []string
	// Body is the response body as received.
	Body []byte
}

// Error lists every problem on its own line.
func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "openapi: response does not match %s:", e.Schema)
	for _, p := range e.Problems {
		b.WriteString("\n - ")
		b.WriteString(p)
	}
	return b.String()
}
