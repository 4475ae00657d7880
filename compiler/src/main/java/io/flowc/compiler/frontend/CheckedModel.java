package io.flowc.compiler.frontend;

import io.flowc.runtime.ParameterLayout;
import io.flowc.runtime.data.DataLayout;
import io.flowc.runtime.data.DataSet;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;

/**
 * A model that passed every check: names resolve, shapes agree, functions are not recursive.
 * It keeps the syntax tree (later stages walk it) and adds what the checks found out.
 */
public final class CheckedModel {

  /**
   * A parameter, its number of elements (0 for a scalar), its offset in the flat vector and its
   * bounds (infinite where absent, NaN where computed: an expression of earlier parameters and data,
   * {@code decl.lower()} or {@code decl.upper()}), whether it is an ordered vector. z holds bounded
   * and ordered parameters on the unconstrained scale.
   */
  public record Param(String name, int size, int offset, double lower, double upper, boolean ordered,
      Ast.ParamDecl decl) {
    public Param(String name, int size, int offset, Ast.ParamDecl decl) {
      this(name, size, offset, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, false, decl);
    }

    public boolean isBounded() {
      return io.flowc.runtime.Constraints.isBounded(lower, upper);
    }

    /** Whether a bound is an expression of earlier parameters or data rather than a constant. */
    public boolean hasComputedBounds() {
      return Double.isNaN(lower) || Double.isNaN(upper);
    }

    public int elementCount() {
      return size == 0 ? 1 : size;
    }

    public boolean isScalar() {
      return size == 0;
    }
  }

  private final Ast.Model ast;
  private final List<Param> params;
  private final Map<String, Ast.FnDecl> functions;
  private final Map<String, Type> letTypes;
  private final DataLayout dataLayout;
  private final double[] dataValues;
  private final DataSet data;
  private final Sizes sizes;
  private Map<String, int[]> matrixLets = Map.of();
  private ParameterLayout.Constrainer constrainer;

  /**
   * Which sizes could be bound at run time: {@code rowSizes} maps a data declaration to the size
   * naming its first dimension; {@code candidates} are the sizes that shape no parameter and count
   * no matrix columns (the IR may fix more of them, see {@code Compilation.freeSizes}).
   */
  public record Sizes(Map<String, String> rowSizes, SortedSet<String> candidates, List<DataLayout.LeastSize> least) {
    public Sizes(Map<String, String> rowSizes, SortedSet<String> candidates) {
      this(rowSizes, candidates, List.of());
    }
  }

  CheckedModel(Ast.Model ast, List<Param> params, Map<String, Ast.FnDecl> functions, Map<String, Type> letTypes,
      DataLayout dataLayout, double[] dataValues, DataSet data, Sizes sizes) {
    this.ast = ast;
    this.data = data;
    this.sizes = sizes;
    this.dataLayout = dataLayout;
    this.dataValues = dataValues;
    this.params = List.copyOf(params);
    this.functions = Collections.unmodifiableMap(functions);
    this.letTypes = Collections.unmodifiableMap(letTypes);
  }

  /** The data the model was checked with, as given (null for a model without data). */
  public DataSet data() {
    return data;
  }

  /** The sizes that could be free (bound at run time), as the checker found them. */
  public Sizes sizes() {
    return sizes;
  }

  /**
   * This model with the given sizes free: declarations whose rows they count become dynamic
   * ({@link DataLayout#withFreeSizes}), and the data are laid out again.
   */
  public CheckedModel withFreeSizes(Set<String> free) {
    DataLayout layout = dataLayout.withFreeSizes(sizes.rowSizes(), free, sizes.least());
    double[] values = data == null ? new double[layout.size()] : layout.pack(data);
    return new CheckedModel(ast, params, functions, letTypes, layout, values, data, sizes).withMatrixLets(matrixLets);
  }

  /** This model with its matrix-valued lets (transformed data: {@code let Xc = center(cols(X, 1, K));}). */
  CheckedModel withMatrixLets(Map<String, int[]> lets) {
    this.matrixLets = Map.copyOf(lets);
    return this;
  }

  /**
   * The lets whose values are data matrices ({@code cols}, {@code center} of a data matrix), with
   * their rows and columns; they, like data matrices, only multiply vectors or feed {@code col_means}.
   */
  public Map<String, int[]> matrixLets() {
    return matrixLets;
  }

  /** Whether a name is a data matrix or a matrix-valued let. */
  public boolean isMatrix(String name) {
    return matrixLets.containsKey(name)
        || dataLayout.variables().stream().anyMatch(v -> v.name().equals(name) && v.dims().length == 2);
  }

  /**
   * The data declarations and where their values lie (empty without data); sizes are fixed at
   * the values the model was checked with unless {@link #withFreeSizes} freed them.
   */
  public DataLayout dataLayout() {
    return dataLayout;
  }

  /** The data the model was checked with, laid out as {@link #dataLayout()} says. */
  public double[] dataValues() {
    return dataValues.clone();
  }

  public Ast.Model ast() {
    return ast;
  }

  public String name() {
    return ast.name().text();
  }

  public List<Param> params() {
    return params;
  }

  /** User functions by name. */
  public Map<String, Ast.FnDecl> functions() {
    return functions;
  }

  /** The type of each {@code let}, by name. */
  public Map<String, Type> letTypes() {
    return letTypes;
  }

  /** The parameters' places in the flat vector z. */
  public ParameterLayout layout() {
    ParameterLayout layout = new ParameterLayout(params.stream().map(p -> new ParameterLayout.Parameter(p.name(), p.size(), p.lower(), p.upper(), p.ordered())).toList());
    return layout.hasComputedBounds() ? layout.withConstrainer(constrainer()) : layout;
  }

  /**
   * The constrained values of a model whose bounds are computed: its parameters' values as the
   * model's expressions see them, by the IR's evaluator on the data it was checked with (lowered
   * at the first point constrained, once: most uses of a layout never constrain).
   */
  private synchronized ParameterLayout.Constrainer constrainer() {
    if (constrainer == null) {
      double[] data = dataValues;
      io.flowc.compiler.ir.IrFunction[] values = new io.flowc.compiler.ir.IrFunction[1];
      constrainer = (z, out) -> {
        synchronized (values) {
          if (values[0] == null) {
            values[0] = io.flowc.compiler.lower.ModelLowering.constrained(this, new io.flowc.compiler.ir.Graph(false));
          }
        }
        int k = 0;
        for (double[] value : io.flowc.compiler.ir.IrEvaluator.evaluate(values[0], z, data).values()) {
          System.arraycopy(value, 0, out, k, value.length);
          k += value.length;
        }
      };
    }
    return constrainer;
  }

  /** Number of parameter elements: the length of the flat vector z. */
  public int dimension() {
    return layout().dimension();
  }

  /** Element names in flat order: {@code z[0], z[1], s}. */
  public List<String> elementNames() {
    return layout().elementNames();
  }

  public List<Ast.Contribution> contributions() {
    return ast.statements().stream()
        .flatMap(s -> s instanceof Ast.Loop l ? l.body().stream() : java.util.stream.Stream.of(s))
        .filter(Ast.Contribution.class::isInstance)
        .map(Ast.Contribution.class::cast)
        .toList();
  }

  public long count(Ast.ContributionKind kind) {
    return contributions().stream().filter(c -> c.kind() == kind).count();
  }
}
