package dev.roster.node.http;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The envelope codes of the discovery protocol, and the HTTP status each travels with where HTTP
 * statuses are meaningful (the operations endpoints; on discovery's wire see {@link
 * Router#httpStatus}).
 */
public enum Code {
  OK(0, HttpResponseStatus.OK),
  NOT_MODIFIED(-304, HttpResponseStatus.OK),
  NOT_LEADER(-307, HttpResponseStatus.TEMPORARY_REDIRECT),
  BAD_REQUEST(-400, HttpResponseStatus.BAD_REQUEST),
  UNAUTHORIZED(-401, HttpResponseStatus.UNAUTHORIZED),
  FORBIDDEN(-403, HttpResponseStatus.FORBIDDEN),
  NOT_FOUND(-404, HttpResponseStatus.NOT_FOUND),
  METHOD_NOT_ALLOWED(-405, HttpResponseStatus.METHOD_NOT_ALLOWED),
  TOO_LARGE(-413, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE),
  INTERNAL(-500, HttpResponseStatus.INTERNAL_SERVER_ERROR),
  UNAVAILABLE(-503, HttpResponseStatus.SERVICE_UNAVAILABLE);

  public final int value;
  public final HttpResponseStatus status;

  Code(int value, HttpResponseStatus status) {
    this.value = value;
    this.status = status;
  }
}
