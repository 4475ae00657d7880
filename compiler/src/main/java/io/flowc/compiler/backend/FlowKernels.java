package io.flowc.compiler.backend;

import io.flowc.compiler.kernel.Kernel;
import io.flowc.compiler.kernel.KernelSplitter;
import io.flowc.compiler.kernel.Lin;

/**
 * What a backend needs to emit a {@link io.flowc.runtime.flow.FlowKernel}: the prologue, body,
 * epilogue and sampling kernels and the workspace they share ({@code [boundary values][loss]
 * [boundary gradients][z][log q]}, each kernel's scratch after it).
 */
public record FlowKernels(String modelName, String formula, int dimension, int parameterCount, Kernel prologue,
    Kernel body, Kernel epilogue, Kernel sample, int lossOffset, int accumulatorEnd, int zOffset, int logqOffset) {

  /** The workspace the kernels need, split as given (spilled temporaries included). */
  public int workspaceSize(KernelSplitter.Split... splits) {
    int size = logqOffset + 1;
    for (KernelSplitter.Split s : splits) {
      size = Math.max(size, s.workspaceSize());
    }
    return size;
  }

  /** Where the kernels' scratch space of data-dependent length ends (constant: they have none). */
  public Lin workspaceEnd() {
    return prologue.workspaceEnd().max(body.workspaceEnd()).max(epilogue.workspaceEnd()).max(sample.workspaceEnd());
  }
}
