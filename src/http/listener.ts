/**
 * A listener's request handling, the same for every listener: match the
 * route (for the metric label), run the admission checks, then dispatch;
 * every answer, success or refusal, is written by {@link answerJson} or
 * {@link answerError} here, which also count it and audit refusals.
 */
import type { RequestListener, ServerResponse } from 'node:http';
import { writeJson } from '../core/json-answer.js';
import type { RequestLog } from '../observability/request-log.js';
import { runChecks, type Admission, type Check } from './admission.js';
import type { ListenerName, Route } from './routes.js';

/** An error as a listener answers it. */
export interface RenderedError {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** For the audit line: the code (or Lake Formation name) and message answered. */
  code: string;
  reason: string;
  /** A bug rather than a refusal: logged with its name and first stack frame. */
  unexpected: boolean;
}

export interface Listener {
  readonly name: ListenerName;
  /** The route a request's target names. */
  readonly match: (url: string | undefined) => Route | undefined;
  /** The metric label of a request that names no route. */
  readonly unmatched: string;
  readonly checks: readonly Check[];
  readonly log: RequestLog;
  /** Headers of every successful answer. */
  readonly headers: Readonly<Record<string, string>>;
  /** The answer to anything thrown or refused. */
  render(err: unknown): RenderedError;
  /** Who was refused, for the audit line (never a secret). */
  who(admission: Admission): Readonly<Record<string, string>> | undefined;
  /** Serves an admitted request (errors go to {@link answerError}). */
  dispatch(admission: Admission): void;
}

/**
 * A dispatch into an Express app (the body-reading routes): the admission
 * travels as `res.locals.admission`, where the route handlers read it.
 */
export function dispatchToExpress(app: RequestListener): Listener['dispatch'] {
  return (a) => {
    (a.res as ServerResponse & { locals?: unknown }).locals = { admission: a };
    app(a.req, a.res);
  };
}

/** The node:http handler of `listener`. */
export function listenerHandler(listener: Listener): RequestListener {
  return (req, res) => {
    const started = process.hrtime.bigint();
    const route = listener.match(req.url);
    const admission: Admission = {
      listener,
      req,
      res,
      started,
      route,
      label: route?.label ?? listener.unmatched,
      caller: undefined,
      callerAccessKeyId: undefined,
    };
    let checked: ReturnType<typeof runChecks>;
    try {
      checked = runChecks(listener.checks, admission);
    } catch (err) {
      answerError(admission, err);
      return;
    }
    if (checked === undefined) return listener.dispatch(admission);
    if (!(checked instanceof Promise)) return answerError(admission, checked);
    checked.then(
      (refusal) => (refusal === undefined ? listener.dispatch(admission) : answerError(admission, refusal)),
      (err: unknown) => answerError(admission, err),
    );
  };
}

/** Writes a successful JSON answer (`payload` already serialised) and counts it. */
export function answerJson(a: Admission, status: number, payload: string, headers = a.listener.headers): void {
  if (writeJson(a.res, status, payload, headers)) a.listener.log.answered(a.label, status, a.started);
}

/**
 * Answers `err` as the listener renders errors, counts it, and writes the
 * audit line of a refusal (4xx). A client that already hung up gets nothing.
 */
export function answerError(a: Admission, err: unknown): void {
  const { listener } = a;
  if (a.res.destroyed || a.res.writableEnded) return;
  const rendered = listener.render(err);
  answerJson(a, rendered.status, rendered.body, rendered.headers);
  if (rendered.unexpected) listener.log.failed(a.label, err);
  if (rendered.status < 500) {
    listener.log.denied({
      route: a.label,
      method: a.req.method,
      status: rendered.status,
      code: rendered.code,
      reason: rendered.reason,
      who: listener.who(a),
    });
  }
}
