// A real OpenID Connect provider for the single sign-on tests: the certified `oidc-provider` package,
// configured from the environment by tests/identity_provider/__init__.py. Only the sign-in screen is ours
// (the package leaves interactions to its host): one email field, the accounts the test named.
//
//   OIDC_ISSUER    http://127.0.0.1:<port>        OIDC_PORT     <port>
//   OIDC_CLIENTS   [{client_id, client_secret, redirect_uris}]
//   OIDC_ACCOUNTS  {"ana@district.org": {"sub": "...", "email_verified": true, "name": "..."}}
//   OIDC_JWKS      {"keys": [private JWK]}        CLOCK_OFFSET_MS  the suite's day (tests/today.py)
//
// POST /test-only/disable with `email=...` disables an account, as a district's IT does when someone leaves:
// its refresh tokens stop working (oidc-provider finds no account behind them).

// The provider signs and checks times on the suite's clock, as the app and Chromium do, so an ID token
// issued "now" is fresh to the app. Set before the package loads: it reads Date when it signs.
const offset = Number(process.env.CLOCK_OFFSET_MS || 0);
const RealDate = Date;
class SuiteDate extends RealDate {
  constructor(...args) { if (args.length === 0) super(RealDate.now() + offset); else super(...args); }
  static now() { return RealDate.now() + offset; }
}
globalThis.Date = SuiteDate;

const { default: Provider } = await import('oidc-provider');
const http = await import('node:http');

const accounts = JSON.parse(process.env.OIDC_ACCOUNTS || '{}');
const bySubject = Object.fromEntries(Object.entries(accounts).map(([email, a]) => [a.sub, { ...a, email }]));

const provider = new Provider(process.env.OIDC_ISSUER, {
  clients: JSON.parse(process.env.OIDC_CLIENTS).map((c) => ({
    grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic', ...c,
  })),
  jwks: JSON.parse(process.env.OIDC_JWKS),
  cookies: { keys: ['identity-provider-for-tests'] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // Like Google and Microsoft: the email is in the ID token itself, not only behind the userinfo endpoint.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: false } },
  pkce: { required: () => true },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    const account = bySubject[sub];
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() { return { sub, email: account.email, email_verified: account.email_verified, name: account.name }; },
    };
  },
});
provider.proxy = false;
// Its cookies last for the browser's session: their expiry would be on the suite's day, which a browser
// or HTTP client living on the machine's calendar would take as already past.
provider.use(async (ctx, next) => {
  const set = ctx.cookies.set.bind(ctx.cookies);
  ctx.cookies.set = (name, value, options = {}) => {
    const { maxAge, expires, ...rest } = options;
    return set(name, value, value ? rest : options);
  };
  await next();
});

function page(res, status, body) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html lang="en"><head><meta name="viewport" content="width=device-width">
<title>District sign-in</title></head><body style="font-family:sans-serif;margin:1rem">${body}</body></html>`);
}

function readForm(req) {
  return new Promise((resolve) => {
    let raw = '';
    req.on('data', (chunk) => { raw += chunk; });
    req.on('end', () => resolve(new URLSearchParams(raw)));
  });
}

const escape = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    const hint = details.params.login_hint || '';
    return page(res, 200, `<h1>District sign-in</h1><form method="post" action="/interaction/${uid}/login">
<label for="email">District email</label><br><input id="email" name="email" type="email" value="${escape(hint)}">
<button type="submit">Continue</button></form>`);
  }
  if (action !== 'login') return page(res, 404, 'Not found');
  const form = await readForm(req);
  const email = (form.get('email') || '').trim().toLowerCase();
  const account = accounts[email];
  if (!account) return page(res, 200, `<h1>District sign-in</h1><p role="alert">No account ${escape(email)}.</p>`);
  const grant = new provider.Grant({ accountId: account.sub, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope);
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, { login: { accountId: account.sub }, consent: { grantId } },
    { mergeWithLastSubmission: false });
}

const handle = provider.callback();
http.createServer(async (req, res) => {
  if (req.method === 'POST' && req.url === '/test-only/disable') {
    const email = ((await readForm(req)).get('email') || '').toLowerCase();
    const account = accounts[email];
    if (account) { delete bySubject[account.sub]; delete accounts[email]; }
    res.writeHead(account ? 204 : 404);
    return res.end();
  }
  const match = req.url.match(/^\/interaction\/([\w-]+)(?:\/(\w+))?$/);
  if (!match) return handle(req, res);
  try {
    return await interaction(req, res, match[1], match[2]);
  } catch (error) {
    return page(res, 400, `<p>${escape(error.message)}</p>`);
  }
}).listen(Number(process.env.OIDC_PORT), '127.0.0.1', () => console.log('identity provider ready'));
