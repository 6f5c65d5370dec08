package rcmock

import "strings"

// grantGuest is the guest grant (OpenAPI GuestTokenRequest): anonymous access to one resource, such as a
// meeting, named by resource_type and resource (its URL), optionally within a brand_id.
//
// The token carries the resource's scope (a requested scope must be part of it, RFC 6749 §3.3) and no user:
// no owner_id, no session limit, and no refresh token (guest is not in refreshingGrants; UNVERIFIED, guest
// access being anonymous and short-lived).
func grantGuest(g *grantCtx) (*tokenInfo, *Error) {
	resourceType, e := g.require("resource_type")
	if e != nil {
		return nil, e
	}
	resource, e := g.require("resource")
	if e != nil {
		return nil, e
	}
	res, e := g.s.fx.guestResource(resourceType, resource, g.f.get("brand_id"))
	if e != nil {
		return nil, e
	}
	scope, e := g.scope(strings.Fields(res.Scope))
	if e != nil {
		return nil, e
	}
	return g.issue(issueSpec{scope: scope})
}

// guestResource finds the resource of a guest request. An unknown (resource_type, resource) pair names
// resource in RingCentral's CMN-102 "Resource for parameter [resource] is not found"; a brand_id that is
// unknown, or that differs from the resource's brand, names brand_id.
func (x *fixture) guestResource(resourceType, resource, brandID string) (*GuestResource, *Error) {
	res := x.guests[resourceType+" "+resource]
	if res == nil {
		return nil, errResourceNotFound("resource", resource).
			withReason("no guest resource of type %q at %q", resourceType, resource)
	}
	switch {
	case brandID == "":
	case x.brands[brandID] == nil:
		return nil, errResourceNotFound("brand_id", brandID).withReason("no brand %q", brandID)
	case res.BrandID != "" && res.BrandID != brandID:
		return nil, errResourceNotFound("brand_id", brandID).
			withReason("guest resource belongs to brand %q, not %q", res.BrandID, brandID)
	}
	return res, nil
}
