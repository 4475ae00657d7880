package io.flowc.compiler.backend;

import io.flowc.compiler.kernel.Kernel;
import io.flowc.compiler.kernel.Lin;

/**
 * What a backend needs to emit a model's {@link io.flowc.runtime.LogDensity}: the value-only and
 * the value-and-gradient kernels, and the metadata the class carries.
 */
public record ModelKernels(String modelName, String sourceSha256, Kernel value, Kernel gradient) {
  /** Where the kernels' scratch space of data-dependent length ends (constant: they have none). */
  public Lin workspaceEnd() {
    return value.workspaceEnd().max(gradient.workspaceEnd());
  }
}
