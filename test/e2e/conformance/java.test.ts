import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../support/stack.js';
import { buildJava, javaCommand } from './build.js';
import {
  BODY,
  BUCKET,
  BUILD_TIMEOUT_MS,
  CLIENT_TIMEOUT_MS,
  delta,
  describeClient,
  isolatedEnv,
  KEY,
  OBJECT_PATH,
  runProgram,
  sidecarRequests,
} from './harness.js';
import { startRecorder, type Recorder } from './recorder.js';

/**
 * Java credential consumers (test/conformance/java, one Maven reactor): the AWS SDK for Java v2
 * (newest; 2.21.30, which AWS lists as the first for EKS Pod Identity; 2.21.25, the last
 * without the token file), v1 (newest 1.12.x,
 * and 1.12.367 as Hadoop 3.3.6 bundles it), and Hadoop S3A 3.4
 * configured as examples/spark configures Spark, and with S3A's own default provider list.
 */
/** The chain's error names each provider; the container provider's part says the fetch failed. */
const V2_WRONG_TOKEN =
  /SdkClientException: Unable to load credentials from any of the providers in the chain.*ContainerCredentialsProvider\(\): Failed to load credentials from metadata service/s;

describeClient({
  name: 'AWS SDK for Java v2 2.57.8, default chain (ContainerCredentialsProvider)',
  build: buildJava,
  command: () => javaCommand('v2-newest', 'lfcs.conformance.SdkV2Client'),
  sdk: /^aws-sdk-java-v2 2\.57\.8$/,
  tokenFile: true,
  wrongToken: { error: V2_WRONG_TOKEN, sidecarCalls: 1 },
});

describeClient({
  name: "AWS SDK for Java v2 2.21.30 (AWS's minimum for EKS Pod Identity), default chain (ContainerCredentialsProvider)",
  build: buildJava,
  command: () => javaCommand('v2-2.21.30', 'lfcs.conformance.SdkV2Client'),
  sdk: /^aws-sdk-java-v2 2\.21\.30$/,
  tokenFile: true,
  wrongToken: { error: V2_WRONG_TOKEN, sidecarCalls: 1 },
});

describeClient({
  name: 'AWS SDK for Java v2 2.21.25 (the last without the token file), default chain',
  build: buildJava,
  command: () => javaCommand('v2-2.21.25', 'lfcs.conformance.SdkV2Client'),
  sdk: /^aws-sdk-java-v2 2\.21\.25$/,
  tokenFile: { ignored: true, error: V2_WRONG_TOKEN, sidecarCalls: 1 },
  wrongToken: { error: V2_WRONG_TOKEN, sidecarCalls: 1 },
});

