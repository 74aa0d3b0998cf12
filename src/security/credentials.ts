// Credentials files in Mesos' formats: the master's --credentials (many principals) and the agent's --credential
// (one principal). Pure parsing plus one loader that turns any problem into a one-line StartupError naming the flag.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { StartupError } from '../common/http.ts';

export interface Credential { principal: string; secret: string }
/** A bearer token and the principal it stands for (Trireme's token scheme, decision 0090). */
export interface BearerToken { principal: string; token: string }
export interface CredentialSet { credentials: Credential[]; tokens: BearerToken[] }

const credentialSchema = z.object({ principal: z.string().min(1), secret: z.string().min(1) });
const tokenSchema = z.object({ principal: z.string().min(1), token: z.string().min(8, 'must be at least 8 characters') });
const credentialsFileSchema = z.object({
  credentials: z.array(credentialSchema).default([]),
  tokens: z.array(tokenSchema).default([]),
}).strict();

function zodProblem(err: z.ZodError): string {
  const issue = err.issues[0]!;
  return `${issue.path.length ? `'${issue.path.join('.')}' ` : ''}${issue.message}`;
}

/** Mesos' text form: one "principal secret" pair per line (blank lines and # comments ignored). */
function parseTextCredentials(text: string): Credential[] {
  const out: Credential[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const parts = line.split(/\s+/);
    if (parts.length !== 2) throw new Error(`line ${i + 1}: expected 'principal secret'`);
    out.push({ principal: parts[0]!, secret: parts[1]! });
  });
  return out;
}

/** The master's --credentials file: {"credentials":[{"principal","secret"}], "tokens":[{"principal","token"}]} or text lines. */
export function parseCredentials(text: string): CredentialSet {
  const trimmed = text.trim();
  let set: CredentialSet;
  if (trimmed.startsWith('{')) {
    let json: unknown;
    try { json = JSON.parse(trimmed); } catch (err) { throw new Error(`invalid JSON: ${(err as Error).message}`); }
    const parsed = credentialsFileSchema.safeParse(json);
    if (!parsed.success) throw new Error(zodProblem(parsed.error));
    set = parsed.data;
  } else {
    set = { credentials: parseTextCredentials(trimmed), tokens: [] };
  }
  if (set.credentials.length === 0 && set.tokens.length === 0) throw new Error('no credentials or tokens in it');
  const seen = new Set<string>();
  for (const c of set.credentials) {
    if (seen.has(c.principal)) throw new Error(`principal '${c.principal}' appears twice`);
    seen.add(c.principal);
  }
  if (new Set(set.tokens.map((t) => t.token)).size !== set.tokens.length) throw new Error('a token appears twice');
  return set;
}

/** The agent's --credential file (also the frameworks' --secret-file is just the secret): {"principal","secret"} or "principal secret". */
export function parseCredential(text: string): Credential {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let json: unknown;
    try { json = JSON.parse(trimmed); } catch (err) { throw new Error(`invalid JSON: ${(err as Error).message}`); }
    const parsed = credentialSchema.safeParse(json);
    if (!parsed.success) throw new Error(zodProblem(parsed.error));
    return parsed.data;
  }
  const list = parseTextCredentials(trimmed);
  if (list.length !== 1) throw new Error(`expected exactly one 'principal secret' line, found ${list.length}`);
  return list[0]!;
}

/** Reads and parses a file named by a flag; any problem is one StartupError line "<role>: <flag> <path>: <problem>". */
export function loadFlagFile<T>(role: string, flag: string, path: string, parse: (text: string) => T): T {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (err) {
    throw new StartupError(`${role}: ${flag} ${path}: cannot read it: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try { return parse(text); } catch (err) {
    throw new StartupError(`${role}: ${flag} ${path}: ${(err as Error).message}`);
  }
}

/** A secret read from a file (the --secret-file flags): its content without the trailing newline. */
export function readSecretFile(what: string, path: string): string {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (err) {
    throw new StartupError(`${what} ${path}: cannot read it: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const secret = text.replace(/\r?\n$/, '');
  if (!secret) throw new StartupError(`${what} ${path}: the file is empty`);
  return secret;
}
