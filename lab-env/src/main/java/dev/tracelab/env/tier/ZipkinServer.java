// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.tier;

import dev.tracelab.env.process.ChildProcess;
import dev.tracelab.env.process.LocalHost;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Zipkin (its exec jar) in a child JVM on a free loopback port; in-memory storage. */
public final class ZipkinServer implements AutoCloseable {

  private final ChildProcess process;
  private final String url;

  private ZipkinServer(ChildProcess process, String url) {
    this.process = process;
    this.url = url;
  }

  /** Launches it; {@link ChildProcess#awaitReady()} on {@link #process()} waits for /health. */
  public static ZipkinServer start(
      Path jar, Path runDir, Duration startTimeout, Duration stopGrace) {
    int port = LocalHost.freePort();
    String url = "http://" + CollectorTier.HOST + ":" + port;
    ChildProcess process =
        ChildProcess.builder(
                "zipkin",
                List.of(
                    LocalHost.javaBin(),
                    "-Xms64m",
                    "-Xmx384m",
                    "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC",
                    "-jar",
                    jar.toString(),
                    "--armeria.ports[0].port=" + port,
                    "--armeria.ports[0].ip=" + CollectorTier.HOST,
                    "--armeria.ports[0].protocols=http"))
            .log(runDir.resolve("zipkin-1.log"))
            .healthUrl(URI.create(url + "/health"))
            .startTimeout(startTimeout)
            .stopGrace(stopGrace)
            .start();
    return new ZipkinServer(process, url);
  }

  public ChildProcess process() {
    return process;
  }

  /** Base URL: UI at /zipkin/, API at /api/v2/. */
  public String url() {
    return url;
  }

  @Override
  public void close() {
    process.close();
  }
}
