// The principal and secret a framework (Marathon, Chronos) presents to the master, from Marathon's flags
// --mesos-authentication-principal and --mesos-authentication-secret-file, or the secret from an environment
// variable, so the secret itself never appears in a process list.
import { StartupError } from '../common/http.ts';
import { readSecretFile } from './credentials.ts';

export function frameworkCredential(role: string, principal: string | undefined, secretFile: string | undefined, envSecret: string | undefined, envName: string): { principal: string; secret?: string } | undefined {
  if (principal === undefined || principal === '') {
    if (secretFile || envSecret) throw new StartupError(`${role}: --mesos-authentication-secret-file (or ${envName}) needs --mesos-authentication-principal`);
    return undefined;
  }
  if (secretFile && envSecret) throw new StartupError(`${role}: give the secret either in --mesos-authentication-secret-file or in ${envName}, not both`);
  const secret = secretFile ? readSecretFile(`${role}: --mesos-authentication-secret-file`, secretFile) : envSecret || undefined;
  return { principal, ...(secret !== undefined ? { secret } : {}) };
}
