/**
 * Errors of the emulator's wire protocols (S3, the Iceberg REST catalog): a
 * code, and the status that protocol gives the code. Each protocol keeps its
 * own table of codes and its own renderer; the class comes from here.
 */
export class WireError<Code extends string> extends Error {
  readonly code: Code;
  readonly status: number;

  constructor(code: Code, status: number, message: string) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/** The error class of one protocol: `new (code, message)`, its status looked up in `statusOf`. */
export function wireErrorClass<Code extends string>(name: string, statusOf: Readonly<Record<Code, number>>) {
  return class extends WireError<Code> {
    override readonly name = name;

    constructor(code: Code, message: string) {
      super(code, statusOf[code], message);
    }
  };
}