describeClient({
  name: 'AWS SDK for Java v1 1.12.797, DefaultAWSCredentialsProviderChain (EC2ContainerCredentialsProviderWrapper)',
  build: buildJava,
  command: () => javaCommand('v1', 'lfcs.conformance.SdkV1Client'),
  sdk: /^aws-sdk-java 1\.12\.797$/,
  tokenFile: true,
  wrongToken: {
    error:
      /SdkClientException: Unable to load AWS credentials from any provider in the chain.*EC2ContainerCredentialsProviderWrapper@\w+: the Authorization header does not match the token \(Service: null; Status Code: 401; Error Code: Unauthorized/s,
    sidecarCalls: 1,
  },
});

describeClient({
  name: 'AWS SDK for Java v1 1.12.367 (what Hadoop 3.3.6 bundles), DefaultAWSCredentialsProviderChain',
  build: buildJava,
  command: () => javaCommand('v1-1.12.367', 'lfcs.conformance.SdkV1Client'),
  sdk: /^aws-sdk-java 1\.12\.367$/,
  tokenFile: {
    ignored: true,
    error: /SdkClientException.*EC2ContainerCredentialsProviderWrapper@\w+: the Authorization header is missing.*Status Code: 401/s,
    sidecarCalls: 1,
  },
  wrongToken: {
    error:
      /SdkClientException.*EC2ContainerCredentialsProviderWrapper@\w+: the Authorization header does not match the token.*Status Code: 401/s,
    sidecarCalls: 1,
  },
});

describeClient({
  name: 'Hadoop S3A 3.4.3 (AWS SDK v2 2.35.4), fs.s3a.aws.credentials.provider = ContainerCredentialsProvider',
  build: buildJava,
  command: () => javaCommand('hadoop-s3a', 'lfcs.conformance.S3AClient'),
  sdk: /^hadoop-aws 3\.4\.3 \(AWS SDK for Java v2 2\.35\.4\)$/,
  // getFileStatus is a HEAD; open() probes the object again before its ranged GET.
  requests: [`HEAD ${OBJECT_PATH}`, `HEAD ${OBJECT_PATH}`, `GET ${OBJECT_PATH}`],
  tokenFile: true,
  wrongToken: {
    error:
      /^java\.nio\.file\.AccessDeniedException <- org\.apache\.hadoop\.fs\.s3a\.auth\.NoAuthWithAWSException <- .*No AWS Credentials provided by ContainerCredentialsProvider/s,
    sidecarCalls: 1,
  },
});

describeClient({
  name: 'Hadoop S3A 3.4.3 (AWS SDK v2 2.35.4), S3A default provider list (IAMInstanceCredentialsProvider)',
  build: buildJava,
  command: () => ({ ...javaCommand('hadoop-s3a', 'lfcs.conformance.S3AClient'), env: { S3A_CREDENTIALS_PROVIDER: 'default' } }),
  sdk: /^hadoop-aws 3\.4\.3 \(AWS SDK for Java v2 2\.35\.4\)$/,
  tokenFile: true,
  requests: [`HEAD ${OBJECT_PATH}`, `HEAD ${OBJECT_PATH}`, `GET ${OBJECT_PATH}`],
  // The message carries the last provider's error (no env keys), not the sidecar's 401.
  wrongToken: {
    error:
      /^java\.nio\.file\.AccessDeniedException <- org\.apache\.hadoop\.fs\.s3a\.auth\.NoAuthWithAWSException <- .*No AWS Credentials provided by TemporaryAWSCredentialsProvider SimpleAWSCredentialsProvider EnvironmentVariableCredentialsProvider IAMInstanceCredentialsProvider/s,
    sidecarCalls: 1,
  },
});

/**
 * Hadoop 3.4 S3A after one failed credentials fetch (here: a token file that is wrong at first,
 * then rotated to the right token within the same process). ContainerCredentialsProvider set
 * directly (examples/spark) fetches again and recovers; S3A's default list does not, because its
 * IAMInstanceCredentialsProvider switches to the instance metadata service for good after the
 * first failure (disabled here, as on a pod with no node role to fall back on).
 */
describe('Hadoop S3A 3.4.3 after one failed fetch', () => {
  let stack: Stack;
  let recorder: Recorder;
  let dir: string;
  beforeAll(async () => {
    await buildJava();
    stack = await startStack();
    recorder = await startRecorder({ [BUCKET]: { [KEY]: BODY } });
    dir = mkdtempSync(join(tmpdir(), 'lfcs-s3a-recovery-'));
  }, BUILD_TIMEOUT_MS);
  afterAll(async () => {
    await recorder?.close();
    await stack?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function recover(provider: 'explicit' | 'default') {
    const tokenFile = join(dir, `token-${provider}`);
    writeFileSync(tokenFile, 'wrong-token-0123456789abcdef');
    recorder.clear();
    const before = await sidecarRequests(stack);
    const cmd = javaCommand('hadoop-s3a', 'lfcs.conformance.S3AClient');
    const run = await runProgram(cmd, {
      ...isolatedEnv(dir),
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${stack.sidecar.credentialsUrl}/v1/credentials/orders`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile,
      S3A_FIX_TOKEN_FROM: stack.tokenFile,
      ...(provider === 'default' ? { S3A_CREDENTIALS_PROVIDER: 'default' } : {}),
      RECORDER_URL: recorder.url,
      S3_BUCKET: BUCKET,
      S3_KEY: KEY,
    });
    const calls = delta(before, await sidecarRequests(stack));
    expect(run.code, `${JSON.stringify(run.report)}\n${run.stderr}`).toBe(0);
    expect(run.report['firstRead']).toBe('java.nio.file.AccessDeniedException');
    return { run, calls };
  }

  it(
    'with ContainerCredentialsProvider (examples/spark): the next read fetches again and succeeds',
    async () => {
      const { run, calls } = await recover('explicit');
      expect(run.report['secondRead']).toBe('ok');
      expect(calls).toEqual({ '401': 1, '200': 1 });
      expect(recorder.signed().map((r) => r.method)).toEqual(['HEAD']);
    },
    CLIENT_TIMEOUT_MS,
  );

  it(
    'with the default list (IAMInstanceCredentialsProvider): it never asks the sidecar again',
    async () => {
      const { run, calls } = await recover('default');
      expect(run.report['secondRead']).toBe('java.nio.file.AccessDeniedException');
      expect(calls).toEqual({ '401': 1 });
      expect(recorder.signed()).toHaveLength(0);
    },
    CLIENT_TIMEOUT_MS,
  );
});
