package io.flowc.compiler.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.flowc.compiler.SameBits;
import io.flowc.compiler.TestPaths;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.runtime.Artifact;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.flow.FlowLayout;
import io.flowc.runtime.many.ModelClasses;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An artifact of a formula whose neural flows loop where a fit's steps run draw by draw holds
 * both kernels, and loads the loop for fits of few draws a step: the same loss and gradient bits
 * either way; formulas that lower alike hold one.
 */
class DrawByDrawArtifactTest {
  @Test
  void neuralFlowsGetALoopedKernelForFitsOfFewDraws(@TempDir Path dir) throws Exception {
    CheckedModel pot1 = TestPaths.checkExample(TestPaths.example("pot1"));
    String nsf = "nsf(hidden=8)*4";
    Path jar = dir.resolve("pot1.jar");
    ArtifactWriter.write(pot1, List.of(FlowFormulaParsing.parse(nsf), FlowFormulaParsing.parse("planar*8")), jar);
    Artifact artifact = Artifact.open(jar);
    assertNotNull(artifact.property(Artifact.formulaKey(0) + Artifact.DRAW_BY_DRAW + ".class"), nsf);
    assertNull(artifact.property(Artifact.formulaKey(1) + Artifact.DRAW_BY_DRAW + ".class"), "planar*8");
    assertEquals(artifact.flowClassName("planar*8", 256), artifact.flowClassName("planar*8", 1));

    // the loop runs draw by draw; the unrolled stack's batched body takes blocks of draws
    assertEquals(1, artifact.stepCost(nsf, 1).minimumChunkDraws());
    assertEquals(1, artifact.stepCost(nsf, 15).minimumChunkDraws());
    assertEquals(128, artifact.stepCost(nsf, 16).minimumChunkDraws());
    assertNotEquals(artifact.flowClassName(nsf, 16), artifact.flowClassName(nsf, 15));

    // as many fits load them: by the fits' draws a step
    ModelClasses.Bound bound = ModelClasses.of(artifact).bind(new DataSet("none", Map.of()));
    assertEquals(artifact.flowKernel(nsf, 1).getClass().getName(), bound.flowKernel(nsf, 1).getClass().getName());
    assertEquals(artifact.flowKernel(nsf, 256).getClass().getName(), bound.flowKernel(nsf, 256).getClass().getName());
    assertEquals(bound.flowKernel(nsf, 256).getClass(), bound.flowKernel(nsf).getClass());
    assertNotEquals(bound.flowKernel(nsf, 1).getClass(), bound.flowKernel(nsf).getClass());

    FlowLayout layout = artifact.flowLayout(nsf);
    SameBits.assertSameFlow(artifact.flowKernel(nsf, layout, 256), artifact.flowKernel(nsf, layout, 1), layout,
        new int[] {1, 17}, 5, nsf);
  }
}
