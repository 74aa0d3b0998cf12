// The fastify side of authentication and endpoint authorization: one onRequest hook per server that finds the
// request's realm, authenticates it (401 with Mesos' challenge when required and missing, or wrong), remembers
// the principal for the handlers, and applies the get_endpoints ACL. Failures are counted in prom-client.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import { textError } from '../common/http.ts';
import { isAuthorized, type Acls } from './acls.ts';
import { who } from './authorizer.ts';
import { authenticate, challenges } from './authenticator.ts';
import type { CredentialSet } from './credentials.ts';
import { authorizableEndpoint, type Realm } from './realms.ts';

export interface HttpSecurityOptions {
  credentials?: CredentialSet;
  acls?: Acls;
  /** Realms whose requests must carry valid credentials. */
  required: ReadonlySet<Realm>;
  realmOf(method: string, url: string): Realm;
  registry: Registry;
  /** Prefix of the Prometheus counter: "trireme_master" → trireme_master_http_auth_failures_total. */
  metricPrefix: string;
}

const principals = new WeakMap<FastifyRequest, string>();

/** The authenticated principal of a request, or undefined for an anonymous one. */
export function principalOf(req: FastifyRequest): string | undefined {
  return principals.get(req);
}

export function installHttpSecurity(app: FastifyInstance, opts: HttpSecurityOptions): void {
  const failures = new Counter({
    name: `${opts.metricPrefix}_http_auth_failures_total`, help: 'HTTP requests refused: 401 (missing or wrong credentials) or 403 (get_endpoints ACL)',
    labelNames: ['realm', 'reason'], registers: [opts.registry],
  });
  const challenge = challenges(opts.credentials);
  // The web console marks its calls (X-Requested-With): it gets no challenge, so the browser shows no Basic popup
  // of its own and the console's sign-in form takes over.
  const refuse = (req: FastifyRequest, reply: FastifyReply, message: string) => {
    if (req.headers['x-requested-with'] !== 'XMLHttpRequest') reply.header('WWW-Authenticate', challenge);
    return textError(reply.code(401), 401, message);
  };
  app.addHook('onRequest', async (req, reply) => {
    const realm = opts.realmOf(req.method, req.url);
    if (realm === 'open') return;
    // A server without credentials identifies nobody: clients that send some anyway (a framework configured for
    // an authenticating master) are served as anonymous rather than refused.
    const outcome = opts.credentials ? authenticate(req.headers.authorization, opts.credentials) : { kind: 'anonymous' as const };
    if (outcome.kind === 'failed') {
      failures.inc({ realm, reason: outcome.reason });
      return refuse(req, reply, outcome.message);
    }
    if (outcome.kind === 'anonymous' && opts.required.has(realm)) {
      failures.inc({ realm, reason: 'missing' });
      return refuse(req, reply, 'Authentication required: this endpoint needs credentials (HTTP Basic or a bearer token)');
    }
    const principal = outcome.kind === 'authenticated' ? outcome.principal : undefined;
    if (principal !== undefined) principals.set(req, principal);
    const endpoint = authorizableEndpoint(req.url);
    if (endpoint && !isAuthorized(opts.acls, 'get_endpoints', principal, endpoint)) {
      failures.inc({ realm, reason: 'forbidden' });
      return textError(reply, 403, `${who(principal)} not authorized to GET ${endpoint}`);
    }
  });
}
