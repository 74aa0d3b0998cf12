// Credentials of the operator CLI (decision 0097): from flags that name files (--user with --password-file,
// --token-file), environment variables (TRIREME_USER + TRIREME_PASSWORD, TRIREME_TOKEN) or a config file
// ($TRIREME_CONFIG, else $XDG_CONFIG_HOME/trireme/config.json, else ~/.config/trireme/config.json) with optional
// per-service sections. No secret ever has to be a command-line argument, where process lists would show it.
// `resolveCredentials` is pure (file reads injected); `useCredentials`/`authorizationFor` hold the result for
// the one HTTP helper every client goes through.
import { join } from 'node:path';
import { z } from 'zod';
import { baseUrl, CliError, setAuthHeaders } from './http.ts';

export type Service = 'master' | 'marathon' | 'chronos';
export const SERVICES: readonly Service[] = ['master', 'marathon', 'chronos'];

/** What the CLI presents: a user and password (HTTP Basic) or a bearer token. */
export type ClientCredential = { kind: 'basic'; user: string; password: string; source: string } | { kind: 'bearer'; token: string; source: string };

export interface CredentialFlags { user?: string; passwordFile?: string; tokenFile?: string; config?: string }

export interface CredentialSources {
  flags: CredentialFlags;
  env: NodeJS.ProcessEnv;
  /** Reads a file's text; throws (with `code: 'ENOENT'` when missing) like fs.readFileSync. */
  readFile(path: string): string;
  home: string;
}

const entryFields = { user: z.string().min(1).optional(), password: z.string().optional(), token: z.string().min(1).optional() };
const sectionSchema = z.object(entryFields).strict();
const configSchema = z.object({ ...entryFields, master: sectionSchema.optional(), marathon: sectionSchema.optional(), chronos: sectionSchema.optional() }).strict();
type Entry = z.infer<typeof sectionSchema>;

/** The config file the CLI reads: --config, $TRIREME_CONFIG, or the XDG default (optional: it may not exist). */
export function configPath(flags: CredentialFlags, env: NodeJS.ProcessEnv, home: string): { path: string; explicit: boolean } {
  if (flags.config) return { path: flags.config, explicit: true };
  if (env.TRIREME_CONFIG) return { path: env.TRIREME_CONFIG, explicit: true };
  return { path: join(env.XDG_CONFIG_HOME || join(home, '.config'), 'trireme', 'config.json'), explicit: false };
}

