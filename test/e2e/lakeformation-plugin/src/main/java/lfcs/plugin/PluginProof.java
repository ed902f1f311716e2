package lfcs.plugin;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lakeformation.model.GetTemporaryDataLocationCredentialsRequest;
import software.amazon.awssdk.services.lakeformation.model.GetTemporaryDataLocationCredentialsResponse;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.auth.scheme.S3AuthSchemeProvider;
import software.amazon.lakeformation.plugin.accessgrants.plugin.LakeFormationAccessGrantsPlugin;

/**
 * S3 clients with AWS's Lake Formation per-prefix plugin, driven by the test
 * one request at a time.
 *
 * Arguments: the test's endpoint (an S3 stand-in that records every signed
 * request, and the driver under /_driver/) and the number of S3 clients (each
 * with its own plugin, hence its own cache, like separate executors). The
 * plugin's Lake Formation client finds lfcs through
 * AWS_ENDPOINT_URL_LAKEFORMATION and signs with the default chain's keys.
 *
 * Prints {"ready":true,"pluginCacheSeconds":N,...} once, then asks the
 * driver for steps ("<simulated epoch ms> <client> <bucket> <key>", or
 * "done"): sets the simulated time, GETs the object through that client, and
 * posts one JSON line with the outcome and every Lake Formation answer the
 * plugin received meanwhile (access key id, Expiration, the DurationSeconds
 * it sent). The driver moves lfcs's clock before it answers.
 */
public final class PluginProof {
    private PluginProof() {
    }

    public static void main(String[] args) throws Exception {
        URI s3Endpoint = URI.create(args[0]);
        int clients = Integer.parseInt(args[1]);
        // The plugin logs every resolution at INFO through java.util.logging.
        Logger.getLogger("").setLevel(Level.WARNING);

        List<String> answers = new ArrayList<>();
        ExecutionInterceptor recorder = new ExecutionInterceptor() {
            @Override
            public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof GetTemporaryDataLocationCredentialsRequest
                        && context.response() instanceof GetTemporaryDataLocationCredentialsResponse) {
                    GetTemporaryDataLocationCredentialsRequest asked = (GetTemporaryDataLocationCredentialsRequest) context.request();
                    GetTemporaryDataLocationCredentialsResponse answer = (GetTemporaryDataLocationCredentialsResponse) context.response();
                    synchronized (answers) {
                        answers.add("{\"accessKeyId\":" + quote(answer.credentials().accessKeyId())
                            + ",\"expiration\":" + answer.credentials().expiration().getEpochSecond()
                            + ",\"durationSeconds\":" + asked.durationSeconds()
                            + ",\"dataLocations\":" + quote(String.join(",", asked.dataLocations()))
                            + ",\"at\":" + SimulatedTime.nowMs() + "}");
                    }
                }
            }
        };

        S3AuthSchemeProvider s3Defaults = S3AuthSchemeProvider.defaultProvider();
        S3Client[] s3 = new S3Client[clients];
        long pluginCacheSeconds = -1;
        for (int i = 0; i < clients; i++) {
            s3[i] = S3Client.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(s3Endpoint)
                .forcePathStyle(true)
                // The requester's own identity: part of the plugin's cache key, never sent to S3 here.
                .credentialsProvider(StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(String.format("AKIAREQUESTER%07d", i), "requester-secret-" + i)))
                // S3 requests signed at the simulated time too, so the recorder reads the use time from X-Amz-Date.
                .authSchemeProvider(params -> PluginTime.signingAtSimulatedTime(s3Defaults.resolveAuthScheme(params)))
                .addPlugin(LakeFormationAccessGrantsPlugin.builder().enabled(true).enableFallback(false).build())
                .build();
            pluginCacheSeconds = PluginTime.install(s3[i], recorder);
        }
        System.out.println("{\"ready\":true,\"pluginCacheSeconds\":" + pluginCacheSeconds + ",\"clients\":" + clients + "}");

        HttpClient driver = HttpClient.newHttpClient();
        URI next = s3Endpoint.resolve("/_driver/next");
        URI result = s3Endpoint.resolve("/_driver/result");
        for (;;) {
            String step = driver.send(HttpRequest.newBuilder(next).build(), HttpResponse.BodyHandlers.ofString()).body().trim();
            if (step.equals("done")) {
                break;
            }
            String[] parts = step.split(" ");
            SimulatedTime.set(Long.parseLong(parts[0]));
            int client = Integer.parseInt(parts[1]);
            String outcome;
            try {
                s3[client].getObjectAsBytes(b -> b.bucket(parts[2]).key(parts[3]));
                outcome = "\"ok\":true";
            } catch (RuntimeException e) {
                outcome = "\"ok\":false,\"error\":" + quote(e.toString() + (e.getCause() == null ? "" : " caused by " + e.getCause()));
            }
            String line;
            synchronized (answers) {
                line = "{" + outcome + ",\"lakeFormation\":[" + String.join(",", answers) + "]}";
                answers.clear();
            }
            driver.send(HttpRequest.newBuilder(result).POST(HttpRequest.BodyPublishers.ofString(line)).build(),
                HttpResponse.BodyHandlers.discarding());
        }
        for (S3Client client : s3) {
            client.close();
        }
    }

    private static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
