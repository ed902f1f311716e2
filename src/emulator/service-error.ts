/**
 * Errors the emulator answers with. The names, their statuses and the wire
 * rendering are Lake Formation's and live in `lakeformation/service-error.ts`,
 * shared with lfcs's own Lake Formation API listener; what is the emulator's
 * alone (which errors a fault rule may inject) is here.
 */
import { MODELED_ERROR_NAMES } from '../lakeformation/service-error.js';

export {
  MODELED_ERROR_NAMES,
  ServiceError,
  THROTTLING_MESSAGE,
  type ModeledErrorName,
  type ServiceErrorName,
} from '../lakeformation/service-error.js';

/** Errors a fault rule may inject: the modeled ones plus throttling. */
export const INJECTABLE_ERROR_NAMES = [...MODELED_ERROR_NAMES, 'ThrottlingException'] as const;
export type InjectableErrorName = (typeof INJECTABLE_ERROR_NAMES)[number];
