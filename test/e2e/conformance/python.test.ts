import { join } from 'node:path';
import { buildPython, PYTHON_DIR, VENV_PYTHON } from './build.js';
import { describeClient, OBJECT_PATH } from './harness.js';

/**
 * Python consumers (test/conformance/python, installed into an ignored venv from exact pins):
 * boto3 newest, and pyarrow's S3FileSystem, which is the AWS SDK for C++.
 */
describeClient({
  name: 'boto3 1.44.8 (botocore 1.44.8), default session',
  build: buildPython,
  command: () => ({ command: VENV_PYTHON, args: [join(PYTHON_DIR, 'boto3_client.py')] }),
  sdk: /^boto3 1\.44\.8 \/ botocore 1\.44\.8$/,
  tokenFile: true,
  wrongToken: {
    error:
      /CredentialRetrievalError.*Error when retrieving credentials from container-role: .*Received non 200 response 401 from container metadata/,
    sidecarCalls: 3,
  },
});

describeClient({
  name: 'pyarrow 26.0.1 S3FileSystem (AWS SDK for C++), default chain, endpoint_override',
  build: buildPython,
  command: () => ({ command: VENV_PYTHON, args: [join(PYTHON_DIR, 'pyarrow_client.py')] }),
  sdk: /^pyarrow 26\.0\.1 \(AWS SDK for C\+\+\)$/,
  tokenFile: true,
  // get_file_info is a HEAD; open_input_stream probes the object again before its GET.
  requests: [`HEAD ${OBJECT_PATH}`, `HEAD ${OBJECT_PATH}`, `GET ${OBJECT_PATH}`],
  wrongToken: {
    error: /OSError: When getting information for key .* AWS Error ACCESS_DENIED during HeadObject operation/,
    sidecarCalls: 4,
    // The C++ SDK does not raise when its credential chain fails: it sends the request unsigned.
    unsignedRequests: [`HEAD ${OBJECT_PATH}`],
  },
});
