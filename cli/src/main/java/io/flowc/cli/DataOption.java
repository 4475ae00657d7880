package io.flowc.cli;

import picocli.CommandLine.Option;

/** The {@code --data} option every command that reads a model takes (a picocli mixin). */
final class DataOption {
  @Option(names = "--data", paramLabel = "DATA.json", description = "Values of the model's data, in Stan's JSON format.")
  String file;
}
