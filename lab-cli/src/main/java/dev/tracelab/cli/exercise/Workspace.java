// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli.exercise;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tracelab.flow.Boundary;
import dev.tracelab.flow.Language;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The learner's workspace: a git branch {@code tracelab-exercise-<lang>} of this checkout whose
 * first commit replaces every boundary fix of the chosen languages with its stub ({@link
 * Task#stub}), and the exercise state in {@code .tracelab/exercise.json} (git-ignored): where it
 * started, hints shown, last results. Whatever overwrites the learner's files ({@link #reset},
 * {@link #applySolution}, {@link #end}) first saves them as a commit on a branch {@code
 * tracelab/saved/<time>} and says how to restore them.
 */
public final class Workspace {

  static final String STATE = ".tracelab/exercise.json";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Git git;

  private Workspace(Path root) {
    this.git = new Git(root);
  }

  public static Workspace at(Path root) {
    return new Workspace(root.toAbsolutePath().normalize());
  }

  public Path root() {
    return git.root();
  }

  /** The saved state of a started exercise. */
  public static final class State {
    public List<String> languages = new ArrayList<>();
    public String branch;
    public String base;
    public String start;
    public String from;
    public Map<String, Integer> hints = new LinkedHashMap<>();
    public Map<String, String> results = new LinkedHashMap<>();

    /** The chosen boundaries ({@code start --boundaries}); null: every exercise. */
    public List<String> boundaries;

    /**
     * The tasks: the code of the chosen languages, then configuration and the page (every exercise
     * has them), limited to the chosen boundaries.
     */
    public List<Task> tasks() {
      List<Task> tasks = new ArrayList<>();
      for (String l : languages) {
        tasks.addAll(Task.of(Language.parse(l)));
      }
      tasks.addAll(Task.shared());
      return tasks.stream()
          .filter(t -> boundaries == null || boundaries.contains(t.boundary().id()))
          .toList();
    }
  }

  /** The languages {@code --lang} names: java, go, node, or all of them. */
  public static List<Language> languages(String lang) {
    if (lang == null || lang.equals("java")) {
      return List.of(Language.JAVA);
    }
    return switch (lang) {
      case "go" -> List.of(Language.GO);
      case "node" -> List.of(Language.NODE);
      case "all" -> List.of(Language.JAVA, Language.GO, Language.NODE);
      default ->
          throw new ExerciseException("--lang must be java, go, node or all, not '" + lang + "'");
    };
  }

  // ---- start ----

  /**
   * Creates branch {@code tracelab-exercise-<lang>} from HEAD and commits the stubs on it; the
   * state file records the start. Refuses a dirty checkout, a started exercise, or an existing
   * branch.
   */
  public State start(String lang) {
    return start(lang, null);
  }

  /**
   * As {@link #start(String)}, with only {@code boundaries} (exercise ids, e.g. {@code http,
   * async}); null or empty: every exercise.
   */
  public State start(String lang, List<String> boundaries) {
    List<Language> languages = languages(lang);
    List<String> chosen = null;
    if (boundaries != null && !boundaries.isEmpty()) {
      chosen = new ArrayList<>();
      for (String b : boundaries) {
        chosen.add(Checker.parseBoundary(b.strip()).id());
      }
    }
    requireRepository();
    if (Files.exists(root().resolve(STATE))) {
      throw new ExerciseException(
          "an exercise is already started here (./lab exercise status; ./lab exercise reset"
              + " to start it over; remove "
              + STATE
              + " to begin a new one)");
    }
    if (!git.changes().isEmpty()) {
      throw new ExerciseException(
          "the checkout has uncommitted changes: commit or stash them first");
    }
    String branch = "tracelab-exercise-" + (lang == null ? "java" : lang);
    if (git.branchExists(branch)) {
      throw new ExerciseException(
          "branch "
              + branch
              + " already exists: delete it (git branch -D "
              + branch
              + ") or check it out and run ./lab exercise reset");
    }
    State s = new State();
    languages.forEach(l -> s.languages.add(l.id()));
    s.boundaries = chosen;
    if (s.tasks().isEmpty()) {
      throw new ExerciseException(
          "no exercise of " + String.join(", ", chosen) + " in " + String.join(", ", s.languages));
    }
    s.from = git.branch() == null ? git.head() : git.branch();
    s.base = git.head();
    s.branch = branch;
    List<String> files = new ArrayList<>();
    Map<String, String> stubs = new LinkedHashMap<>();
    for (Task t : s.tasks()) {
      stubs.put(
          t.fixFile(),
          t.stub(git.show(s.base, t.fixFile()))); // all generated before anything changes
      files.add(t.fixFile());
    }
    git.run("checkout", "--quiet", "-b", branch);
    stubs.forEach(this::write);
    List<String> add = new ArrayList<>(List.of("add", "--"));
    add.addAll(files);
    git.run(add.toArray(String[]::new));
    git.commit(
        "tracelab exercise: start ("
            + String.join(", ", s.languages)
            + "): the boundary fixes are stubs to fill in");
    s.start = git.head();
    save(s);
    return s;
  }

  /**
   * Where the learner's work was saved before the exercise overwrote it: a branch, and the one
   * command that puts it back.
   */
  public record Saved(String branch, String restore) {}

  /**
   * What {@link #reset} did; {@code saved} is null when there was nothing of the learner's to save.
   */
  public record Reset(State state, Saved saved) {}

  /**
   * What {@link #applySolution} did: the files it replaced with the reference fix (none when they
   * were the reference already) and where their versions went (null when nothing was replaced).
   */
  public record Applied(List<String> files, Saved saved) {}

  /**
   * Back to the start commit, hints reset. The learner's work — commits on the branch since the
   * start and uncommitted changes — is first saved on a branch {@code tracelab/saved/<time>}.
   */
  public Reset reset() {
    State s = load();
    Saved saved = saveWorkOnBranch(s, "reset");
    git.run("reset", "--quiet", "--hard", s.start);
    s.hints.clear();
    s.results.clear();
    save(s);
    return new Reset(s, saved);
  }

  /**
   * What {@link #end} did: the branch the checkout is back on, and where the learner's work went
   * (null when there was nothing of theirs to save).
   */
  public record Ended(State state, Saved saved) {}

  /**
   * Ends the exercise: the learner's work (commits since the start and uncommitted changes) is
   * saved on a branch {@code tracelab/saved/<time>}, the checkout goes back to where {@link #start}
   * was run (the fixed sources), and the exercise branch and state are removed, so {@code start}
   * can run again.
   */
  public Ended end() {
    State s = load();
    Saved saved = saveWorkOnBranch(s, "end");
    git.run("checkout", "--quiet", "--force", s.from);
    git.run("branch", "--quiet", "-D", s.branch);
    try {
      Files.delete(root().resolve(STATE));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + STATE, e);
    }
    return new Ended(s, saved);
  }

  /**
   * The reference fix of {@code boundary} (every chosen language) as a diff {@code git apply}
   * accepts at the start.
   */
  public String solution(Boundary boundary) {
    State s = load();
    List<String> args =
        new ArrayList<>(List.of("diff", "--no-color", "--no-ext-diff", s.start, s.base, "--"));
    args.addAll(fixFiles(s, boundary));
    return git.run(args.toArray(String[]::new));
  }

  /**
   * Puts the reference fix of {@code boundary} in place of the learner's version of its fix files,
   * whatever they changed: each becomes the fixed source the exercise started from. When one
   * differs from it, the learner's working tree is first saved on a branch {@code
   * tracelab/saved/<time>}.
   */
  public Applied applySolution(Boundary boundary) {
    State s = load();
    List<String> files = fixFiles(s, boundary);
    if (!s.branch.equals(git.branch())) {
      throw new ExerciseException(
          "the exercise is on branch "
              + s.branch
              + ", this checkout is on "
              + git.branch()
              + ": git checkout "
              + s.branch);
    }
    Map<String, String> replaced = new LinkedHashMap<>();
    for (String file : files) {
      String fixed = git.show(s.base, file);
      if (!fixed.equals(currentOrNull(file))) {
        replaced.put(file, fixed);
      }
    }
    if (replaced.isEmpty()) {
      return new Applied(List.of(), null);
    }
    Saved saved =
        saveWork("before solution " + boundary.id() + " --apply", List.copyOf(replaced.keySet()));
    replaced.forEach(this::write);
    return new Applied(List.copyOf(replaced.keySet()), saved);
  }

  /**
   * Before {@code what} ({@code reset}, {@code end}) overwrites the learner's files: checks out the
   * exercise branch (refusing uncommitted changes elsewhere), then saves their work — commits since
   * the start and uncommitted changes — when there is any; null when there is none.
   */
  private Saved saveWorkOnBranch(State s, String what) {
    if (!s.branch.equals(git.branch())) {
      if (git.dirty()) {
        throw new ExerciseException(
            "the checkout has uncommitted changes: commit or stash them before " + what);
      }
      git.run("checkout", "--quiet", s.branch);
    }
    return !git.head().equals(s.start) || git.dirty()
        ? saveWork("before " + what, List.of("."))
        : null;
  }

  /**
   * Commits the working tree as it is (tracked and untracked files, on top of HEAD) to a new branch
   * {@code tracelab/saved/<time>}, leaving HEAD, the index and the files as they are; with the
   * command that restores {@code paths} from it.
   */
  private Saved saveWork(String why, List<String> paths) {
    String time =
        LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
    String branch = "tracelab/saved/" + time;
    for (int n = 2; git.branchExists(branch); n++) {
      branch = "tracelab/saved/" + time + "-" + n;
    }
    String commit =
        git.snapshot("tracelab exercise: the learner's work " + why + " (" + time + ")");
    git.run("branch", branch, commit);
    return new Saved(branch, "git restore --source=" + branch + " -- " + String.join(" ", paths));
  }

  /** The fix files of {@code boundary} in the exercise's languages; fails when it has none. */
  private static List<String> fixFiles(State s, Boundary boundary) {
    List<String> files =
        s.tasks().stream().filter(t -> t.boundary() == boundary).map(Task::fixFile).toList();
    if (files.isEmpty()) {
      throw new ExerciseException(
          "no "
              + boundary.id()
              + " exercise in "
              + String.join(", ", s.languages)
              + " (boundaries here: "
              + boundaryIds(s)
              + ")");
    }
    return files;
  }

  /** Files that differ between the commit the exercise started from and its start commit. */
  public List<String> changedByStart() {
    State s = load();
    return git.run("diff", "--name-only", s.base, s.start)
        .lines()
        .filter(l -> !l.isBlank())
        .toList();
  }

  /** True when the learner changed the task's fix file since the start (committed or not). */
  public boolean edited(State s, Task t) {
    return !git.run("diff", "--name-only", s.start, "--", t.fixFile()).isBlank();
  }

  /** The fixed source of the task's file, as the exercise started from it. */
  String reference(State s, Task t) {
    return git.show(s.base, t.fixFile());
  }

  String current(Task t) {
    try {
      return Files.readString(root().resolve(t.fixFile()));
    } catch (IOException e) {
      throw new ExerciseException("cannot read " + t.fixFile() + ": " + e.getMessage());
    }
  }

  /** The file in the working tree, or null when it is not there (the learner deleted it). */
  private String currentOrNull(String path) {
    Path file = root().resolve(path);
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
    } catch (IOException e) {
      throw new ExerciseException("cannot read " + path + ": " + e.getMessage());
    }
  }

  static String boundaryIds(State s) {
    return String.join(", ", s.tasks().stream().map(t -> t.boundary().id()).distinct().toList());
  }

  // ---- state ----

  public boolean started() {
    return Files.exists(root().resolve(STATE));
  }

  public State load() {
    Path file = root().resolve(STATE);
    if (!Files.exists(file)) {
      throw new ExerciseException(
          "no exercise started here: ./lab exercise start [--lang java|go|node|all]");
    }
    try {
      return JSON.readValue(file.toFile(), State.class);
    } catch (IOException e) {
      throw new ExerciseException("cannot read " + STATE + ": " + e.getMessage());
    }
  }

  void save(State s) {
    Path file = root().resolve(STATE);
    try {
      Files.createDirectories(file.getParent());
      JSON.writeValue(file.toFile(), s);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + STATE, e);
    }
  }

  private void write(String path, String content) {
    try {
      Files.writeString(root().resolve(path), content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + path, e);
    }
  }

  private void requireRepository() {
    Git.Result r = git.tryRun("rev-parse", "--show-toplevel");
    if (r.exit() != 0) {
      throw new ExerciseException(
          root()
              + " is not a git checkout: the exercise works on a git branch (git clone the repository)");
    }
    if (git.tryRun("check-ignore", "-q", STATE).exit() != 0) {
      throw new ExerciseException(
          STATE + " is not git-ignored in this checkout (.gitignore needs '.tracelab/')");
    }
  }
}
