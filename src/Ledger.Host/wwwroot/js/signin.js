// Signing in through the identity provider from the browser: OAuth 2.0 authorization code flow with
// PKCE (RFC 7636, S256) for a public client, as the ledger's GET /api/session describes it (authority,
// client id, scopes, redirect path). The page reads the provider's discovery document, sends the
// browser to its authorization endpoint with a fresh state and code challenge, and on the way back
// (/signed-in) exchanges the code and its verifier for an access token at the token endpoint. The
// answer comes in the URL's fragment (response_mode=fragment), which the browser never sends: the
// code never reaches the ledger's server or its logs. The access token is what the ledger accepts;
// nothing else is kept.

import { saveToken } from './access.js';

const PENDING = 'ledger.signin';

function base64url(bytes) {
  let text = '';
  for (const byte of new Uint8Array(bytes)) {
    text += String.fromCharCode(byte);
  }
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomText(length) {
  return base64url(crypto.getRandomValues(new Uint8Array(length)));
}

async function discovery(authority) {
  const base = authority.endsWith('/') ? authority : `${authority}/`;
  const response = await fetch(`${base}.well-known/openid-configuration`, { headers: { Accept: 'application/json' }, credentials: 'omit' });
  if (!response.ok) {
    throw new Error(`The identity provider's discovery document answered HTTP ${response.status}.`);
  }
  const document = await response.json();
  if (!document.authorization_endpoint || !document.token_endpoint) {
    throw new Error('The identity provider\'s discovery document names no authorization or token endpoint.');
  }
  return document;
}

function redirectUri(signIn) {
  return `${location.origin}${signIn.redirectPath}`;
}

/**
 * Sends the browser to the identity provider; it comes back to /signed-in. Rejects with an Error whose
 * message says why when it cannot start (the provider unreachable, a page without Web Crypto).
 */
export async function startSignIn(signIn, returnTo) {
  if (!crypto?.subtle) {
    throw new Error('Signing in needs a secure page: open the ledger over https (or at this machine\'s own address).');
  }
  const provider = await discovery(signIn.authority);
  const verifier = randomText(32);
  const state = randomText(16);
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PENDING, JSON.stringify({ state, verifier, returnTo, tokenEndpoint: provider.token_endpoint }));

  const url = new URL(provider.authorization_endpoint);
  for (const [name, value] of Object.entries({
    response_type: 'code',
    client_id: signIn.clientId,
    redirect_uri: redirectUri(signIn),
    scope: signIn.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    response_mode: 'fragment',
  })) {
    url.searchParams.set(name, value);
  }
  location.assign(url.toString());
}

function takePending() {
  try {
    const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null');
    sessionStorage.removeItem(PENDING);
    return pending;
  } catch {
    return null;
  }
}

/**
 * Finishes a sign-in on /signed-in with the provider's answer (the parameters of the URL's fragment):
 * checks the state, exchanges the code for an access token and keeps it. Resolves to
 * { ok: true, returnTo } or { ok: false, message }.
 */
export async function completeSignIn(signIn, search) {
  const pending = takePending();
  if (search.get('error')) {
    return { ok: false, message: `The identity provider did not sign you in: ${search.get('error_description') || search.get('error')}.`, returnTo: pending?.returnTo };
  }
  if (!pending || !search.get('state') || search.get('state') !== pending.state) {
    return { ok: false, message: 'This answer of the identity provider does not belong to a sign-in started in this tab. Start again.' };
  }
  if (!search.get('code')) {
    return { ok: false, message: 'The identity provider sent no authorization code.', returnTo: pending.returnTo };
  }

  let response;
  try {
    response = await fetch(pending.tokenEndpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      credentials: 'omit',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: search.get('code'),
        redirect_uri: redirectUri(signIn),
        client_id: signIn.clientId,
        code_verifier: pending.verifier,
      }),
    });
  } catch {
    return { ok: false, message: 'The identity provider could not be reached to finish signing in.', returnTo: pending.returnTo };
  }
  const answer = await response.json().catch(() => ({}));
  if (!response.ok || !answer.access_token) {
    return {
      ok: false,
      message: `The identity provider refused to finish signing in: ${answer.error_description || answer.error || `HTTP ${response.status}`}.`,
      returnTo: pending.returnTo,
    };
  }
  saveToken(answer.access_token);
  return { ok: true, returnTo: pending.returnTo };
}
