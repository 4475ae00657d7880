package io.flowc.compiler.interp;

import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.diag.Span;
import io.flowc.compiler.frontend.Ast;
import io.flowc.compiler.frontend.Builtin;
import io.flowc.compiler.frontend.CheckedModel;
import java.util.List;
import java.util.Set;

/**
 * Says which argument of which call is outside its domain: for the data once they are bound
 * ({@link #inData}), and at a point where the log density is NaN or -infinity ({@link #at}).
 * It walks the model with the reference {@link Interpreter}, which keeps every source position;
 * the compiled code checks nothing, so a valid point costs nothing, and only a rejected point is
 * evaluated again here.
 */
public final class DomainDiagnosis {
  private final CheckedModel model;
  private final Watch watch = new Watch();
  /** Made at the first question (under this object's lock): most fits and samplings never ask one. */
  private Set<Ast.Expr> dataOnly;
  private Interpreter interpreter;

  public DomainDiagnosis(CheckedModel model) {
    this.model = model;
  }

  private Interpreter interpreter() {
    if (interpreter == null) {
      dataOnly = DataOnlyArguments.of(model);
      interpreter = new Interpreter(model, watch);
    }
    return interpreter;
  }

  /**
   * An argument outside its domain: the function ({@code normal_lpdf}, {@code log}), the
   * argument's name, its element (-1 for a scalar), its value, what it must be, the call's
   * position and the argument as written.
   */
  public record Violation(String function, String argument, int element, double value, String requirement,
      SourceFile source, Span span, Ast.Expr expression) {

    /** Stan's wording, with the call's place: {@code normal_lpdf: Scale parameter is -0.5, but must be positive! (in m.flow:3:3)}. */
    public String message() {
      return new DomainRules.Breach(0, argument, element, value, requirement).describe(function) + " (in "
          + source.name() + ":" + span.line() + ":" + span.column() + ")";
    }

    /** The same call's same argument breaking the same rule, whatever the value: what counts are grouped by. */
    public String kind() {
      return function + " " + argument + " " + requirement + " " + span.start();
    }

    /** The data variable the argument is, or null when the argument is an expression. */
    public String variable() {
      return expression instanceof Ast.Ident id ? id.name() : null;
    }

    /** The argument's source text. */
    public String text() {
      String t = source.text();
      Span s = expression.span();
      return t.substring(Math.min(s.start(), t.length()), Math.min(Math.max(s.start(), s.end()), t.length()));
    }
  }

  /**
   * The first argument that depends on data alone and lies outside its domain, or null; checked
   * once the data are bound, since no parameter value can change it.
   */
  public synchronized Violation inData() {
    Interpreter walk = interpreter();
    watch.reset(true);
    try {
      walk.evaluate(new double[model.dimension()]);
    } catch (RuntimeException | StackOverflowError e) {
      // data broken in another way (an index out of range) are reported elsewhere; an expression
      // nested deeper than the walk's stack allows goes unchecked rather than failing the run
    }
    return watch.first;
  }

  /**
   * Why log p(z) is NaN or -infinity at {@code z} (unconstrained scale): the first argument
   * outside its domain in a statement whose value is not finite (or in a {@code let} before it),
   * or null when no argument is outside its domain (an overflow, say).
   */
  public synchronized Violation at(double[] z) {
    Interpreter walk = interpreter();
    watch.reset(false);
    try {
      walk.evaluate(z);
    } catch (RuntimeException | StackOverflowError e) {
      return null;
    }
    return watch.blamed;
  }

  /** Records breaches as the interpreter meets them. */
  private final class Watch implements Interpreter.Observer {
    boolean dataOnlyMode;
    /** In data mode: the first breach among data-only arguments. */
    Violation first;
    /** The first breach in a {@code let} so far, and the first in the statement being evaluated. */
    Violation inLet;
    Violation current;
    /** The breach that explains the first statement whose value is not finite. */
    Violation blamed;

    void reset(boolean dataOnlyMode) {
      this.dataOnlyMode = dataOnlyMode;
      first = null;
      inLet = null;
      current = null;
      blamed = null;
    }

    @Override
    public void builtinCall(Ast.Call call, Builtin builtin, List<double[]> args, boolean[] vector) {
      if (first != null || current != null || blamed != null) {
        return;
      }
      boolean[] only = null;
      if (dataOnlyMode) {
        only = new boolean[args.size()];
        for (int k = 0; k < only.length; k++) {
          only[k] = dataOnly.contains(call.args().get(k));
        }
      }
      DomainRules.Breach b = DomainRules.firstBreach(builtin, args, vector, only);
      if (b == null) {
        return;
      }
      Violation v = new Violation(builtin.symbol(), b.argument(), b.element(), b.value(), b.requirement(),
          model.ast().source(), call.span(), call.args().get(b.index()));
      if (dataOnlyMode) {
        first = v;
      } else {
        current = v;
      }
    }

    @Override
    public void let(Ast.LetDecl statement) {
      if (inLet == null) {
        inLet = current;
      }
      current = null;
    }

    @Override
    public void contribution(Ast.Contribution statement, double value) {
      if (blamed == null && !Double.isFinite(value)) {
        // a NaN argument was made earlier: by the breach in a let, if there is one
        boolean inherited = current == null || Double.isNaN(current.value());
        blamed = inherited && inLet != null ? inLet : current;
      }
      // a breach in a statement whose value is finite (a conditional's other branch) is not a cause
      current = null;
    }
  }
}
