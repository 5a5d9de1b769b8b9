// Test-only OpenID Connect providers for mentornet's tests: several independent issuers (one per
// member org) in one Node process, each a real `oidc-provider` on its own loopback port, with a
// browserless sign-in (the account named by `login_hint` is signed in and consents to what was asked)
// and test-only admin endpoints under /__test/. Never run this anywhere but a test.
//
// Usage: node provider.mjs '<json>' (or the JSON in $MENTORNET_IDP_CONFIG), where the JSON is
//   {"issuers": [{"name": "acme", "port": 40001,
//                 "clients": [{"client_id": "...", "client_secret": "...", "redirect_uris": ["..."]}],
//                 "accounts": {"alice": {"email": "...", "email_verified": true, "name": "...",
//                                        "given_name": "...", "family_name": "...", "groups": ["..."]}}}]}
// The node modules are looked up in $MENTORNET_IDP_PREFIX/node_modules (`make tools` installs them in
// .venv/idp), else next to this file. Prints "ready <name> <issuer>" per issuer, then "ready", on
// stdout; stops on SIGTERM/SIGINT, and when $MENTORNET_IDP_EXIT_ON_EOF is set, also when its standard
// input closes (mentornet_devkit.idp holds it open, so the providers go when the tests go).

import * as crypto from 'node:crypto';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const prefix = process.env.MENTORNET_IDP_PREFIX || here;
const requireFromPrefix = createRequire(path.join(prefix, 'package.json'));
const { default: Provider, interactionPolicy } = await import(
  pathToFileURL(requireFromPrefix.resolve('oidc-provider')).href
);

const config = JSON.parse(process.argv[2] ?? process.env.MENTORNET_IDP_CONFIG ?? '{"issuers": []}');

// Which claims each scope releases; `groups` is a scope of its own.
const CLAIMS = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: ['name', 'given_name', 'family_name'],
  groups: ['groups'],
};
const ACCOUNT_FIELDS = ['email', 'email_verified', 'name', 'given_name', 'family_name', 'groups'];

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const b64url = (value) => Buffer.from(value).toString('base64url');

function newSigningKey() {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  // RFC 7638 thumbprint, as oidc-provider would compute it.
  const kid = crypto
    .createHash('sha256')
    .update(JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n }))
    .digest('base64url');
  return { privateKey, kid, jwk: { ...jwk, kid, alg: 'RS256', use: 'sig' } };
}

function signJwt(key, claims, header = {}) {
  if (header.alg !== undefined && header.alg !== 'RS256') {
    throw new HttpError(400, 'only RS256 is signed here');
  }
  const protectedHeader = { typ: 'JWT', ...header, alg: 'RS256', kid: header.kid ?? key.kid };
  const input = `${b64url(JSON.stringify(protectedHeader))}.${b64url(JSON.stringify(claims))}`;
  const signature = crypto.sign('sha256', Buffer.from(input), key.privateKey).toString('base64url');
  return `${input}.${signature}`;
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    throw new HttpError(400, 'the body must be JSON');
  }
}

function accountFrom(accountId, data) {
  if (typeof accountId !== 'string' || !accountId) throw new HttpError(400, 'account_id is required');
  const account = { account_id: accountId };
  for (const field of ACCOUNT_FIELDS) if (data[field] !== undefined) account[field] = data[field];
  return account;
}

function clientMetadata(data) {
  const { client_id: clientId, client_secret: clientSecret, redirect_uris: redirectUris } = data;
  if (typeof clientId !== 'string' || !clientId) throw new HttpError(400, 'client_id is required');
  if (typeof clientSecret !== 'string' || !clientSecret) throw new HttpError(400, 'client_secret is required');
  const uris = redirectUris ?? [];
  // A client can be registered before its redirect URI is known (e.g. identity's callback, whose port
  // is only known once the test started it); it cannot authorize until one is added.
  return {
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: uris,
    grant_types: uris.length ? ['authorization_code'] : [],
    response_types: uris.length ? ['code'] : [],
    token_endpoint_auth_method: data.token_endpoint_auth_method ?? 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
  };
}

