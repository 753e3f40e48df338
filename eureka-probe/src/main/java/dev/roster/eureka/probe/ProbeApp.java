package dev.roster.eureka.probe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * A plain Spring Cloud Netflix Eureka client app: the starter's auto-configuration registers it,
 * renews it, fetches the registry and deregisters it on shutdown, exactly as in any user's app.
 * Everything is configured from the command line ({@code --server.port=…}, {@code
 * --eureka.client.service-url.defaultZone=…}); the defaults are in application.properties.
 *
 * <p>It adds one thing: {@code GET /peers/{service}} answers what {@link
 * DiscoveryClient#getInstances} returns (Spring's own abstraction, so what a load balancer or Feign
 * would see), and {@code GET /peers} the service ids, so a test can read this app's view. Together
 * with {@code /actuator/serviceregistry} (exposed) and the log file (the Eureka client's {@code
 * DiscoveryClient} at DEBUG) that is all a test needs.
 */
@SpringBootApplication
@RestController
public class ProbeApp {
  private final DiscoveryClient discovery;

  public ProbeApp(DiscoveryClient discovery) {
    this.discovery = discovery;
  }

  public static void main(String[] args) {
    SpringApplication.run(ProbeApp.class, args);
  }

  /** The service ids this app knows (Spring lower-cases them). */
  @GetMapping("/peers")
  public List<String> services() {
    return discovery.getServices();
  }

  /** Every instance of {@code service} as {@link DiscoveryClient#getInstances} returns it. */
  @GetMapping("/peers/{service}")
  public List<Map<String, Object>> peers(@PathVariable("service") String service) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (ServiceInstance i : discovery.getInstances(service)) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("serviceId", i.getServiceId());
      m.put("instanceId", i.getInstanceId());
      m.put("host", i.getHost());
      m.put("port", i.getPort());
      m.put("secure", i.isSecure());
      m.put("uri", String.valueOf(i.getUri()));
      m.put("metadata", new TreeMap<>(i.getMetadata()));
      out.add(m);
    }
    return out;
  }
}
