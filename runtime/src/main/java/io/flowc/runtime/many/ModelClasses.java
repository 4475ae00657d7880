package io.flowc.runtime.many;

import io.flowc.runtime.Artifact;
import io.flowc.runtime.LogDensity;
import io.flowc.runtime.ParameterLayout;
import io.flowc.runtime.data.DataBinding;
import io.flowc.runtime.data.DataSet;
import io.flowc.runtime.flow.FlowKernel;
import io.flowc.runtime.flow.FlowLayout;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A model's compiled classes as the many-fits engine uses them: an {@link Artifact}
 * ({@link #of(Artifact)}) or the classes the {@code @FlowModel} annotation processor generates
 * ({@link #of(ParameterLayout, Function, Function, BiFunction)} over the entry class's static
 * methods). Implementations must be thread-safe: every data set is bound from many threads.
 */
public interface ModelClasses {
  /** The model's parameters: element names and bounds (draws are reported on the constrained scale). */
  ParameterLayout parameterLayout();

  /**
   * The layout of a compiled formula's flow parameters.
   *
   * @throws IllegalArgumentException (or {@code ArtifactException}) naming the formulas compiled, if it is not one
   */
  FlowLayout flowLayout(String formula);

  /**
   * The model bound to one data set (members it does not declare are ignored).
   *
   * @throws io.flowc.runtime.data.DataException naming what does not fit the declarations
   */
  Bound bind(DataSet data);

  /**
   * Whether each data set's draws are constrained by {@link Bound#layout()}, the model's code on
   * that set: what bounds computed from other parameters or data need. Generated classes handed
   * over as functions ({@link #of(ParameterLayout, Function, Function, BiFunction)}) do not.
   */
  default boolean constrainsEachSet() {
    return false;
  }

  /** The model's classes on one data set. */
  interface Bound {
    LogDensity logDensity();

    FlowKernel flowKernel(String formula);

    /**
     * The kernel for fits whose steps have {@code drawsPerCall} draws: an artifact's kernel for
     * calls that run draw by draw where it has one ({@link Artifact#flowKernel(String, int)}).
     */
    default FlowKernel flowKernel(String formula, int drawsPerCall) {
      return flowKernel(formula);
    }

    /** The parameters' layout on this data set ({@link ModelClasses#constrainsEachSet}); null: the model's. */
    default ParameterLayout layout() {
      return null;
    }
  }

  /** An artifact's classes, each loaded once; data are packed by its {@code DataLayout} and bound with its prologue. */
  static ModelClasses of(Artifact artifact) {
    return new ArtifactClasses(artifact);
  }

  /**
   * Generated classes, from the entry class's static methods; for {@code Flowc_Kidiq} (a model with data):
   * <pre>{@code
   * ModelClasses.of(Flowc_Kidiq.parameterLayout(), Flowc_Kidiq::flowLayout, Flowc_Kidiq::model, Flowc_Kidiq::flow)
   * }</pre>
   * and for a model without data {@code data -> Flowc_Pot1.model()}, {@code (formula, data) -> Flowc_Pot1.flow(formula)}.
   */
  static ModelClasses of(ParameterLayout parameters, Function<String, FlowLayout> flowLayouts,
      Function<DataSet, LogDensity> model, BiFunction<String, DataSet, FlowKernel> flows) {
    Objects.requireNonNull(parameters, "parameters");
    Objects.requireNonNull(flowLayouts, "flowLayouts");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(flows, "flows");
    return new ModelClasses() {
      @Override
      public ParameterLayout parameterLayout() {
        return parameters;
      }

      @Override
      public FlowLayout flowLayout(String formula) {
        return flowLayouts.apply(formula);
      }

      @Override
      public Bound bind(DataSet data) {
        LogDensity density = model.apply(data);
        return new Bound() {
          @Override
          public LogDensity logDensity() {
            return density;
          }

          @Override
          public FlowKernel flowKernel(String formula) {
            return flows.apply(formula, data);
          }
        };
      }
    };
  }

  /** An artifact's classes: loaded once (generated classes hold no state), bound per data set. */
  final class ArtifactClasses implements ModelClasses {
    private final Artifact artifact;
    private final LogDensity density;
    /** Loaded kernels by class name (a formula may have two: {@link Artifact#flowKernel(String, int)}). */
    private final Map<String, FlowKernel> kernels = new ConcurrentHashMap<>();

    private ArtifactClasses(Artifact artifact) {
      this.artifact = Objects.requireNonNull(artifact, "artifact");
      this.density = artifact.logDensity();
    }

    @Override
    public ParameterLayout parameterLayout() {
      return artifact.layout();
    }

    @Override
    public FlowLayout flowLayout(String formula) {
      FlowLayout layout = artifact.flowLayout(formula);
      kernels.computeIfAbsent(artifact.flowClassName(formula, Integer.MAX_VALUE), c -> artifact.flowKernel(formula, layout));
      return layout;
    }

    @Override
    public boolean constrainsEachSet() {
      return true;
    }

    @Override
    public Bound bind(DataSet data) {
      DataBinding binding = artifact.dataLayout().isEmpty() ? null : artifact.bind(artifact.dataLayout().pack(data));
      // computed bounds constrain with the artifact's code on this set's data
      ParameterLayout layout = artifact.layout().hasComputedBounds() ? artifact.reported(binding).layout() : null;
      return new Bound() {
        @Override
        public ParameterLayout layout() {
          return layout;
        }

        @Override
        public LogDensity logDensity() {
          return binding == null ? density : binding.bind(density);
        }

        @Override
        public FlowKernel flowKernel(String formula) {
          return flowKernel(formula, Integer.MAX_VALUE);
        }

        @Override
        public FlowKernel flowKernel(String formula, int drawsPerCall) {
          String className = artifact.flowClassName(formula, drawsPerCall);
          FlowKernel kernel = kernels.computeIfAbsent(className, c -> artifact.flowKernel(formula, drawsPerCall));
          return binding == null ? kernel : binding.bind(kernel);
        }
      };
    }
  }
}
