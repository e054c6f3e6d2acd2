package dev.streamlab.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.testing.ExternalTools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The student's entry point, {@code ./lab}: it must find a 21+ JDK even when JAVA_HOME points at an old one. */
class LabScriptTest {
    record Result(int exit, String out) {}

    private static Result lab(Path javaHome, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", ExternalTools.root().resolve("lab").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (javaHome != null) pb.environment().put("JAVA_HOME", javaHome.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "./lab did not finish");
        return new Result(p.exitValue(), out);
    }

    /** A directory that looks like a JDK 17 (the machine's default), to stand in JAVA_HOME. */
    private static Path fakeJdk17(Path dir) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("jdk17/bin"));
        for (String tool : List.of("java", "javac")) {
            Path f = bin.resolve(tool);
            Files.writeString(f, "#!/bin/sh\necho 'openjdk version \"17.0.15\" 2025-04-15' >&2\n");
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return dir.resolve("jdk17");
    }

    @Test
    void helpWorksWhenJavaHomeIsAnOldJdk(@TempDir Path dir) throws Exception {
        Result r = lab(fakeJdk17(dir), "help");
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("./lab run") && r.out().contains("./lab test"), r.out());
    }

    @Test
    void anUnknownPhaseIsRefusedWithTheListOfPhases() throws Exception {
        Result r = lab(null, "run", "phase9");
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.out().contains("unknown phase 'phase9' (phase1, phase2, phase3 or phase4)"), r.out());
    }

    @Test
    void unknownCommandsPrintUsageAndExitTwo() throws Exception {
        Result r = lab(null, "frobnicate");
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.out().contains("unknown command 'frobnicate'"), "says what was wrong: " + r.out());
        assertTrue(r.out().contains("./lab help"), r.out());
    }

    @Test
    void aMistypedPhaseIsRefusedNotPassedToPhase4() throws Exception {
        // "phse3" used to fall through to the default phase as an argument, after a build; now it is named at once.
        Result r = lab(null, "run", "phse3");
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.out().contains("unknown phase 'phse3'"), r.out());
        assertTrue(!r.out().contains("lab: building"), "refused before building: " + r.out());
        r = lab(null, "run", "PHASE9"); // the name's case does not matter ("Phase3" runs phase 3)
        assertTrue(r.out().contains("unknown phase 'phase9'"), r.out());
    }
}
