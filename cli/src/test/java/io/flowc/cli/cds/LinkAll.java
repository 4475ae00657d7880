package io.flowc.cli.cds;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * {@code LinkAll JAR [VERSION]}, run in a JVM of its own: loads and initializes every class of a
 * jar (of the given class-file version only, if one is given), which makes HotSpot verify it; a
 * VerifyError ends the run with exit 1. Other failures of a class's initializer (a missing optional
 * dependency) do not count: they are not about its frames.
 */
final class LinkAll {
  private LinkAll() {
  }

  public static void main(String[] args) throws Exception {
    int version = args.length > 1 ? Integer.parseInt(args[1]) : -1;
    int linked = 0;
    try (URLClassLoader loader = new URLClassLoader(new URL[] {Path.of(args[0]).toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        ZipInputStream in = new ZipInputStream(Files.newInputStream(Path.of(args[0])))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        String name = e.getName();
        byte[] bytes = in.readAllBytes();
        if (!name.endsWith(".class") || name.startsWith("META-INF/") || name.endsWith("module-info.class")
            || version >= 0 && (bytes.length < 8 || ((bytes[6] & 0xff) << 8 | bytes[7] & 0xff) != version)) {
          continue;
        }
        try {
          Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), true, loader);
          linked++;
        } catch (VerifyError bad) {
          bad.printStackTrace();
          System.exit(1);
        } catch (LinkageError other) {
          // not a verification failure
        }
      }
    }
    System.out.println("linked " + linked);
  }
}
