package io.flowc.compiler.driver;

import com.palantir.javapoet.TypeSpec;
import io.flowc.compiler.backend.BytecodeBackend;
import io.flowc.compiler.backend.CodeSizes;
import io.flowc.compiler.backend.CodeTooLargeException;
import io.flowc.compiler.backend.FlowKernels;
import io.flowc.compiler.backend.JavaSourceBackend;
import io.flowc.compiler.backend.ModelKernels;
import io.flowc.compiler.backend.VectorLoops;
import io.flowc.compiler.flow.ElboLowering;
import io.flowc.compiler.flow.ElboSplit;
import io.flowc.compiler.flow.RepeatedFlows;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FlowFormula;
import io.flowc.compiler.ir.DataHoisting;
import io.flowc.compiler.ir.DynamicShapeException;
import io.flowc.compiler.ir.Differentiator;
import io.flowc.compiler.ir.Graph;
import io.flowc.compiler.ir.Graphs;
import io.flowc.compiler.ir.IrEvaluator;
import io.flowc.compiler.ir.IrFunction;
import io.flowc.compiler.ir.IrVerifier;
import io.flowc.compiler.ir.Node;
import io.flowc.compiler.ir.Op;
import io.flowc.compiler.ir.SharedExponentials;
import io.flowc.compiler.kernel.BatchMajor;
import io.flowc.compiler.kernel.BatchedBody;
import io.flowc.compiler.kernel.Kernel;
import io.flowc.compiler.kernel.Lin;
import io.flowc.compiler.kernel.LoopFusion;
import io.flowc.compiler.kernel.Scheduler;
import io.flowc.compiler.lower.ModelLowering;
import io.flowc.runtime.Background;
import io.flowc.runtime.FunctionProfiles;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.data.DataBinding;
import io.flowc.runtime.data.DataLayout;
import io.flowc.runtime.data.DataRegion;
import io.flowc.runtime.data.RowChunks;
import io.flowc.runtime.flow.FlowKernel;
import io.flowc.runtime.flow.FlowKind;
import io.flowc.runtime.flow.FlowLayout;
import io.flowc.runtime.jit.HiddenClasses;
import io.flowc.runtime.nfvi.StepCost;
import io.flowc.runtime.simd.Simd;
import io.flowc.runtime.simd.SwitchedKernel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The one place the compiler's stages are wired together. Every entry point (the CLI, the
 * annotation processor, the run-time compiler) goes through here, so they all see the same IR.
 */
public final class Compilation {
  /** Output names of {@link #valueAndGradient}. */
  public static final String POTENTIAL = ModelLowering.POTENTIAL;
  public static final String LOGP = "logp";

  private Compilation() {}

  /** The model as lowered, before any rewriting (for debugging and for testing the simplifier). */
  public static IrFunction lowered(CheckedModel model) {
    return IrVerifier.afterPass(ModelLowering.lower(model, new Graph(false)));
  }

  /** The simplified value: the potential U(z) only. */
  public static IrFunction value(CheckedModel model) {
    return IrVerifier.afterPass(Graphs.rebuild(lowered(model), new Graph(true)));
  }

  /**
   * The potential U(z), log p(z) = -U(z), and the gradient of log p with respect to each
   * parameter (outputs {@code grad.NAME}), sharing nodes with the value, simplified, with dead
   * nodes dropped.
   */
  public static IrFunction valueAndGradient(CheckedModel model) {
    return valueAndGradient(lowered(model));
  }

  private static IrFunction valueAndGradient(IrFunction lowered) {
    IrFunction value = IrVerifier.afterPass(Graphs.rebuild(lowered, new Graph(true)));
    Graph g = value.graph();
    Node logp = g.neg(value.output(POTENTIAL));
    List<Node> gradient = Differentiator.gradient(g, logp, value.inputs());
    List<IrFunction.Output> outputs = new ArrayList<>();
    outputs.add(new IrFunction.Output(LOGP, logp));
    for (int i = 0; i < gradient.size(); i++) {
      outputs.add(new IrFunction.Output(gradientName(value.inputs().get(i)), gradient.get(i)));
    }
    IrFunction withGradient = IrVerifier.afterPass(value.withOutputs(outputs));
    return IrVerifier.afterPass(Graphs.rebuild(withGradient, new Graph(true)));
  }

  /**
   * The model with as many sizes bound at run time as its IR allows, for code that outlives the
   * data it is compiled with (artifacts, classes generated at build time): every size that
   * counts the rows of data and shapes no parameter starts free; a use that needs a fixed length
   * (a fixed index, a mix with a parameter or a literal-length vector, see
   * {@link DynamicShapeException}) fixes the sizes involved, and the model is tried again.
   *
   * <p>A model checked by {@link io.flowc.compiler.frontend.FrontEnd#check} has every size fixed
   * at its data's values: code compiled to run on those data at once is faster with lengths and
   * offsets it knows (HotSpot vectorizes loops over array regions it can tell apart).
   */
  public static CheckedModel freeSizes(CheckedModel model) {
    Set<String> free = new TreeSet<>(model.sizes().candidates());
    free.retainAll(model.sizes().rowSizes().values());
    while (!free.isEmpty()) {
      CheckedModel candidate = model.withFreeSizes(free);
      try {
        valueAndGradient(candidate);
        reportedShapes(candidate);
        return candidate;
      } catch (DynamicShapeException e) {
        Set<String> fixed = new TreeSet<>();
        for (DataLayout.Variable v : candidate.dataLayout().variables()) {
          if (v.dims().length == 0 && e.sizeSlots().contains(v.offset())) {
            fixed.add(v.name());
          }
        }
        if (!free.removeAll(fixed)) {
          free.clear();
        }
      }
    }
    return model;
  }

