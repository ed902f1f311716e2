package lfcs.icebergrest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.aws.glue.GlueCatalog;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.rest.RESTCatalog;

/**
 * Reads every row of the named tables with Iceberg's own catalog and S3FileIO,
 * and prints one JSON line {"db.table": [[col, ...], ...], ...} (values as
 * strings, in column order).
 *
 * Usage: ReadTables rest|glue|gateway <emulator url> <account> <db.table>...
 * - rest: RESTCatalog at <url>/iceberg, SigV4 for glue (keys from the
 *   environment), vended credentials from storage-credentials.
 * - gateway: RESTCatalog at lfcs's Iceberg REST gateway (LFCS_GATEWAY_URL)
 *   with only the catalog token (LFCS_TOKEN); no delegation header unless
 *   LFCS_DELEGATION names one, so the gateway's default applies.
 * - glue: GlueCatalog with glue.lakeformation-enabled: Glue GetTable answers
 *   metadata_location, Lake Formation vends per table (STS, Glue and Lake
 *   Formation endpoints from AWS_ENDPOINT_URL_*).
 * S3 is the emulator's, path-style, in both.
 */
public final class ReadTables {
  public static void main(String[] args) throws Exception {
    String mode = args[0];
    String url = args[1];
    String account = args[2];
    Map<String, String> props = new HashMap<>();
    props.put("io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
    props.put("s3.endpoint", url);
    props.put("s3.path-style-access", "true");
    props.put("client.region", "us-east-1");
    Catalog catalog;
    if (mode.equals("gateway")) {
      props.put("uri", System.getenv("LFCS_GATEWAY_URL"));
      props.put("warehouse", account);
      props.put("token", System.getenv("LFCS_TOKEN"));
      String delegation = System.getenv("LFCS_DELEGATION");
      if (delegation != null) props.put("header.X-Iceberg-Access-Delegation", delegation);
      RESTCatalog rest = new RESTCatalog();
      rest.initialize("lfcs", props);
      catalog = rest;
    } else if (mode.equals("rest")) {
      props.put("uri", url + "/iceberg");
      props.put("warehouse", account);
      props.put("rest.sigv4-enabled", "true");
      props.put("rest.signing-name", "glue");
      props.put("rest.signing-region", "us-east-1");
      props.put("header.X-Iceberg-Access-Delegation", "vended-credentials");
      RESTCatalog rest = new RESTCatalog();
      rest.initialize("glue-rest", props);
      catalog = rest;
    } else {
      props.put("warehouse", "s3://demo-lake/warehouse");
      props.put("glue.account-id", account);
      props.put("glue.lakeformation-enabled", "true");
      props.put("client.factory", "org.apache.iceberg.aws.lakeformation.LakeFormationAwsClientFactory");
      props.put("client.assume-role.arn", args[3]);
      props.put("client.assume-role.region", "us-east-1");
      props.put("client.assume-role.tags.LakeFormationAuthorizedCaller", "lfcs-demo");
      GlueCatalog glue = new GlueCatalog();
      glue.initialize("glue", props);
      catalog = glue;
    }
    int first = mode.equals("glue") ? 4 : 3;
    StringBuilder out = new StringBuilder("{");
    for (int i = first; i < args.length; i++) {
      String[] parts = args[i].split("\\.");
      Table table = catalog.loadTable(TableIdentifier.of(parts[0], parts[1]));
      List<String> rows = new ArrayList<>();
      try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
        for (Record record : records) {
          List<String> values = new ArrayList<>();
          for (int f = 0; f < record.size(); f++) values.add(quote(String.valueOf(record.get(f))));
          rows.add("[" + String.join(",", values) + "]");
        }
      }
      if (i > first) out.append(',');
      out.append(quote(args[i])).append(":[").append(String.join(",", rows)).append(']');
    }
    System.out.println(out.append('}'));
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
