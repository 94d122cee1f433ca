// OpenID provider for the Kairos tests (npm oidc-provider 9 with its built-in dev login and consent forms;
// any password is accepted). PORT=0 (default) picks a free port; the first line printed names the issuer.
//   REDIRECT_URI  the relying party's callback, fixed at start (default http://127.0.0.1:8000/auth/callback)
//   ISSUER        claim this issuer instead of http://127.0.0.1:<port>: a provider that lies about who it is
// Tests change an account's claims (or add one) with PUT /_test/accounts/<id> and a JSON body of claims.
import http from 'node:http';
import Provider from 'oidc-provider';

const REDIRECT = process.env.REDIRECT_URI || 'http://127.0.0.1:8000/auth/callback';
const ACCOUNTS = {
  alice: { sub: 'alice', email: 'alice@example.test', email_verified: true, name: 'Alice Example',
           preferred_username: 'alice', groups: ['admins', 'staff'] },
  bob: { sub: 'bob', email: 'bob@example.test', email_verified: true, name: 'Bob Example',
         preferred_username: 'bob', groups: ['staff'] },
  carol: { sub: 'carol', name: 'Carol No-Email', preferred_username: 'carol', groups: ['staff'] },
  dave: { sub: 'dave', email: 'dave@example.test', email_verified: false, name: 'Dave Unverified', groups: [] },
};

function testControl(req, res) {
  const match = /^\/_test\/accounts\/([\w.@-]+)$/.exec(req.url);
  if (!match || req.method !== 'PUT') return false;
  let body = '';
  req.on('data', (chunk) => { body += chunk; });
  req.on('end', () => {
    ACCOUNTS[match[1]] = { sub: match[1], ...JSON.parse(body) };
    res.writeHead(204).end();
  });
  return true;
}

const server = http.createServer();
server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  const issuer = process.env.ISSUER || `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [
      { client_id: 'uptime', client_secret: 'uptime-secret', redirect_uris: [REDIRECT],
        post_logout_redirect_uris: [new URL('/', REDIRECT).href],
        grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic' },
      { client_id: 'uptime-public', redirect_uris: [REDIRECT], grant_types: ['authorization_code'],
        response_types: ['code'], token_endpoint_auth_method: 'none' },
    ],
    scopes: ['openid', 'email', 'profile', 'offline_access'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'],
              profile: ['name', 'preferred_username', 'groups', 'realm_access'] },
    async findAccount(ctx, id) {
      const a = ACCOUNTS[id]; if (!a) return undefined;
      return { accountId: id, async claims() { return ACCOUNTS[id]; } };
    },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    conformIdTokenClaims: false, // email, name and groups also go into the ID token
    cookies: { keys: ['test-only-cookie-key'] },
    ttl: { AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, Session: 3600, Interaction: 600, Grant: 3600 },
  });
  const callback = provider.callback();
  server.on('request', (req, res) => { if (!testControl(req, res)) callback(req, res); });
  console.log(`listening on 127.0.0.1:${server.address().port} issuer=${issuer}`);
});
