package lfcs.conformance;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.util.VersionInfo;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * AWS SDK for Java v2 as an application uses it: the default credential chain (which reaches
 * ContainerCredentialsProvider from AWS_CONTAINER_CREDENTIALS_FULL_URI) and an S3Client pointed at
 * the test's recorder. Two S3 calls, so the provider is asked twice; the test counts how often the
 * sidecar was called.
 */
public final class SdkV2Client {
  public static void main(String[] args) {
    try {
      String bucket = Report.env("S3_BUCKET");
      String key = Report.env("S3_KEY");
      try (DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder().build();
           S3Client s3 = S3Client.builder()
               .region(Region.US_EAST_1)
               .endpointOverride(URI.create(Report.env("RECORDER_URL")))
               .forcePathStyle(true)
               .credentialsProvider(chain)
               .build()) {
        HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(key));
        ResponseBytes<GetObjectResponse> object = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key));
        new Report()
            .put("sdk", "aws-sdk-java-v2 " + VersionInfo.SDK_VERSION)
            .put("contentLength", head.contentLength())
            .put("body", object.asUtf8String())
            .print();
      }
    } catch (Throwable t) {
      Report.fail(t);
    }
  }
}
