package dev.roster.node.http;

/** A parsed request as handlers see it: the path, the original URI (for redirects) and parameters. */
public record ApiRequest(String method, String path, String uri, Params params) {}
