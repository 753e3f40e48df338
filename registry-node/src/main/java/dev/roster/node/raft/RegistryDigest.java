package dev.roster.node.raft;

import dev.roster.node.command.BinaryWriter;
import dev.roster.node.command.ModelCodec;
import dev.roster.node.model.AppKey;
import dev.roster.node.model.Application;
import dev.roster.node.model.EvictionLog;
import dev.roster.node.model.Instance;
import dev.roster.node.model.RegistryView;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * A fingerprint of the whole replicated state at one applied index: SHA-256 over a canonical
 * encoding (applications sorted by env then appid, instances by hostname, metadata by key) of every
 * application, its latest_timestamp, every instance field including the five timestamps, the
 * guard's window counters, the largest applied command timestamp and the eviction log.
 *
 * <p>Two replicas that applied the same entries have the same digest at the same {@code
 * appliedIndex}; a different digest at the same index means they diverged. This is how the chaos
 * suite checks that every node converges to the identical registry.
 */
public record RegistryDigest(long appliedIndex, String sha256, int applications, long instances) {

  private static final Comparator<AppKey> APP_ORDER =
      Comparator.comparing(AppKey::env).thenComparing(AppKey::appid);

  /** Computes the digest; call it where nothing mutates the registry (under the read lock). */
  static RegistryDigest of(RegistryView registry, long appliedIndex, long lastAppliedTs) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
    BinaryWriter w = new BinaryWriter(new DigestOutputStream(OutputStream.nullOutputStream(), sha));
    w.writeLong(lastAppliedTs)
        .writeLong(registry.guard().renewsThisWindow())
        .writeLong(registry.guard().renewsLastWindow());
    List<Application> apps = new ArrayList<>(registry.applications());
    apps.sort(Comparator.comparing(Application::key, APP_ORDER));
    w.writeInt(apps.size());
    long instances = 0;
    for (Application app : apps) {
      w.writeString(app.key().env())
          .writeString(app.key().appid())
          .writeLong(app.latestTimestamp());
      List<Instance> sorted = new ArrayList<>(app.instances());
      sorted.sort(Comparator.comparing(Instance::hostname));
      w.writeInt(sorted.size());
      for (Instance i : sorted) {
        // the region always (as before version 3), the lease and extensions when there are any
        ModelCodec.writeInstance(
            w, i, Math.max(ModelCodec.LAYOUT_WITH_REGION, ModelCodec.layoutFor(i)));
      }
      instances += sorted.size();
    }
    // the eviction log once a check of a version that has it ran (before, digests are unchanged)
    EvictionLog.State log = registry.evictionLog().state();
    if (!log.isEmpty()) {
      EvictionLogCodec.write(w, log);
    }
    w.flush();
    return new RegistryDigest(
        appliedIndex, HexFormat.of().formatHex(sha.digest()), apps.size(), instances);
  }
}
