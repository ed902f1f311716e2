import type { Logger } from 'pino';

/**
 * Runs `shutdown` on the first SIGTERM or SIGINT and exits 0 when it
 * finishes; exits 1 if it takes longer than `graceMs`, and at once on a
 * second signal (an impatient Ctrl-C).
 */
export function exitOnSignals(logger: Logger, graceMs: number, shutdown: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, graceMs }, 'shutting down');
    const force = setTimeout(() => {
      logger.error({ graceMs }, 'shutdown exceeded the grace period');
      process.exit(1);
    }, graceMs);
    force.unref();
    shutdown().then(
      () => {
        logger.info('stopped');
        logger.flush?.();
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ reason: err instanceof Error ? err.message : 'unknown' }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
