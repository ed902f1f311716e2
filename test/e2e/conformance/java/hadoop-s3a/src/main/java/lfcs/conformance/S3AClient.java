package lfcs.conformance;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.VersionInfo;

/**
 * Hadoop S3A 3.4 reading one object through s3a:// from the test's recorder, with the credentials
 * provider set exactly as examples/spark/spark-submit.sh sets it (spark.hadoop. prefix dropped),
 * or, with S3A_CREDENTIALS_PROVIDER=default, S3A's own default provider list. With
 * S3A_FIX_TOKEN_FROM set, it checks instead whether S3A recovers after one failed fetch.
 */
public final class S3AClient {
  public static void main(String[] args) {
    try {
      String bucket = Report.env("S3_BUCKET");
      String key = Report.env("S3_KEY");
      Configuration conf = new Configuration();
      // S3A_CREDENTIALS_PROVIDER=default leaves S3A's own default provider list in place
      // (its IAMInstanceCredentialsProvider reaches the container endpoint too).
      if (!"default".equals(System.getenv("S3A_CREDENTIALS_PROVIDER"))) {
        conf.set("fs.s3a.aws.credentials.provider",
            "software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider");
      }
      conf.set("fs.s3a.endpoint", Report.env("RECORDER_URL"));
      conf.set("fs.s3a.endpoint.region", "us-east-1");
      conf.set("fs.s3a.path.style.access", "true");
      conf.set("fs.s3a.connection.ssl.enabled", "false");
      // Keep the run to the two object requests: no bucket probe, one attempt per request.
      conf.set("fs.s3a.bucket.probe", "0");
      conf.set("fs.s3a.attempts.maximum", "1");
      conf.set("fs.s3a.retry.limit", "1");
      conf.set("fs.s3a.impl.disable.cache", "true");
      Path path = new Path("s3a://" + bucket + "/" + key);
      try (FileSystem fs = FileSystem.get(URI.create("s3a://" + bucket + "/"), conf)) {
        Report report = new Report();
        String fixedToken = System.getenv("S3A_FIX_TOKEN_FROM");
        if (fixedToken != null) {
          // Recovery check: the token file starts out wrong, so the first read fails; then the
          // right token is written to it (as a rotated token would be) and the read is retried.
          try {
            fs.getFileStatus(path);
            report.put("firstRead", "ok");
          } catch (Exception e) {
            report.put("firstRead", e.getClass().getName());
          }
          Files.copy(Paths.get(fixedToken), Paths.get(Report.env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")),
              StandardCopyOption.REPLACE_EXISTING);
          try {
            fs.getFileStatus(path);
            report.put("secondRead", "ok");
          } catch (Exception e) {
            report.put("secondRead", e.getClass().getName()).put("secondMessage", e.getMessage());
          }
          report.print();
          return;
        }
        FileStatus status = fs.getFileStatus(path);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try (InputStream in = fs.open(path)) {
          in.transferTo(body);
        }
        report
            .put("sdk", "hadoop-aws " + VersionInfo.getVersion() + " (AWS SDK for Java v2 "
                + software.amazon.awssdk.core.util.VersionInfo.SDK_VERSION + ")")
            .put("contentLength", status.getLen())
            .put("body", body.toString(StandardCharsets.UTF_8))
            .print();
      }
    } catch (Throwable t) {
      Report.fail(t);
    }
  }
}
