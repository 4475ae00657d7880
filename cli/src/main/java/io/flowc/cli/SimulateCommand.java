package io.flowc.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowc.compiler.diag.CompileException;
import io.flowc.compiler.frontend.CheckedModel;
import io.flowc.compiler.simulate.Simulation;
import io.flowc.compiler.simulate.SimulationException;
import io.flowc.compiler.simulate.Simulator;
import io.flowc.runtime.data.DataLayout;
import io.flowc.runtime.data.DataSet;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flowc simulate}: draws from a model's prior predictive distribution, one JSON line per draw. */
@Command(
    name = "simulate",
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
        "Draw parameters from their priors and data from the likelihood, running the model's '~' statements "
            + "forward in source order; data not drawn (sizes, predictors) come from --data.",
        "%nWrites JSON Lines, one line per draw: {\"id\": \"0\", \"parameters\": {...}, \"data\": {...}}, "
            + "values as Stan JSON; the data object holds every data value of the model, ready for fit, "
            + "fit-many and sbc. Draw k uses the seed derived from (--seed, \"sim:k\").%n"
    },
    footerHeading = "%nExamples:%n",
    footer = {
        "  flowc simulate examples/eight_schools_noncentered.flow --data examples/eight_schools_noncentered.json "
            + "--draws 100 --out sims.jsonl"
    })
public final class SimulateCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL.flow", description = "The model file (UTF-8 text).")
  private String modelFile;

  @Mixin
  private DataOption data = new DataOption();

  @Option(names = "--draws", paramLabel = "N", required = true, description = "Number of simulations (joint draws).")
  private int draws;

  @Option(names = "--seed", paramLabel = "S", description = "Random seed (default 0).")
  private long seed;

  @Option(names = "--out", paramLabel = "FILE", description = "Write the JSON Lines to FILE instead of stdout.")
  private String out;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  private boolean help;

  @Override
  public Integer call() throws CompileException {
    if (draws < 1) {
      throw new UserException("--draws must be >= 1");
    }
    if (ModelFiles.isArtifact(modelFile)) {
      throw new UserException("simulate needs the model's source (MODEL.flow), not a compiled artifact");
    }
    if (out != null) {
      OutputFile.check("--out", out);
    }
    DataSet base = data.file == null ? null : ModelFiles.data(data.file);
    CheckedModel model = Simulator.check(ModelFiles.read(modelFile), base);
    Simulator simulator = Simulator.of(model);
    Set<String> integers = model.dataLayout().variables().stream()
        .filter(DataLayout.Variable::integer).map(DataLayout.Variable::name).collect(Collectors.toSet());
    try {
      if (out == null) {
        PrintWriter w = spec.commandLine().getOut();
        try {
          write(simulator, base, integers, w);
        } catch (IOException e) {
          throw new IllegalStateException("a PrintWriter does not throw", e);
        }
        w.flush();
      } else {
        try (Writer w = Files.newBufferedWriter(Path.of(out), StandardCharsets.UTF_8)) {
          write(simulator, base, integers, w);
        } catch (IOException e) {
          throw OutputFile.failure("--out", out, e);
        }
      }
    } catch (SimulationException e) {
      // the model simulates, but a draw gave values its statement cannot take (a scale drawn negative)
      throw new UserException(e.getMessage());
    }
    return ExitCodes.OK;
  }

  private void write(Simulator simulator, DataSet base, Set<String> integers, Writer w) throws IOException {
    for (int k = 0; k < draws; k++) {
      Simulation sim = simulator.simulate(base, Simulator.random(seed, k));
      ObjectNode line = Json.object();
      line.put("id", Integer.toString(k));
      putValues(line.putObject("parameters"), sim.parameters(), Set.of());
      putValues(line.putObject("data"), sim.data().values(), integers);
      w.write(Json.line(line));
      w.write('\n');
    }
  }

  /** Values as Stan JSON: numbers, arrays, matrices as arrays of rows; integers without a decimal point. */
  static void putValues(ObjectNode node, Map<String, DataSet.Value> values, Set<String> integers) {
    for (Map.Entry<String, DataSet.Value> e : values.entrySet()) {
      DataSet.Value v = e.getValue();
      boolean integer = integers.contains(e.getKey());
      int[] dims = v.dims();
      double[] x = v.elements();
      if (dims.length == 0) {
        if (integer) {
          node.put(e.getKey(), (long) x[0]);
        } else {
          Json.putNumber(node, e.getKey(), x[0]);
        }
      } else if (dims.length == 1) {
        addAll(node.putArray(e.getKey()), x, 0, x.length, integer);
      } else {
        ArrayNode rows = node.putArray(e.getKey());
        for (int r = 0; r < dims[0]; r++) {
          addAll(rows.addArray(), x, r * dims[1], dims[1], integer);
        }
      }
    }
  }

  private static void addAll(ArrayNode array, double[] x, int from, int length, boolean integer) {
    for (int i = from; i < from + length; i++) {
      if (integer) {
        array.add((long) x[i]);
      } else {
        Json.addNumber(array, x[i]);
      }
    }
  }
}
