package io.flowc.compiler.backend;

import io.flowc.compiler.kernel.Kernel;
import io.flowc.compiler.kernel.Lin;
import java.util.function.Supplier;

/**
 * What a backend needs to emit a model's {@link io.flowc.runtime.LogDensity}: the value-only and
 * the value-and-gradient kernels, and the metadata the class carries. The source's digest is
 * computed when a backend first asks for it: only artifacts and Java sources record it, and a
 * JVM's first SHA-256 (its security providers set up) cost a fresh process 12-20 ms of each
 * run-time compile that never read it.
 */
public record ModelKernels(String modelName, Supplier<String> sourceDigest, Kernel value, Kernel gradient) {
  /** Kernels whose source digest is known. */
  public ModelKernels(String modelName, String sourceSha256, Kernel value, Kernel gradient) {
    this(modelName, () -> sourceSha256, value, gradient);
  }

  /** Hex SHA-256 of the model's source text. */
  public String sourceSha256() {
    return sourceDigest.get();
  }

  /** Where the kernels' scratch space of data-dependent length ends (constant: they have none). */
  public Lin workspaceEnd() {
    return value.workspaceEnd().max(gradient.workspaceEnd());
  }
}
