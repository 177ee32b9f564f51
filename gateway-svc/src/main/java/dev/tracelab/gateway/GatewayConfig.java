package dev.tracelab.gateway;

import dev.tracelab.flow.Variant;
import java.net.URI;

/** @param port 0 picks a free port */
public record GatewayConfig(String bindHost, int port, URI workerUrl, Variant variant) {}
