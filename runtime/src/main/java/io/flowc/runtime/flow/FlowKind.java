package io.flowc.runtime.flow;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** PyMC3's five normalizing flows, by the short names that flow formulas use. */
public enum FlowKind {
  LOC,
  SCALE,
  PLANAR,
  RADIAL,
  HH;

  /** The name in a formula: {@code loc}, {@code scale}, {@code planar}, {@code radial}, {@code hh}. */
  public String shortName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<FlowKind> byShortName(String name) {
    return Arrays.stream(values()).filter(k -> k.shortName().equals(name)).findFirst();
  }
}
