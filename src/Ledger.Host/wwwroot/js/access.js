// Who the page acts for: the bearer token of this tab (pasted, or obtained by signing in through the
// identity provider) and what the ledger says about it (GET /api/session: whether the token is
// accepted, its user, roles and organization). The pages themselves are public; the JSON they read
// may need a token, and the writes always do. The token is kept in sessionStorage: it lives as long
// as the tab and is sent only to this host. What the page reads here only decides what to show and
// ask for (a form, the history); the ledger checks every request itself.

const TOKEN = 'ledger.token';

let session = null;

export function currentToken() {
  try {
    return sessionStorage.getItem(TOKEN);
  } catch {
    return null;
  }
}

export function authorizationHeader() {
  const token = currentToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** Keeps a token for this tab (null forgets it). */
export function saveToken(token) {
  try {
    if (token) {
      sessionStorage.setItem(TOKEN, token.trim().replace(/^Bearer\s+/i, ''));
    } else {
      sessionStorage.removeItem(TOKEN);
    }
  } catch {
    // Storage refused (private mode): the page stays anonymous.
  }
}

/**
 * Asks the ledger how it signs people in and what it makes of this tab's token: GET /api/session.
 * Resolves to the answer, or null when the ledger could not be asked.
 */
export async function loadSession() {
  try {
    const response = await fetch('/api/session', {
      headers: { Accept: 'application/json', ...authorizationHeader() }, credentials: 'same-origin',
    });
    session = response.ok ? await response.json() : null;
  } catch {
    session = null;
  }
  return session;
}

/** The ledger's answer to GET /api/session, or null before it was read or when it could not be. */
export function currentSession() {
  return session;
}

/** The token's own claims ({ sub, role, org, exp }), read without checking it, or null. */
function claims() {
  const token = currentToken();
  if (!token) {
    return null;
  }
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = atob(payload.padEnd(payload.length + ((4 - (payload.length % 4)) % 4), '='));
    return JSON.parse(json);
  } catch {
    return null;
  }
}

/**
 * Who is signed in: { user, roles, organization, expiresAt, checked }, or null. As the ledger read the
 * token when it could be asked (checked: true; null for a refused token); otherwise as the token says.
 */
export function caller() {
  if (session) {
    return session.caller ? { ...session.caller, checked: true } : null;
  }
  const c = claims();
  if (!c?.sub) {
    return null;
  }
  return {
    user: c.sub,
    roles: [c.role].flat().filter(Boolean),
    organization: c.org ?? null,
    expiresAt: typeof c.exp === 'number' ? new Date(c.exp * 1000).toISOString() : null,
    checked: false,
  };
}

/** Whether this tab holds a token that the ledger refused (expired, from another issuer, malformed…). */
export function tokenRefused() {
  return Boolean(session && currentToken() && !session.caller);
}

export function hasRole(role) {
  return caller()?.roles?.includes(role) ?? false;
}

/** Whether the caller may record review decisions: the secretariat. */
export function mayRecordReviews() {
  return hasRole('secretariat');
}

/** Whether the caller may report progress on the commitment: the secretariat, or a focal point of a lead organization. */
export function mayReportProgress(commitment) {
  const who = caller();
  return hasRole('secretariat')
    || (hasRole('focal-point') && Boolean(who.organization) && (commitment.leads ?? []).includes(who.organization));
}
