package io.flowc.compiler.interp;

import io.flowc.compiler.frontend.Ast;
import io.flowc.compiler.frontend.Ast.Binary;
import io.flowc.compiler.frontend.Ast.Call;
import io.flowc.compiler.frontend.Ast.Conditional;
import io.flowc.compiler.frontend.Ast.Expr;
import io.flowc.compiler.frontend.Ast.FnDecl;
import io.flowc.compiler.frontend.Ast.Ident;
import io.flowc.compiler.frontend.Ast.Index;
import io.flowc.compiler.frontend.Ast.Unary;
import io.flowc.compiler.frontend.Ast.VectorLit;
import io.flowc.compiler.frontend.Builtin;
import io.flowc.compiler.frontend.CheckedModel;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The arguments of the model's distribution calls that depend on no parameter: their values are
 * fixed once the data are bound, so their domains can be checked then, once. Arguments inside a
 * conditional's branches are left out (a branch not taken may hold any value), and so is every
 * call in a user function that some call site passes a parameter-dependent value.
 *
 * <p>Built-in function calls nested in such an argument (a {@code log(sigma)} as a scale) count
 * too, so that the message names the function that made the NaN.
 */
final class DataOnlyArguments {
  private final CheckedModel model;
  /** Per user function, the names of its arguments that some call site makes parameter-dependent. */
  private final Map<String, Set<String>> dependentArgs = new HashMap<>();
  private final Set<Expr> dataOnly = Collections.newSetFromMap(new IdentityHashMap<>());

  private DataOnlyArguments(CheckedModel model) {
    this.model = model;
  }

  /** The data-only arguments (by identity) of the model's calls. */
  static Set<Expr> of(CheckedModel model) {
    DataOnlyArguments a = new DataOnlyArguments(model);
    model.functions().keySet().forEach(f -> a.dependentArgs.put(f, new HashSet<>()));
    a.settleFunctionArguments();
    a.collect();
    return a.dataOnly;
  }

  /** The parameters and the lets computed from them. */
  private Set<String> dependentGlobals() {
    Set<String> names = new HashSet<>();
    model.params().forEach(p -> names.add(p.name()));
    for (Ast.Statement s : model.ast().statements()) {
      if (s instanceof Ast.LetDecl l && depends(l.value(), names)) {
        names.add(l.name().text());
      }
    }
    return names;
  }

  /** Marks function arguments dependent until no call site adds one (functions call functions). */
  private void settleFunctionArguments() {
    boolean changed = true;
    while (changed) {
      changed = false;
      Set<String> globals = dependentGlobals();
      for (Ast.Statement s : model.ast().statements()) {
        if (s instanceof Ast.LetDecl l) {
          changed |= markCallSites(l.value(), globals);
        } else if (s instanceof Ast.Contribution c) {
          changed |= markCallSites(c.value(), globals);
        }
      }
      for (FnDecl fn : model.functions().values()) {
        changed |= markCallSites(fn.body(), dependentArgs.get(fn.name().text()));
      }
    }
  }

  private boolean markCallSites(Expr e, Set<String> dependent) {
    boolean changed = false;
    for (Expr child : children(e)) {
      changed |= markCallSites(child, dependent);
    }
    if (e instanceof Call c && model.functions().containsKey(c.name())) {
      List<Ast.Name> params = model.functions().get(c.name()).params();
      for (int i = 0; i < params.size(); i++) {
        if (depends(c.args().get(i), dependent)) {
          changed |= dependentArgs.get(c.name()).add(params.get(i).text());
        }
      }
    }
    return changed;
  }

  private void collect() {
    Set<String> globals = dependentGlobals();
    for (Ast.Statement s : model.ast().statements()) {
      if (s instanceof Ast.LetDecl l) {
        collect(l.value(), globals);
      } else if (s instanceof Ast.Contribution c) {
        collect(c.value(), globals);
      }
    }
    for (FnDecl fn : model.functions().values()) {
      collect(fn.body(), dependentArgs.get(fn.name().text()));
    }
  }

  private void collect(Expr e, Set<String> dependent) {
    if (e instanceof Conditional c) {
      collect(c.cond(), dependent);
      return;
    }
    for (Expr child : children(e)) {
      collect(child, dependent);
    }
    if (e instanceof Call c && Builtin.byName(c.name()).map(b -> b.form == Builtin.Form.DISTRIBUTION).orElse(false)) {
      for (Expr arg : c.args()) {
        if (!depends(arg, dependent)) {
          dataOnly.add(arg);
          addNestedCalls(arg);
        }
      }
    }
  }

  /** The built-in calls inside a data-only argument, outside conditional branches. */
  private void addNestedCalls(Expr e) {
    if (e instanceof Conditional c) {
      addNestedCalls(c.cond());
      return;
    }
    if (e instanceof Call c && Builtin.byName(c.name()).isPresent()) {
      dataOnly.addAll(c.args());
    }
    children(e).forEach(this::addNestedCalls);
  }

  private boolean depends(Expr e, Set<String> dependent) {
    if (e instanceof Ident id) {
      return dependent.contains(id.name());
    }
    for (Expr child : children(e)) {
      if (depends(child, dependent)) {
        return true;
      }
    }
    return false;
  }

  private static List<Expr> children(Expr e) {
    if (e instanceof Unary u) {
      return List.of(u.operand());
    } else if (e instanceof Binary b) {
      return List.of(b.left(), b.right());
    } else if (e instanceof Conditional c) {
      return List.of(c.cond(), c.then(), c.otherwise());
    } else if (e instanceof Call c) {
      return c.args();
    } else if (e instanceof Index ix) {
      return List.of(ix.target(), ix.index());
    } else if (e instanceof VectorLit v) {
      return v.elements();
    }
    return List.of();
  }
}
