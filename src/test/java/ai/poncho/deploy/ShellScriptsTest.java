package ai.poncho.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every shell script of the project parses (bash -n), is executable, and passes shellcheck's warnings. */
class ShellScriptsTest {

  private static List<Path> scripts() throws IOException {
    List<Path> scripts = new ArrayList<>(List.of(Path.of(".ci/run")));
    for (String folder : List.of("scripts", "loadtest")) {
      try (Stream<Path> files = Files.walk(Path.of(folder))) {
        files.filter(f -> f.toString().endsWith(".sh") && !f.toString().contains("node_modules")).sorted()
            .forEach(scripts::add);
      }
    }
    return scripts;
  }

  @Test
  void everyScriptParsesAndIsExecutable() throws Exception {
    List<Path> scripts = scripts();
    assertThat(scripts).map(Path::toString).contains("scripts/deploy.sh", "scripts/backup.sh", "scripts/restore.sh",
        "scripts/test.sh", "loadtest/run.sh");
    for (Path script : scripts) {
      assertThat(Files.readAllLines(script).get(0)).as(script.toString()).isEqualTo("#!/usr/bin/env bash");
      assertThat(Files.isExecutable(script)).as(script + " is executable").isTrue();
      Tools.Result result = Tools.run(List.of("bash", "-n", script.toString()), null, Map.of(), 30);
      assertThat(result.status()).as(script + ": " + result.output()).isZero();
    }
  }

  @Test
  void shellcheckFindsNoWarnings() throws Exception {
    Tools.require("shellcheck");
    List<String> command = new ArrayList<>(List.of("shellcheck", "--severity=warning", "--external-sources"));
    scripts().forEach(script -> command.add(script.toString()));
    Tools.Result result = Tools.run(command, null, Map.of(), 120);
    assertThat(result.status()).as(result.output()).isZero();
  }
}
