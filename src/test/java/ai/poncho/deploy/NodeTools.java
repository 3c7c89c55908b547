package ai.poncho.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * TypeScript and the type packages the artifact checks need (src/test/resources/node-tools), installed
 * once with npm into target/node-tools, as the OpenAI SDK test installs its package.
 */
final class NodeTools {

  static final Path HOME = Path.of("target/node-tools").toAbsolutePath();

  private NodeTools() {
  }

  static synchronized Path install() throws IOException, InterruptedException {
    Tools.require("npm");
    Files.createDirectories(HOME);
    Path manifest = Path.of("src/test/resources/node-tools/package.json");
    Path installed = HOME.resolve("package.json");
    boolean same = Files.exists(installed) && Files.mismatch(manifest, installed) == -1;
    if (!same || !Files.exists(HOME.resolve("node_modules/.bin/tsc"))) {
      Files.copy(manifest, installed, StandardCopyOption.REPLACE_EXISTING);
      Tools.Result npm = Tools.run(List.of("npm", "install", "--no-audit", "--no-fund", "--loglevel=error"), HOME,
          Map.of(), 300);
      assertThat(npm.status()).as("npm install: " + npm.output()).isZero();
    }
    return HOME;
  }

  /** Runs the installed tsc in {@code dir} (inside {@link #HOME}, so that node_modules is found). */
  static Tools.Result tsc(Path dir, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("node", HOME.resolve("node_modules/typescript/bin/tsc").toString()));
    command.addAll(List.of(args));
    return Tools.run(command, dir, Map.of(), 300);
  }
}
