// HTTP authentication as Mesos' basic authenticator does it, plus bearer tokens (decision 0090). Pure: an
// Authorization header and the credentials in, an outcome out; the fastify hooks carry it out.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { CredentialSet } from './credentials.ts';

export type AuthOutcome =
  | { kind: 'anonymous' }
  | { kind: 'authenticated'; principal: string; scheme: 'basic' | 'bearer' }
  | { kind: 'failed'; reason: 'malformed' | 'unknown-principal' | 'wrong-secret' | 'unknown-token' | 'unsupported-scheme'; message: string };

/** Mesos' challenge; bearer clients get theirs too when tokens are configured. */
export function challenges(credentials: CredentialSet | undefined): string[] {
  return credentials?.tokens.length ? ['Basic realm="mesos"', 'Bearer realm="mesos"'] : ['Basic realm="mesos"'];
}

/** Compares secrets in constant time (hashes first, so lengths do not leak either). */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

export function authenticate(header: string | undefined, credentials: CredentialSet | undefined): AuthOutcome {
  if (header === undefined || header === '') return { kind: 'anonymous' };
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const value = space < 0 ? '' : header.slice(space + 1).trim();
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (!value || colon <= 0) return { kind: 'failed', reason: 'malformed', message: 'Malformed \'Authorization\' header: expected Basic base64(principal:secret)' };
    const principal = decoded.slice(0, colon);
    const secret = decoded.slice(colon + 1);
    const known = credentials?.credentials.find((c) => c.principal === principal);
    if (!known) return { kind: 'failed', reason: 'unknown-principal', message: 'Authentication failed: unknown principal or wrong secret' };
    if (!sameSecret(known.secret, secret)) return { kind: 'failed', reason: 'wrong-secret', message: 'Authentication failed: unknown principal or wrong secret' };
    return { kind: 'authenticated', principal, scheme: 'basic' };
  }
  if (scheme === 'bearer') {
    if (!value) return { kind: 'failed', reason: 'malformed', message: 'Malformed \'Authorization\' header: expected Bearer <token>' };
    const known = credentials?.tokens.find((t) => sameSecret(t.token, value));
    if (!known) return { kind: 'failed', reason: 'unknown-token', message: 'Authentication failed: unknown bearer token' };
    return { kind: 'authenticated', principal: known.principal, scheme: 'bearer' };
  }
  return { kind: 'failed', reason: 'unsupported-scheme', message: `Unsupported authentication scheme '${scheme}': use Basic or Bearer` };
}

/** The header a client sends for a principal and secret. */
export function basicAuthorization(principal: string, secret: string): string {
  return `Basic ${Buffer.from(`${principal}:${secret}`).toString('base64')}`;
}
