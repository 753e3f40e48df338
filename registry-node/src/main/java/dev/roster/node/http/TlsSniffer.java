package dev.roster.node.http;

import dev.roster.node.tls.NodeTls;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The first handler of a connection to an HTTPS port: it looks at the first bytes, and a TLS
 * handshake gets this node's TLS ({@link SslHandler}) in its place, while anything else — someone
 * speaking plain HTTP to the port — gets one plain-text HTTP answer saying to use https, and the
 * connection is closed. Without it a plain HTTP client sees a connection reset or garbage.
 */
final class TlsSniffer extends ByteToMessageDecoder {
  /** A TLS record header: content type, version (2 bytes), length (2 bytes). */
  private static final int HEADER_BYTES = 5;

  static final String PLAIN_HTTP_MESSAGE =
      "this port speaks HTTPS (TLS): use an https:// URL to reach it";

  private final NodeTls tls;

  TlsSniffer(NodeTls tls) {
    this.tls = tls;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (in.readableBytes() < HEADER_BYTES) {
      return;
    }
    if (SslHandler.isEncrypted(in)) {
      // the bytes read so far go on to the TLS handler
      ctx.pipeline().replace(this, "tls", new SslHandler(tls.newServerEngine()));
      return;
    }
    in.skipBytes(in.readableBytes());
    byte[] body =
        ("{\"code\":" + Code.BAD_REQUEST.value + ",\"message\":\"" + PLAIN_HTTP_MESSAGE + "\"}\n")
            .getBytes(StandardCharsets.US_ASCII);
    String head =
        "HTTP/1.1 400 Bad Request\r\n"
            + "Content-Type: application/json; charset=utf-8\r\n"
            + "Content-Length: "
            + body.length
            + "\r\n"
            + "Connection: close\r\n\r\n";
    ctx.writeAndFlush(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), body))
        .addListener(ChannelFutureListener.CLOSE);
  }
}
