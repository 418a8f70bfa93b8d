package dev.sealwright.vm;

import dev.sealwright.base.RecipeException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/** Reading a running VM's serial log (launch output serialLog) from another step. */
public final class SerialLog {
    private SerialLog() {}

    /** The first line of the log matching {@code regex}, polling until it appears or {@code timeout} passes. */
    public static String waitFor(Path log, Pattern regex, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (true) {
            try {
                if (Files.exists(log)) {
                    last = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).replace("\r", "");
                    for (String line : ConsoleLines.of(last)) if (regex.matcher(line).find()) return line;
                }
            } catch (IOException e) {
                throw new RecipeException(log + ": cannot read the VM console: " + e.getMessage());
            }
            if (System.nanoTime() > deadline) {
                String[] lines = last.split("\n");
                String tail = String.join(" | ", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 5), lines.length));
                throw new RecipeException("the VM console did not print /" + regex + "/ within " + timeout.toSeconds() + "s; last lines: " + tail);
            }
            Thread.sleep(200);
        }
    }
}
