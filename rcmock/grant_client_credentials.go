package rcmock

// grantClientCredentials is the client_credentials grant (RFC 6749 §4.4), which RingCentral allows "only by
// trusted RingCentral partner applications" (DOCS-LEGACY). OpenAPI ClientCredentialsTokenRequest is a oneOf:
// ByAccount {account_id}, ByBrand {brand_id} or ByPartnerAccount {brand_id, partner_account_id}.
//
// The session has no user, so no owner_id and no per-user session limit, and no refresh token (the
// DOCS-LEGACY example answers without one, with "expires_in" : 3599; client_credentials is not in
// refreshingGrants). It acts for the account named by account_id or by the partner account; a ByBrand session
// acts for no account, so GET /restapi/v1.0/account/~ answers it 404 (the mock's choice: which account a
// brand-wide partner token reads is UNVERIFIED).
func grantClientCredentials(g *grantCtx) (*tokenInfo, *Error) {
	req, e := parseClientCredentials(g.f)
	if e != nil {
		return nil, e
	}
	scope, e := g.scope(g.app.Scopes)
	if e != nil {
		return nil, e
	}
	account, e := g.s.fx.clientCredentialsAccount(req)
	if e != nil {
		return nil, e
	}
	return g.issue(issueSpec{account: account, scope: scope})
}

// clientCredentialsRequest is one of the three shapes of ClientCredentialsTokenRequest.
type clientCredentialsRequest struct {
	accountID, brandID, partnerAccountID string
}

// parseClientCredentials tells the oneOf branches apart. A request that fits more than one (account_id next
// to brand_id or partner_account_id) is ambiguous and refused rather than guessed; partner_account_id alone
// lacks the brand_id ByPartnerAccount requires; a request with none of them names account_id, the branch a
// customer's own app would use. All are invalid_request (RFC 6749 §5.2: a missing or malformed parameter).
func parseClientCredentials(f form) (clientCredentialsRequest, *Error) {
	req := clientCredentialsRequest{
		accountID:        f.get("account_id"),
		brandID:          f.get("brand_id"),
		partnerAccountID: f.get("partner_account_id"),
	}
	switch {
	case req.accountID != "" && (req.brandID != "" || req.partnerAccountID != ""):
		return req, errInvalidParameter("account_id", req.accountID).
			withReason("account_id cannot be combined with brand_id or partner_account_id: the request must match exactly one of ByAccount, ByBrand, ByPartnerAccount")
	case req.partnerAccountID != "" && req.brandID == "":
		return req, errMissingParameter("brand_id").withReason("partner_account_id requires brand_id (ClientCredentialsByPartnerAccount)")
	case req.accountID == "" && req.brandID == "":
		return req, errMissingParameter("account_id").withReason("one of account_id, brand_id, or brand_id with partner_account_id is required")
	}
	return req, nil
}

// clientCredentialsAccount resolves a parsed request to the account the session acts for (nil for
// ByBrand). Ids that name nothing are invalid_grant with RingCentral's CMN-102 "Resource for parameter [x] is
// not found"; a partner account id is looked up within the given brand only.
func (x *fixture) clientCredentialsAccount(req clientCredentialsRequest) (*Account, *Error) {
	if req.accountID != "" {
		a := x.accounts[req.accountID]
		if a == nil {
			return nil, errResourceNotFound("account_id", req.accountID).withReason("no account %q", req.accountID)
		}
		return a, nil
	}
	if x.brands[req.brandID] == nil {
		return nil, errResourceNotFound("brand_id", req.brandID).withReason("no brand %q", req.brandID)
	}
	if req.partnerAccountID == "" {
		return nil, nil
	}
	for i := range x.Accounts {
		a := &x.Accounts[i]
		if a.PartnerAccountID == req.partnerAccountID && a.BrandID == req.brandID {
			return a, nil
		}
	}
	return nil, errResourceNotFound("partner_account_id", req.partnerAccountID).
		withReason("no account of brand %s has partner account id %q", req.brandID, req.partnerAccountID)
}
