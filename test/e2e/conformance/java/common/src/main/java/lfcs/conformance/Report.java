package lfcs.conformance;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a client program prints on stdout: one JSON object. Secrets are never in it, only the
 * access key id (which the S3 request carries in clear anyway) and what the client did.
 */
public final class Report {
  private final Map<String, Object> fields = new LinkedHashMap<>();

  public Report put(String key, Object value) {
    fields.put(key, value);
    return this;
  }

  public void print() {
    StringBuilder out = new StringBuilder("{");
    boolean first = true;
    for (Map.Entry<String, Object> e : fields.entrySet()) {
      if (!first) out.append(',');
      first = false;
      out.append(quote(e.getKey())).append(':');
      Object v = e.getValue();
      out.append(v instanceof Number || v instanceof Boolean ? v.toString() : quote(String.valueOf(v)));
    }
    System.out.println(out.append('}'));
  }

  /** The client's own error: class names down the cause chain and the first message. Exit code 3. */
  public static void fail(Throwable t) {
    StringBuilder chain = new StringBuilder();
    String message = null;
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (chain.length() > 0) chain.append(" <- ");
      chain.append(c.getClass().getName());
      if (message == null && c.getMessage() != null) message = c.getMessage();
      if (c.getCause() == c) break;
    }
    new Report().put("error", chain.toString()).put("message", message).print();
    System.exit(3);
  }

  public static String env(String name) {
    String v = System.getenv(name);
    if (v == null || v.isEmpty()) throw new IllegalStateException(name + " is not set");
    return v;
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (ch < 0x20) b.append(String.format("\\u%04x", (int) ch));
          else b.append(ch);
        }
      }
    }
    return b.append('"').toString();
  }
}
