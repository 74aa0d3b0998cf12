// Security flags of the master and agent turned into checked settings at start-up: files read and parsed,
// contradictions refused, each problem one StartupError line naming the flag.
import { StartupError } from '../common/http.ts';
import { parseAcls, type Acls } from './acls.ts';
import { loadFlagFile, parseCredential, parseCredentials, type Credential, type CredentialSet } from './credentials.ts';
import type { Realm } from './realms.ts';

export interface MasterSecurityFlags {
  credentialsFile?: string;
  aclsFile?: string;
  authenticateFrameworks?: boolean;
  authenticateAgents?: boolean;
  authenticateHttpReadonly?: boolean;
  authenticateHttpReadwrite?: boolean;
  /** Default true; false refuses root tasks whatever the ACLs say. */
  allowRootTasks?: boolean;
}

export interface SecuritySettings {
  credentials?: CredentialSet;
  acls?: Acls;
  required: Set<Realm>;
}

export interface MasterSecurity extends SecuritySettings { allowRootTasks: boolean }

function requireCredentials(role: string, flag: string, credentials: CredentialSet | undefined, credentialsFlag: string): void {
  if (!credentials) throw new StartupError(`${role}: ${flag} needs ${credentialsFlag} FILE (the principals and secrets to check against)`);
}

export function loadMasterSecurity(flags: MasterSecurityFlags): MasterSecurity {
  const credentials = flags.credentialsFile ? loadFlagFile('master', '--credentials', flags.credentialsFile, parseCredentials) : undefined;
  const acls = flags.aclsFile ? loadFlagFile('master', '--acls', flags.aclsFile, parseAcls) : undefined;
  const required = new Set<Realm>();
  const wants: Array<[boolean | undefined, string, Realm]> = [
    [flags.authenticateFrameworks, '--authenticate-frameworks', 'framework'],
    [flags.authenticateAgents, '--authenticate-agents', 'agent'],
    [flags.authenticateHttpReadonly, '--authenticate-http-readonly', 'readonly'],
    [flags.authenticateHttpReadwrite, '--authenticate-http-readwrite', 'readwrite'],
  ];
  for (const [on, flag, realm] of wants) {
    if (!on) continue;
    requireCredentials('master', flag, credentials, '--credentials');
    required.add(realm);
  }
  return { credentials, acls, required, allowRootTasks: flags.allowRootTasks ?? true };
}

export interface AgentSecurityFlags {
  /** --credential: this agent's own principal and secret, presented to the master. */
  credentialFile?: string;
  /** --http-credentials: who may call this agent's endpoints. */
  httpCredentialsFile?: string;
  aclsFile?: string;
  authenticateHttpReadonly?: boolean;
}

export interface AgentSecurity extends SecuritySettings { credential?: Credential }

export function loadAgentSecurity(flags: AgentSecurityFlags): AgentSecurity {
  const credential = flags.credentialFile ? loadFlagFile('agent', '--credential', flags.credentialFile, parseCredential) : undefined;
  const credentials = flags.httpCredentialsFile ? loadFlagFile('agent', '--http-credentials', flags.httpCredentialsFile, parseCredentials) : undefined;
  const acls = flags.aclsFile ? loadFlagFile('agent', '--acls', flags.aclsFile, parseAcls) : undefined;
  const required = new Set<Realm>();
  if (flags.authenticateHttpReadonly) {
    requireCredentials('agent', '--authenticate-http-readonly', credentials, '--http-credentials');
    required.add('readonly');
  }
  return { credential, credentials, acls, required };
}
