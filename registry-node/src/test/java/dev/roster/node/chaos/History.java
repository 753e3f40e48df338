package dev.roster.node.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The run's history file, JSON lines: one line per completed operation ({@link Op}) and one per
 * fault event ({@code {"event":"fault",...}}). Times are nanoseconds since the run started, on the
 * runner's monotonic clock, so invocation/completion intervals of different clients compare.
 */
final class History implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  private final long origin = System.nanoTime();
  private final AtomicLong ids = new AtomicLong();
  private final BufferedWriter out;
  private final List<Op> roundOps = new ArrayList<>();

  History(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
  }

  long now() {
    return System.nanoTime() - origin;
  }

  long nextId() {
    return ids.incrementAndGet();
  }

  synchronized void record(Op op) {
    roundOps.add(op);
    write(JSON.valueToTree(op).toString());
  }

  synchronized void event(int round, String event, String detail) {
    ObjectNode n = JSON.createObjectNode();
    n.put("event", event).put("round", round).put("at", now()).put("detail", detail);
    write(n.toString());
  }

  /** The operations recorded since the last call (one round's history), in completion order. */
  synchronized List<Op> drainRound() {
    List<Op> ops = List.copyOf(roundOps);
    roundOps.clear();
    return ops;
  }

  private void write(String line) {
    try {
      out.write(line);
      out.newLine();
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public synchronized void close() throws IOException {
    out.close();
  }
}
