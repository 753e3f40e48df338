package dev.roster.node.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.roster.node.metrics.Metrics;
import dev.roster.node.raft.UnavailableException;
import dev.roster.node.tls.NodeTls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP front door (Netty): aggregates requests up to 1 MiB, parses parameters, routes, and
 * writes every outcome — success, refusal or failure — in the JSON envelope of the contract.
 */
public final class HttpServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HttpServer.class);
  public static final int MAX_BODY_BYTES = 1024 * 1024;

  private final Router router;
  private final ObjectMapper json;
  private final AtomicBoolean accepting = new AtomicBoolean(true);
  private final AtomicInteger inFlight = new AtomicInteger();
  private final HandshakeFailures handshakeFailures = new HandshakeFailures();
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private Channel channel;

  private final Metrics metrics;
  private final AccessControl access;
  private final NodeTls tls;

  /**
   * The answer to a browser's CORS preflight: the console may send its token (Authorization) and
   * form or JSON bodies to another member.
   */
  private static final Reply PREFLIGHT =
      new Reply(
          Code.OK,
          "",
          new RawBody(null, new byte[0], 204),
          Map.of(
              "Access-Control-Allow-Methods", "GET, POST, PUT, DELETE",
              "Access-Control-Allow-Headers", "Authorization, Content-Type",
              "Access-Control-Max-Age", "600"));

  public HttpServer(Router router, ObjectMapper json, Metrics metrics) {
    this(router, json, metrics, AccessControl.open());
  }

  public HttpServer(Router router, ObjectMapper json, Metrics metrics, AccessControl access) {
    this(router, json, metrics, access, null);
  }

  /** A server speaking HTTPS only with {@code tls}, or plain HTTP if it is null. */
  public HttpServer(
      Router router, ObjectMapper json, Metrics metrics, AccessControl access, NodeTls tls) {
    this.router = router;
    this.json = json;
    this.metrics = metrics;
    this.access = access;
    this.tls = tls;
  }

  public InetSocketAddress start(String host, int port) {
    boss = new NioEventLoopGroup(1, new DefaultThreadFactory("roster-http-accept", true));
    workers = new NioEventLoopGroup(0, new DefaultThreadFactory("roster-http", true));
    try {
      channel =
          new ServerBootstrap()
              .group(boss, workers)
              .channel(NioServerSocketChannel.class)
              .option(ChannelOption.SO_BACKLOG, 1024)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      if (tls != null) {
                        ch.pipeline().addLast(new TlsSniffer(tls));
                      }
                      ch.pipeline()
                          .addLast(new HttpServerCodec())
                          .addLast(new JsonAggregator())
                          .addLast(new ApiHandler());
                    }
                  })
              .bind(host, port)
              .syncUninterruptibly()
              .channel();
    } catch (Exception e) { // Netty rethrows the checked BindException undeclared
      close();
      throw new IllegalStateException(
          "cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    return (InetSocketAddress) channel.localAddress();
  }

  /** New requests get -503 from now on; requests already running complete. */
  public void stopAccepting() {
    accepting.set(false);
  }

  /** Requests received and not yet answered. */
  public int inFlight() {
    return inFlight.get();
  }

  /** Waits until every request in flight has been answered, or the deadline passes. */
  public boolean awaitIdle(long deadlineNanos) throws InterruptedException {
    while (inFlight.get() > 0) {
      if (System.nanoTime() >= deadlineNanos) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }

  @Override
  public void close() {
    if (channel != null) {
      channel.close().syncUninterruptibly();
    }
    if (boss != null) {
      boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
    if (workers != null) {
      workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /** Answers an oversized body with -413 in our envelope instead of Netty's bare response. */
  private final class JsonAggregator extends HttpObjectAggregator {
    JsonAggregator() {
      super(MAX_BODY_BYTES, true);
    }

    /** With {@code Expect: 100-continue} the refusal is sent before the body: same envelope. */
    @Override
    protected Object newContinueResponse(
        HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
      Object response = super.newContinueResponse(start, maxContentLength, pipeline);
      if (response instanceof FullHttpResponse r
          && r.status().equals(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE)) {
        r.release();
        FullHttpResponse ours =
            encode(pipeline.channel().alloc(), tooLarge(), Code.TOO_LARGE.status);
        ours.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return ours;
      }
      return response;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      FullHttpResponse response = encode(ctx.alloc(), tooLarge(), Code.TOO_LARGE.status);
      // As Netty does: a keep-alive client that announced its length may still be sending the
      // body; closing now would reset the connection before it reads the 413. Keep it open (the
      // aggregator discards the rest of the body). Otherwise there is nothing to wait for.
      boolean keepOpen =
          !(oversized instanceof FullHttpMessage)
              && (HttpUtil.is100ContinueExpected(oversized) || HttpUtil.isKeepAlive(oversized));
      if (keepOpen) {
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
      } else {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      }
    }
  }

  private final class ApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      long start = System.nanoTime();
      String endpoint = router.endpointOf(request.uri());
      CompletableFuture<Reply> reply;
      try {
        reply = dispatch(request, ctx.channel().remoteAddress());
      } catch (RuntimeException e) {
        reply = CompletableFuture.failedFuture(e);
      }
      inFlight.incrementAndGet();
      CompletableFuture<Reply> pending = reply;
      if (!pending.isDone()) {
        // a client that goes away cancels its request: a parked poll frees its slot at once
        ChannelFutureListener onClose = f -> pending.cancel(false);
        ctx.channel().closeFuture().addListener(onClose);
        pending.whenComplete((r, e) -> ctx.channel().closeFuture().removeListener(onClose));
      }
      pending.whenComplete(
          (r, e) -> {
            Reply out = e == null ? r : FailureReplies.of(e);
            // answered on the connection's event loop; reads already run there, so no hop for them
            if (ctx.executor().inEventLoop()) {
              respond(ctx, out, keepAlive, endpoint, start);
            } else {
              try {
                ctx.executor().execute(() -> respond(ctx, out, keepAlive, endpoint, start));
              } catch (java.util.concurrent.RejectedExecutionException closed) {
                inFlight.decrementAndGet(); // the server is closing; the connection is gone
              }
            }
          });
    }

    private void respond(
        ChannelHandlerContext ctx, Reply r, boolean keepAlive, String endpoint, long start) {
      try {
        write(ctx, r, router.httpStatus(endpoint, r), keepAlive);
        metrics.recordRequest(endpoint, r.code().value, System.nanoTime() - start);
      } finally {
        inFlight.decrementAndGet();
      }
    }

    private CompletableFuture<Reply> dispatch(FullHttpRequest request, SocketAddress remote) {
      DecoderResult decoded = request.decoderResult();
      if (decoded.isFailure()) {
        throw new ApiException(
            Code.BAD_REQUEST, "malformed HTTP request: " + decoded.cause().getMessage());
      }
      if (!accepting.get()) {
        throw new UnavailableException("node is shutting down");
      }
      String path;
      try {
        path = new QueryStringDecoder(request.uri()).path();
      } catch (IllegalArgumentException e) {
        throw new ApiException(Code.BAD_REQUEST, "malformed URI: " + e.getMessage());
      }
      if (request.method().equals(HttpMethod.OPTIONS)) {
        return CompletableFuture.completedFuture(PREFLIGHT);
      }
      Router.Routed routed = router.route(request.method().name(), path);
      AccessControl.Kind kind = AccessControl.kindOf(request.method().name(), path);
      AccessControl.Decision granted =
          access.check(
              kind, request.headers().get(HttpHeaderNames.AUTHORIZATION), remote, routed.raw());
      if (granted.isRefused()) {
        return CompletableFuture.completedFuture(granted.refusal());
      }
      String host = request.headers().get(HttpHeaderNames.HOST);
      if (!routed.raw()) {
        Params params = Params.parse(request, json);
        Reply outOfScope =
            access.scopeRefusal(
                granted, () -> access.envOf(false, routed.pathParams(), params), remote, false);
        if (outOfScope != null) {
          return CompletableFuture.completedFuture(outOfScope);
        }
        return routed
            .handler()
            .handle(
                new ApiRequest(
                    request.method().name(),
                    path,
                    request.uri(),
                    params,
                    host,
                    routed.pathParams(),
                    null,
                    Map.of()));
      }
      Reply outOfScope =
          access.scopeRefusal(
              granted, () -> access.envOf(true, routed.pathParams(), null), remote, true);
      if (outOfScope != null) {
        return CompletableFuture.completedFuture(outOfScope);
      }
      byte[] body = new byte[request.content().readableBytes()];
      request.content().getBytes(request.content().readerIndex(), body);
      Map<String, String> headers = new HashMap<>();
      request
          .headers()
          .forEach(h -> headers.putIfAbsent(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
      return routed
          .handler()
          .handle(
              new ApiRequest(
                  request.method().name(),
                  path,
                  request.uri(),
                  Params.ofQuery(request.uri()),
                  host,
                  routed.pathParams(),
                  body,
                  headers));
    }

    private void write(
        ChannelHandlerContext ctx, Reply reply, HttpResponseStatus status, boolean keepAlive) {
      FullHttpResponse response = encode(ctx.alloc(), reply, status);
      if (keepAlive) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        ctx.writeAndFlush(response);
      } else {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (cause instanceof DecoderException
          && cause.getCause() instanceof SSLException tlsFailure) {
        handshakeFailures.report(ctx.channel().remoteAddress(), tlsFailure);
      } else if (!(cause instanceof IOException)) {
        log.warn("HTTP connection failed: {}", cause.toString());
      }
      ctx.close();
    }
  }

  private static Reply tooLarge() {
    return Reply.of(Code.TOO_LARGE, "request body is larger than " + MAX_BODY_BYTES + " bytes");
  }

  private FullHttpResponse encode(ByteBufAllocator alloc, Reply reply, HttpResponseStatus status) {
    FullHttpResponse response = encodeBody(alloc, reply, status);
    // any page may read the API (it is open to anyone who can reach the port anyway): the web
    // console reads from another member when the node it came from is down
    response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    return response;
  }

  private FullHttpResponse encodeBody(
      ByteBufAllocator alloc, Reply reply, HttpResponseStatus status) {
    if (reply.data() instanceof RawBody raw) {
      ByteBuf body = Unpooled.wrappedBuffer(raw.bytes());
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
      if (raw.contentType() != null) {
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, raw.contentType());
      }
      response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
      reply.headers().forEach((k, v) -> response.headers().set(k, v));
      return response;
    }
    Map<String, Object> envelope = reply.envelope();
    ByteBuf buf = alloc.buffer(256);
    try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
      json.writeValue((java.io.OutputStream) out, envelope);
    } catch (IOException e) {
      buf.release();
      log.error("cannot encode reply", e);
      buf = alloc.buffer(64);
      buf.writeCharSequence(
          "{\"code\":-500,\"message\":\"cannot encode reply\",\"data\":null}",
          StandardCharsets.UTF_8);
      reply = Reply.of(Code.INTERNAL, "");
      status = HttpResponseStatus.INTERNAL_SERVER_ERROR;
    }
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, buf);
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, buf.readableBytes());
    reply.headers().forEach((k, v) -> response.headers().set(k, v));
    return response;
  }
}
