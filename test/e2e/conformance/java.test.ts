import { buildJava, javaCommand } from '../../conformance/build.js';
import { describeClient } from '../../conformance/harness.js';

/**
 * Java credential consumers (test/conformance/java, one Maven reactor): the AWS SDK for Java v2
 * (newest, and 2.21.30, the first with the token file), v1 newest 1.12.x, and Hadoop S3A 3.4
 * configured as examples/spark configures Spark.
 */
describeClient({
  name: 'AWS SDK for Java v2 2.57.8, default chain (ContainerCredentialsProvider)',
  build: buildJava,
  command: () => javaCommand('v2-newest', 'lfcs.conformance.SdkV2Client'),
  sdk: /^aws-sdk-java-v2 2\.57\.8$/,
  tokenFile: true,
  signedRequests: 2,
  wrongToken: { error: /SdkClientException.*Failed to load credentials/s, sidecarCalls: 1 },
});

describeClient({
  name: 'AWS SDK for Java v2 2.21.30, default chain (ContainerCredentialsProvider)',
  build: buildJava,
  command: () => javaCommand('v2-2.21.30', 'lfcs.conformance.SdkV2Client'),
  sdk: /^aws-sdk-java-v2 2\.21\.30$/,
  tokenFile: true,
  signedRequests: 2,
  wrongToken: { error: /SdkClientException.*Failed to load credentials/s, sidecarCalls: 1 },
});

describeClient({
  name: 'AWS SDK for Java v1 1.12.797, DefaultAWSCredentialsProviderChain (EC2ContainerCredentialsProviderWrapper)',
  build: buildJava,
  command: () => javaCommand('v1', 'lfcs.conformance.SdkV1Client'),
  sdk: /^aws-sdk-java 1\.12\.797$/,
  tokenFile: true,
  signedRequests: 2,
  wrongToken: { error: /SdkClientException/, sidecarCalls: 1 },
});

describeClient({
  name: 'Hadoop S3A 3.4.3 (AWS SDK v2 2.35.4), fs.s3a.aws.credentials.provider = ContainerCredentialsProvider',
  build: buildJava,
  command: () => javaCommand('hadoop-s3a', 'lfcs.conformance.S3AClient'),
  sdk: /^hadoop-aws 3\.4\.3 \(AWS SDK for Java v2 2\.35\.4\)$/,
  tokenFile: true,
  signedRequests: 2,
  wrongToken: { error: /AccessDeniedException|SdkClientException/, sidecarCalls: 1 },
});
