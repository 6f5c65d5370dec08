// RingCentral's official JavaScript SDK (@ringcentral/sdk), unchanged, against rcmock with the credentials
// of env/mock.env: password, JWT and authorization-code-with-PKCE login, API calls, refresh and logout.
// Run by `make sdk-test` (rcmock/sdk_js_test.go starts the mock and passes RC_SERVER_URL).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SDK } from '@ringcentral/sdk';

const server = process.env.RC_SERVER_URL;
if (!server) {
  throw new Error('RC_SERVER_URL is not set: run these tests through `make sdk-test`');
}
const env = parseEnv(readFileSync(new URL('../../env/mock.env', import.meta.url), 'utf8'));

// parseEnv reads the KEY=VALUE lines of a dotenv file (single-quoted values are literal).
function parseEnv(text) {
  const out = {};
  for (const line of text.split('\n')) {
    const m = line.match(/^([A-Z0-9_]+)=(.*)$/);
    if (!m) continue;
    let v = m[2];
    if (v.startsWith("'") && v.endsWith("'")) v = v.slice(1, -1);
    out[m[1]] = v;
  }
  return out;
}

async function apiStatus(accessToken) {
  const r = await fetch(`${server}/restapi/v1.0/account/~`, { headers: { Authorization: `Bearer ${accessToken}` } });
  return r.status;
}

test('password login, API calls, refresh and logout', async () => {
  const platform = new SDK({ server, clientId: env.RC_CLIENT_ID, clientSecret: env.RC_CLIENT_SECRET }).platform();
  await platform.login({ username: env.RC_USERNAME, extension: env.RC_EXTENSION, password: env.RC_PASSWORD });
  assert.equal(await platform.loggedIn(), true);

  const account = await (await platform.get('/restapi/v1.0/account/~')).json();
  assert.equal(String(account.id), env.RC_ACCOUNT_ID);
  const extension = await (await platform.get('/restapi/v1.0/account/~/extension/~')).json();
  assert.equal(extension.extensionNumber, env.RC_EXTENSION);

  const first = await platform.auth().data();
  assert.equal(typeof first.expires_in, 'number');
  await platform.refresh();
  const second = await platform.auth().data();
  assert.notEqual(second.access_token, first.access_token);
  assert.equal(await apiStatus(first.access_token), 401, 'the access token replaced by the refresh still works');
  assert.equal((await platform.get('/restapi/v1.0/account/~')).status, 200);

  await platform.logout();
  assert.equal(await apiStatus(second.access_token), 401, 'the access token still works after logout');
});

test('JWT login', async () => {
  const platform = new SDK({ server, clientId: env.RC_CLIENT_ID, clientSecret: env.RC_CLIENT_SECRET }).platform();
  await platform.login({ jwt: env.RC_JWT });
  const extension = await (await platform.get('/restapi/v1.0/account/~/extension/~')).json();
  assert.equal(extension.extensionNumber, env.RC_EXTENSION);
  await platform.logout();
});

test('authorization code with PKCE for a public app', async () => {
  const platform = new SDK({ server, clientId: env.RC_PUBLIC_CLIENT_ID }).platform();
  const state = 'sdk-state-42';
  const url = platform.loginUrl({ redirectUri: env.RC_REDIRECT_URI, usePKCE: true, state });
  const answer = await fetch(url, { redirect: 'manual' });
  assert.equal(answer.status, 302);
  const location = answer.headers.get('location');
  assert.ok(location.startsWith(env.RC_REDIRECT_URI), `redirected to ${location}`);
  // Apps pass window.location.search (or .hash) to parseLoginRedirect.
  const params = platform.parseLoginRedirect(new URL(location).search);
  assert.equal(params.state, state);
  assert.ok(params.code);

  await platform.login({ code: params.code, redirect_uri: env.RC_REDIRECT_URI });
  assert.equal((await platform.get('/restapi/v1.0/account/~')).status, 200);
  const before = (await platform.auth().data()).access_token;
  await platform.refresh();
  assert.notEqual((await platform.auth().data()).access_token, before);
  await platform.logout();
  assert.equal(await platform.loggedIn(), false);
});
