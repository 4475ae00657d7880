package io.flowc.runtime.many;

import java.util.List;

/**
 * A result with its posterior draws, for callers who need more than summaries:
 * {@code draws[element][draw]} on the constrained scale (NUTS: the chains one after another),
 * {@code essBulk} per element (NaN for NFVI, whose draws are independent). A set that did not
 * succeed has no elements and no draws.
 */
public record SetOutcome(SetResult result, List<String> elementNames, double[][] draws, double[] essBulk) {
  public SetOutcome {
    elementNames = List.copyOf(elementNames);
  }
}
