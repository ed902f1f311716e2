package lfcs.plugin;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.auth.spi.scheme.AuthSchemeOption;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.services.lakeformation.LakeFormationClient;
import software.amazon.awssdk.services.lakeformation.auth.scheme.LakeFormationAuthSchemeProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.lakeformation.plugin.accessgrants.plugin.LakeFormationAccessGrantsIdentityProvider;

/**
 * Puts the plugin's two time sources on {@link SimulatedTime}. The plugin
 * exposes neither, so this reaches into the identity provider it installs on
 * the S3 client (reflection; the field names are those of 1.2 to 1.4.3):
 * - its credential cache is rebuilt with the plugin's own maximum size and
 *   expireAfterWrite (read from the cache it built: 3,240 s), ticking on the
 *   simulated time;
 * - its Lake Formation client is rebuilt as the plugin builds it (the S3
 *   client's region, the default credential chain and endpoint, hence
 *   AWS_ENDPOINT_URL_LAKEFORMATION), signing at the simulated time (lfcs
 *   checks X-Amz-Date against its own clock), and with {@code answers}
 *   recording what Lake Formation answered.
 * Everything else (which prefix is asked, the request without DurationSeconds,
 * the prefix search of the cache, the credentials handed to the S3 signer) is
 * the plugin's code as published.
 */
final class PluginTime {
    private PluginTime() {
    }

    /** Installs both on {@code s3}'s plugin; returns the plugin's own cache period in seconds. */
    static long install(S3Client s3, ExecutionInterceptor answers) throws ReflectiveOperationException {
        IdentityProvider<?> provider = s3.serviceClientConfiguration().credentialsProvider();
        if (!(provider instanceof LakeFormationAccessGrantsIdentityProvider)) {
            throw new IllegalStateException("the S3 client's credentials provider is not the plugin's: " + provider.getClass());
        }
        Object grantsCache = get(provider, "accessGrantsCache");
        @SuppressWarnings("unchecked")
        Cache<Object, Object> built = (Cache<Object, Object>) get(grantsCache, "accessGrantsCache");
        long ttlSeconds = built.policy().expireAfterWrite().orElseThrow().getExpiresAfter(TimeUnit.SECONDS);
        long maximumSize = built.policy().eviction().orElseThrow().getMaximum();
        set(grantsCache, "accessGrantsCache", Caffeine.newBuilder()
            .maximumSize(maximumSize)
            .expireAfterWrite(ttlSeconds, TimeUnit.SECONDS)
            .ticker(SimulatedTime.TICKER)
            .build());

        LakeFormationAuthSchemeProvider defaults = LakeFormationAuthSchemeProvider.defaultProvider();
        LakeFormationClient previous = (LakeFormationClient) get(provider, "lfClient");
        set(provider, "lfClient", LakeFormationClient.builder()
            .region(s3.serviceClientConfiguration().region())
            .authSchemeProvider(params -> signingAtSimulatedTime(defaults.resolveAuthScheme(params)))
            .overrideConfiguration(o -> o.addExecutionInterceptor(answers))
            .build());
        previous.close();
        return ttlSeconds;
    }

    /** The same auth scheme options, with SigV4's clock set to the simulated time. */
    static List<AuthSchemeOption> signingAtSimulatedTime(List<AuthSchemeOption> options) {
        return options.stream()
            .map(option -> option.toBuilder().putSignerProperty(HttpSigner.SIGNING_CLOCK, SimulatedTime.CLOCK).build())
            .collect(Collectors.toList());
    }

    private static Field field(Object target, String name) throws NoSuchFieldException {
        Field field = target.getClass().getDeclaredField(name);
        field.setAccessible(true);
        return field;
    }

    private static Object get(Object target, String name) throws ReflectiveOperationException {
        return field(target, name).get(target);
    }

    private static void set(Object target, String name, Object value) throws ReflectiveOperationException {
        field(target, name).set(target, value);
    }
}
