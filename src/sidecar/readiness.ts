/**
 * Readiness: a pure function of what the sidecar knows now. Gathering the
 * facts only reads (the prewarm states, the profiles' leases without counting
 * a lookup); nothing here starts work, so a probe costs the same however
 * large the cache, and probing more often changes nothing.
 */
import type { ReadinessReport } from '../http/admin-app.js';
import type { ProfileState } from './prewarm.js';

/** What readiness is decided from. */
export interface ReadinessFacts {
  shuttingDown: boolean;
  /** Each listener the configuration enables, and whether it listens. */
  listeners: { credentials: boolean; admin: boolean; lakeformationApi?: boolean; iceberg?: boolean };
  /** Why service-account tokens cannot be verified (agent mode), if they cannot. */
  issuerProblem: string | undefined;
  /** Agent mode: a note on the issuer's keys (e.g. verifying with the keys kept on disk), shown but not a reason. */
  issuerNote?: string | undefined;
  /** Prewarm state per configured profile (empty when prewarm is off). */
  profiles: Record<string, ProfileState>;
  /** Per profile prewarmed at least once: its current lease, if it has a live one. */
  leases: Record<string, { missingLocations: readonly string[] } | undefined>;
}

export function readiness(facts: ReadinessFacts): ReadinessReport {
  const reasons: string[] = [];
  if (facts.shuttingDown) reasons.push('shutting down');
  if (!facts.listeners.credentials) reasons.push('credentials listener is not listening');
  if (!facts.listeners.admin) reasons.push('admin listener is not listening');
  if (facts.listeners.lakeformationApi === false) reasons.push('Lake Formation API listener is not listening');
  if (facts.listeners.iceberg === false) reasons.push('Iceberg REST gateway is not listening');
  if (facts.issuerProblem) reasons.push(facts.issuerProblem);
  const states = Object.entries(facts.profiles);
  const notWarm = states.filter(([, s]) => s.state !== 'ready').map(([name]) => name);
  if (notWarm.length > 0) reasons.push(`profiles not prewarmed: ${notWarm.join(', ')}`);
  for (const [name, s] of states) {
    if (s.missingLocations) reasons.push(`profile ${name}: Lake Formation did not grant ${s.missingLocations.join(', ')}`);
  }
  const leases = Object.entries(facts.leases);
  // A prewarmed location profile whose lease was since renewed with fewer locations is not ready either.
  for (const [name, lease] of leases) {
    if (facts.profiles[name]?.state === 'ready' && lease && lease.missingLocations.length > 0) {
      reasons.push(`profile ${name}: Lake Formation did not grant ${lease.missingLocations.join(', ')}`);
    }
  }
  // A prewarmed profile whose lease later expired (Lake Formation failing past it) serves nothing.
  const lost = leases.filter(([, lease]) => lease === undefined).map(([name]) => name);
  if (lost.length > 0 && !facts.shuttingDown) reasons.push(`profiles without a valid lease: ${lost.join(', ')}`);
  return { ready: reasons.length === 0, reasons, ...(facts.issuerNote && { notes: [facts.issuerNote] }), profiles: facts.profiles };
}
