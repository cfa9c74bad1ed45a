package dev.trainyard.server.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in trainer as jobs run it: its jar and libraries copied from the build
 * ({@code trainer/target}, named by the {@code trainyard.trainer.dir} property the launcher sets)
 * into {@code DATA/trainer/lib}, where jobs' own users can read them, and the JVM the server runs on.
 */
public final class TrainerInstall {
    private static final Logger LOG = LoggerFactory.getLogger(TrainerInstall.class);

    private final Path lib;
    private final boolean installed;

    private TrainerInstall(Path lib, boolean installed) {
        this.lib = lib;
        this.installed = installed;
    }

    /** Copies what changed; an installation without a built trainer can serve but not train. */
    public static TrainerInstall install(Path dataDir) {
        Path lib = dataDir.resolve("trainer").resolve("lib");
        String source = System.getProperty("trainyard.trainer.dir");
        if (source == null || !Files.isDirectory(Path.of(source))) {
            LOG.warn("the built-in trainer is not built (no trainer/target): models cannot be trained");
            return new TrainerInstall(lib, false);
        }
        try {
            List<Path> jars = new ArrayList<>();
            try (Stream<Path> own = Files.list(Path.of(source))) {
                own.filter(path -> path.getFileName().toString().matches("trainyard-trainer-.*\\.jar"))
                        .forEach(jars::add);
            }
            Path dependencies = Path.of(source, "lib");
            if (Files.isDirectory(dependencies)) {
                try (Stream<Path> libs = Files.list(dependencies)) {
                    libs.filter(path -> path.toString().endsWith(".jar")).forEach(jars::add);
                }
            }
            if (jars.isEmpty()) {
                LOG.warn("no trainer jar in {}: models cannot be trained", source);
                return new TrainerInstall(lib, false);
            }
            Files.createDirectories(lib);
            Files.setPosixFilePermissions(lib.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(lib, PosixFilePermissions.fromString("rwxr-xr-x"));
            for (Path jar : jars) {
                Path target = lib.resolve(jar.getFileName());
                if (!Files.exists(target)
                        || Files.size(target) != Files.size(jar)
                        || Files.getLastModifiedTime(target).compareTo(Files.getLastModifiedTime(jar)) < 0) {
                    Files.copy(jar, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
                }
            }
            return new TrainerInstall(lib, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install the built-in trainer into " + lib, e);
        }
    }

    public boolean installed() {
        return installed;
    }

    /** The class path a job passes to java. */
    public String classPath() {
        return lib.resolve("*").toString();
    }

    /** The java the server runs on (the JDK is readable by every user). */
    public String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }
}
