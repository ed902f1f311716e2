package lfcs.iceberg;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lakeformation.LakeFormationClient;
import software.amazon.awssdk.services.lakeformation.model.GetTemporaryGlueTableCredentialsRequest;
import software.amazon.awssdk.services.lakeformation.model.GetTemporaryGlueTableCredentialsResponse;
import software.amazon.awssdk.services.lakeformation.model.PermissionType;

/**
 * The AWS SDK for Java v2's LakeFormationClient against lfcs's Lake Formation
 * API listener, as any Java application would call it: the endpoint from
 * AWS_ENDPOINT_URL_LAKEFORMATION, the caller's own keys. One JSON line per
 * call: the answer's access key id, or the exception's class and status (the
 * SDK's typed exception is the proof that the error is Lake Formation's).
 * Usage: LakeFormationCalls <tableArn>[|<permissionType>[|<s3Path>]]...
 */
public final class LakeFormationCalls {
  public static void main(String[] args) {
    try (LakeFormationClient client =
        LakeFormationClient.builder()
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create("AKIAJAVACALLER000001", "java-caller-secret-never-sent-0000000000")))
            // One attempt: each case asks for one answer (a retried 500 would only add time).
            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
            .build()) {
      List<String> lines = new ArrayList<>();
      for (String spec : args) {
        String[] parts = spec.split("\\|", -1);
        GetTemporaryGlueTableCredentialsRequest.Builder request =
            GetTemporaryGlueTableCredentialsRequest.builder()
                .tableArn(parts[0])
                .supportedPermissionTypes(
                    PermissionType.fromValue(parts.length > 1 && !parts[1].isEmpty() ? parts[1] : "COLUMN_PERMISSION"));
        if (parts.length > 2 && !parts[2].isEmpty()) request.s3Path(parts[2]);
        try {
          GetTemporaryGlueTableCredentialsResponse answer = client.getTemporaryGlueTableCredentials(request.build());
          lines.add(
              "{\"ok\":true,\"accessKeyId\":\"" + answer.accessKeyId() + "\",\"hasExpiration\":"
                  + (answer.expiration() != null) + "}");
        } catch (AwsServiceException e) {
          lines.add(
              "{\"ok\":false,\"exception\":\"" + e.getClass().getSimpleName() + "\",\"status\":" + e.statusCode()
                  + ",\"code\":\"" + e.awsErrorDetails().errorCode() + "\"}");
        }
      }
      lines.forEach(System.out::println);
    }
  }
}
