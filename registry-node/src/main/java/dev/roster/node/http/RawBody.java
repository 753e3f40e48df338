package dev.roster.node.http;

/** A reply body sent as is instead of the JSON envelope (the Prometheus exposition). */
public record RawBody(String contentType, String text) {}
