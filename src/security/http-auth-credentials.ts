// Who may call Marathon's and Chronos' HTTP APIs: Marathon's `--http-credentials user:password` and a credentials
// file in the master's JSON shape ({"credentials":[{"principal","secret"}], "tokens":[{"principal","token"}]}), so
// one file format serves every role. Pure parsing plus one loader that turns any problem into a StartupError line.
// (The master's --credentials parser lives in credentials.ts on another branch; the shapes are the same on purpose.)
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { StartupError } from '../common/http.ts';

export interface HttpCredential { principal: string; secret: string }
/** A bearer token and the principal it stands for. */
export interface HttpToken { principal: string; token: string }
export interface HttpCredentialSet { credentials: HttpCredential[]; tokens: HttpToken[] }

const credentialSchema = z.object({ principal: z.string().min(1), secret: z.string().min(1) }).strict();
const tokenSchema = z.object({ principal: z.string().min(1), token: z.string().min(8, 'must be at least 8 characters') }).strict();
const fileSchema = z.object({
  credentials: z.array(credentialSchema).default([]),
  tokens: z.array(tokenSchema).default([]),
}).strict();

/** Marathon's flag value "user:password" (the password may itself contain ':'). */
export function parseCredentialsFlag(value: string): HttpCredential {
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1) throw new Error("expected 'user:password'");
  return { principal: value.slice(0, colon), secret: value.slice(colon + 1) };
}

/** A credentials file's text; throws with the offending field named. */
export function parseCredentialsFile(text: string): HttpCredentialSet {
  let json: unknown;
  try { json = JSON.parse(text); } catch (err) { throw new Error(`invalid JSON: ${(err as Error).message}`); }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${issue.path.length ? `'${issue.path.join('.')}' ` : ''}${issue.message}`);
  }
  const set = parsed.data;
  if (set.credentials.length === 0 && set.tokens.length === 0) throw new Error('no credentials or tokens in it');
  return set;
}

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
  if (flags.httpCredentialsFile !== undefined) sets.push(loadFlagFile(role, '--http-credentials-file', flags.httpCredentialsFile, parseCredentialsFile));
  if (sets.length === 0) return undefined;
  try { return mergeCredentials(sets); } catch (err) { throw new StartupError(`${role}: --http-credentials/--http-credentials-file: ${(err as Error).message}`); }
}

/** Reads and parses a file a flag names; any problem is one StartupError line "<role>: <flag> <path>: <problem>". */
export function loadFlagFile<T>(role: string, flag: string, path: string, parse: (text: string) => T): T {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (err) {
    throw new StartupError(`${role}: ${flag} ${path}: cannot read it: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try { return parse(text); } catch (err) { throw new StartupError(`${role}: ${flag} ${path}: ${(err as Error).message}`); }
}
