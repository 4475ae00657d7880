package io.flowc.compiler.ir;

import io.flowc.compiler.testing.GuardedModels;
import io.flowc.compiler.testing.GuardedModels.GuardedModel;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterProperty;

/**
 * Random models whose conditionals guard values undefined where they are not taken
 * ({@link GuardedModels}) have the gradient of the branches taken: at 3 points of each of 200
 * models, away from every branch boundary, the checks of {@link GradientPropertyTest} (a finite
 * gradient, equal to forward-mode dual numbers and to central differences of the interpreter).
 */
class GuardedGradientPropertyTest {
  static final int MODELS = 200;
  static final int POINTS_PER_MODEL = 3;

  private final GradientPropertyTest.Tally tally = new GradientPropertyTest.Tally();

  @Provide
  Arbitrary<GuardedModel> models() {
    return GuardedModels.models();
  }

  @Property(tries = MODELS, seed = "20240822", generation = GenerationMode.RANDOMIZED,
      edgeCases = EdgeCasesMode.NONE, shrinking = ShrinkingMode.OFF)
  void gradientFollowsTheBranchesTaken(@ForAll("models") GuardedModel m) {
    Random random = new Random(m.seed());
    GradientPropertyTest.checkModel(m.text(), null, "guarded model of seed " + m.seed(), POINTS_PER_MODEL,
        dimension -> m.point(random), random, tally);
  }

  @AfterProperty
  void fewFiniteDifferenceChecksWereSkipped() {
    tally.assertFewSkipped("this property");
  }
}
