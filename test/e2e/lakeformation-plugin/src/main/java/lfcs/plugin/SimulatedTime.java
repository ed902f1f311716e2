package lfcs.plugin;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The run's clock: set by the test before each S3 request to the time of its
 * fake clock (which lfcs runs on), so hours pass in seconds. Read by the
 * plugin's cache (as a Caffeine ticker) and by the signers (as SigV4's clock).
 */
final class SimulatedTime {
    private static final AtomicLong NOW_MS = new AtomicLong();

    /** The plugin cache's expiry clock: Caffeine reads nanoseconds. */
    static final Ticker TICKER = () -> TimeUnit.MILLISECONDS.toNanos(NOW_MS.get());

    /** The signing clock: X-Amz-Date is the simulated time. */
    static final Clock CLOCK = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(NOW_MS.get());
        }
    };

    private SimulatedTime() {
    }

    static void set(long epochMillis) {
        NOW_MS.set(epochMillis);
    }

    static long nowMs() {
        return NOW_MS.get();
    }
}
