package io.flowc.compiler.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowc.compiler.diag.Diagnostic;
import io.flowc.compiler.diag.SourceFile;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The checker, table-driven: a model body (wrapped in {@code model m { ... }}, two-space indented,
 * so that the body's first line is line 2 of {@code m.flow}) and the exact headlines it must give,
 * in order. An empty list means the model is accepted.
 */
class ModelCheckerTest {

  private static Arguments c(String name, String body, String... headlines) {
    return Arguments.of(name, body, List.of(headlines));
  }

  static String wrap(String body) {
    return "model m {\n" + body.lines().map(l -> "  " + l + "\n").collect(Collectors.joining()) + "}\n";
  }

  static FrontEnd.Analysis analyze(String body) {
    return FrontEnd.analyze(new SourceFile("m.flow", wrap(body)));
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        c("undeclared name", """
            param z[2];
            potential y;
            """,
            "m.flow:3:13: 'y' is not declared"),
        c("undeclared name close to a declared one", """
            param zeta;
            potential zet;
            """,
            "m.flow:3:13: 'zet' is not declared (did you mean 'zeta'?)"),
        c("undeclared name close to a constant", """
            param z;
            potential z * pii;
            """,
            "m.flow:3:17: 'pii' is not declared (did you mean 'pi'?)"),
        c("one-letter names get no guess", """
            param z[2];
            potential x;
            """,
            "m.flow:3:13: 'x' is not declared"),
        c("an ordered scalar", """
            param mu ordered;
            potential mu;
            """,
            "m.flow:2:12: 'ordered' needs a vector: 'param mu[2] ordered;'"),
        c("a boolean derived quantity", """
            param z;
            derived big = z > 1;
            potential z * z;
            """,
            "m.flow:3:17: 'derived' needs a real value (a scalar or a vector), got a boolean"),
        c("log_mix of mismatched lengths", """
            param z[3];
            potential sum(log_mix(0.5, z, [1, 2]));
            """,
            "m.flow:3:17: length mismatch in 'log_mix': a vector of length 3 and a vector of length 2"),
        c("a derived quantity used before its definition", """
            param z;
            potential t;
            derived t = 2 * z;
            """,
            "m.flow:3:13: 't' is used before its definition at 4:3"),
        c("duplicate parameter", """
            param z;
            param z[2];
            potential z;
            """,
            "m.flow:3:9: 'z' is already declared at 2:9"),
        c("let reusing a parameter's name", """
            param z[2];
            let z = 1;
            potential z[0];
            """,
            "m.flow:3:7: 'z' is already declared at 2:9"),
        c("let used before its definition", """
            param z[2];
            let a = b;
            let b = 1;
            potential a + z[0];
            """,
            "m.flow:3:11: 'b' is used before its definition at 4:3"),
        c("parameter used before its declaration", """
            potential s;
            param s;
            """,
            "m.flow:2:13: 's' is used before its definition at 3:3"),
        c("declarations may not shadow built-ins", """
            param pi;
            param z;
            let sin = 1;
            fn e(x) = x;
            fn f(exp) = exp;
            potential z;
            """,
            "m.flow:2:9: parameter 'pi' shadows the built-in constant 'pi'",
            "m.flow:4:7: let 'sin' shadows the built-in function 'sin'",
            "m.flow:5:6: function 'e' shadows the built-in constant 'e'",
            "m.flow:6:8: argument 'exp' shadows the built-in function 'exp'"),
        c("duplicate function", """
            param z[2];
            fn f(x) = x;
            fn f(y) = y;
            potential f(z[0]);
            """,
            "m.flow:4:6: function 'f' is already defined at 3:6"),
        c("duplicate argument", """
            param z[2];
            fn f(x, x) = x;
            potential f(z[0], z[1]);
            """,
            "m.flow:3:11: argument 'x' appears twice in 'f'"),
        c("let reusing a function's name", """
            param z[2];
            fn f(x) = x;
            let f = 1;
            potential z[0];
            """,
            "m.flow:4:7: 'f' is already defined as a function at 3:6"),
        c("functions see only their arguments", """
            param z[2];
            fn f(x) = x + z[0];
            potential f(1);
            """,
            "m.flow:3:17: 'z' cannot be used inside function 'f': functions see only their arguments; pass it as an argument"),
        c("function used as a value", """
            param z[2];
            fn f(x) = x;
            potential sin + f;
            """,
            "m.flow:4:13: 'sin' is a function; call it as sin(...)",
            "m.flow:4:19: 'f' is a function; call it as f(...)"),
        c("calling what is not a function", """
            param z[2];
            let r = 1;
            potential r(2) + z(0) + pi(1);
            """,
            "m.flow:4:13: 'r' is not a function",
            "m.flow:4:20: 'z' is not a function",
            "m.flow:4:27: 'pi' is not a function"),
        c("unknown functions", """
            param z[2];
            fn myfun(x) = x;
            potential sinn(z[0]) + lgama(1) + myfn(1) + foo(1);
            """,
            "m.flow:4:13: unknown function 'sinn' (did you mean 'sin'?)",
            "m.flow:4:26: unknown function 'lgama' (did you mean 'lgamma'?)",
            "m.flow:4:37: unknown function 'myfn' (did you mean 'myfun'?)",
            "m.flow:4:47: unknown function 'foo'"),
        c("arity of built-ins", """
            param z[2];
            potential sin(1, 2) + atan2(1) + logsumexp() + sum(z, z);
            """,
            "m.flow:3:13: 'sin' takes 1 argument, got 2",
            "m.flow:3:25: 'atan2' takes 2 arguments, got 1",
            "m.flow:3:36: 'logsumexp' takes a vector or several values, got no argument",
            "m.flow:3:50: 'sum' takes 1 argument, got 2"),
        c("arity of user functions", """
            param z[2];
            fn f(a, b) = a + b;
            fn k() = 1;
            potential f(z[0]) + f(1, 2, 3) + k(1);
            """,
            "m.flow:5:13: 'f' takes 2 arguments, got 1",
            "m.flow:5:23: 'f' takes 2 arguments, got 3",
            "m.flow:5:36: 'k' takes 0 arguments, got 1"),
        c("direct recursion", """
            param z[2];
            fn f(x) = x + f(x - 1);
            potential f(z[0]);
            """,
            "m.flow:3:6: function 'f' is recursive (f -> f); recursion is not allowed"),
        c("mutual recursion", """
            param z[2];
            fn f(x) = g(x);
            fn g(x) = h(x);
            fn h(x) = 1 + f(x);
            potential f(z[0]);
            """,
            "m.flow:3:6: function 'f' is recursive (f -> g -> h -> f); recursion is not allowed",
            "m.flow:4:6: function 'g' is recursive (g -> h -> f -> g); recursion is not allowed",
            "m.flow:5:6: function 'h' is recursive (h -> f -> g -> h); recursion is not allowed"),
        c("calling a recursive function is not itself recursion", """
            param z[2];
            fn f(x) = f(x);
            fn g(x) = f(x);
            potential g(z[0]);
            """,
            "m.flow:3:6: function 'f' is recursive (f -> f); recursion is not allowed"),
        c("a contribution must be a scalar", """
            param z[2];
            potential z;
            logp += z * 2;
            """,
            "m.flow:3:13: 'potential' needs a scalar, got a vector of length 2 (sum it with sum(...))",
            "m.flow:4:11: 'logp +=' needs a scalar, got a vector of length 2 (sum it with sum(...))"),
        c("a contribution of a parameter's comparison has no derivative", """
            param z[2];
            potential z[0] > 0;
            logp += z > 0;
            """,
            "m.flow:3:18: a comparison used as a number (0 or 1) must compare data only: this one depends on parameter 'z' and has no derivative (choose between values with 'c ? a : b')",
            "m.flow:4:13: a comparison used as a number (0 or 1) must compare data only: this one depends on parameter 'z' and has no derivative (choose between values with 'c ? a : b')"),
        c("vector lengths must agree", """
            param z[2];
            param y[3];
            potential sum(z + y) + sum(pow(z, y)) + dot(z, y) + sum(z * [1, 2, 3]);
            """,
            "m.flow:4:19: length mismatch in '+': a vector of length 2 and a vector of length 3",
            "m.flow:4:30: length mismatch in 'pow': a vector of length 2 and a vector of length 3",
            "m.flow:4:43: length mismatch in 'dot': a vector of length 2 and a vector of length 3",
            "m.flow:4:61: length mismatch in '*': a vector of length 2 and a vector of length 3"),
        c("literal indices must be in range", """
            param z[2];
            potential z[2] + z[1] + (z * 2)[5] + [1, 2, 3][3];
            """,
            "m.flow:3:15: index 2 is out of range for 'z' of length 2",
            "m.flow:3:35: index 5 is out of range for a vector of length 2",
            "m.flow:3:50: index 3 is out of range for a vector of length 3"),
        c("indices must be integer literals", """
            param z[2];
            potential z[z[0]] + z[1.0] + z[-1] + z[1e0];
            """,
            "m.flow:3:15: an index must be a non-negative integer literal, or a 'data int' (plus or minus an integer literal)",
            "m.flow:3:25: an index must be a non-negative integer literal, or a 'data int' (plus or minus an integer literal)",
            "m.flow:3:34: an index must be a non-negative integer literal, or a 'data int' (plus or minus an integer literal)",
            "m.flow:3:42: an index must be a non-negative integer literal, or a 'data int' (plus or minus an integer literal)"),
        c("scalars cannot be indexed", """
            param s;
            potential s[0] + (s * 2)[0];
            """,
            "m.flow:3:13: 's' is a scalar and cannot be indexed",
            "m.flow:3:20: a scalar cannot be indexed"),
        c("the condition of ?: must be boolean", """
            param z[2];
            potential z[0] ? 1 : 2;
            """,
            "m.flow:3:13: the condition of '?:' must be a boolean (a comparison), got a scalar"),
        c("the branches of ?: are no comparisons of parameters", """
            param z[2];
            potential z[0] > 0 ? z[1] > 0 : 1;
            potential z[0] > 0 ? 1 : z > 0;
            """,
            "m.flow:3:29: a comparison used as a number (0 or 1) must compare data only: this one depends on parameter 'z' and has no derivative (choose between values with 'c ? a : b')",
            "m.flow:4:30: a comparison used as a number (0 or 1) must compare data only: this one depends on parameter 'z' and has no derivative (choose between values with 'c ? a : b')"),
        c("?: branches and condition must agree in length", """
            param z[2];
            param y[3];
            potential sum(z[0] > 0 ? z : y) + sum(z > 0 ? y : 1);
            """,
            "m.flow:4:17: length mismatch in '?:': a vector of length 2 and a vector of length 3",
            "m.flow:4:41: length mismatch in '?:' (condition and branches): a boolean vector of length 2 and a vector of length 3"),
        c("operators check real and boolean operands", """
            param z[2];
            potential !z[0] + -(z[0] > 0) + (z[0] > 0) * 2 + (z[0] && z[1] ? 1 : 0) + (z[0] > 0 == 1 ? 1 : 0);
            """,
            "m.flow:3:13: '!' needs a boolean operand, got a scalar",
            "m.flow:3:28: a comparison used as a number (0 or 1) must compare data only: this one depends on parameter 'z' and has no derivative (choose between values with 'c ? a : b')",
            "m.flow:3:41: a comparison used as a number (0 or 1) must compare data only: this one depends on parameter 'z' and has no derivative (choose between values with 'c ? a : b')",
            "m.flow:3:58: '&&' needs boolean operands, got a scalar",
            "m.flow:3:83: a comparison used as a number (0 or 1) must compare data only: this one depends on parameter 'z' and has no derivative (choose between values with 'c ? a : b')"),
        c("comparisons of parameters do not chain", """
            param z[2];
            potential z[0] < z[1] < 1 ? 1 : 0;
            """,
            "m.flow:3:18: a comparison used as a number (0 or 1) must compare data only: this one depends on parameter 'z' and has no derivative (choose between values with 'c ? a : b')"),
        c("reductions need vectors", """
            param z[2];
            potential sum(1) + mean(z[0]) + norm(2) + dot(1, z) + logsumexp(3);
            """,
            "m.flow:3:17: 'sum' needs a vector, got a scalar",
            "m.flow:3:27: 'mean' needs a vector, got a scalar",
            "m.flow:3:40: 'norm' needs a vector, got a scalar",
            "m.flow:3:49: 'dot' needs vectors, got a scalar",
            "m.flow:3:67: 'logsumexp' of one value needs a vector, got a scalar"),
        c("built-ins take no comparisons of parameters", """
            param z[2];
            potential exp(z[0] > 0) + sum(z > 0);
            """,
            "m.flow:3:22: a comparison used as a number (0 or 1) must compare data only: this one depends on parameter 'z' and has no derivative (choose between values with 'c ? a : b')",
            "m.flow:3:35: a comparison used as a number (0 or 1) must compare data only: this one depends on parameter 'z' and has no derivative (choose between values with 'c ? a : b')"),
        c("vector literal elements are real scalars", """
            param z[2];
            potential sum([z, 1]) + sum([1, z[0] > 0]);
            """,
            "m.flow:3:18: the elements of a vector literal must be real scalars, got a vector of length 2",
            "m.flow:3:40: a comparison used as a number (0 or 1) must compare data only: this one depends on parameter 'z' and has no derivative (choose between values with 'c ? a : b')"),
        c("parameter sizes are positive integer literals", """
            param a[0];
            param b[1.5];
            param c[-1];
            param d[2 + 1];
            param f[99999999999999999999];
            param g[1];
            potential g[0];
            """,
            "m.flow:2:11: the size of 'a' must be at least 1",
            "m.flow:3:11: the size of 'b' must be a positive integer literal or a 'data int' declared before it",
            "m.flow:4:11: the size of 'c' must be a positive integer literal or a 'data int' declared before it",
            "m.flow:5:11: the size of 'd' must be a positive integer literal or a 'data int' declared before it",
            "m.flow:6:11: 'f' is too large: 99999999999999999999 elements (at most 1000000)"),
        c("function bodies are checked at each call's shapes", """
            param z[2];
            fn g(v) = v[2];
            potential g(z) + g([1, 2, 3]);
            """,
            "m.flow:3:15: index 2 is out of range for 'v' of length 2 (in 'g' called at 4:13)"),
        c("a function body is checked even if never called", """
            param z[2];
            fn f(x) = x + q;
            potential z[0];
            """,
            "m.flow:3:17: 'q' is not declared"),
        c("no parameters", """
            potential 1;
            """,
            "m.flow:1:7: model 'm' declares no parameters (add 'param z[2];')"),
        c("no contribution", """
            param z[2];
            let a = z[0];
            """,
            "m.flow:1:7: model 'm' has no 'potential' or 'logp +=' statement"),
        c("neither parameters nor contributions", """
            let a = 1;
            """,
            "m.flow:1:7: model 'm' declares no parameters (add 'param z[2];')",
            "m.flow:1:7: model 'm' has no 'potential' or 'logp +=' statement"),
        c("a function's comparison of its arguments is no number", """
            param b;
            fn step(a) = (a > 0) * a;
            potential step(b);
            """,
            "m.flow:3:19: a comparison used as a number (0 or 1) must compare data only: this one depends on 'a', an argument of function 'step' (which may be a parameter) and has no derivative (choose between values with 'c ? a : b') (in 'step' called at 4:13)"),
        c("every independent error in one run", """
            param z[2];
            let a = q;
            let b = a + 1;
            potential sum(z) + z[5];
            potential sinn(b);
            logp += z;
            fn f(x) = f(x);
            """,
            "m.flow:3:11: 'q' is not declared",
            "m.flow:5:24: index 5 is out of range for 'z' of length 2",
            "m.flow:6:13: unknown function 'sinn' (did you mean 'sin'?)",
            "m.flow:7:11: 'logp +=' needs a scalar, got a vector of length 2 (sum it with sum(...))",
            "m.flow:8:6: function 'f' is recursive (f -> f); recursion is not allowed")
    );
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void refusedModelsGiveExactlyTheseDiagnostics(String name, String body, List<String> expected) {
    FrontEnd.Analysis analysis = analyze(body);
    List<String> actual = analysis.diagnostics().stream().map(Diagnostic::headline).toList();
    assertEquals(expected, actual, () -> "for\n" + wrap(body));
    assertNull(analysis.model(), "a model with errors must not be returned");
    assertTrue(analysis.diagnostics().stream().allMatch(d -> d.severity() == Diagnostic.Severity.ERROR));
  }

  static Stream<Arguments> accepted() {
    return Stream.of(
        c("scalar-vector broadcasting", """
            param z[3];
            param s;
            potential sum(z * s + 1 - s / z) + sum(2 ^ z) + sum(z ^ 2);
            """),
        c("vector-vector arithmetic of one length", """
            param z[3];
            potential sum(z * [1, 2, 3] + z / z - z);
            """),
        c("elementwise built-ins broadcast", """
            param z[3];
            potential sum(pow(z, 2) + pow(2, z) + atan2(z, 1) + min(z, 0) + max(0, z) + logaddexp(z, z));
            """),
        c("vector conditions with scalar or vector branches", """
            param z[3];
            potential sum(z > 0 ? z : -z) + sum(z > 0 ? 1 : 0) + sum(z[0] > 0 ? z : 2 * z)
                      + sum(z > 1 && z < 2 || !(z == 0) ? z : [1, 2, 3]);
            """),
        c("boolean lets", """
            param z[2];
            let p = z[0] > 0;
            let q = z > 1;
            potential p && !q[1] ? z[0] : z[1];
            """),
        c("a function used at several shapes", """
            param z[3];
            fn sq(a) = a * a;
            fn first(v) = v[0];
            potential sum(sq(z)) + sq(z[0]) + first(z) + first([4, 5]);
            """),
        c("function arguments may reuse global names", """
            param z[2];
            fn f(z) = z + 1;
            potential f(z[1]);
            """),
        c("functions may call earlier and later functions", """
            param z[2];
            fn f(x) = g(x) * 2;
            fn g(x) = h(x) + 1;
            fn h(x) = x ^ 2;
            potential f(z[0]) + h(z[1]);
            """),
        c("logsumexp of scalars, vectors and a mix", """
            param z[2];
            potential logsumexp(z) + logsumexp(z[0], z[1]) + logsumexp(z, 0, z);
            """),
        c("only logp contributions", """
            param z;
            logp += -z ^ 2;
            """),
        c("comparisons of booleans", """
            param z[2];
            potential (z[0] > 0) == (z[1] > 0) ? 1 : 0;
            potential (z[0] > 0) != (z[1] > 0) ? 1 : 0;
            """));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("accepted")
  void acceptedModels(String name, String body, List<String> expected) {
    FrontEnd.Analysis analysis = analyze(body);
    assertEquals(List.of(), analysis.diagnostics().stream().map(Diagnostic::headline).toList(), () -> wrap(body));
    assertNotNull(analysis.model());
  }

  @Test
  void shapesAreInferred() {
    FrontEnd.Analysis analysis = analyze("""
        param z[3];
        param s;
        param w[1];
        let v = z * s;
        let b = z > s;
        let t = sum(v);
        let u = [s, t];
        let c = s > 0;
        let k = b[0] ? u : 1;
        potential t + w[0];
        """);
    CheckedModel model = analysis.model();
    assertNotNull(model, () -> analysis.diagnostics().toString());
    assertEquals(Map.of(
            "v", Type.realVector(3),
            "b", new Type(Type.Kind.BOOL, 3),
            "t", Type.REAL,
            "u", Type.realVector(2),
            "c", Type.BOOL,
            "k", Type.realVector(2)),
        model.letTypes());
    assertEquals(List.of("z", "s", "w"), model.params().stream().map(CheckedModel.Param::name).toList());
    assertEquals(List.of(0, 3, 4), model.params().stream().map(CheckedModel.Param::offset).toList());
    assertEquals(List.of(3, 0, 1), model.params().stream().map(CheckedModel.Param::size).toList());
    assertEquals(5, model.dimension());
    assertEquals(List.of("z[0]", "z[1]", "z[2]", "s", "w[0]"), model.elementNames());
  }

  @Test
  void diagnosticsRenderWithFileLineColumnSourceLineAndCaret() {
    FrontEnd.Analysis analysis = analyze("""
        param z[2];
        potential sinn(z[0]) + z[2] + y;
        """);
    String rendered = new io.flowc.compiler.diag.CompileException(analysis.diagnostics()).render();
    assertEquals("""
        error: m.flow:3:13: unknown function 'sinn' (did you mean 'sin'?)
              potential sinn(z[0]) + z[2] + y;
                        ^~~~
        error: m.flow:3:28: index 2 is out of range for 'z' of length 2
              potential sinn(z[0]) + z[2] + y;
                                       ^
        error: m.flow:3:33: 'y' is not declared
              potential sinn(z[0]) + z[2] + y;
                                            ^
        3 errors""", rendered);
  }
}
