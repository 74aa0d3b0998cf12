// Who may call Marathon's and Chronos' HTTP APIs: Marathon's `--http-credentials user:password` and a credentials
// file in the master's shape (credentials.ts: {"credentials":[{"principal","secret"}], "tokens":[...]}), so one
// file format serves every role. The flag and the file may be given together; their union is used.
import { StartupError } from '../common/http.ts';
import { loadFlagFile, parseCredentials, type BearerToken, type Credential, type CredentialSet } from './credentials.ts';

export type HttpCredential = Credential;
export type HttpToken = BearerToken;
export type HttpCredentialSet = CredentialSet;

/** Marathon's flag value "user:password" (the password may itself contain ':'). */
export function parseCredentialsFlag(value: string): HttpCredential {
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1) throw new Error("expected 'user:password'");
  return { principal: value.slice(0, colon), secret: value.slice(colon + 1) };
}

/** A credentials file's text (the master's format); throws with the offending field named. */
export const parseCredentialsFile = parseCredentials;

/** Several sources together; a principal with two different secrets, or a token given twice, is refused. */
export function mergeCredentials(sets: HttpCredentialSet[]): HttpCredentialSet {
  const credentials = new Map<string, HttpCredential>();
  const tokens = new Map<string, HttpToken>();
  for (const set of sets) {
    for (const c of set.credentials) {
      const known = credentials.get(c.principal);
      if (known && known.secret !== c.secret) throw new Error(`principal '${c.principal}' is given twice with different secrets`);
      credentials.set(c.principal, c);
    }
    for (const t of set.tokens) {
      if (tokens.has(t.token) && tokens.get(t.token)!.principal !== t.principal) throw new Error('a token is given twice for different principals');
      tokens.set(t.token, t);
    }
  }
  return { credentials: [...credentials.values()], tokens: [...tokens.values()] };
}

export interface HttpAuthFlags {
  /** --http-credentials user:password */
  httpCredentials?: string;
  /** --http-credentials-file FILE */
  httpCredentialsFile?: string;
}

/** The credentials a role's flags name, or undefined when neither flag is set (the API stays open). */
export function loadHttpCredentials(role: string, flags: HttpAuthFlags): HttpCredentialSet | undefined {
  const sets: HttpCredentialSet[] = [];
  if (flags.httpCredentials !== undefined) {
    try { sets.push({ credentials: [parseCredentialsFlag(flags.httpCredentials)], tokens: [] }); } catch (err) {
      throw new StartupError(`${role}: --http-credentials: ${(err as Error).message}`);
    }
  }
  if (flags.httpCredentialsFile !== undefined) sets.push(loadFlagFile(role, '--http-credentials-file', flags.httpCredentialsFile, parseCredentials));
  if (sets.length === 0) return undefined;
  try { return mergeCredentials(sets); } catch (err) { throw new StartupError(`${role}: --http-credentials/--http-credentials-file: ${(err as Error).message}`); }
}
