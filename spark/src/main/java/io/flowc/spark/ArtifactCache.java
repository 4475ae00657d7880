package io.flowc.spark;

import io.flowc.runtime.Artifact;
import io.flowc.runtime.ArtifactException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The artifacts this JVM has opened, by the SHA-256 of their bytes: an executor writes and opens
 * an artifact once, and every task of every job over the same bytes shares its classes, which are
 * defined once per JVM. Nothing is compiled here: the bytes are those the driver read.
 */
public final class ArtifactCache {
  private static final Map<String, Artifact> OPENED = new ConcurrentHashMap<>();

  private ArtifactCache() {}

  /**
   * The artifact whose bytes have this SHA-256, opened from {@code bytes} (asked for only when this
   * JVM has not opened it yet, so that a broadcast is fetched once per executor).
   *
   * @throws ArtifactException if the bytes are not an artifact, or not the bytes with that digest
   */
  public static Artifact open(String sha256, Supplier<byte[]> bytes) {
    return OPENED.computeIfAbsent(sha256, digest -> write(digest, bytes.get()));
  }

  /** The artifact in {@code bytes}, opened once per JVM. */
  public static Artifact open(byte[] bytes) {
    return open(Artifact.sha256(bytes), () -> bytes);
  }

  /** Whether this JVM has opened the artifact with this SHA-256. */
  static boolean isOpen(String sha256) {
    return OPENED.containsKey(sha256);
  }

  private static Artifact write(String digest, byte[] bytes) {
    if (!Artifact.sha256(bytes).equals(digest)) {
      throw new ArtifactException("artifact bytes do not have the SHA-256 " + digest + " they were sent with");
    }
    try {
      // named by digest, so that the file names what Artifact's messages report
      Path dir = Files.createTempDirectory("flowc-artifacts");
      Path partial = dir.resolve(digest + ".jar.tmp");
      Path jar = dir.resolve(digest + ".jar");
      Files.write(partial, bytes);
      Files.move(partial, jar, StandardCopyOption.ATOMIC_MOVE);
      jar.toFile().deleteOnExit();
      dir.toFile().deleteOnExit();
      return Artifact.open(jar);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the artifact " + digest + " to a temporary file: " + e.getMessage(), e);
    }
  }
}
