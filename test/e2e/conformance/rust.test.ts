import { buildRust, RUST_BINARY } from './build.js';
import { describeClient } from './harness.js';

/** aws-config newest (test/conformance/rust): the default chain, through aws-sdk-s3. */
describeClient({
  name: 'Rust aws-config 1.13.0 (aws-sdk-s3 1.157.0), default chain',
  build: buildRust,
  command: () => ({ command: RUST_BINARY, args: [] }),
  sdk: /^aws-config 1\.13\.0 \/ aws-sdk-s3 1\.157\.0$/,
  tokenFile: true,
  wrongToken: {
    error:
      /DispatchFailure.*an error occurred while loading credentials: Non-success status from HTTP credential provider: StatusCode\(401\)/,
    sidecarCalls: 1,
  },
});
