import { buildGo, GO_BINARY } from './build.js';
import { describeClient } from './harness.js';

/** aws-sdk-go-v2 newest (test/conformance/go): config.LoadDefaultConfig and its S3 client. */
describeClient({
  name: 'aws-sdk-go-v2 1.48.0 (config 1.33.18, s3 1.114.10), config.LoadDefaultConfig',
  build: buildGo,
  command: () => ({ command: GO_BINARY, args: [] }),
  sdk: /^aws-sdk-go-v2 1\.48\.0$/,
  tokenFile: true,
  wrongToken: {
    error:
      /OperationError.*HeadObject, get identity: get credentials: failed to refresh cached credentials, failed to load credentials, Unauthorized: the Authorization header does not match the token/,
    sidecarCalls: 1,
  },
});
