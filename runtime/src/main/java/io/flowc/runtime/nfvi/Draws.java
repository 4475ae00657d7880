package io.flowc.runtime.nfvi;

import java.util.SplittableRandom;

/**
 * Standard normal base draws as a pure function of (seed, stream, index): every iteration of a
 * fit, every restart and every evaluation has its own stream, so results are the same bits
 * whatever the number of threads and whatever else ran before.
 */
public final class Draws {
  /** Streams that are not iterations of a fit. */
  public static final long TRACKER = -1;
  public static final long SAMPLE = -2;
  public static final long EVALUATION = -3;
  public static final long INITIALIZATION = -4;
  /** NUTS's jittered starting points (all chains, in chain order). */
  public static final long NUTS_JITTER = -5;
  /** NUTS chain c draws from stream {@code NUTS_CHAINS - c}. */
  public static final long NUTS_CHAINS = -1_000_000;

  private Draws() {}

  /** The shuffle of the rows for the pass a minibatch fit starts at {@code iteration}: a stream of its own beside the base draws'. */
  public static SplittableRandom rows(long seed, long iteration) {
    return new SplittableRandom(mix(streamSeed(seed, iteration) ^ 0x5851f42d4c957f2dL));
  }

  /** SplitMix64's finalizer: a bijective mix of 64 bits. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** The seed of stream {@code stream} under {@code seed}. */
  public static long streamSeed(long seed, long stream) {
    return mix(mix(seed) ^ mix(stream * 0x9e3779b97f4a7c15L + 0x632be59bd9b4e019L));
  }

  /**
   * Fills {@code out[0 .. n)} with standard normal draws of stream {@code stream} (the JDK's
   * McFarland ziggurat, several times faster than the polar method: a W1 iteration needs 200).
   */
  public static void normals(long seed, long stream, double[] out, int n) {
    normals(normalStream(seed, stream), out, n);
  }

  /** Stream {@code stream}'s generator, for drawing its normals a part at a time with {@link #normals(SplittableRandom, double[], int)}. */
  static SplittableRandom normalStream(long seed, long stream) {
    return new SplittableRandom(streamSeed(seed, stream));
  }

  /** Fills {@code out[0 .. n)} with the next n normal draws of {@code random}. */
  static void normals(SplittableRandom random, double[] out, int n) {
    for (int i = 0; i < n; i++) {
      out[i] = random.nextGaussian();
    }
  }
}
