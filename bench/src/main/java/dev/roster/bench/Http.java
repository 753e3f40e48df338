package dev.roster.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A small HTTP/1.1 keep-alive client on Netty for load generation: {@link Conn} is one connection
 * with at most one request in flight, {@link Pool} spreads requests over a fixed number of
 * connections to one base URL. Redirects are not followed (callers see the 307).
 */
final class Http implements AutoCloseable {
  private final EventLoopGroup group;
  private final Bootstrap bootstrap;

  /** One answer: HTTP status, body and the Location header (or null). */
  record Resp(int status, String body, String location) {
    /** The envelope's {@code code}, or Integer.MIN_VALUE when the body is not an envelope. */
    int code() {
      return Json.code(body);
    }
  }

  Http(int ioThreads) {
    group = new NioEventLoopGroup(ioThreads, new DefaultThreadFactory("bench-http", true));
    bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2000)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(
                            new HttpClientCodec(),
                            new HttpObjectAggregator(64 << 20),
                            new Handler());
                  }
                });
  }

  /** Opens a connection to the host and port of {@code baseUrl}. */
  CompletableFuture<Conn> connect(String baseUrl) {
    URI u = URI.create(baseUrl);
    CompletableFuture<Conn> f = new CompletableFuture<>();
    String host = u.getHost();
    int port = u.getPort() < 0 ? 80 : u.getPort();
    bootstrap
        .connect(host, port)
        .addListener(
            (ChannelFuture cf) -> {
              if (cf.isSuccess()) {
                Conn c = new Conn(cf.channel(), host + ":" + port);
                cf.channel().attr(Handler.CONN).set(c);
                f.complete(c);
              } else {
                f.completeExceptionally(cf.cause());
              }
            });
    return f;
  }

  static FullHttpRequest request(
      String method, String hostHeader, String pathAndQuery, String formBody) {
    ByteBuf body =
        formBody == null
            ? Unpooled.EMPTY_BUFFER
            : Unpooled.copiedBuffer(formBody, StandardCharsets.UTF_8);
    FullHttpRequest r =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), pathAndQuery, body);
    r.headers()
        .set(HttpHeaderNames.HOST, hostHeader)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    if (formBody != null) {
      r.headers()
          .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_X_WWW_FORM_URLENCODED);
    }
    return r;
  }

  /** One keep-alive connection; one request at a time. */
  static final class Conn {
    private final Channel ch;
    private final String hostHeader;
    private volatile CompletableFuture<Resp> current;

    Conn(Channel ch, String hostHeader) {
      this.ch = ch;
      this.hostHeader = hostHeader;
    }

    boolean isOpen() {
      return ch.isActive();
    }

    /**
     * Sends a request; the future fails on a closed connection or after {@code timeoutMs} (0 =
     * none), in which case the connection is closed (its answer would come late).
     */
    CompletableFuture<Resp> send(
        String method, String pathAndQuery, String formBody, long timeoutMs) {
      CompletableFuture<Resp> f = new CompletableFuture<>();
      if (current != null && !current.isDone()) {
        f.completeExceptionally(new IllegalStateException("request already in flight"));
        return f;
      }
      current = f;
      if (!ch.isActive()) {
        f.completeExceptionally(new IOException("connection closed"));
        return f;
      }
      ch.writeAndFlush(request(method, hostHeader, pathAndQuery, formBody))
          .addListener(
              w -> {
                if (!w.isSuccess()) {
                  ch.close(); // first, so that the pool does not take the connection back
                  f.completeExceptionally(w.cause());
                }
              });
      if (timeoutMs > 0) {
        ScheduledFuture<?> timeout =
            ch.eventLoop()
                .schedule(
                    () -> {
                      if (!f.isDone()) {
                        ch.close(); // first, so that the pool does not take the connection back
                        f.completeExceptionally(
                            new TimeoutException("no answer within " + timeoutMs + " ms"));
                      }
                    },
                    timeoutMs,
                    TimeUnit.MILLISECONDS);
        // an uncancelled timer would keep the answer (tens of KB for a poll) reachable until it
        // fires: with thousands of polls that is hundreds of MB and long GC pauses in the driver,
        // which the wake-up latencies would then include
        f.whenComplete((r, e) -> timeout.cancel(false));
      }
      return f;
    }

    void close() {
      ch.close();
    }

    private void answered(Resp r) {
      CompletableFuture<Resp> f = current;
      if (f != null) {
        f.complete(r);
      }
    }

    private void failed(Throwable t) {
      CompletableFuture<Resp> f = current;
      if (f != null) {
        f.completeExceptionally(t);
      }
    }
  }

  private static final class Handler extends SimpleChannelInboundHandler<FullHttpResponse> {
    static final io.netty.util.AttributeKey<Conn> CONN = io.netty.util.AttributeKey.valueOf("conn");

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse msg) {
      Conn c = ctx.channel().attr(CONN).get();
      if (c != null) {
        c.answered(
            new Resp(
                msg.status().code(),
                msg.content().toString(StandardCharsets.UTF_8),
                msg.headers().get(HttpHeaderNames.LOCATION)));
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      Conn c = ctx.channel().attr(CONN).get();
      if (c != null) {
        c.failed(new IOException("connection closed"));
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      Conn c = ctx.channel().attr(CONN).get();
      if (c != null) {
        c.failed(cause);
      }
      ctx.close();
    }
  }

  /**
   * Up to {@code size} connections to one base URL, opened on demand; requests beyond that wait in
   * a queue (their wait is part of their latency).
   */
  final class Pool implements AutoCloseable {
    private final String baseUrl;
    private final int size;
    private final ArrayDeque<Conn> idle = new ArrayDeque<>();
    private final ArrayDeque<Task> waiting = new ArrayDeque<>();
    private int open;
    private boolean closed;

    private record Task(
        String method, String path, String body, long timeoutMs, CompletableFuture<Resp> result) {}

    Pool(String baseUrl, int size) {
      this.baseUrl = baseUrl;
      this.size = size;
    }

    String baseUrl() {
      return baseUrl;
    }

    CompletableFuture<Resp> send(
        String method, String pathAndQuery, String formBody, long timeoutMs) {
      Task t = new Task(method, pathAndQuery, formBody, timeoutMs, new CompletableFuture<>());
      Conn c = null;
      boolean connect = false;
      synchronized (this) {
        if (closed) {
          t.result.completeExceptionally(new IOException("pool closed"));
          return t.result;
        }
        if (!idle.isEmpty()) {
          c = idle.poll();
        } else if (open < size) {
          open++;
          connect = true;
        } else {
          waiting.add(t);
        }
      }
      if (c != null) {
        run(c, t);
      } else if (connect) {
        connectAndRun(t);
      }
      return t.result;
    }

    /** Opens a new connection (already counted in {@code open}) and runs {@code t} on it. */
    private void connectAndRun(Task t) {
      connect(baseUrl)
          .whenComplete(
              (conn, e) -> {
                if (e != null) {
                  synchronized (this) {
                    open--;
                  }
                  t.result.completeExceptionally(e);
                } else {
                  run(conn, t);
                }
              });
    }

    private void run(Conn c, Task t) {
      c.send(t.method, t.path, t.body, t.timeoutMs)
          .whenComplete(
              (r, e) -> {
                if (e != null) {
                  t.result.completeExceptionally(e);
                } else {
                  t.result.complete(r);
                }
                release(c);
              });
    }

    private void release(Conn c) {
      Task next;
      synchronized (this) {
        if (!c.isOpen() || closed) {
          open--;
          c.close();
          next = closed ? null : waiting.poll();
          if (next != null) {
            open++;
          }
          if (next == null) {
            return;
          }
          c = null;
        } else {
          next = waiting.poll();
          if (next == null) {
            idle.add(c);
            return;
          }
        }
      }
      if (c != null) {
        run(c, next);
      } else {
        connectAndRun(next);
      }
    }

    @Override
    public void close() {
      synchronized (this) {
        closed = true;
        idle.forEach(Conn::close);
        idle.clear();
        waiting.forEach(t -> t.result.completeExceptionally(new IOException("pool closed")));
        waiting.clear();
      }
    }
  }

  Pool pool(String baseUrl, int size) {
    return new Pool(baseUrl, size);
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
