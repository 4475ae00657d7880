package io.flowc.compiler.simulate;

import io.flowc.compiler.diag.Diagnostic;

/**
 * A simulation that met values it cannot draw from (a scale drawn negative, a count beyond the
 * range of a {@code data int}): the model can be simulated, but not with these values. Carries
 * the statement's place.
 */
public final class SimulationException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient Diagnostic diagnostic;

  public SimulationException(Diagnostic diagnostic) {
    super(diagnostic.headline());
    this.diagnostic = diagnostic;
  }

  public Diagnostic diagnostic() {
    return diagnostic;
  }
}
