package io.flowc.spark;

import io.flowc.runtime.many.FitMethod;
import java.io.Serializable;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link FitMethod} as plain serializable values, to travel with a job to executors: the method,
 * its settings and the optimizer are records, kept as their class names and component values and
 * rebuilt there by their canonical constructors. A component that is neither a record, a list, an
 * array, a string nor a primitive (a callback holding state) cannot travel and is refused on the driver.
 */
final class MethodCodec {
  private MethodCodec() {}

  /** A record: its class and its components, in declaration order. */
  record RecordValue(String className, List<Object> components) implements Serializable {}

  /** The method as serializable values. @throws IllegalArgumentException naming what cannot travel */
  static Serializable encode(FitMethod method) {
    return (Serializable) encode(method, "method");
  }

  static FitMethod decode(Serializable encoded) {
    return (FitMethod) decode((Object) encoded);
  }

  private static Object encode(Object value, String where) {
    if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
      return value;
    }
    if (value.getClass().isArray()) {
      // arrays of primitives (NUTS starting points) serialize as they are; copies keep the caller's apart
      return copy(value);
    }
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        out.add(encode(list.get(i), where + "[" + i + "]"));
      }
      return out;
    }
    if (value instanceof Record record) {
      List<Object> components = new ArrayList<>();
      for (RecordComponent c : record.getClass().getRecordComponents()) {
        try {
          components.add(encode(c.getAccessor().invoke(record), where + "." + c.getName()));
        } catch (ReflectiveOperationException e) {
          throw new IllegalArgumentException(where + "." + c.getName() + " cannot be read: " + e.getMessage(), e);
        }
      }
      return new RecordValue(record.getClass().getName(), components);
    }
    throw new IllegalArgumentException(where + " (" + value.getClass().getName() + ") cannot be sent to executors: "
        + "only records of numbers, strings, lists and arrays can");
  }

  private static Object copy(Object array) {
    int n = Array.getLength(array);
    Object out = Array.newInstance(array.getClass().getComponentType(), n);
    for (int i = 0; i < n; i++) {
      Object element = Array.get(array, i);
      Array.set(out, i, element != null && element.getClass().isArray() ? copy(element) : element);
    }
    return out;
  }

  private static Object decode(Object value) {
    if (value instanceof List<?> list) {
      return list.stream().map(MethodCodec::decode).toList();
    }
    if (!(value instanceof RecordValue record)) {
      return value;
    }
    try {
      Class<?> type = Class.forName(record.className(), true, MethodCodec.class.getClassLoader());
      RecordComponent[] components = type.getRecordComponents();
      Class<?>[] types = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
      Object[] arguments = record.components().stream().map(MethodCodec::decode).toArray();
      Constructor<?> canonical = type.getDeclaredConstructor(types);
      return canonical.newInstance(arguments);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot rebuild " + record.className() + ": " + e, e);
    }
  }
}
