package dev.roster.node.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** Reads settings from a YAML or properties file whose keys are the flag names. */
public final class ConfigLoader {
  private ConfigLoader() {}

  public static Map<String, String> readFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("config file " + file + " does not exist");
    }
    String name = file.getFileName().toString();
    try {
      if (name.endsWith(".properties")) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
          p.load(r);
        }
        Map<String, String> m = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
        return m;
      }
      if (name.endsWith(".yml") || name.endsWith(".yaml")) {
        return fromYaml(new ObjectMapper(new YAMLFactory()).readTree(file.toFile()), file);
      }
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
    throw new ConfigException("config file " + file + " must end in .yml, .yaml or .properties");
  }

  private static Map<String, String> fromYaml(JsonNode root, Path file) {
    Map<String, String> m = new LinkedHashMap<>();
    if (root == null || root.isMissingNode() || root.isNull()) {
      return m;
    }
    if (!root.isObject()) {
      throw new ConfigException("config file " + file + " must be a map of setting: value");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      if (v.isArray()) {
        List<String> items = new ArrayList<>();
        v.forEach(item -> items.add(item.asText()));
        m.put(e.getKey(), String.join(",", items));
      } else if (v.isValueNode()) {
        m.put(e.getKey(), v.asText());
      } else {
        throw new ConfigException(e.getKey() + ": must be a value or a list in " + file);
      }
    }
    return m;
  }
}
