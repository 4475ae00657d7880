package io.flowc.compiler.backend;

import io.flowc.compiler.kernel.BatchedBody;
import io.flowc.compiler.kernel.Kernel;
import io.flowc.compiler.kernel.KernelSplitter;
import io.flowc.compiler.kernel.Lin;
import java.util.List;

/**
 * What a backend needs to emit a {@link io.flowc.runtime.flow.FlowKernel}: the prologue, body,
 * epilogue and sampling kernels and the workspace they share ({@code [boundary values][loss]
 * [boundary gradients][z][log q]}, each kernel's scratch after it), and the body batch-major
 * ({@code batched}, null if the body runs draw by draw only).
 */
public record FlowKernels(String modelName, String formula, int dimension, int parameterCount, Kernel prologue,
    Kernel body, Kernel epilogue, Kernel sample, int lossOffset, int accumulatorEnd, int zOffset, int logqOffset,
    BatchedBody batched) {

  /** Without a batch-major body. */
  public FlowKernels(String modelName, String formula, int dimension, int parameterCount, Kernel prologue,
      Kernel body, Kernel epilogue, Kernel sample, int lossOffset, int accumulatorEnd, int zOffset, int logqOffset) {
    this(modelName, formula, dimension, parameterCount, prologue, body, epilogue, sample, lossOffset, accumulatorEnd,
        zOffset, logqOffset, null);
  }

  /** The same kernels with another batch-major body (null: none). */
  public FlowKernels withBatched(BatchedBody other) {
    return new FlowKernels(modelName, formula, dimension, parameterCount, prologue, body, epilogue, sample, lossOffset,
        accumulatorEnd, zOffset, logqOffset, other);
  }

  /** Each segment of the batched body split into methods (none without one). */
  public List<KernelSplitter.Split> batchedSplits() {
    return batched == null ? List.of()
        : batched.segments().stream().map(s -> KernelSplitter.split(s.kernel())).toList();
  }

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
