package dev.roster.node.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.roster.testkit.TestCertificates;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * An HTTPS client for tests, like {@link Http}: trusts one CA, optionally presents a client
 * certificate, never follows redirects. A new connection for every client, so a test that builds
 * one after a certificate rotation sees the new certificate.
 */
public final class TlsHttp {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient client;

  private TlsHttp(HttpClient client) {
    this.client = client;
  }

  /** Trusts {@code ca}; presents {@code clientCertificate} if not null. */
  public static TlsHttp trusting(X509Certificate ca, TestCertificates.Issued clientCertificate) {
    try {
      TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
      tmf.init(TestCertificates.trustStore(ca));
      KeyManagerFactory kmf = null;
      if (clientCertificate != null) {
        char[] pw = "test".toCharArray();
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(clientCertificate.keyStore("client", pw), pw);
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      SSLParameters params = ctx.getDefaultSSLParameters();
      params.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
      return new TlsHttp(
          HttpClient.newBuilder()
              .sslContext(ctx)
              .sslParameters(params)
              .version(HttpClient.Version.HTTP_1_1)
              .followRedirects(HttpClient.Redirect.NEVER)
              .connectTimeout(Duration.ofSeconds(5))
              .build());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public Http.Response get(String url) {
    return send(HttpRequest.newBuilder(URI.create(url)).GET());
  }

  public Http.Response postForm(String url, String form) {
    return send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form)));
  }

  /** The raw answer (its TLS session included); throws what the handshake threw. */
  public HttpResponse<String> raw(String url) throws IOException {
    try {
      return client.send(
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public Http.Response send(HttpRequest.Builder request) {
    return Http.envelope(Http.sendForText(client, request));
  }
}
