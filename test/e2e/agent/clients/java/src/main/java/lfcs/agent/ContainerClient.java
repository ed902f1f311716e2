package lfcs.agent;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.core.util.VersionInfo;

/**
 * The AWS SDK for Java v2's ContainerCredentialsProvider, built with no options: it reads
 * AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE itself. Prints one
 * JSON line with the access key id and sha256 hashes of the secret and session token (never the
 * secrets); on the client's own error, {error, message, status} (status: the HTTP status the
 * provider recorded, 0 if none) and exit code 3.
 */
public final class ContainerClient {
  public static void main(String[] args) {
    try (ContainerCredentialsProvider provider = ContainerCredentialsProvider.builder().build()) {
      AwsCredentials credentials = provider.resolveCredentials();
      String token = credentials instanceof AwsSessionCredentials session ? session.sessionToken() : "";
      System.out.println("{\"sdk\":" + quote("aws-sdk-java-v2 " + VersionInfo.SDK_VERSION)
          + ",\"provider\":\"ContainerCredentialsProvider\""
          + ",\"accessKeyId\":" + quote(credentials.accessKeyId())
          + ",\"secretAccessKeySha256\":" + quote(sha256(credentials.secretAccessKey()))
          + ",\"sessionTokenSha256\":" + quote(sha256(token)) + "}");
    } catch (Throwable t) {
      StringBuilder chain = new StringBuilder();
      int status = 0;
      for (Throwable e = t; e != null; e = e.getCause()) {
        if (chain.length() > 0) chain.append(" <- ");
        chain.append(e.getClass().getName());
        // The provider's own record of the endpoint's answer (its message does not say it).
        if (status == 0 && e instanceof SdkServiceException service) status = service.statusCode();
      }
      System.out.println("{\"error\":" + quote(chain.toString()) + ",\"message\":" + quote(String.valueOf(t.getMessage()))
          + ",\"status\":" + status + "}");
      System.exit(3);
    }
  }

  private static String sha256(String value) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
  }

  private static String quote(String value) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : value.toCharArray()) {
      if (c == '"' || c == '\\') out.append('\\').append(c);
      else if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
      else out.append(c);
    }
    return out.append('"').toString();
  }
}
