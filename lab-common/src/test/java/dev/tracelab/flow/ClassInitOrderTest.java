// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;

/**
 * Flow and Implementations refer to each other in their constants: whichever a program touches
 * first (the CLI starts with Implementations, the tests with Flow) must initialise both fully. Each
 * case loads the classes afresh in a class loader of its own.
 */
class ClassInitOrderTest {

  private static Class<?> fresh(String name) throws Exception {
    URL classes = Flow.class.getProtectionDomain().getCodeSource().getLocation();
    ClassLoader loader =
        new URLClassLoader(new URL[] {classes}, ClassLoader.getSystemClassLoader().getParent()) {
          @Override
          protected Class<?> loadClass(String n, boolean resolve) throws ClassNotFoundException {
            if (n.startsWith("dev.tracelab.flow.")) {
              synchronized (getClassLoadingLock(n)) {
                Class<?> c = findLoadedClass(n);
                return c != null ? c : findClass(n);
              }
            }
            return Flow.class.getClassLoader().loadClass(n);
          }
        };
    return Class.forName(name, true, loader);
  }

  @Test
  void implementationsFirst() throws Exception {
    Class<?> impls = fresh("dev.tracelab.flow.Implementations");
    Object java = impls.getField("JAVA").get(null);
    Object label = impls.getMethod("label").invoke(java);
    assertThat(label).isEqualTo("java/java/java");
    Class<?> flow = Class.forName("dev.tracelab.flow.Flow", true, impls.getClassLoader());
    assertThat(flow.getField("JAVA").get(null)).isNotNull();
  }

  @Test
  void flowFirst() throws Exception {
    Class<?> flow = fresh("dev.tracelab.flow.Flow");
    Object expected = flow.getField("JAVA").get(null);
    assertThat(expected.getClass().getMethod("size").invoke(expected)).isEqualTo(6);
  }
}
