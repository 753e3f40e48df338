package dev.roster.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * The validated settings of one client (see {@link RosterClient.Builder} for meanings and
 * defaults).
 */
record Settings(
    List<URI> nodes,
    String env,
    String zone,
    Duration connectTimeout,
    Duration requestTimeout,
    Duration deadline,
    int maxRedirects,
    Duration backoffMin,
    Duration backoffMax,
    Duration renewInterval,
    Duration pollHold,
    Duration nodeRefreshInterval,
    int ioThreads,
    Supplier<String> token,
    ClientTls tls) {}
