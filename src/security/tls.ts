// TLS for every role and every client: loads a role's --ssl-cert/--ssl-key (HTTPS server) and a --ca-file (clients
// that verify the servers' certificates), and hands out what node:https and fetch need. One place, so the master
// link, the scheduler client, the leader proxy, the fetcher and the CLI all trust the same way.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import tls from 'node:tls';
import type { Agent as UndiciAgent } from 'undici';
import { StartupError } from '../common/http.ts';

// undici takes a few hundred ms to load: only processes that trust a CA for fetch pay for it.
const loadUndici = (): typeof import('undici') => createRequire(import.meta.url)('undici') as typeof import('undici');

/** What an HTTPS server needs (fastify's `https` option). */
export interface ServerTlsOptions { cert: Buffer; key: Buffer }

export type Scheme = 'http' | 'https';

/** The environment variable every client reads when no --ca-file is given. */
export const CA_FILE_ENV = 'TRIREME_CA_FILE';

function readFlagFile(what: string, flag: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'is a directory' : e.message;
    throw new StartupError(`${what ? `${what}: ` : ''}${flag} ${file}: ${why}`);
  }
}

/**
 * The certificate and key a role serves HTTPS with; undefined when neither flag is given. Both or neither: one
 * without the other, an unreadable file, a file that is not PEM, or a key that does not match the certificate
 * stop the role with one line naming the flag.
 */
export function loadServerTls(what: string, certFile?: string, keyFile?: string): ServerTlsOptions | undefined {
  if (!certFile && !keyFile) return undefined;
  if (!certFile) throw new StartupError(`${what}: --ssl-key needs --ssl-cert (give both to serve HTTPS)`);
  if (!keyFile) throw new StartupError(`${what}: --ssl-cert needs --ssl-key (give both to serve HTTPS)`);
  const cert = readFlagFile(what, '--ssl-cert', certFile);
  const key = readFlagFile(what, '--ssl-key', keyFile);
  try { new X509Certificate(cert); } catch { throw new StartupError(`${what}: --ssl-cert ${certFile}: not a PEM certificate`); }
  try { createPrivateKey(key); } catch { throw new StartupError(`${what}: --ssl-key ${keyFile}: not a PEM private key (encrypted keys are not supported)`); }
  try { tls.createSecureContext({ cert, key }); } catch (err) {
    throw new StartupError(`${what}: --ssl-key ${keyFile} does not belong to --ssl-cert ${certFile} (${(err as Error).message})`);
  }
  return { cert, key };
}

/** Reads a CA bundle (one or more PEM certificates); a bad file stops the process with one line naming `flag`. */
export function loadCa(what: string, file: string, flag = '--ca-file'): Buffer {
  const ca = readFlagFile(what, flag, file);
  try { new X509Certificate(ca); } catch { throw new StartupError(`${what ? `${what}: ` : ''}${flag} ${file}: not a PEM certificate`); }
  return ca;
}

export interface ClientTlsOptions {
  /** PEM CA bundle the servers' certificates are verified against, on top of Node's built-in roots. */
  ca?: Buffer;
  /** Whether addresses without a scheme (host:port, zk:// discovery) mean https. Default: whether a CA is given. */
  httpsByDefault?: boolean;
}

/**
 * How one process talks to Trireme roles and other HTTP servers. With a CA, https connections trust it in addition
 * to Node's built-in roots (so public https URIs still work, as NODE_EXTRA_CA_CERTS would); certificates are always
 * verified, host name included. Without TLS settings it is plain Node behaviour, so defaults are unchanged.
 */
export class ClientTls {
  /** No CA, plain http for addresses without a scheme. */
  static readonly none = new ClientTls();

  readonly defaultScheme: Scheme;
  private readonly trust?: Array<string | Buffer>;
  private dispatcherCache?: UndiciAgent;

  constructor(readonly opts: ClientTlsOptions = {}) {
    this.defaultScheme = (opts.httpsByDefault ?? opts.ca !== undefined) ? 'https' : 'http';
    this.trust = opts.ca ? [...tls.rootCertificates, opts.ca] : undefined;
  }

  /**
   * The scheme for a server address: an explicit http:// or https:// wins (the first one in a comma list), else
   * the default. ZooKeeper's MasterInfo carries no scheme (as in Mesos, where LIBPROCESS_SSL_ENABLED decides).
   */
  schemeOf(address: string): Scheme {
    const m = /(?:^|,)\s*(https?):\/\//.exec(address);
    return m ? (m[1] as Scheme) : this.defaultScheme;
  }

