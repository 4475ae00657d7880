package io.flowc.compiler.backend;

import io.flowc.compiler.kernel.Kernel;

/**
 * What a backend needs to emit a {@link io.flowc.runtime.flow.FlowKernel}: the prologue, body
 * and epilogue kernels and the workspace they share ({@code [boundary values][loss][boundary
 * gradients]}, each kernel's scratch after it).
 */
public record FlowKernels(String modelName, String formula, int dimension, int parameterCount, Kernel prologue,
    Kernel body, Kernel epilogue, int lossOffset, int accumulatorEnd) {}
