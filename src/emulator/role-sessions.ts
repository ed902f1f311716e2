/**
 * Sessions of roles assumed through the emulator's STS AssumeRole: their
 * credentials sign later Lake Formation and Glue calls, and their session tags
 * decide whether the caller is an authorized application (data-lake settings).
 * Expired sessions are unknown keys, as at AWS.
 */
import type { CatalogIndex } from './catalog-index.js';
import type { SigningPrincipal } from './catalog.js';
import { mintCredentials, type MintedCredentials } from './credentials.js';

/** Sessions kept at once; the oldest go first (a test run makes a handful). */
const MAX_SESSIONS = 10_000;

interface RoleSession {
  principal: SigningPrincipal;
  expiresAtMs: number;
}

export interface IssuedSession {
  credentials: MintedCredentials;
  expiresAtMs: number;
  assumedRoleArn: string;
  /** `AROA...:<session name>`, as STS reports it. */
  assumedRoleId: string;
}

export class RoleSessions {
  readonly #sessions = new Map<string, RoleSession>();

  issue(options: {
    roleArn: string;
    sessionName: string;
    tags: Record<string, string>;
    expiresAtMs: number;
    account: string;
  }): IssuedSession {
    const credentials = mintCredentials();
    const roleName = options.roleArn.slice(options.roleArn.lastIndexOf('/') + 1);
    const assumedRoleArn = `arn:aws:sts::${options.account}:assumed-role/${roleName}/${options.sessionName}`;
    this.#sessions.set(credentials.accessKeyId, {
      principal: {
        name: `session ${options.sessionName} of ${roleName}`,
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
        sessionToken: credentials.sessionToken,
        // Lake Formation grants name the role, so the session is the role for grant lookups.
        principalArn: options.roleArn,
        assumedRoleArn,
        sessionTags: Object.freeze({ ...options.tags }),
      },
      expiresAtMs: options.expiresAtMs,
    });
    while (this.#sessions.size > MAX_SESSIONS) this.#sessions.delete(this.#sessions.keys().next().value as string);
    const roleId = `AROA${createRoleId(options.roleArn)}`;
    return { credentials, expiresAtMs: options.expiresAtMs, assumedRoleArn, assumedRoleId: `${roleId}:${options.sessionName}` };
  }

  /** The live session with this access key id. */
  find(accessKeyId: string, nowMs: number): SigningPrincipal | undefined {
    const session = this.#sessions.get(accessKeyId);
    if (!session) return undefined;
    if (session.expiresAtMs <= nowMs) {
      this.#sessions.delete(accessKeyId);
      return undefined;
    }
    return session.principal;
  }

  clear(): void {
    this.#sessions.clear();
  }
}

/** Catalog principals first, then live role sessions. */
export function findSigner(
  catalog: CatalogIndex,
  sessions: RoleSessions,
  accessKeyId: string,
  nowMs: number,
): SigningPrincipal | undefined {
  return catalog.principalByAccessKeyId(accessKeyId) ?? sessions.find(accessKeyId, nowMs);
}

/** A stable 17-character role id from the ARN (STS's are random but fixed per role). */
function createRoleId(roleArn: string): string {
  let hash = 0n;
  for (const char of roleArn) hash = (hash * 131n + BigInt(char.charCodeAt(0))) % 36n ** 17n;
  return hash.toString(36).toUpperCase().padStart(17, '0');
}
