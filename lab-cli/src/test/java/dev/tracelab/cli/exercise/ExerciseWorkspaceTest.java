package dev.tracelab.cli.exercise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Implementation;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** start, solution, reset and bad input on a fresh clone; the stubs generated from the fixed sources. */
class ExerciseWorkspaceTest {

  @TempDir Path tmp;

  @Test
  void startChangesOnlyTheFixFilesOfTheChosenLanguagesEachBetweenItsMarkers() {
    ExerciseClone clone = ExerciseClone.of(tmp);
    Workspace.State s = clone.workspace.start("all");

    // every fix file of a lab service (the page's allowlist and the sidecar are no exercise here)
    List<String> fixFiles = Arrays.stream(Implementation.values())
        .filter(i -> Flow.SERVICES.contains(i.role())).map(Implementation::fixFile).sorted().toList();
    assertThat(clone.workspace.changedByStart().stream().sorted().toList()).isEqualTo(fixFiles);
    assertThat(s.branch).isEqualTo("tracelab-exercise-all");
    assertThat(new Git(clone.root).branch()).isEqualTo("tracelab-exercise-all");
    assertThat(new Git(clone.root).changes()).isEmpty(); // the state file is git-ignored
    for (Task t : Task.values()) {
      String fixed = new Git(clone.root).show(s.base, t.fixFile());
      String stub = clone.read(t.fixFile());
      // outside the markers nothing changed; inside, the TODO names the boundary and the docs
      assertThat(stub.substring(0, stub.indexOf("tracelab:exercise")))
          .isEqualTo(fixed.substring(0, fixed.indexOf("tracelab:exercise")));
      assertThat(stub.substring(stub.indexOf(" end", stub.indexOf("tracelab:exercise " + t.boundary().id() + " end"))))
          .isEqualTo(fixed.substring(fixed.indexOf(" end", fixed.indexOf("tracelab:exercise " + t.boundary().id() + " end"))));
      assertThat(Task.regionOf(stub, t.boundary()))
          .startsWith(clone.todoLine(t.fixFile(), t.boundary().id()) + "\n")
          .contains("See docs/");
      assertThat(Task.regionOf(stub, t.boundary())).isNotEqualTo(Task.regionOf(fixed, t.boundary()));
    }
  }

  @Test
  void startWithOneLanguageStubsOnlyItsFiles() {
    ExerciseClone clone = ExerciseClone.of(tmp);
    clone.workspace.start("go");
    assertThat(clone.workspace.changedByStart()).containsExactlyInAnyOrder("gateway-svc/go/worker.go", "consumer-svc/go/parent.go");
  }

  @Test
  void theSolutionIsADiffGitApplyTakesAndResetRestoresTheStart() {
    ExerciseClone clone = ExerciseClone.of(tmp);
    Workspace.State s = clone.workspace.start("java");
    String stub = clone.read(Task.HTTP_JAVA.fixFile());

    clone.applySolutions();
    Git git = new Git(clone.root);
    // applied, the workspace holds exactly the fixed sources again
    assertThat(git.run("diff", "--name-only", s.base).lines().toList()).isEmpty();

    clone.edit(Task.HTTP_JAVA.fixFile(), "traced.build()", "traced.build() /* mine */");
    git.run("-c", "user.name=t", "-c", "user.email=t@t.invalid", "commit", "-qam", "my work");
    Workspace.State after = clone.workspace.reset();
    assertThat(git.head()).isEqualTo(after.start);
    assertThat(clone.read(Task.HTTP_JAVA.fixFile())).isEqualTo(stub);
    assertThat(after.hints).isEmpty();
  }

  @Test
  void badInputIsAOneLineMessage() {
    ExerciseClone clone = ExerciseClone.of(tmp);
    assertThatThrownBy(() -> clone.workspace.start("cobol")).isInstanceOf(ExerciseException.class)
        .hasMessage("--lang must be java, go, node or all, not 'cobol'");
    assertThatThrownBy(clone.workspace::load).hasMessageStartingWith("no exercise started here");
    clone.workspace.start("node");
    assertThatThrownBy(() -> clone.workspace.start("node")).hasMessageStartingWith("an exercise is already started here");
    assertThatThrownBy(() -> clone.workspace.solution(Checker.parseBoundary("http")))
        .hasMessage("no http exercise in node (boundaries here: async)");
    assertThatThrownBy(() -> Checker.parseBoundary("grpc")).hasMessage("unknown boundary 'grpc' (http, async, kafka)");
    assertThatThrownBy(() -> Checker.parseBoundary("propagators")).hasMessageStartingWith("propagators is a configuration boundary");
  }
}
