package io.flowc.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/**
 * The version shown by {@code flowc --version}: the project version written into
 * {@code version.properties} by the build, else the jar manifest's Implementation-Version.
 */
public final class VersionProvider implements CommandLine.IVersionProvider {
  static final String UNKNOWN = "unknown";

  @Override
  public String[] getVersion() {
    return new String[] {"flowc " + version()};
  }

  /** The project version, e.g. {@code 0.1.0-SNAPSHOT}, or {@code unknown} outside a build. */
  public static String version() {
    try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        Properties properties = new Properties();
        properties.load(in);
        String version = properties.getProperty("version", "").trim();
        if (!version.isEmpty() && !version.contains("${")) {
          return version;
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      // fall through to the manifest
    }
    String fromManifest = VersionProvider.class.getPackage().getImplementationVersion();
    return fromManifest != null && !fromManifest.isBlank() ? fromManifest.trim() : UNKNOWN;
  }
}
