/**
 * Failures the emulator can be told to produce, so the sidecar's retry,
 * timeout and outage handling can be tested against the real SDK.
 */
import { z } from 'zod';
import { INJECTABLE_ERROR_NAMES, ServiceError, THROTTLING_MESSAGE, type InjectableErrorName } from './service-error.js';
import { describeIssues, parseOptions } from '../core/zod-issues.js';

export interface Faults {
  /** The next N credential calls answer `ThrottlingException` "Rate exceeded". Default 0. */
  throttleNext: number;
  /** Share of credential calls, 0-1, that answer `errorCode`. Default 0. */
  errorRate: number;
  /** Error sent for `errorRate`. Default `InternalServiceException`. */
  errorCode: InjectableErrorName;
  /** Milliseconds (on the emulator's clock) to wait before answering a credential call. Default 0. */
  latencyMs: number;
  /** Close every credential call's connection without an answer, like an unreachable service. Default false. */
  outage: boolean;
  /**
   * The next N Iceberg REST catalog calls answer 400 ThrottlingException "Rate
   * exceeded", as Glue's endpoint throttles (apache/iceberg#17824). Apart from
   * `throttleNext`, so a test can throttle the catalog and not Lake Formation. Default 0.
   */
  catalogThrottleNext: number;
}

const NO_FAULTS: Faults = Object.freeze({
  throttleNext: 0,
  errorRate: 0,
  errorCode: 'InternalServiceException',
  latencyMs: 0,
  outage: false,
  catalogThrottleNext: 0,
});

const faultsPatchSchema = z.strictObject({
  throttleNext: z.number().int().nonnegative().optional(),
  errorRate: z.number().min(0).max(1).optional(),
  errorCode: z.enum(INJECTABLE_ERROR_NAMES).optional(),
  latencyMs: z.number().int().nonnegative().optional(),
  outage: z.boolean().optional(),
  catalogThrottleNext: z.number().int().nonnegative().optional(),
});

const INJECTED_MESSAGES: Record<InjectableErrorName, string> = {
  AccessDeniedException: 'Insufficient Lake Formation permission(s) (injected fault)',
  EntityNotFoundException: 'Entity not found (injected fault)',
  InvalidInputException: 'Invalid input (injected fault)',
  InternalServiceException: 'Internal service error (injected fault)',
  OperationTimeoutException: 'The operation timed out (injected fault)',
  PermissionTypeMismatchException: 'Permission type mismatch (injected fault)',
  ConflictException: 'Multiple resources exist with the same Amazon S3 location (injected fault)',
  ThrottlingException: THROTTLING_MESSAGE,
};

/** The current faults; `random` is injectable so `errorRate` can be tested deterministically. */
export class FaultInjector {
  #faults: Faults = { ...NO_FAULTS };
  readonly #random: () => number;

  constructor(random: () => number = Math.random) {
    this.#random = random;
  }

  snapshot(): Faults {
    return { ...this.#faults };
  }

  /**
   * Merges a JSON patch into the current faults.
   * @throws ServiceError `InvalidFaultsException` naming every bad member.
   */
  merge(patch: unknown): Faults {
    const result = faultsPatchSchema.safeParse(patch, parseOptions);
    if (!result.success) {
      throw new ServiceError('InvalidFaultsException', describeIssues(result.error.issues).join('; '));
    }
    const defined = Object.entries(result.data).filter(([, value]) => value !== undefined);
    this.#faults = { ...this.#faults, ...Object.fromEntries(defined) };
    return this.snapshot();
  }

  clear(): void {
    this.#faults = { ...NO_FAULTS };
  }

  /** Whether an Iceberg REST catalog call must answer throttled. Consumes one `catalogThrottleNext`. */
  takeCatalogThrottle(): boolean {
    if (this.#faults.catalogThrottleNext === 0) return false;
    this.#faults.catalogThrottleNext -= 1;
    return true;
  }

  /** The error a credential call must answer with, if a fault says so. Consumes one `throttleNext`. */
  takeInjectedError(): ServiceError | undefined {
    if (this.#faults.throttleNext > 0) {
      this.#faults.throttleNext -= 1;
      return new ServiceError('ThrottlingException', THROTTLING_MESSAGE);
    }
    if (this.#faults.errorRate > 0 && this.#random() < this.#faults.errorRate) {
      const name = this.#faults.errorCode;
      return new ServiceError(name, INJECTED_MESSAGES[name]);
    }
    return undefined;
  }
}