  /**
   * The loss of one base draw for a model and a flow stack, with the gradient of the loss with
   * respect to every flow parameter (outputs {@code grad.planar_0.u}, ...), plus the sampling
   * outputs z and log q; simplified, verified, dead nodes dropped.
   */
  public static IrFunction elbo(CheckedModel model, FlowLayout layout) {
    IrFunction value = elboValue(model, layout);
    Graph g = value.graph();
    List<Node> parameters = value.inputs().subList(0, layout.slots().size());
    List<Node> gradient = Differentiator.gradient(g, value.output(ElboLowering.LOSS), parameters);
    List<IrFunction.Output> outputs = new ArrayList<>();
    for (int i = 0; i < gradient.size(); i++) {
      outputs.add(new IrFunction.Output(gradientName(parameters.get(i)), gradient.get(i)));
    }
    return IrVerifier.afterPass(Graphs.rebuild(IrVerifier.afterPass(value.withOutputs(outputs)), new Graph(true)));
  }

  /** The per-draw loss, log q and z_K of a model and a flow stack, simplified (no gradient). */
  public static IrFunction elboValue(CheckedModel model, FlowLayout layout) {
    IrFunction lowered = IrVerifier.afterPass(ElboLowering.lower(model, layout, new Graph(false)));
    return IrVerifier.afterPass(Graphs.rebuild(lowered, new Graph(true)));
  }

  /**
   * The ELBO split for hoisting: a prologue of everything that depends on the flow parameters
   * alone, a per-draw body with its gradient with respect to the prologue's values, and an
   * epilogue that pushes the summed body gradients back to the parameters once.
   */
  public static ElboSplit.Parts elboParts(CheckedModel model, FlowLayout layout) {
    return elboParts(model, layout, dataPlan(model));
  }

  private static ElboSplit.Parts elboParts(CheckedModel model, FlowLayout layout, DataPlan plan) {
    IrFunction value = DataHoisting.apply(elboValue(model, layout), plan.derived());
    return ElboSplit.split(IrVerifier.verify(value), layout.slots().size());
  }

  /** The ELBO's prologue, body and epilogue kernels with their shared workspace, ready for a backend. */
  public static FlowKernels flowKernels(CheckedModel model, FlowLayout layout, String formula) {
    return flowKernels(model, layout, formula, dataPlan(model), BatchMajor.DEFAULT);
  }

  /** As {@link #flowKernels(CheckedModel, FlowLayout, String)}, the body batched as {@code policy} says where it can be. */
  public static FlowKernels flowKernels(CheckedModel model, FlowLayout layout, String formula, BatchMajor.Policy policy) {
    return flowKernels(model, layout, formula, dataPlan(model), policy);
  }

  private static FlowKernels flowKernels(CheckedModel model, FlowLayout layout, String formula, DataPlan plan,
      BatchMajor.Policy policy) {
    return flowKernels(model.name(), formula, model.dimension(), layout.parameterCount(), elboParts(model, layout, plan),
        plan.reserved(), plan.dynamic(), policy);
  }

  /**
   * The kernels of ELBO parts of a model of the given dimension and flows of {@code parameterCount}
   * parameters, after the {@code reserved} slots of the model's data region; boundary values of
   * any shape (scalars, vectors, matrices) take their size in the shared workspace.
   */
  public static FlowKernels flowKernels(String modelName, String formula, int dimension, int parameterCount,
      ElboSplit.Parts parts, int reserved, Kernel.DynamicLayout dynamic) {
    return flowKernels(modelName, formula, dimension, parameterCount, parts, reserved, dynamic, BatchMajor.DEFAULT);
  }

