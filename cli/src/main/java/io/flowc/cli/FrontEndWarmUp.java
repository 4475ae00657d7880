package io.flowc.cli;

import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.diag.SourceFile;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.frontend.FlowFormulaParsing;
import io.flowc.compiler.frontend.FrontEnd;
import io.flowc.runtime.data.StanJson;

/**
 * Parses and checks a small model on a daemon thread while a fresh process starts a command that
 * compiles a model file (docs/performance.md, "The front end warmed up"). A cold JVM spent a third
 * to a half of a model's compilation in the front end's first run: ANTLR deserializing its lexer's
 * and parser's networks and filling the caches of their decisions, all interpreted, one processor's
 * worth at a time; the other processor waits meanwhile for the command line to be read. The
 * warm-up does that work there first, so the model's own parse finds the networks built, the
 * caches partly filled and the front end's code partly compiled. It changes no result: ANTLR's
 * caches only remember its decisions, and the front end keeps no other state between models.
 */
public final class FrontEndWarmUp {
  /** A model of each kind of statement the front end checks most: data, bounds, priors, a loop with a state. */
  private static final String SOURCE = """
      model warm_up {
        data int N;
        data real y[N];
        param mu;
        param sigma > 0;
        mu ~ normal(0, 10);
        sigma ~ cauchy(0, 2.5);
        state err = y[0] - mu;
        for t in 1:N {
          let nu = mu + 0.5 * err;
          err = y[t] - nu;
          err ~ normal(0, sigma);
        }
        y ~ normal(mu, exp(log(sigma)));
      }
      """;

  private static final String DATA = "{\"N\": 3, \"y\": [0.5, -1.25, 2.0]}";

  private FrontEndWarmUp() {}

  /** Starts the warm-up when a command line names a model file (a {@code .flow} argument). */
  public static void startFor(String... args) {
    if (wanted(args)) {
      Thread thread = new Thread(FrontEndWarmUp::run, "flowc-warm-up");
      thread.setDaemon(true);
      thread.start();
    }
  }

  /** Whether a command line names a model file, which its command will parse. */
  static boolean wanted(String... args) {
    for (String a : args) {
      if (a.endsWith(".flow")) {
        return true;
      }
    }
    return false;
  }

  /** The warm-up's work: the model and a flow formula through the front end; the model. */
  static CheckedModel parseAndCheck() throws CompileException {
    CheckedModel model = FrontEnd.check(new SourceFile("<warm-up>", SOURCE), StanJson.parse(DATA, "<warm-up>"));
    FlowFormulaParsing.parse("planar*2");
    return model;
  }

  private static void run() {
    try {
      parseAndCheck();
    } catch (CompileException | RuntimeException | Error e) {
      // nothing depends on the warm-up, not even on its success; and it prints nothing (an
      // uncaught error would reach stderr from its thread: too little memory is the command's to report)
    }
  }
}
