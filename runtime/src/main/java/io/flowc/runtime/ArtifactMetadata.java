package io.flowc.runtime;

import io.flowc.runtime.data.DataLayout;
import io.flowc.runtime.data.DataRegion;
import io.flowc.runtime.nfvi.StepCost;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An artifact's metadata ({@value Artifact#METADATA}), every field parsed strictly and checked
 * against the others and against the jar's entries, so that nothing read later can fail.
 */
record ArtifactMetadata(
    Properties properties,
    String modelName,
    String modelClass,
    String sourceSha256,
    int dimension,
    ParameterLayout layout,
    long potentialTerms,
    long logpTerms,
    List<String> formulas,
    List<String> formulaClasses,
    List<StepCost> formulaCosts,
    List<Optional<Artifact.DrawByDraw>> formulaDrawByDraw,
    DataLayout dataLayout,
    DataRegion dataRegion,
    String dataPrologueClass,
    String reportedClass,
    List<String> derivedNames) {

  private static final Pattern COUNT = Pattern.compile("0|[1-9][0-9]{0,17}");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern CLASS = Pattern.compile(Pattern.quote(Artifact.PACKAGE) + "\\.[A-Za-z_$][A-Za-z0-9_$]*");
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern FORMULA_KEY = Pattern.compile(
      "formula\\.(0|[1-9][0-9]{0,8})(\\.class|\\.cost|" + Pattern.quote(Artifact.DRAW_BY_DRAW) + "\\.(class|cost|below))?");
  private static final Set<String> KEYS = Set.of(Artifact.KEY_FORMAT, Artifact.KEY_VERSION, Artifact.KEY_MODEL,
      Artifact.KEY_CLASS, Artifact.KEY_SHA256, Artifact.KEY_DIMENSION, Artifact.KEY_ELEMENTS, Artifact.KEY_PARAMS,
      Artifact.KEY_POTENTIAL_TERMS, Artifact.KEY_LOGP_TERMS, Artifact.KEY_FORMULAS, Artifact.KEY_DATA,
      Artifact.KEY_DATA_RESERVED, Artifact.KEY_DATA_PROLOGUE, Artifact.KEY_REPORTED, Artifact.KEY_DERIVED);

  /** A formula's kernel for calls that run draw by draw ({@code KEY.class}, {@code .cost}, {@code .below}: all or none). */
  private static Optional<Artifact.DrawByDraw> drawByDraw(Fields f, String key, Map<String, byte[]> entries) {
    Properties properties = f.properties();
    boolean any = properties.getProperty(key + ".class") != null || properties.getProperty(key + ".cost") != null
        || properties.getProperty(key + ".below") != null;
    if (!any) {
      return Optional.empty();
    }
    String className = f.className(key + ".class", entries);
    StepCost cost = f.decoded(key + ".cost", f.required(key + ".cost"), StepCost::decode);
    long below = f.count(key + ".below");
    if (below < 2 || below > Integer.MAX_VALUE) {
      throw f.bad(key + ".below=" + below + " is not a number of draws above 1");
    }
    return Optional.of(new Artifact.DrawByDraw(className, cost, (int) below));
  }

  /** The properties text, with a key given twice refused (Properties would keep the last silently). */
  static Properties properties(Path file, byte[] text) {
    Properties properties = new Properties() {
      private static final long serialVersionUID = 1L;

      @Override
      public synchronized Object put(Object key, Object value) {
        if (containsKey(key)) {
          throw new IllegalArgumentException("key " + Artifact.shown(key.toString()) + " appears twice");
        }
        return super.put(key, value);
      }
    };
    try {
      properties.load(new ByteArrayInputStream(text));
    } catch (IOException | IllegalArgumentException e) {
      throw Artifact.corrupt(file, Artifact.METADATA + ": " + e.getMessage());
    }
    return properties;
  }

  /**
   * Parses the metadata of the artifact {@code file}, whose entries (by name) are {@code entries}.
   *
   * @throws ArtifactException naming the first field that is malformed or disagrees with another
   */
  static ArtifactMetadata parse(Path file, Properties properties, Map<String, byte[]> entries) {
    Fields f = new Fields(file, properties);
    for (String key : properties.stringPropertyNames()) {
      if (!KEYS.contains(key) && !FORMULA_KEY.matcher(key).matches()) {
        throw f.bad("unknown metadata key " + Artifact.shown(key));
      }
    }
    String modelName = f.required(Artifact.KEY_MODEL);
    if (modelName.isBlank()) {
      throw f.bad(Artifact.KEY_MODEL + " is empty");
    }
    String modelClass = f.className(Artifact.KEY_CLASS, entries);
    String sha256 = f.required(Artifact.KEY_SHA256);
    if (!SHA256.matcher(sha256).matches()) {
      throw f.bad(Artifact.KEY_SHA256 + "=" + Artifact.shown(sha256) + " is not a SHA-256 in hex");
    }
    byte[] source = entries.get(Artifact.SOURCE);
    if (source == null) {
      throw f.bad("no " + Artifact.SOURCE);
    }
    if (!Artifact.sha256(source).equals(sha256)) {
      throw f.bad(Artifact.SOURCE + " does not match " + Artifact.KEY_SHA256);
    }
    long dimension = f.count(Artifact.KEY_DIMENSION);
    if (dimension > Integer.MAX_VALUE) {
      throw f.bad(Artifact.KEY_DIMENSION + "=" + dimension + " is out of range");
    }
    ParameterLayout layout = f.layout();
    long elements = layout.parameters().stream().mapToLong(ParameterLayout.Parameter::elementCount).sum();
    if (elements != dimension) {
      throw f.bad(Artifact.KEY_PARAMS + "=" + Artifact.shown(properties.getProperty(Artifact.KEY_PARAMS)) + " has "
          + elements + " elements, but " + Artifact.KEY_DIMENSION + " is " + dimension);
    }
    if (!String.join(",", layout.elementNames()).equals(f.required(Artifact.KEY_ELEMENTS))) {
      throw f.bad(Artifact.KEY_ELEMENTS + " disagrees with " + Artifact.KEY_PARAMS);
    }
    long potentialTerms = f.count(Artifact.KEY_POTENTIAL_TERMS);
    long logpTerms = f.count(Artifact.KEY_LOGP_TERMS);

    String formulaText = f.required(Artifact.KEY_FORMULAS);
    List<String> formulas = formulaText.isEmpty() ? List.of() : List.of(formulaText.split(";", -1));
    List<String> formulaClasses = new ArrayList<>();
    List<StepCost> formulaCosts = new ArrayList<>();
    List<Optional<Artifact.DrawByDraw>> formulaDrawByDraw = new ArrayList<>();
    for (int k = 0; k < formulas.size(); k++) {
      String key = Artifact.formulaKey(k);
      if (formulas.get(k).isBlank() || formulas.indexOf(formulas.get(k)) != k) {
        throw f.bad(Artifact.KEY_FORMULAS + " lists an empty or repeated formula");
      }
      if (!formulas.get(k).equals(f.required(key))) {
        throw f.bad(key + " disagrees with " + Artifact.KEY_FORMULAS);
      }
      formulaClasses.add(f.className(key + ".class", entries));
      String cost = properties.getProperty(key + ".cost");
      formulaCosts.add(cost == null ? StepCost.UNKNOWN : f.decoded(key + ".cost", cost, StepCost::decode));
      formulaDrawByDraw.add(drawByDraw(f, key + Artifact.DRAW_BY_DRAW, entries));
    }
    for (String key : properties.stringPropertyNames()) {
      var m = FORMULA_KEY.matcher(key);
      if (m.matches() && Integer.parseInt(m.group(1)) >= formulas.size()) {
        throw f.bad(key + " is not among " + Artifact.KEY_FORMULAS);
      }
    }

    String data = properties.getProperty(Artifact.KEY_DATA);
    String reserved = properties.getProperty(Artifact.KEY_DATA_RESERVED);
    if ((data == null) != (reserved == null)
        || (data == null && properties.getProperty(Artifact.KEY_DATA_PROLOGUE) != null)) {
      throw f.bad(Artifact.KEY_DATA + ", " + Artifact.KEY_DATA_RESERVED + " and " + Artifact.KEY_DATA_PROLOGUE
          + " disagree (data.reserved and data.prologue.class go with data)");
    }
    DataLayout dataLayout = f.decoded(Artifact.KEY_DATA, data == null ? "" : data, DataLayout::decode);
    DataRegion region = reserved == null ? null : f.decoded(Artifact.KEY_DATA_RESERVED, reserved, DataRegion::decode);
    String prologue = properties.getProperty(Artifact.KEY_DATA_PROLOGUE) == null ? null
        : f.className(Artifact.KEY_DATA_PROLOGUE, entries);
    String derived = properties.getProperty(Artifact.KEY_DERIVED);
    String reported = properties.getProperty(Artifact.KEY_REPORTED) == null ? null
        : f.className(Artifact.KEY_REPORTED, entries);
    if ((derived == null) != (reported == null) || (reported == null && layout.hasComputedBounds())) {
      throw f.bad(Artifact.KEY_REPORTED + " and " + Artifact.KEY_DERIVED + " go together, and bounds computed in "
          + Artifact.KEY_PARAMS + " need them");
    }
    List<String> derivedNames = derived == null || derived.isEmpty() ? List.of() : List.of(derived.split(",", -1));
    return new ArtifactMetadata(properties, modelName, modelClass, sha256, (int) dimension, layout, potentialTerms,
        logpTerms, List.copyOf(formulas), List.copyOf(formulaClasses), List.copyOf(formulaCosts), List.copyOf(formulaDrawByDraw), dataLayout, region,
        prologue, reported, derivedNames);
  }

  /** Reads single fields, each refused with the key and value it had. */
  private record Fields(Path file, Properties properties) {
    ArtifactException bad(String what) {
      return Artifact.corrupt(file, what);
    }

    String required(String key) {
      String value = properties.getProperty(key);
      if (value == null) {
        throw bad("the metadata lacks " + key);
      }
      return value;
    }

    long count(String key) {
      String value = required(key);
      if (!COUNT.matcher(value).matches()) {
        throw bad(key + "=" + Artifact.shown(value) + " is not a whole number in range");
      }
      return Long.parseLong(value);
    }

    /** A class the metadata names: in the artifacts' package, and present in the jar. */
    String className(String key, Map<String, byte[]> entries) {
      String name = required(key);
      if (!CLASS.matcher(name).matches()) {
        throw bad(key + "=" + Artifact.shown(name) + " is not a class in " + Artifact.PACKAGE);
      }
      if (!entries.containsKey(Artifact.entryName(name))) {
        throw bad(key + " names " + name + ", which the jar does not hold");
      }
      return name;
    }

    ParameterLayout layout() {
      String text = required(Artifact.KEY_PARAMS);
      ParameterLayout layout = decoded(Artifact.KEY_PARAMS, text, ParameterLayout::decode);
      Set<String> names = new HashSet<>();
      for (ParameterLayout.Parameter p : layout.parameters()) {
        if (!NAME.matcher(p.name()).matches() || !names.add(p.name())) {
          throw bad(Artifact.KEY_PARAMS + ": bad or repeated parameter name '" + Artifact.shown(p.name()) + "'");
        }
      }
      return layout;
    }

    <T> T decoded(String key, String text, java.util.function.Function<String, T> decode) {
      try {
        return decode.apply(text);
      } catch (IllegalArgumentException | IndexOutOfBoundsException | NegativeArraySizeException e) {
        throw bad(key + "=" + Artifact.shown(text) + " cannot be read (" + e.getMessage() + ")");
      }
    }
  }
}
