package lfcs.conformance;

import com.amazonaws.auth.DefaultAWSCredentialsProviderChain;
import com.amazonaws.client.builder.AwsClientBuilder.EndpointConfiguration;
import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.AmazonS3ClientBuilder;
import com.amazonaws.services.s3.model.ObjectMetadata;
import com.amazonaws.util.VersionInfoUtils;

/**
 * AWS SDK for Java v1 (what Hadoop 3.3 S3A uses): DefaultAWSCredentialsProviderChain, whose
 * EC2ContainerCredentialsProviderWrapper reads AWS_CONTAINER_CREDENTIALS_FULL_URI, and an AmazonS3
 * client pointed at the test's recorder. Two S3 calls, so the chain is asked twice.
 */
public final class SdkV1Client {
  public static void main(String[] args) {
    try {
      String bucket = Report.env("S3_BUCKET");
      String key = Report.env("S3_KEY");
      AmazonS3 s3 = AmazonS3ClientBuilder.standard()
          .withEndpointConfiguration(new EndpointConfiguration(Report.env("RECORDER_URL"), "us-east-1"))
          .withPathStyleAccessEnabled(true)
          .withCredentials(DefaultAWSCredentialsProviderChain.getInstance())
          .build();
      ObjectMetadata head = s3.getObjectMetadata(bucket, key);
      String body = s3.getObjectAsString(bucket, key);
      new Report()
          .put("sdk", "aws-sdk-java " + VersionInfoUtils.getVersion())
          .put("contentLength", head.getContentLength())
          .put("body", body)
          .print();
      s3.shutdown();
    } catch (Throwable t) {
      Report.fail(t);
    }
  }
}
