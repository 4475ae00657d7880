package io.flowc.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The version of flowc this runtime belongs to (the project version, e.g. {@code 0.1.0-SNAPSHOT}). */
public final class FlowcVersion {
  private static final String VERSION = read();

  private FlowcVersion() {}

  public static String get() {
    return VERSION;
  }

  private static String read() {
    try (InputStream in = FlowcVersion.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        throw new IllegalStateException("io/flowc/runtime/version.properties is missing from the runtime");
      }
      Properties properties = new Properties();
      properties.load(in);
      String version = properties.getProperty("version", "").trim();
      if (version.isEmpty() || version.contains("${")) {
        throw new IllegalStateException("the runtime was built without its version");
      }
      return version;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
