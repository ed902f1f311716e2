import { buildJava, javaCommand } from '../../conformance/build.js';
import { describeClient, OBJECT_PATH } from '../../conformance/harness.js';

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
  name: 'AWS SDK for Java v2 2.21.30 (AWS\'s minimum for EKS Pod Identity), default chain (ContainerCredentialsProvider)',
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
    error: /SdkClientException.*EC2ContainerCredentialsProviderWrapper@\w+: the Authorization header does not match the token.*Status Code: 401/s,
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
