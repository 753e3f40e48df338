package dev.roster.node.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The web console's files, served from the jar: {@code /} sends the browser to {@code /ui/}, which
 * is {@code index.html}; {@code /ui/<file>} is a file of the jar's {@code console/} folder. Nothing
 * is fetched from anywhere else, so the console works offline. Files are read once, on first use.
 */
final class ConsoleFiles {
  static final String HOME = "/ui/";
  private static final String FOLDER = "console/";
  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "svg", "image/svg+xml",
          "png", "image/png",
          "ico", "image/x-icon");

  private final Map<String, RawBody> cache = new ConcurrentHashMap<>();

  void routes(Router router) {
    router
        .get("/", req -> done(redirectHome()))
        .get("/ui", req -> done(redirectHome()))
        .get(HOME, req -> done(file("index.html")))
        .get("/ui/{file}", req -> done(file(req.pathParam("file"))));
  }

  private static Reply redirectHome() {
    return new Reply(Code.OK, "", new RawBody(null, new byte[0], 302), Map.of("Location", HOME));
  }

  private Reply file(String name) {
    RawBody body = cache.get(name);
    if (body == null) {
      body = load(name);
      if (body == null) {
        throw new ApiException(Code.NOT_FOUND, "unknown path " + HOME + name);
      }
      cache.put(name, body); // only the jar's files: unknown names must not grow the cache
    }
    // revalidated on every load: a console from the previous version must not outlive an upgrade
    return new Reply(Code.OK, "", body, Map.of("Cache-Control", "no-cache"));
  }

  /** The file's bytes, or null for a name the jar's console folder does not hold. */
  private static RawBody load(String name) {
    int dot = name.lastIndexOf('.');
    String type = dot < 0 ? null : TYPES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    if (type == null || name.startsWith(".") || name.contains("/") || name.contains("\\")) {
      return null;
    }
    try (InputStream in = ConsoleFiles.class.getClassLoader().getResourceAsStream(FOLDER + name)) {
      return in == null ? null : new RawBody(type, in.readAllBytes(), 200);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the console's " + name, e);
    }
  }

  private static CompletableFuture<Reply> done(Reply r) {
    return CompletableFuture.completedFuture(r);
  }
}
