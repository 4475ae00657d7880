package io.flowc.compiler.backend;

import io.flowc.compiler.kernel.Kernel;

/**
 * What a backend needs to emit a {@link io.flowc.runtime.flow.FlowKernel}: the prologue, body,
 * epilogue and sampling kernels and the workspace they share ({@code [boundary values][loss]
 * [boundary gradients][z][log q]}, each kernel's scratch after it).
 */
public record FlowKernels(String modelName, String formula, int dimension, int parameterCount, Kernel prologue,
    Kernel body, Kernel epilogue, Kernel sample, int lossOffset, int accumulatorEnd, int zOffset, int logqOffset) {}
