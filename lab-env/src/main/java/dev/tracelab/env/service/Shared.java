// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.service;

import java.util.function.Supplier;

/** One {@link GoImplementation} and one {@link NodeImplementation} per JVM, made on first use. */
enum Shared {
  GO(GoImplementation::create),
  NODE(NodeImplementation::create);

  private final Supplier<ServiceImplementation> factory;
  private ServiceImplementation instance;

  Shared(Supplier<ServiceImplementation> factory) {
    this.factory = factory;
  }

  synchronized ServiceImplementation get() {
    if (instance == null) {
      instance = factory.get();
    }
    return instance;
  }
}
