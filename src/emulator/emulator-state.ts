/**
 * Everything one running emulator holds: the catalog lookups, the faults it was
 * told to produce, and what it recorded for tests to inspect.
 */
import type { Clock } from '../core/clock.js';
import type { Operation } from '../lakeformation/types.js';
import { BoundedLog } from './bounded-log.js';
import { CallStats } from './call-stats.js';
import type { CatalogIndex } from './catalog-index.js';
import { FaultInjector } from './faults.js';
import { VendedLeases } from './leases.js';
import { ObjectStore } from './object-store.js';
import { RoleSessions } from './role-sessions.js';

/** How many parsed credential requests `/_emulator/requests` keeps. */
export const REQUEST_LOG_CAPACITY = 100;
/** How many minted credentials `/_emulator/vended` keeps. */
export const VENDED_LOG_CAPACITY = 1000;

/** A credential request that passed signature checks and parsed as JSON. */
export interface RequestLogEntry {
  requestId: string;
  /** ISO time on the emulator clock. */
  receivedAt: string;
  operation: Operation;
  principalArn: string;
  /** The JSON body exactly as received, unknown members included. */
  body: Record<string, unknown>;
  /** `success` or the error name answered; set once answered. */
  outcome?: string;
  /** Locations the credentials were vended for; for a partition call, the partition's location. */
  vendedPaths?: string[];
}

/** Credentials the emulator minted; secrets only as SHA-256 hex, so the log never holds them. */
export interface VendedLogEntry {
  accessKeyId: string;
  secretAccessKeySha256: string;
  sessionTokenSha256: string;
  /** ISO. */
  expiration: string;
  /** ISO. */
  issuedAt: string;
  operation: Operation;
  principalArn: string;
  /** Table and partition operations. */
  tableArn?: string;
  /** Data-location operation: the scope granted. */
  credentialsScope?: string;
  partitionValues?: string[];
  vendedPaths: string[];
}

export interface EmulatorState {
  readonly catalog: CatalogIndex;
  readonly clock: Clock;
  readonly faults: FaultInjector;
  readonly stats: CallStats;
  readonly requests: BoundedLog<RequestLogEntry>;
  readonly vended: BoundedLog<VendedLogEntry>;
  /** Sessions issued by STS AssumeRole. */
  readonly sessions: RoleSessions;
  /** Vended credentials with their secrets and scope, for the S3 endpoint. */
  readonly leases: VendedLeases;
  /** What the S3 endpoint serves; Iceberg table metadata is read from it. */
  readonly objects: ObjectStore;
  /** Resolves after `ms` on the emulator clock; rejects if the emulator closes first. */
  wait(ms: number): Promise<void>;
}

export function createEmulatorState(
  catalog: CatalogIndex,
  clock: Clock,
  wait: (ms: number) => Promise<void>,
  objects: ObjectStore = new ObjectStore(),
): EmulatorState {
  return {
    catalog,
    clock,
    faults: new FaultInjector(),
    stats: new CallStats(),
    requests: new BoundedLog(REQUEST_LOG_CAPACITY),
    vended: new BoundedLog(VENDED_LOG_CAPACITY),
    sessions: new RoleSessions(),
    leases: new VendedLeases(),
    objects,
    wait,
  };
}

/** `POST /_emulator/reset`: forget stats, faults, logs and leases (stored objects stay). */
export function resetEmulatorState(state: EmulatorState): void {
  state.faults.clear();
  state.stats.clear();
  state.requests.clear();
  state.vended.clear();
  state.sessions.clear();
  state.leases.clear();
}
