package io.flowc.compiler.backend;

import io.flowc.compiler.kernel.Kernel;

/**
 * What a backend needs to emit a model's {@link io.flowc.runtime.LogDensity}: the value-only and
 * the value-and-gradient kernels, and the metadata the class carries.
 */
public record ModelKernels(String modelName, String sourceSha256, Kernel value, Kernel gradient) {}
