package io.flowc.runtime.many;

/** Summary of one model parameter element (constrained scale, names like {@code theta[0]} as {@code sample} prints them). */
public record ParameterRow(String name, double mean, double sd, double q5, double q50, double q95) {}
