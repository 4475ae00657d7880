package io.flowc.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.runtime.Artifact;
import io.flowc.runtime.ArtifactException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** An executor JVM opens an artifact once per SHA-256, and asks for its bytes only then. */
class ArtifactCacheTest {
  @Test
  void anArtifactIsOpenedOncePerDigestAndItsBytesAskedForOnce() {
    byte[] bytes = SparkTestSupport.artifact();
    String digest = Artifact.sha256(bytes);
    AtomicInteger fetched = new AtomicInteger();
    Artifact first = ArtifactCache.open(digest, () -> {
      fetched.incrementAndGet();
      return bytes;
    });
    Artifact again = ArtifactCache.open(digest, () -> {
      fetched.incrementAndGet();
      return bytes;
    });
    assertSame(first, again);
    assertSame(first, ArtifactCache.open(bytes.clone()));
    assertTrue(fetched.get() <= 1, "bytes fetched " + fetched.get() + " times");
    assertSame(first.logDensity().getClass(), again.logDensity().getClass());
    assertEquals("regression", first.modelName());
  }

  @Test
  void bytesThatAreNotTheDigestSentAreRefused() {
    byte[] bytes = SparkTestSupport.artifact();
    String other = Artifact.sha256(new byte[] {1, 2, 3});
    ArtifactException e = assertThrows(ArtifactException.class, () -> ArtifactCache.open(other, () -> bytes));
    assertEquals("artifact bytes do not have the SHA-256 " + other + " they were sent with", e.getMessage());
  }
}
