/**
 * What the gateway answers, before any transport writes it: a status, the
 * headers lfcs sets, and the body bytes. Every gateway module returns one, so
 * the listener stays a thin writer and the modules are tested without sockets.
 */

/** One answer of the gateway. */
export interface GatewayAnswer {
  readonly status: number;
  /** Header names as sent; `Content-Length` is the writer's. */
  readonly headers: Readonly<Record<string, string>>;
  /** Absent for 204 and for answers to `HEAD`. */
  readonly body?: Buffer;
}

/**
 * Headers of every answer lfcs writes itself: credentials and signatures are
 * never stored by anything in between, and Iceberg Java's table cache gets no
 * validator to answer 304 with (a 304 would reuse an old table's FileIO and
 * its expired credentials).
 */
export const NO_STORE: Readonly<Record<string, string>> = Object.freeze({ 'Cache-Control': 'no-store' });

/** A JSON answer of `value`, serialised here. */
export function jsonAnswer(status: number, value: unknown, headers: Readonly<Record<string, string>> = NO_STORE): GatewayAnswer {
  return { status, headers: { ...headers, 'Content-Type': 'application/json' }, body: Buffer.from(JSON.stringify(value)) };
}
