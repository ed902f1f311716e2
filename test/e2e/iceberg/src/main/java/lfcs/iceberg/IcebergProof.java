package lfcs.iceberg;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.aws.glue.GlueCatalog;
import org.apache.iceberg.aws.s3.S3FileIO;
import org.apache.iceberg.catalog.TableIdentifier;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Iceberg's own code path for Lake Formation-vended S3 credentials: a
 * GlueCatalog with glue.lakeformation-enabled=true, its table operations'
 * S3FileIO, and the S3 client LakeFormationAwsClientFactory builds for each
 * table, whose credentials provider calls GetTemporaryGlueTableCredentials on
 * every resolution. Resolves each table's S3 credentials RESOLUTIONS times
 * from THREADS threads and prints one JSON line.
 *
 * Endpoints come only from the SDK's environment variables
 * (AWS_ENDPOINT_URL_STS, _GLUE, _LAKEFORMATION), as in production.
 * Usage: IcebergProof <account> <region> <roleArn> <tagValue> <db.table>...
 */
public final class IcebergProof {
  private static final int THREADS = 8;
  private static final int RESOLUTIONS = 1000;

  /** Exposes the protected newTableOps: the table's operations without loading its metadata from S3. */
  static final class ProofCatalog extends GlueCatalog {
    TableOperations tableOps(TableIdentifier identifier) {
      return newTableOps(identifier);
    }
  }

  public static void main(String[] args) throws Exception {
    String account = args[0];
    String region = args[1];
    String roleArn = args[2];
    String tagValue = args[3];
    ProofCatalog catalog = new ProofCatalog();
    catalog.initialize(
        "glue",
        Map.of(
            "warehouse", "s3://demo-lake/warehouse",
            "io-impl", "org.apache.iceberg.aws.s3.S3FileIO",
            "glue.lakeformation-enabled", "true",
            "client.factory", "org.apache.iceberg.aws.lakeformation.LakeFormationAwsClientFactory",
            "glue.account-id", account,
            "client.assume-role.arn", roleArn,
            "client.assume-role.region", region,
            "client.assume-role.tags.LakeFormationAuthorizedCaller", tagValue,
            "client.region", region));

    List<IdentityProvider<? extends AwsCredentialsIdentity>> providers = new ArrayList<>();
    for (int i = 4; i < args.length; i++) {
      String[] parts = args[i].split("\\.");
      TableOperations ops = catalog.tableOps(TableIdentifier.of(parts[0], parts[1]));
      S3Client s3 = ((S3FileIO) ops.io()).client();
      providers.add(s3.serviceClientConfiguration().credentialsProvider());
    }

    AtomicInteger resolved = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    List<String> firstErrors = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    long started = System.nanoTime();
    List<Future<?>> futures = new ArrayList<>();
    for (IdentityProvider<? extends AwsCredentialsIdentity> provider : providers) {
      for (int n = 0; n < RESOLUTIONS; n++) {
        futures.add(
            pool.submit(
                () -> {
                  try {
                    AwsCredentialsIdentity identity = provider.resolveIdentity().join();
                    if (identity.accessKeyId() == null || identity.accessKeyId().isEmpty()) {
                      throw new IllegalStateException("no access key id");
                    }
                    resolved.incrementAndGet();
                  } catch (RuntimeException e) {
                    failed.incrementAndGet();
                    synchronized (firstErrors) {
                      // The class and the service's message; never key material (the SDK puts none in errors).
                      if (firstErrors.size() < 3) firstErrors.add(e.getClass().getSimpleName() + ": " + e.getMessage());
                    }
                  }
                }));
      }
    }
    for (Future<?> future : futures) future.get(120, TimeUnit.SECONDS);
    pool.shutdown();
    long elapsedMs = (System.nanoTime() - started) / 1_000_000;
    catalog.close();

    StringBuilder errors = new StringBuilder("[");
    for (int i = 0; i < firstErrors.size(); i++) {
      if (i > 0) errors.append(',');
      errors.append('"').append(firstErrors.get(i).replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ")).append('"');
    }
    errors.append(']');
    System.out.println(
        "{\"tables\":" + providers.size()
            + ",\"threads\":" + THREADS
            + ",\"resolutionsPerTable\":" + RESOLUTIONS
            + ",\"resolved\":" + resolved.get()
            + ",\"failed\":" + failed.get()
            + ",\"elapsedMs\":" + elapsedMs
            + ",\"errors\":" + errors
            + "}");
  }
}