  /** As the method above, the body batched as {@code policy} says where it can be. */
  public static FlowKernels flowKernels(String modelName, String formula, int dimension, int parameterCount,
      ElboSplit.Parts parts, int reserved, Kernel.DynamicLayout dynamic, BatchMajor.Policy policy) {
    int count = parts.boundaryCount();
    IrFunction prologue = parts.prologue();
    IrFunction body = SharedExponentials.apply(parts.body());
    IrFunction epilogue = parts.epilogue();
    // shared workspace: boundary values, the loss, boundary gradients; the model's data region
    // (values, derived values, binding stamp) comes first: DataBinding fills it. Vectors start at
    // multiples of four elements, and so do their gradients' accumulators: HotSpot's superword
    // pass runs a loop in vectors only if the arrays it walks are aligned alike
    int start = Scheduler.aligned(reserved);
    int[] boundaryOffset = new int[count];
    int offset = 0;
    for (int k = 0; k < count; k++) {
      int size = body.inputs().get(k).shape().size();
      offset = Scheduler.placeFor(offset, size);
      boundaryOffset[k] = start + offset;
      offset += size;
    }
    int loss = start + offset;
    int gradients = Scheduler.aligned(loss + 1);
    int accumulatorEnd = gradients + offset;
    int zOffset = accumulatorEnd;
    int logqOffset = zOffset + dimension;
    int end = logqOffset + 1;

    Map<Node, Scheduler.Placement> thetaPlaces = new HashMap<>();
    for (Node t : prologue.inputs()) {
      thetaPlaces.put(t, new Scheduler.Placement(Kernel.Array.Z, prologue.offsetOf(t)));
    }
    List<Scheduler.Output> prologueOut = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      prologueOut.add(new Scheduler.Output(ElboSplit.boundaryName(k),
          new Scheduler.StoredAt(Kernel.Array.WORK, boundaryOffset[k])));
    }
    Map<Node, Scheduler.Placement> bodyPlaces = new HashMap<>();
    List<Scheduler.Output> bodyOut = new ArrayList<>();
    bodyOut.add(new Scheduler.Output(ElboLowering.LOSS, new Scheduler.AddedTo(Kernel.Array.WORK, loss)));
    for (int k = 0; k < count; k++) {
      bodyPlaces.put(body.inputs().get(k), new Scheduler.Placement(Kernel.Array.WORK, boundaryOffset[k]));
      bodyOut.add(new Scheduler.Output(ElboSplit.boundaryGradientName(k),
          new Scheduler.AddedTo(Kernel.Array.WORK, gradients + boundaryOffset[k] - start)));
    }
    bodyPlaces.put(body.inputs().get(count), new Scheduler.Placement(Kernel.Array.EPS, 0));
    Map<Node, Scheduler.Placement> epiloguePlaces = new HashMap<>();
    List<Scheduler.Output> epilogueOut = new ArrayList<>();
    int thetaCount = epilogue.inputs().size() - count;
    for (int k = 0; k < thetaCount; k++) {
      Node t = epilogue.inputs().get(k);
      epiloguePlaces.put(t, new Scheduler.Placement(Kernel.Array.Z, epilogue.offsetOf(t)));
      epilogueOut.add(new Scheduler.Output(gradientName(t), new Scheduler.StoredAt(Kernel.Array.GRAD, epilogue.offsetOf(t))));
    }
    for (int k = 0; k < count; k++) {
      epiloguePlaces.put(epilogue.inputs().get(thetaCount + k),
          new Scheduler.Placement(Kernel.Array.WORK, gradients + boundaryOffset[k] - start));
    }
    List<Scheduler.Output> sampleOut = List.of(
        new Scheduler.Output(ElboLowering.Z, new Scheduler.StoredAt(Kernel.Array.WORK, zOffset)),
        new Scheduler.Output(ElboLowering.LOGQ, new Scheduler.StoredAt(Kernel.Array.WORK, logqOffset)));
    int limit = Scheduler.SCALARIZE_LIMIT;
    Kernel bodyKernel = LoopFusion.fuse(Scheduler.schedule(body, bodyPlaces, bodyOut, limit, end, dynamic));
    BatchedBody batched = policy.batches()
        ? BatchMajor.batch(bodyKernel, dimension, loss, accumulatorEnd, policy).orElse(null)
        : null;
    return new FlowKernels(modelName, formula, dimension, parameterCount,
        LoopFusion.fuse(Scheduler.schedule(prologue, thetaPlaces, prologueOut, limit, end, dynamic)),
        bodyKernel,
        LoopFusion.fuse(Scheduler.schedule(epilogue, epiloguePlaces, epilogueOut, limit, end, dynamic)),
        LoopFusion.fuse(Scheduler.schedule(body, bodyPlaces, sampleOut, limit, end, dynamic)),
        loss, accumulatorEnd, zOffset, logqOffset, batched);
  }

  /** A model's NFVI loss for a flow formula, compiled to bytecode and loaded (bound to the model's data). */
  public static FlowKernel loadFlow(CheckedModel model, FlowFormula formula) {
    DataPlan plan = dataPlan(model);
    FlowKernel kernel = loadFlow(model, formula, plan);
    return model.dataLayout().isEmpty() ? kernel : dataBinding(model, plan).bind(kernel);
  }

  private static FlowKernel loadFlow(CheckedModel model, FlowFormula formula, DataPlan plan) {
    return loadFlow(model, flowKernels(model, formula, plan));
  }

  private static FlowKernels flowKernels(CheckedModel model, FlowFormula formula, DataPlan plan) {
    return flowKernels(model, formula, plan, false);
  }

  /**
   * The kernels for calls that run draw by draw ({@code drawByDraw}: the fit's steps have fewer
   * draws than a batched body takes), or any number of draws.
   */
  private static FlowKernels flowKernels(CheckedModel model, FlowFormula formula, DataPlan plan, boolean drawByDraw) {
    FlowLayout layout = FlowLayout.ofFlows(formula.flows(), model.dimension());
    if (!drawByDraw && layout.flows().stream().anyMatch(Compilation::hasBlockProducts)) {
      Simd.warmUp();
    }
    FunctionProfiles.warmUp();
    return RepeatedFlows.drawByDraw(drawByDraw,
        () -> flowKernels(model, layout, formula.normalized(), plan, BatchMajor.DEFAULT));
  }

  /**
   * Whether a flow's body has products with weights all draws share (Kernel.BlockMatVec): the
   * neural flows' networks and Sylvester's matrices.
   */
  private static boolean hasBlockProducts(FlowKind kind) {
    return kind.hasNetwork() || kind == FlowKind.SYLVESTER;
  }

  private static FlowKernel loadFlow(CheckedModel model, FlowKernels kernels) {
    boolean simd = Simd.enabled();
    String name = BytecodeBackend.JIT_PACKAGE + className(model) + "_Flow";
    FlowKernel scalar = HiddenClasses.define(BytecodeBackend.emit(kernels, name, simd), FlowKernel.class);
    if (!Simd.loopsEnabled() || !hasVectorLoops(kernels)) {
      return scalar;
    }
    // the same kernel with its elementwise loops in vectors, called once HotSpot has compiled it;
    // their code is larger than the scalar loops the splitter budgeted for, and a method HotSpot
    // never compiles would never be faster
    byte[] vector = BytecodeBackend.emit(kernels, BytecodeBackend.JIT_PACKAGE + "Vector_" + className(model) + "_Flow",
        true, true);
    if (!CodeSizes.allCompilable(vector)) {
      return scalar;
    }
    return new SwitchedKernel(scalar, HiddenClasses.define(vector, FlowKernel.class));
  }

  /**
   * Whether the kernels get a class with vector loops: a body that runs draw by draw (a batched
   * body does its work in loops over a block's draws, which stay scalar, and its fit's threads
   * leave no core for the vector class's warm-up: W7's fits took 6.1-6.5 s instead of 5.0-5.6 s)
   * with a loop that {@link VectorLoops} admits.
   */
  private static boolean hasVectorLoops(FlowKernels kernels) {
    return kernels.batched() == null && List.of(kernels.prologue(), kernels.body(), kernels.epilogue(), kernels.sample()).stream()
        .anyMatch(k -> VectorLoops.any(k.body()));
  }

  /** A loaded NFVI kernel and its cost ({@link #stepCost(FlowKernels)}), from which a fit decides how to split a step's draws. */
  public record CountedFlow(FlowKernel kernel, StepCost cost) {}

  /** As {@link #loadFlow(CheckedModel, FlowFormula)}, with the kernel's cost. */
  public static CountedFlow loadCountedFlow(CheckedModel model, FlowFormula formula) {
    return loadCountedFlow(model, formula, Integer.MAX_VALUE);
  }

  /**
   * As above, for a fit whose steps take {@code drawsPerCall} draws: with fewer than a batched
   * body takes ({@link BatchMajor#MIN_DRAWS}) the body runs draw by draw, and runs of flows loop
   * by the rule for such calls ({@link RepeatedFlows#drawByDraw}: flows with a network from four,
   * PyMC3's flows on few coordinates from 16 instead of 128).
   */
  public static CountedFlow loadCountedFlow(CheckedModel model, FlowFormula formula, int drawsPerCall) {
    DataPlan plan = dataPlan(model);
    FlowKernels kernels = flowKernels(model, formula, plan, drawByDraw(drawsPerCall));
    FlowKernel kernel = loadFlow(model, kernels);
    kernel = model.dataLayout().isEmpty() ? kernel : dataBinding(model, plan).bind(kernel);
    return new CountedFlow(kernel, stepCost(kernels));
  }

  /** Whether calls of this many draws run the per-draw body (BatchMajor.DEFAULT's policy). */
  private static boolean drawByDraw(int drawsPerCall) {
    return drawsPerCall < drawByDrawBelow();
  }

  /** The cost of the NFVI kernel of {@code model} with {@code formula}, without loading it. */
  public static StepCost stepCost(CheckedModel model, FlowFormula formula) {
    return stepCost(flowKernels(model, formula, dataPlan(model)));
  }

  /**
   * What a call of the kernels costs, counted as the batching rule counts operations
   * ({@link BatchMajor#operationsPerDraw}): per draw of the body; per call, the prologue, the
   * epilogue and the parameters' gradient (zeroed, divided by the draws, combined with the other
   * chunks'); and the fewest draws that keep a chunk running the body as it was compiled to.
   * Unknown for kernels with sizes free until data are bound (an artifact's): the fit counts the
   * cost of the bound model instead.
   */
  public static StepCost stepCost(FlowKernels kernels) {
    if (kernels.prologue().dynamic() != null || kernels.body().dynamic() != null
        || kernels.epilogue().dynamic() != null) {
      return StepCost.UNKNOWN;
    }
    long perCall = BatchMajor.operations(kernels.prologue()) + BatchMajor.operations(kernels.epilogue())
        + 3L * kernels.parameterCount();
    BatchedBody batched = kernels.batched();
    int fewest = batched == null ? 1 : batched.hasBlockProducts() ? batched.blockSize() : batched.minDraws();
    return new StepCost(BatchMajor.operationsPerDraw(kernels.body()), perCall, fewest);
  }

  /**
   * A model's NFVI kernel for minibatches: the model with its sizes free ({@link #freeSizes}),
   * its kernel compiled and loaded unbound, and the binding of the model's data whose
   * {@link DataBinding#batches} bind it.
   */
  public record MinibatchFlow(CheckedModel model, FlowKernel kernel, DataBinding binding) {}

  public static MinibatchFlow minibatchFlow(CheckedModel model, FlowFormula formula) {
    return minibatchFlow(model, formula, Integer.MAX_VALUE);
  }

  /** As above, for a fit whose steps take {@code drawsPerCall} draws (see {@link #loadCountedFlow(CheckedModel, FlowFormula, int)}). */
  public static MinibatchFlow minibatchFlow(CheckedModel model, FlowFormula formula, int drawsPerCall) {
    CheckedModel free = freeSizes(model);
    DataPlan plan = dataPlan(free);
    FlowKernel kernel = loadFlow(free, flowKernels(free, formula, plan, drawByDraw(drawsPerCall)));
    return new MinibatchFlow(free, kernel, dataBinding(free, plan));
  }

  /**
   * The statements of a model with free sizes ({@link #freeSizes}) that read rows of data
   * without being sums over rows, as {@code LINE:COL}: batches would estimate them with a bias.
   */
  public static List<String> termsNotSummedOverRows(CheckedModel freeModel) {
    return ModelLowering.termsNotSummedOverRows(freeModel);
  }

  /**
   * Where a model's data lie at the start of every kernel's workspace: the raw values, the values
   * derived from data alone ({@link DataHoisting}, found in the model's value-and-gradient IR
   * {@code source}), and {@link DataBinding}'s stamp; nothing for a model without data.
   */
  public record DataPlan(IrFunction source, List<DataHoisting.Derived> derived, int reserved,
      Kernel.DynamicLayout dynamic) {
    /** What a binding needs to know of the region beyond the raw values. */
    public DataRegion region() {
      List<DataHoisting.Derived> dynamicDerived = derived.stream().filter(DataHoisting.Derived::isDynamic).toList();
      return new DataRegion(reserved, dynamicDerived.stream().mapToInt(DataHoisting.Derived::offset).toArray(),
          dynamicDerived.stream().mapToInt(d -> d.node().shape().sizeSlot()).toArray());
    }
  }

  public static DataPlan dataPlan(CheckedModel model) {
    if (model.dataLayout().isEmpty()) {
      return new DataPlan(null, List.of(), 0, null);
    }
    return dataPlan(model, valueAndGradient(model));
  }

  private static DataPlan dataPlan(CheckedModel model, IrFunction valueAndGradient) {
    DataLayout layout = model.dataLayout();
    if (layout.isEmpty()) {
      return new DataPlan(valueAndGradient, List.of(), 0, null);
    }
    // with free sizes, the row scale (ModelLowering.rowScaleSlot) follows the raw values
    int raw = layout.size() + (layout.isDynamic() ? 1 : 0);
    List<DataHoisting.Derived> derived = DataHoisting.plan(valueAndGradient, raw);
    int end = raw;
    for (DataHoisting.Derived d : derived) {
      end = Math.max(end, d.offset() + (d.isDynamic() ? 1 : d.node().shape().size()));
    }
    if (!layout.isDynamic()) {
      return new DataPlan(valueAndGradient, derived, end + 1, null);
    }
    // one binding's offsets, for comparing offsets at compile time (Kernel.DynamicLayout)
    Map<Integer, Integer> sample = new HashMap<>();
    int next = 1 << 24;
    for (DataLayout.Variable v : layout.variables()) {
      if (v.isDynamic()) {
        int size = layout.variable(v.rows()).offset();
        sample.putIfAbsent(size, 1000 + 10 * sample.size());
        sample.put(v.offset(), next);
        next += sample.get(size) * (v.dims().length == 2 ? v.dims()[1] : 1);
      }
    }
    for (DataHoisting.Derived d : derived) {
      if (d.isDynamic()) {
        sample.put(d.offset(), next);
        next += sample.get(d.node().shape().sizeSlot());
      }
    }
    sample.put(end, next);
    return new DataPlan(valueAndGradient, derived, end + 2, new Kernel.DynamicLayout(end, sample));
  }

  /**
   * The data prologue: a kernel of dimension 0 that writes the derived values into the workspace
   * from the raw data there (run by {@link DataBinding} once per workspace), or null if none.
   */
  public static ModelKernels dataPrologue(CheckedModel model) {
    return dataPrologue(model, dataPlan(model));
  }

  private static ModelKernels dataPrologue(CheckedModel model, DataPlan plan) {
    if (plan.derived().isEmpty()) {
      return null;
    }
    IrFunction prologue = IrVerifier.verify(DataHoisting.prologue(plan.source(), plan.derived()));
    List<Scheduler.Output> outputs = new ArrayList<>();
    for (int k = 0; k < plan.derived().size(); k++) {
      outputs.add(new Scheduler.Output(DataHoisting.outputName(k),
          derivedPlace(plan.derived().get(k))));
    }
    Kernel kernel = LoopFusion.fuse(Scheduler.schedule(prologue, Map.of(), outputs, Scheduler.SCALARIZE_LIMIT,
        plan.reserved(), plan.dynamic()));
    return new ModelKernels(model.name() + " data", sourceDigest(model), kernel, kernel);
  }

  /** Where the prologue writes a derived value: its offset, or for a dynamic one the offset its header slot holds. */
  private static Scheduler.StoredAt derivedPlace(DataHoisting.Derived d) {
    return new Scheduler.StoredAt(Kernel.Array.WORK, d.isDynamic() ? Lin.slot(d.offset(), 1) : Lin.of(d.offset()));
  }

  /** The binding of a model to the data it was checked with, its data prologue compiled and loaded. */
  public static DataBinding dataBinding(CheckedModel model) {
    return dataBinding(model, dataPlan(model));
  }

  private static DataBinding dataBinding(CheckedModel model, DataPlan plan) {
    ModelKernels prologue = dataPrologue(model, plan);
    LogDensity prologueClass = prologue == null ? null : HiddenClasses.defineLogDensity(
        BytecodeBackend.emit(prologue, BytecodeBackend.JIT_PACKAGE + className(model) + "_Data"));
    return new DataBinding(model.dataLayout(), model.dataValues(), prologueClass, plan.region());
  }

  /**
   * A workspace for running {@code kernel} (one of the model's) without a binding, as tests do:
   * as long as the kernel needs on the model's data, its data region filled as {@link DataBinding}
   * fills it.
   */
  public static double[] dataWorkspace(CheckedModel model, Kernel kernel) {
    if (model.dataLayout().isEmpty()) {
      return new double[kernel.workspaceSize()];
    }
    LogDensity shape = new LogDensity() {
      @Override
      public int dimension() {
        return 0;
      }

      @Override
      public int workspaceSize() {
        return kernel.workspaceSize();
      }

      @Override
      public int workspaceSize(double[] data) {
        return Math.max(kernel.workspaceSize(), kernel.workspaceEnd().evaluate(data));
      }

      @Override
      public double logDensity(double[] z, double[] workspace) {
        return 0;
      }

      @Override
      public double logDensityGradient(double[] z, double[] gradient, double[] workspace) {
        return 0;
      }
    };
    LogDensity bound = dataBinding(model).bind(shape);
    double[] workspace = new double[bound.workspaceSize()];
    bound.logDensity(new double[0], workspace);
    return workspace;
  }

  /**
   * What a draw reports, compiled (for artifacts and {@code @FlowModel} classes, which run without
   * the compiler): a kernel that stores each parameter's constrained values and then the derived
   * quantities ({@link ModelLowering#reported}) where a gradient would go, reading the data region
   * the model's binding fills. Null when the layout alone says what to report (no derived
   * quantities, no computed bounds).
   */
  public static ModelKernels reportedKernels(CheckedModel model) {
    if (DerivedQuantities.names(model).isEmpty() && !model.layout().hasComputedBounds()) {
      return null;
    }
    IrFunction f = reportedShapes(model);
    DataPlan plan = dataPlan(model);
    List<Scheduler.Output> outputs = new ArrayList<>();
    int offset = 0;
    for (IrFunction.Output o : f.outputs()) {
      outputs.add(new Scheduler.Output(o.name(), new Scheduler.StoredAt(Kernel.Array.GRAD, offset)));
      offset += o.node().shape().size();
    }
    Map<Node, Scheduler.Placement> inputs = new HashMap<>();
    for (Node input : f.inputs()) {
      inputs.put(input, new Scheduler.Placement(Kernel.Array.Z, f.offsetOf(input)));
    }
    Kernel kernel = LoopFusion.fuse(Scheduler.schedule(f, inputs, outputs, Scheduler.SCALARIZE_LIMIT, plan.reserved(),
        plan.dynamic()));
    // the value method has no gradient array to write to: it computes nothing and returns 0
    Kernel nothing = Scheduler.schedule(f, inputs, List.of(), Scheduler.SCALARIZE_LIMIT, plan.reserved(), plan.dynamic());
    return new ModelKernels(model.name() + " reported", sourceDigest(model), nothing, kernel);
  }

  /**
   * The reported values' function, whose outputs must have fixed lengths: compiled code reports as
   * many values as it names, so a derived quantity over rows of data fixes their count
   * ({@link DynamicShapeException}, which {@link #freeSizes} answers by fixing the size).
   */
  private static IrFunction reportedShapes(CheckedModel model) {
    IrFunction f = IrVerifier.verify(ModelLowering.reported(model, new Graph(false)));
    for (IrFunction.Output o : f.outputs()) {
      if (o.node().shape().isDynamic()) {
        throw new DynamicShapeException(o.node().shape());
      }
    }
    return f;
  }

  /** The reported values' kernel as a Java class (see {@link #reportedKernels}), or null where there is none. */
  public static TypeSpec javaReported(CheckedModel model, String simpleName) {
    ModelKernels reported = reportedKernels(model);
    return reported == null ? null : JavaSourceBackend.type(fitting(reported, simpleName), simpleName);
  }

  /** The model's value-only and value-and-gradient kernels, ready for a backend. */
  public static ModelKernels kernels(CheckedModel model) {
    IrFunction unhoisted = valueAndGradient(model);
    return kernels(model, dataPlan(model, unhoisted));
  }

  /** The kernels with the data plan found in (and holding) the model's value-and-gradient IR. */
  private static ModelKernels kernels(CheckedModel model, DataPlan plan) {
    IrFunction f = IrVerifier.verify(SharedExponentials.apply(DataHoisting.apply(plan.source(), plan.derived())));
    List<String> gradients = f.inputs().stream().map(Compilation::gradientName).toList();
    int reserved = plan.reserved();
    int limit = Scheduler.SCALARIZE_LIMIT;
    // the value-only kernel on a second processor while this thread schedules the gradient
    // (docs/performance.md, "Compiling on two processors"); its failure is thrown first, as when
    // the two were scheduled in turn
    Background<Kernel> value = Background.start("value-kernel",
        () -> LoopFusion.fuse(Scheduler.schedule(f, LOGP, List.of(), limit, reserved, plan.dynamic())));
    Kernel gradient;
    try {
      gradient = LoopFusion.fuse(Scheduler.schedule(f, LOGP, gradients, limit, reserved, plan.dynamic()));
    } catch (RuntimeException | Error e) {
      value.join();
      throw e;
    }
    return new ModelKernels(model.name(), sourceDigest(model), value.join(), gradient);
  }

  /** The model compiled to bytecode and loaded as a hidden class (the run-time path), bound to its data. */
  public static LogDensity load(CheckedModel model) {
    DataPlan plan = dataPlan(model, valueAndGradient(model));
    // the data's prologue compiled on a second processor while this thread compiles the model;
    // a failure of the model's compile comes first, as when the prologue came after it
    Background<DataBinding> binding = model.dataLayout().isEmpty() ? null
        : Background.start("data-prologue", () -> dataBinding(model, plan));
    LogDensity density = HiddenClasses.defineLogDensity(
        BytecodeBackend.emit(kernels(model, plan), BytecodeBackend.JIT_PACKAGE + className(model)));
    return binding == null ? density : binding.join().bind(density);
  }

  /**
   * A model's log density split into chunks of its data's rows ({@link RowChunks}), or empty when
   * it cannot be split or is too small to gain ({@link RowChunks#chunkCount}): a model without
   * data of one free row size, or with a term over rows that is not a sum over rows (the chunks'
   * sum would not be the whole). Chunk 0 is the model on its rows, priors and log-Jacobians
   * included; the others are the model's terms over rows alone ({@code ModelLowering.lowerRows})
   * on theirs, so the priors count once.
   */
  public static Optional<RowChunks> rowChunks(CheckedModel model) {
    return rowChunks(model, 0);
  }

  /** As {@link #rowChunks(CheckedModel)}, in {@code count} chunks (0: as many as the rule says). */
  public static Optional<RowChunks> rowChunks(CheckedModel model, int count) {
    return rowChunks(model, count, true);
  }

  /**
   * As {@link #rowChunks(CheckedModel, int)}; {@code specialize}: each chunk runs code specialized
   * to its binding's sizes and offsets ({@link ChunkSpecializations}), else the code of free sizes
   * itself (the same bits, slower: for measuring).
   */
  public static Optional<RowChunks> rowChunks(CheckedModel model, int count, boolean specialize) {
    if (model.dataLayout().isEmpty()) {
      return Optional.empty();
    }
    CheckedModel free = freeSizes(model);
    if (free.dataLayout().variables().stream().filter(DataLayout.Variable::isDynamic)
        .map(DataLayout.Variable::rows).distinct().count() != 1 || !termsNotSummedOverRows(free).isEmpty()) {
      return Optional.empty();
    }
    IrFunction rowsLowered = ModelLowering.lowerRows(free, new Graph(false));
    if (rowsLowered == null) {
      return Optional.empty();
    }
    DataPlan plan = dataPlan(free, valueAndGradient(free));
    DataBinding binding = dataBinding(free, plan);
    if (count == 0) {
      count = RowChunks.chunkCount(binding.rowCount(), binding.valuesPerRow());
    }
    if (count < 2) {
      return Optional.empty();
    }
    ModelKernels wholeKernels = kernels(free, plan);
    LogDensity whole = HiddenClasses.defineLogDensity(
        BytecodeBackend.emit(wholeKernels, BytecodeBackend.JIT_PACKAGE + className(free)));
    DataPlan rowsPlan = dataPlan(free, valueAndGradient(IrVerifier.afterPass(rowsLowered)));
    ModelKernels rowsKernels = kernels(free, rowsPlan);
    LogDensity rows = HiddenClasses.defineLogDensity(
        BytecodeBackend.emit(rowsKernels, BytecodeBackend.JIT_PACKAGE + className(free) + "_Rows"));
    if (!specialize) {
      return Optional.of(RowChunks.split(whole, binding, rows, dataBinding(free, rowsPlan), count));
    }
    ChunkSpecializations wholeChunks = new ChunkSpecializations(wholeKernels, whole, className(free));
    ChunkSpecializations rowsChunks = new ChunkSpecializations(rowsKernels, rows, className(free) + "_Rows");
    return Optional.of(RowChunks.split(whole, binding, rows, dataBinding(free, rowsPlan), count,
        (code, header) -> (code == whole ? wholeChunks : rowsChunks).forHeader(header)));
  }

  /**
   * A chunk's code of free sizes specialized to the sizes and offsets of a chunk's binding
   * ({@link io.flowc.compiler.kernel.SlotBinding}), one class for every chunk whose binding writes
   * the same values to the slots the code reads: W9's eight chunks of 12,500 rows need two (the
   * first chunk's code has the priors), chunks of two sizes three.
   */
  private static final class ChunkSpecializations {
    private final ModelKernels kernels;
    private final LogDensity code;
    private final String name;
    private final SortedSet<Integer> slots = new TreeSet<>();
    private final Map<List<Integer>, LogDensity> byValues = new HashMap<>();

    ChunkSpecializations(ModelKernels kernels, LogDensity code, String name) {
      this.kernels = kernels;
      this.code = code;
      this.name = name;
      slots.addAll(Kernel.slotsRead(kernels.value().body()));
      slots.addAll(Kernel.slotsRead(kernels.gradient().body()));
    }

    LogDensity forHeader(double[] header) {
      Map<Integer, Integer> values = new TreeMap<>();
      for (int slot : slots.headSet(header.length)) {
        values.put(slot, (int) header[slot]);
      }
      return byValues.computeIfAbsent(List.copyOf(values.values()), key -> {
        LogDensity specialized = HiddenClasses.defineLogDensity(
            BytecodeBackend.emit(kernels, BytecodeBackend.JIT_PACKAGE + name + "_" + byValues.size(), values));
        if (specialized.workspaceSize() != code.workspaceSize()) {
          throw new IllegalStateException("a chunk's specialized code needs another workspace");
        }
        return specialized;
      });
    }
  }

  /**
   * The model's log density as a Java class (the annotation processor's and
   * {@code --emit-java}'s output): the same kernels as {@link #load}, so the same numbers, and
   * refused as {@link #load} refuses them when a class file cannot hold them (see {@link #fitting}).
   */
  public static TypeSpec javaLogDensity(CheckedModel model, String simpleName) {
    return JavaSourceBackend.type(fitting(kernels(model), simpleName), simpleName);
  }

  /** The NFVI kernel of a model and a flow formula as a Java class, the same kernels as {@link #loadFlow}. */
  public static TypeSpec javaFlowKernel(CheckedModel model, FlowFormula formula, String simpleName) {
    FlowLayout layout = FlowLayout.ofFlows(formula.flows(), model.dimension());
    return JavaSourceBackend.type(fitting(flowKernels(model, layout, formula.normalized()), simpleName), simpleName);
  }

  /**
   * The NFVI kernel of a model and a flow formula as a Java class for calls of fewer than
   * {@link #drawByDrawBelow()} draws, or null where it would be {@link #javaFlowKernel}'s (the
   * formula has no run of flows that loops only in calls that run draw by draw).
   */
  public static TypeSpec javaDrawByDrawFlowKernel(CheckedModel model, FlowFormula formula, String simpleName) {
    FlowKernels kernels = drawByDrawFlowKernels(model, formula);
    return kernels == null ? null : JavaSourceBackend.type(fitting(kernels, simpleName), simpleName);
  }

  /**
   * The NFVI kernels of a model and a flow formula for calls of fewer than {@link #drawByDrawBelow()}
   * draws, or null where they would be {@link #flowKernels(CheckedModel, FlowLayout, String)}'s (the
   * formula has no run of flows that loops only in calls that run draw by draw): the second kernel
   * that artifacts and generated classes hold.
   */
  public static FlowKernels drawByDrawFlowKernels(CheckedModel model, FlowFormula formula) {
    if (!RepeatedFlows.dependsOnDrawsPerCall(formula.flows(), model.dimension())) {
      return null;
    }
    FlowLayout layout = FlowLayout.ofFlows(formula.flows(), model.dimension());
    return RepeatedFlows.drawByDraw(true, () -> flowKernels(model, layout, formula.normalized()));
  }

  /** The fewest draws in a call that runs a compiled ELBO's batched body: fewer run draw by draw. */
  public static int drawByDrawBelow() {
    return BatchMajor.DEFAULT.minDraws();
  }

  /** The data prologue as a Java class (see {@link #dataPrologue}), or null for a model without derived data. */
  public static TypeSpec javaDataPrologue(CheckedModel model, String simpleName) {
    ModelKernels prologue = dataPrologue(model);
    return prologue == null ? null : JavaSourceBackend.type(fitting(prologue, simpleName), simpleName);
  }

  /**
   * The kernels, once their class file has been built, which throws {@link CodeTooLargeException}
   * if no class file can hold them. javac compiles the Java source of the same kernels into the
   * same instructions and constant tables, so it meets the same limits; refusing the model here
   * gives the user the reason instead of javac's "code too large" in a generated class.
   */
  private static ModelKernels fitting(ModelKernels kernels, String simpleName) {
    BytecodeBackend.emit(kernels, BytecodeBackend.JIT_PACKAGE + simpleName);
    return kernels;
  }

  private static FlowKernels fitting(FlowKernels kernels, String simpleName) {
    BytecodeBackend.emit(kernels, BytecodeBackend.JIT_PACKAGE + simpleName);
    return kernels;
  }

  /** A Java class name for a model: {@code Model_} and its name, with anything odd replaced. */
  public static String className(CheckedModel model) {
    // each code point outside [A-Za-z0-9_] made '_', without a pattern (compiled cold in each process)
    String text = model.name();
    StringBuilder name = new StringBuilder("Model_");
    for (int i = 0; i < text.length(); i += Character.charCount(text.codePointAt(i))) {
      int c = text.codePointAt(i);
      name.append(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' ? (char) c : '_');
    }
    return name.toString();
  }

  /** The digest of a model's source ({@link #sha256}), computed once when first asked for (ModelKernels). */
  private static Supplier<String> sourceDigest(CheckedModel model) {
    String text = model.ast().source().text();
    String[] digest = new String[1];
    return () -> digest[0] != null ? digest[0] : (digest[0] = sha256(text));
  }

  /** Hex SHA-256 of a model's source text (UTF-8), recorded in what is generated from it. */
  public static String sha256(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** The output holding the gradient of log p with respect to an input. */
  public static String gradientName(Node input) {
    if (input.op() != Op.INPUT) {
      throw new IllegalArgumentException(input + " is not an input");
    }
    return "grad." + input.name();
  }
}