  /** `scheme://host:port` for an address that may or may not carry a scheme; no trailing slash. */
  baseUrl(address: string): string {
    const trimmed = address.trim().replace(/\/+$/, '');
    return /^https?:\/\//.test(trimmed) ? trimmed : `${this.defaultScheme}://${trimmed}`;
  }

  /** A keep-alive connection pool for node:http(s) requests to servers of this scheme. */
  agent(scheme: Scheme, opts: http.AgentOptions = {}): http.Agent {
    return scheme === 'https' ? new https.Agent({ ...opts, ...(this.trust ? { ca: this.trust } : {}) }) : new http.Agent(opts);
  }

  /** http.request or https.request (trusting the CA) by scheme. */
  request(scheme: Scheme, options: http.RequestOptions, callback?: (res: http.IncomingMessage) => void): http.ClientRequest {
    if (scheme === 'http') return http.request(options, callback);
    return https.request({ ...options, ...(this.trust ? { ca: this.trust } : {}) }, callback);
  }

  /**
   * Extra `fetch` options: an undici dispatcher trusting the CA (Node's fetch is undici and takes its dispatchers;
   * the npm package is the only way to build one, its RequestInit type just does not list the field). Empty without a CA.
   */
  fetchOptions(): RequestInit {
    if (!this.trust) return {};
    this.dispatcherCache ??= new (loadUndici().Agent)({ connect: { ca: this.trust } });
    return { dispatcher: this.dispatcherCache } as RequestInit;
  }

  /** The global fetch, trusting the CA for https URLs. */
  fetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
    return fetch(input, { ...init, ...this.fetchOptions() });
  }

  /** Closes pooled fetch connections. */
  async close(): Promise<void> {
    const d = this.dispatcherCache;
    this.dispatcherCache = undefined;
    await d?.close();
  }
}

/**
 * The client TLS of a process from its flags: --ca-file (else $TRIREME_CA_FILE) adds a trusted CA; serving HTTPS
 * itself (--ssl-cert) or having a CA makes scheme-less addresses https, as Mesos' LIBPROCESS_SSL_ENABLED does.
 */
export function clientTlsFromFlags(what: string, opts: { caFile?: string; servesHttps?: boolean; env?: NodeJS.ProcessEnv }): ClientTls {
  const env = opts.env ?? process.env;
  const file = opts.caFile ?? (env[CA_FILE_ENV] || undefined);
  const flag = opts.caFile !== undefined ? '--ca-file' : CA_FILE_ENV;
  const ca = file ? loadCa(what, file, flag) : undefined;
  if (!ca && !opts.servesHttps) return ClientTls.none;
  return new ClientTls({ ...(ca ? { ca } : {}), httpsByDefault: Boolean(ca) || Boolean(opts.servesHttps) });
}

const CERT_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE',
]);

/**
 * A one-line reason for a connection that failed because of TLS (an untrusted or mismatched certificate, or https
 * to a plain-HTTP server), naming the fix; undefined for other failures (refused connections keep their wording).
 */
export function describeTlsError(err: unknown): string | undefined {
  const { code, message } = errorCode(err);
  if (code && CERT_CODES.has(code)) {
    const what = code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? `its certificate does not name this host (${message})` : `its certificate is not trusted (${code})`;
    return `TLS: ${what}; give the CA that signed it with --ca-file or ${CA_FILE_ENV}`;
  }
  if (code === 'EPROTO' || /wrong version number|packet length too long/i.test(message)) return 'TLS: the server does not speak HTTPS; use an http:// address';
  return undefined;
}

/** Like describeTlsError, plus a hint for a plain-HTTP request an HTTPS server dropped (it answers nothing). */
export function describeConnectionError(err: unknown): string | undefined {
  const tlsReason = describeTlsError(err);
  if (tlsReason) return tlsReason;
  const { code } = errorCode(err);
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return `the server closed the connection (${code}); if it serves HTTPS, use an https:// address or --ca-file`;
  return undefined;
}

/** The code and message of a node:http(s) error or of a fetch TypeError's cause. */
function errorCode(err: unknown): { code?: string; message: string } {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } } | undefined;
  const inner = e?.cause ?? e;
  return { code: inner?.code ?? e?.code, message: inner?.message ?? e?.message ?? '' };
}
