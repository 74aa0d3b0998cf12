// The TLS flags every role shares: --ssl-cert/--ssl-key (serve HTTPS) and --ca-file (verify HTTPS servers).
import type { Command } from 'commander';
import { clientTlsFromFlags, loadServerTls, type ClientTls, type ServerTlsOptions } from '../security/tls.ts';
import { envOption } from './options.ts';

export interface TlsFlags { sslCert?: string; sslKey?: string; caFile?: string }

/** Adds --ssl-cert and --ssl-key, and --ca-file for roles that call other servers (`client`). */
export function withTlsOptions(cmd: Command, role: string, opts: { client: boolean }): Command {
  cmd
    .addOption(envOption(role, '--ssl-cert <file>', 'PEM certificate (chain) to serve HTTPS with instead of HTTP; needs --ssl-key'))
    .addOption(envOption(role, '--ssl-key <file>', 'PEM private key of --ssl-cert'));
  if (opts.client) {
    cmd.addOption(envOption(role, '--ca-file <file>', 'PEM CA bundle that HTTPS servers\' certificates are verified against (also $TRIREME_CA_FILE); with it, addresses without http:// or https:// use https'));
  }
  return cmd;
}

/** Loads the files the flags name; a missing, unreadable or malformed one is a StartupError naming its flag. */
export function roleTls(what: string, o: TlsFlags): { tls?: ServerTlsOptions; clientTls: ClientTls } {
  const tls = loadServerTls(what, o.sslCert, o.sslKey);
  const clientTls = clientTlsFromFlags(what, { ...(o.caFile !== undefined ? { caFile: o.caFile } : {}), servesHttps: tls !== undefined });
  return { ...(tls ? { tls } : {}), clientTls };
}
