package io.flowc.cli.cds;

import io.flowc.cli.FrontEndWarmUp;
import io.flowc.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The commands whose classes go into the start-up archive: each runs once, in this one JVM, as
 * {@code bin/flowc} would run it, while HotSpot records the classes they load
 * ({@code -XX:ArchiveClassesAtExit}; {@link StartupArchive} starts this JVM). They touch what a
 * user's first commands touch: the command line parser, the front end (ANTLR), the compiler and
 * both code paths of a fit (source and artifact), NUTS, data files, JSON output, pictures and the
 * usage text. Iterations and draws are few: only which classes load matters, not the JIT.
 */
public final class TrainingRun {
  private TrainingRun() {
  }

  /** The command lines, for models in {@code examples} and outputs in {@code work}. */
  static List<String[]> commands(Path examples, Path work) {
    String pot1 = examples.resolve("pot1.flow").toString();
    String schools = examples.resolve("eight_schools_noncentered.flow").toString();
    String schoolsData = examples.resolve("eight_schools_noncentered.json").toString();
    String artifact = work.resolve("pot1.jar").toString();
    List<String[]> commands = new ArrayList<>();
    commands.add(new String[] {"--help"});
    commands.add(new String[] {"check", pot1});
    commands.add(new String[] {"check", pot1, "--at", "2.0,0.3", "--json"});
    commands.add(new String[] {"fit", pot1, "--flow", "planar*8", "--optimizer", "adam", "--lr", "0.01", "--nmc", "10",
        "--iters", "200", "--eval-draws", "1000"});
    commands.add(new String[] {"fit", pot1, "--flow", "scale-hh*2-loc", "--iters", "50", "--eval-draws", "100", "--json",
        "--plot", work.resolve("fit.png").toString(), "--out", work.resolve("draws.csv").toString()});
    // a neural flow: with the vector module (StartupArchive adds it when the JDK has it) its
    // products load the Vector API's classes, which bin/flowc's neural fits then map
    commands.add(new String[] {"fit", pot1, "--flow", "nsf(hidden=8)", "--nmc", "32", "--iters", "20", "--eval-draws",
        "100"});
    commands.add(new String[] {"compile", pot1, "--flow", "planar*8", "-o", artifact});
    commands.add(new String[] {"fit", artifact, "--flow", "planar*8", "--iters", "50", "--eval-draws", "100"});
    commands.add(new String[] {"sample", schools, "--data", schoolsData, "--chains", "2", "--tune", "50", "--draws", "50"});
    // the compiler's other paths, whose classes and lambdas a cold compile otherwise loads from the
    // jar and spins (40 of them for a loop over a series): a loop with a state (a scan and its
    // derivative), a mixture, matrices with a Cholesky factor, a regression on many columns
    for (String model : List.of("arma11", "low_dim_gauss_mix", "gp_pois_regr", "diamonds")) {
      commands.add(new String[] {"sample", examples.resolve(model + ".flow").toString(), "--data",
          examples.resolve(model + ".json").toString(), "--chains", "1", "--tune", "20", "--draws", "20", "--json"});
    }
    return commands;
  }

  /**
   * {@code TrainingRun EXAMPLES WORK}: runs every command with its output discarded; exits 1 (with
   * the command and its messages on stderr) if one fails, as the archive would then miss classes.
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: TrainingRun EXAMPLES_DIR WORK_DIR");
      System.exit(2);
    }
    Path work = Files.createDirectories(Path.of(args[1]));
    PrintStream discard = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
    for (String[] command : commands(Path.of(args[0]), work)) {
      ByteArrayOutputStream errors = new ByteArrayOutputStream();
      int code;
      try (PrintStream err = new PrintStream(errors, true, StandardCharsets.UTF_8)) {
        FrontEndWarmUp.startFor(command); // as Main.main does
        code = Main.run(discard, err, command);
      }
      if (code != 0) {
        System.err.println("flowc " + String.join(" ", command) + ": exit " + code);
        System.err.print(errors.toString(StandardCharsets.UTF_8));
        System.exit(1);
      }
    }
  }
}
