package dev.roster.node.http;

import java.util.concurrent.CompletableFuture;

/** Serves one endpoint. Throwing {@link ApiException} is the same as returning its reply. */
@FunctionalInterface
public interface Handler {
  CompletableFuture<Reply> handle(ApiRequest request);
}