function startIssuer({ name, port, clients = [], accounts = {} }) {
  const issuer = `http://127.0.0.1:${port}`;
  const key = newSigningKey();
  const accountsById = new Map(
    Object.entries(accounts).map(([accountId, data]) => [accountId, accountFrom(accountId, data)]),
  );

  // The account a login_hint names: its account id, or else its email.
  const resolveHint = (hint) => {
    if (typeof hint !== 'string' || !hint) return undefined;
    if (accountsById.has(hint)) return hint;
    for (const account of accountsById.values()) {
      if (account.email === hint) return account.account_id;
    }
    return undefined;
  };

  // Sign in again whenever login_hint names someone other than whoever holds the session, so a
  // test can switch accounts with one cookie jar.
  const policy = interactionPolicy.base();
  policy.get('login').checks.add(
    new interactionPolicy.Check(
      'login_hint_mismatch',
      'login_hint names another account than the session',
      'login_required',
      (ctx) => {
        const hint = ctx.oidc.params.login_hint;
        if (hint === undefined || ctx.oidc.result?.login) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
        return resolveHint(hint) !== ctx.oidc.session.accountId;
      },
    ),
  );

  const provider = new Provider(issuer, {
    // Clients live in the (per-provider, in-memory) adapter rather than the static configuration, so
    // that /__test/clients can add and replace them at runtime.
    clients: [],
    jwks: { keys: [key.jwk] },
    cookies: {
      // Every issuer shares the 127.0.0.1 cookie domain (cookies ignore ports): distinct names.
      names: {
        session: `_session_${name}`,
        interaction: `_interaction_${name}`,
        resume: `_interaction_resume_${name}`,
      },
      keys: [crypto.randomBytes(32).toString('base64url')],
    },
    claims: CLAIMS,
    // Release the scopes' claims in the ID token itself, not only at the userinfo endpoint.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      Grant: 3600,
      IdToken: 3600,
      Interaction: 600,
      Session: 3600,
    },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    features: {
      devInteractions: { enabled: false },
    },
    interactions: {
      policy,
      url: (ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    async findAccount(ctx, sub) {
      const account = accountsById.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          const claims = { sub };
          for (const field of ACCOUNT_FIELDS) if (account[field] !== undefined) claims[field] = account[field];
          return claims;
        },
      };
    },
    async renderError(ctx, out) {
      ctx.type = 'json';
      ctx.body = out;
    },
  });

  const clientsAdapter = provider.Client.adapter;
  const putClient = async (data) => {
    const metadata = clientMetadata(data);
    try {
      await provider.Client.validate(metadata);
    } catch (err) {
      throw new HttpError(400, `invalid client metadata: ${err.error_description ?? err.message}`);
    }
    await clientsAdapter.upsert(metadata.client_id, metadata);
    return metadata;
  };

  // The browserless sign-in: login as the account login_hint names (or access_denied), then consent
  // to everything that was requested.
  async function interaction(ctx) {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const { prompt, params, session, grantId } = details;
    let result;
    let merge = true;
    if (prompt.name === 'login') {
      const accountId = resolveHint(params.login_hint);
      if (accountId) {
        result = { login: { accountId } };
      } else {
        merge = false;
        result = {
          error: 'access_denied',
          error_description:
            params.login_hint === undefined
              ? 'login_hint is required: this test provider signs in the account it names'
              : `no account ${params.login_hint} at ${name}`,
        };
      }
    } else if (prompt.name === 'consent') {
      const grant = grantId
        ? await provider.Grant.find(grantId)
        : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
      const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = prompt.details;
      if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
      if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
      result = { consent: { grantId: await grant.save() } };
    } else {
      merge = false;
      result = { error: 'access_denied', error_description: `unsupported prompt ${prompt.name}` };
    }
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, {
      mergeWithLastSubmission: merge,
    });
    ctx.redirect(returnTo);
    ctx.status = 303;
  }

  async function admin(ctx) {
    const route = `${ctx.method} ${ctx.path}`;
    if (route === 'POST /__test/accounts') {
      const body = await readJson(ctx.req);
      const account = accountFrom(body.account_id, body);
      accountsById.set(account.account_id, account);
      ctx.body = account;
      return;
    }
    if (route === 'POST /__test/clients') {
      ctx.body = await putClient(await readJson(ctx.req));
      return;
    }
    const redirects = /^\/__test\/clients\/([^/]+)\/redirect_uris$/.exec(ctx.path);
    if (redirects && ctx.method === 'POST') {
      const clientId = decodeURIComponent(redirects[1]);
      const current = await clientsAdapter.find(clientId);
      if (!current) throw new HttpError(404, `no client ${clientId} at ${name}`);
      const { redirect_uris: added = [] } = await readJson(ctx.req);
      const uris = [...new Set([...current.redirect_uris, ...added])];
      ctx.body = await putClient({ ...current, redirect_uris: uris });
      return;
    }
    if (route === 'POST /__test/sign') {
      const { claims, header } = await readJson(ctx.req);
      if (claims === null || typeof claims !== 'object') throw new HttpError(400, 'claims must be an object');
      ctx.body = { token: signJwt(key, claims, header ?? {}), kid: key.kid };
      return;
    }
    throw new HttpError(404, `no test route ${route}`);
  }

  provider.use(async (ctx, next) => {
    try {
      if (ctx.method === 'GET' && /^\/interaction\/[^/]+$/.test(ctx.path)) {
        await interaction(ctx);
        return;
      }
      if (ctx.path.startsWith('/__test/')) {
        await admin(ctx);
        return;
      }
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      ctx.status = err.status;
      ctx.body = { error: err.message };
      return;
    }
    await next();
  });

  provider.on('server_error', (ctx, err) => console.error(`[${name}] server_error`, err));

  return (async () => {
    for (const client of clients) await putClient(client);
    const server = await new Promise((resolve, reject) => {
      const listening = provider.listen(port, '127.0.0.1', () => resolve(listening));
      listening.once('error', reject);
    });
    console.log(`ready ${name} ${issuer}`);
    return server;
  })();
}

const servers = await Promise.all(config.issuers.map(startIssuer));
console.log('ready');

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  for (const server of servers) {
    server.close();
    server.closeAllConnections();
  }
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (process.env.MENTORNET_IDP_EXIT_ON_EOF) {
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}