function readSecretFile(s: CredentialSources, flag: string, path: string): string {
  let text: string;
  try { text = s.readFile(path); } catch (err) {
    throw new CliError('usage', `${flag} ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  const secret = text.replace(/\r?\n$/, '');
  if (secret === '') throw new CliError('usage', `${flag} ${path}: the file is empty`);
  return secret;
}

/** One source's entry as a credential; `where` names the source in messages. */
function fromEntry(e: Entry, where: string): ClientCredential | undefined {
  if (e.token !== undefined && e.user !== undefined) throw new CliError('usage', `${where}: give either a token or a user and password, not both`);
  if (e.token !== undefined) return { kind: 'bearer', token: e.token, source: where };
  if (e.user !== undefined) {
    if (e.password === undefined || e.password === '') throw new CliError('usage', `${where}: user '${e.user}' has no password`);
    return { kind: 'basic', user: e.user, password: e.password, source: where };
  }
  if (e.password !== undefined) throw new CliError('usage', `${where}: a password without a user`);
  return undefined;
}

/** The credential each service gets: flags, then environment, then the config file's service section, then its top level. */
export function resolveCredentials(s: CredentialSources): Record<Service, ClientCredential | undefined> {
  const { flags, env } = s;
  let fromFlags: ClientCredential | undefined;
  if (flags.tokenFile !== undefined && flags.user !== undefined) throw new CliError('usage', 'give either --token-file or --user, not both');
  if (flags.tokenFile !== undefined) fromFlags = { kind: 'bearer', token: readSecretFile(s, '--token-file', flags.tokenFile), source: '--token-file' };
  else if (flags.user !== undefined) {
    const password = flags.passwordFile !== undefined ? readSecretFile(s, '--password-file', flags.passwordFile) : env.TRIREME_PASSWORD;
    if (!password) throw new CliError('usage', `--user ${flags.user}: no password: set TRIREME_PASSWORD or give --password-file FILE`);
    fromFlags = { kind: 'basic', user: flags.user, password, source: '--user' };
  } else if (flags.passwordFile !== undefined) throw new CliError('usage', '--password-file needs --user');

  // TRIREME_PASSWORD alone is --user's password: the environment as a source only counts without flags.
  const fromEnv = fromFlags ? undefined : fromEntry({
    ...(env.TRIREME_USER ? { user: env.TRIREME_USER } : {}),
    ...(env.TRIREME_PASSWORD ? { password: env.TRIREME_PASSWORD } : {}),
    ...(env.TRIREME_TOKEN ? { token: env.TRIREME_TOKEN } : {}),
  }, 'TRIREME_USER/TRIREME_PASSWORD/TRIREME_TOKEN');

  const { path, explicit } = configPath(flags, env, s.home);
  let config: z.infer<typeof configSchema> | undefined;
  let text: string | undefined;
  try { text = s.readFile(path); } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || explicit) {
      throw new CliError('usage', `config file ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
  }
  if (text !== undefined) {
    let json: unknown;
    try { json = JSON.parse(text); } catch (err) { throw new CliError('usage', `config file ${path}: not valid JSON: ${(err as Error).message}`); }
    const parsed = configSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const keys = issue.code === 'unrecognized_keys' ? ` (${(issue as { keys: string[] }).keys.join(', ')}; known: user, password, token, master, marathon, chronos)` : '';
      throw new CliError('usage', `config file ${path}: ${issue.path.length ? `'${issue.path.join('.')}' ` : ''}${issue.message}${keys}`);
    }
    config = parsed.data;
  }
  const top = config ? fromEntry({ user: config.user, password: config.password, token: config.token }, `config file ${path}`) : undefined;
  const out = {} as Record<Service, ClientCredential | undefined>;
  for (const service of SERVICES) {
    const section = config?.[service];
    out[service] = fromFlags ?? fromEnv ?? (section ? fromEntry(section, `config file ${path} (${service})`) : undefined) ?? top;
  }
  return out;
}

export function authorizationHeader(c: ClientCredential): string {
  return c.kind === 'bearer' ? `Bearer ${c.token}` : `Basic ${Buffer.from(`${c.user}:${c.password}`).toString('base64')}`;
}

// The credentials of this CLI run, by service, and the origins of Marathon and Chronos (everything else is the
// master's side: masters, and agents' files API).
let current: { byService: Record<Service, ClientCredential | undefined>; origins: Map<string, Service> } | undefined;

export function useCredentials(byService: Record<Service, ClientCredential | undefined>, endpoints: { marathon?: string; chronos?: string }): void {
  const origins = new Map<string, Service>();
  for (const service of ['marathon', 'chronos'] as const) {
    const address = endpoints[service];
    if (!address) continue;
    try { origins.set(new URL(baseUrl(address)).origin, service); } catch { /* a bad address fails on use, with its own message */ }
  }
  current = { byService, origins };
  setAuthHeaders(authHeaders);
}

/** The credential to present to `url`, if any. */
export function credentialFor(url: string): ClientCredential | undefined {
  if (!current) return undefined;
  let origin: string;
  try { origin = new URL(url).origin; } catch { return undefined; }
  return current.byService[current.origins.get(origin) ?? 'master'];
}

/** Headers to add to a request to `url`: Authorization when a credential is configured. */
export function authHeaders(url: string): Record<string, string> {
  const c = credentialFor(url);
  return c ? { Authorization: authorizationHeader(c) } : {};
}
