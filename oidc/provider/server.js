// node-oidc-provider (an OpenID Certified authorization server that no one on this project wrote) as an
// independent target for the harness's RFC dialect: `make test` starts it on a free loopback port and runs
// the RFC-level features against it with the rfc profile (oidcprovider_test.go at the repository root).
//
// The configuration lives here, in the repository; the Go test passes only what it makes per run through
// the environment: RCOAUTH_PRIVATE_KEY_JWT_JWKS, the public JWK Set of the private_key_jwt client's
// fresh key. The server prints "listening on <issuer>" once it accepts requests, and stops on SIGTERM.
import http from 'node:http';

import Provider from 'oidc-provider';

// REDIRECT_URI is registered for every client; the browser sign-in captures the redirect before it is sent.
export const REDIRECT_URI = 'https://client.example.org/callback';

// Clients for each client authentication method the harness exercises (RFC 6749 §2.3.1, RFC 7523 §2.2)
// and a public PKCE client (RFC 7636; RFC 9700 §2.1.1). The ids and secrets are fixtures of this test
// server, valid nowhere else; the Go test puts the same values into the rfc profile.
export const CLIENTS = [
  {
    client_id: 'basic-client', client_secret: 'basic-client-secret-0123456789abcdef',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code'],
  },
  {
    client_id: 'post-client', client_secret: 'post-client-secret-0123456789abcdef0',
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
  },
  {
    client_id: 'secret-jwt-client', client_secret: 'secret-jwt-client-HMAC-key-0123456789abcdef',
    token_endpoint_auth_method: 'client_secret_jwt', token_endpoint_auth_signing_alg: 'HS256',
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
  },
  {
    client_id: 'private-key-client',
    token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'RS256',
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
  },
  {
    client_id: 'public-client', token_endpoint_auth_method: 'none', application_type: 'native',
    grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
  },
].map((c) => ({ redirect_uris: [REDIRECT_URI], response_types: c.grant_types.includes('authorization_code') ? ['code'] : [], ...c }));

const jwks = process.env.RCOAUTH_PRIVATE_KEY_JWT_JWKS;
if (!jwks) {
  console.error('RCOAUTH_PRIVATE_KEY_JWT_JWKS is not set: the Go test passes the private_key_jwt client\'s public keys');
  process.exit(2);
}
CLIENTS.find((c) => c.client_id === 'private-key-client').jwks = JSON.parse(jwks);

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: CLIENTS,
    scopes: ['openid', 'offline_access'],
    features: {
      devInteractions: { enabled: true }, // the development login and consent pages (recipe oidc-provider-dev)
      revocation: { enabled: true }, // RFC 7009
      introspection: { enabled: true }, // RFC 7662
      deviceFlow: { enabled: true }, // RFC 8628
      clientCredentials: { enabled: true }, // RFC 6749 §4.4
    },
    // Refresh tokens for every client allowed the refresh_token grant, without asking for offline_access.
    issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
    cookies: { keys: ['rcoauth-test-cookie-key'] },
  });
  provider.proxy = false;
  server.on('request', provider.callback());
  console.log(`listening on ${issuer}`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('SIGINT', () => server.close(() => process.exit(0)));
