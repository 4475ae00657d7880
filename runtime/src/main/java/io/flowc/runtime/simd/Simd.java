package io.flowc.runtime.simd;

/**
 * Whether generated flow kernels compute their batch-major products with {@code
 * jdk.incubator.vector} ({@link VectorProducts}): only when the running JVM has the module in its
 * boot layer (the JVM option {@code --add-modules jdk.incubator.vector}, which {@code bin/flowc}
 * passes unless {@code FLOWC_SIMD=0}) and the system property {@value #PROPERTY} is not {@code
 * false}. This class loads in any JVM: it touches {@link VectorProducts}, which needs the
 * module, only once the module is known to be present.
 * docs/performance.md, "SIMD products", says what it changes (speed only: the same bits).
 */
public final class Simd {
  /** The system property that turns the vectorized products off ({@code -Dflowc.simd=false}). */
  public static final String PROPERTY = "flowc.simd";
  /**
   * The system property that turns the vector loops on ({@code -Dflowc.simd.loops=true}, which
   * {@code bin/flowc} passes with {@code FLOWC_SIMD=1}): a second class of a kernel whose body runs
   * draw by draw, with its elementwise loops in vectors, switched to once HotSpot has compiled it
   * ({@link SwitchedKernel}; docs/performance.md, "Vector loops", says when that pays).
   */
  public static final String LOOPS_PROPERTY = "flowc.simd.loops";
  /** The module the vectorized products need. */
  public static final String MODULE = "jdk.incubator.vector";

  private static final boolean MODULE_PRESENT = ModuleLayer.boot().findModule(MODULE).isPresent();

  /** Calls of each product {@link #warmUp()} makes: C2 compiles both after a few thousand. */
  static final int WARM_UP_ROUNDS = 6000;

  private static final java.util.concurrent.atomic.AtomicBoolean WARMED = new java.util.concurrent.atomic.AtomicBoolean();

  private Simd() {}

  /**
   * Starts, once per JVM and only if {@link #enabled()}, a daemon thread that calls the vectorized
   * products until HotSpot has compiled them ({@link VectorProducts#warmUp}): called when a kernel
   * with block products is about to be compiled, it runs beside the compiler (on another core),
   * so the fit's first steps find the products compiled. It changes no result.
   */
  public static void warmUp() {
    if (!enabled() || !WARMED.compareAndSet(false, true)) {
      return;
    }
    Thread thread = new Thread(() -> VectorProducts.warmUp(WARM_UP_ROUNDS), "flowc-simd-warm-up");
    thread.setDaemon(true);
    thread.setPriority(Thread.MIN_PRIORITY);
    thread.start();
  }

  /** True if kernels compiled now should also have a class with vector loops ({@link SwitchedKernel}). */
  public static boolean loopsEnabled() {
    return enabled() && "true".equalsIgnoreCase(System.getProperty(LOOPS_PROPERTY, "false").trim());
  }

  /** True if the module is in this JVM's boot layer. */
  public static boolean modulePresent() {
    return MODULE_PRESENT;
  }

  /**
   * True if kernels compiled now should use the vectorized products: the module is present, the
   * property allows it and the processor has vectors of at least four doubles (with two, as
   * SSE2 alone offers, scalar code with several sums side by side is as fast).
   */
  public static boolean enabled() {
    return MODULE_PRESENT && !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true").trim())
        && VectorProducts.lanes() >= 4;
  }
}
